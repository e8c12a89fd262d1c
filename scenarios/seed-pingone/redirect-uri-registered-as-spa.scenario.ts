import { browserLogin, CONTOSO, defineScenario, expectAadsts, expectNoBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: "The bridge's redirect URI was added as a Single-page application: the sign-in comes back, the server-side code redemption fails with AADSTS9002327",
  reproduces: 'PingOne "Connect to Azure" step 15.1: "Add a new Redirect URI of type Web" — the Single-page application tile picked instead',
  tenant: {
    patch: [
      { op: 'replace', path: '/applications/0/web/redirectUris', value: [] },
      { op: 'add', path: '/applications/0/spa', value: { redirectUris: [CONTOSO.bridge.redirectUri] } },
    ],
  },
  steps: [browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectAadsts(9002327, { surface: 'bridge', phase: 'token' }), expectAadsts(9002327, { surface: 'json' }), expectNoBridgeUser()],
});
