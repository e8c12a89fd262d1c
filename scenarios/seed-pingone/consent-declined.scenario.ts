import { browserLogin, defineScenario, expectAadsts, expectNoBridgeUser, expectRpRejects } from '../../harness/src/index.js';

export default defineScenario({
  title: 'Admin consent was never granted and the user declines the consent prompt: Entra sends the bridge back AADSTS65004',
  reproduces: 'PingOne "Connect to Azure" step 11.7 skipped ("ensures your users don\'t need to grant consent during SSO"); the user clicks Cancel',
  // The default tenant's first grant is the bridge's delegated consent (openid profile email offline_access User.Read).
  tenant: { patch: [{ op: 'remove', path: '/oauth2PermissionGrants/0' }] },
  steps: [browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com', consent: 'cancel' })],
  expect: [expectAadsts(65004, { surface: 'redirect' }), expectRpRejects({ phase: 'authorize', error: 'access_denied' }), expectNoBridgeUser()],
});
