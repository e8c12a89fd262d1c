import { browserLogin, CONTOSO, defineScenario, expectAadsts, expectNoBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: "The bridge's redirect URI was added as Mobile and desktop (public client): the code redemption with the secret fails with AADSTS700025",
  reproduces: 'PingOne "Connect to Azure" step 15.1: "Add a new Redirect URI of type Web" — the Mobile and desktop applications tile picked instead',
  tenant: {
    patch: [
      { op: 'replace', path: '/applications/0/web/redirectUris', value: [] },
      { op: 'add', path: '/applications/0/publicClient', value: { redirectUris: [CONTOSO.bridge.redirectUri] } },
    ],
  },
  steps: [browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectAadsts(700025, { surface: 'bridge', phase: 'token' }), expectAadsts(700025, { surface: 'json' }), expectNoBridgeUser()],
});
