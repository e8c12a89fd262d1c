import { bridgeVerify, browserLogin, CONTOSO, defineScenario, expectBridgeUser, expectBridgeVerified } from '../../harness/src/index.js';

export default defineScenario({
  title: 'A user signs in to the bridge in a browser and is provisioned with mapped attributes and their security groups',
  reproduces: 'PingOne "Connect to Azure" steps 9 (Verify), 13 (groupMembershipClaims: SecurityGroup), 16–17 (attribute mapping, just-in-time provisioning)',
  steps: [bridgeVerify(), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectBridgeVerified({ scopes: ['openid', 'profile', 'email'] }),
    // Adele is in Engineering (security) and All Company (Microsoft 365): SecurityGroup emits only the first.
    expectBridgeUser({
      user: 'AdeleV@contoso.onmicrosoft.com',
      attributes: { subject: CONTOSO.users.adele.id, username: 'AdeleV@contoso.onmicrosoft.com', email: 'AdeleV@contoso.com', name: 'Adele Vance' },
      groups: [CONTOSO.groups.engineering],
      groupSource: 'claim',
    }),
  ],
});
