import { browserLoginCrossSite, configureBridge, CONTOSO, defineScenario, expectBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: 'The same SameSite=Lax state cookie with response_mode=query: the callback is a top-level GET, the browser sends the cookie, and the user signs in',
  reproduces: 'Real-world case: state lost on a form_post callback — the contrast: a query callback keeps Lax cookies (the fix short of SameSite=None; Secure)',
  tenant: { patch: [{ op: 'add', path: '/applications/0/web/redirectUris/-', value: 'http://127.0.0.1:7000/sso/callback/vc-5f2a9c' }] },
  steps: [configureBridge({ stateCookie: true }), browserLoginCrossSite({ user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectBridgeUser({ user: 'AdeleV@contoso.onmicrosoft.com', groups: [CONTOSO.groups.engineering], groupSource: 'claim' })],
});
