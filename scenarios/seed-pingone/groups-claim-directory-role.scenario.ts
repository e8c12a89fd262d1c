import { browserLogin, defineScenario, expectBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: 'groupMembershipClaims "DirectoryRole": the token carries directory roles, not groups, and the user is provisioned without groups',
  reproduces: 'PingOne "Connect to Azure" step 13: "SecurityGroup" or "All" — "DirectoryRole" chosen from the manifest\'s other values',
  tenant: { patch: [{ op: 'replace', path: '/applications/0/groupMembershipClaims', value: 'DirectoryRole' }] },
  steps: [browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectBridgeUser({ user: 'AdeleV@contoso.onmicrosoft.com', groups: [] })],
});
