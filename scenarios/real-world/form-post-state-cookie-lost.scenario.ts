import { browserLoginCrossSite, configureBridge, defineScenario, expectNoBridgeUser, expectRpRejects } from '../../harness/src/index.js';

export default defineScenario({
  title:
    "A form_post callback from Entra's site carries no SameSite=Lax cookie: the relying party cannot find the state it kept in one, and nobody is signed in",
  reproduces: 'Real-world case: state lost on a form_post callback ("Correlation failed") — the state cookie is SameSite=Lax, the callback a cross-site POST',
  tenant: {
    patch: [
      { op: 'add', path: '/applications/0/web/redirectUris/-', value: 'http://127.0.0.1:7000/sso/callback/vc-5f2a9c' },
      // The hybrid flow answers by form_post: the app must allow ID tokens from /authorize.
      { op: 'replace', path: '/applications/0/web/implicitGrantSettings/enableIdTokenIssuance', value: true },
    ],
  },
  steps: [configureBridge({ responseType: 'code id_token', stateCookie: true }), browserLoginCrossSite({ user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectRpRejects({ phase: 'callback', error: 'state_cookie_missing' }), expectNoBridgeUser()],
});
