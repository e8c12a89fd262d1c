import { browserLogin, CONTOSO, defineScenario, expectBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: 'groupMembershipClaims "All" instead of "SecurityGroup": the token also carries Microsoft 365 groups, and the bridge provisions them',
  reproduces: 'PingOne "Connect to Azure" step 13: change groupMembershipClaims to either "SecurityGroup" or "All" — "All" chosen',
  tenant: { patch: [{ op: 'replace', path: '/applications/0/groupMembershipClaims', value: 'All' }] },
  steps: [browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectBridgeUser({ user: 'AdeleV@contoso.onmicrosoft.com', groups: [CONTOSO.groups.engineering, CONTOSO.groups.allCompany], groupSource: 'claim' })],
});
