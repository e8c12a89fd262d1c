import { browserLogin, CONTOSO, defineScenario, expectBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: 'groupMembershipClaims left at null: the ID token carries no groups, so the bridge provisions the user without any',
  reproduces: 'PingOne "Connect to Azure" step 13 skipped: groupMembershipClaims still "null" in the manifest',
  tenant: { patch: [{ op: 'replace', path: '/applications/0/groupMembershipClaims', value: null }] },
  steps: [browserLogin({ app: 'bridge', user: 'AlexW@contoso.onmicrosoft.com' })],
  expect: expectBridgeUser({
    user: 'AlexW@contoso.onmicrosoft.com',
    attributes: { subject: CONTOSO.users.alex.id, email: 'AlexW@contoso.com' },
    groups: [],
    groupSource: 'none',
  }),
});
