import { browserLogin, defineScenario, expectAadsts, expectNoBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: "The app registration's redirect URI lacks the bridge's verification code: Entra shows AADSTS50011 and never redirects",
  reproduces: 'PingOne "Connect to Azure" steps 14–15: the redirect URI must include the per-account verification code',
  tenant: {
    // Step 15 done from memory: the Web redirect URI was saved without `/vc-5f2a9c`.
    patch: [{ op: 'replace', path: '/applications/0/web/redirectUris', value: ['http://localhost:7000/sso/callback'] }],
  },
  steps: [browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectAadsts(50011, { surface: 'error-page' }), expectNoBridgeUser()],
});
