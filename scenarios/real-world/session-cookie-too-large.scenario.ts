import {
  addSecurityGroups,
  configureBridge,
  CONTOSO,
  defineScenario,
  expectBridgeUser,
  expectBrowserSession,
  signInThenNextPage,
} from '../../harness/src/index.js';

export default defineScenario({
  title:
    'A relying party that keeps the groups in its session cookie: with 181 groups the cookie exceeds 4096 bytes, Chromium drops it, and the next page is anonymous',
  reproduces: 'Real-world case: sessions too large for a cookie with hundreds of groups — the login loop of stateless cookie sessions',
  tenant: { mutate: addSecurityGroups({ count: 180, members: [CONTOSO.users.adele.id], name: 'Project' }) },
  steps: [configureBridge({ sessionCookie: 'claims' }), signInThenNextPage({ user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    // The sign-in itself succeeded: Entra and the ID token are fine.
    expectBridgeUser({ user: 'AdeleV@contoso.onmicrosoft.com', groupCount: 181, groupSource: 'claim' }),
    // RFC 6265 6.1: browsers store at least 4096 bytes per cookie — Chromium no more.
    expectBrowserSession({ user: 'AdeleV@contoso.onmicrosoft.com', signedIn: false }),
  ],
});
