import { browserLogin, defineScenario, expectAadsts, expectNoBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: 'The redirect URI saved with a trailing slash: Entra compares it exactly, shows AADSTS50011 and never redirects',
  reproduces: 'PingOne "Connect to Azure" step 15.2: "Enter the URI you copied" — pasted with a trailing "/"',
  tenant: { patch: [{ op: 'replace', path: '/applications/0/web/redirectUris', value: ['http://localhost:7000/sso/callback/vc-5f2a9c/'] }] },
  steps: [browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectAadsts(50011, { surface: 'error-page' }), expectNoBridgeUser()],
});
