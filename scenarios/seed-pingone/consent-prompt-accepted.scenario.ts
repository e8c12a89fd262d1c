import { browserLogin, CONTOSO, defineScenario, expectBridgeUser, expectRequests } from '../../harness/src/index.js';

export default defineScenario({
  title: 'Admin consent was never granted: each user meets the consent prompt at first sign-in, accepts it, and is provisioned',
  reproduces: 'PingOne "Connect to Azure" step 11.7 skipped ("ensures your users don\'t need to grant consent during SSO")',
  tenant: { patch: [{ op: 'remove', path: '/oauth2PermissionGrants/0' }] },
  steps: [browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com', consent: 'accept' })],
  expect: [
    expectBridgeUser({ user: 'AdeleV@contoso.onmicrosoft.com', groups: [CONTOSO.groups.engineering], groupSource: 'claim' }),
    // Two pages from /authorize: the sign-in page, then the consent prompt (a granted tenant shows only the first).
    expectRequests({ endpoint: 'authorize.v2', status: 200, count: 2 }),
  ],
});
