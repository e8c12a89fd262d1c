import { bridgeRefresh, browserLogin, configureBridge, defineScenario, expectRefreshRejected, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: "The refresh response's ID token names another user's sub: the bridge refuses the refresh and ends the session",
  reproduces:
    "OIDF oidcc-client-test-refresh-token-invalid-sub; OIDC Core 12.2: the refreshed ID token's sub MUST be the same as in the original ID token. A correct RP refuses the refresh response (openid-client alone accepts it: it has no earlier sub to compare)",
  steps: [
    configureBridge({ scopes: ['openid', 'profile', 'email', 'offline_access'] }),
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
    mutateNext({ target: 'refresh_id_token', kind: 'sub-other' }),
    bridgeRefresh({ user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: [expectRefreshRejected({ user: 'AdeleV@contoso.onmicrosoft.com', error: 'refresh_id_token_sub_changed' })],
});
