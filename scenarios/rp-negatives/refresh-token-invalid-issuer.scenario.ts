import { bridgeRefresh, browserLogin, configureBridge, defineScenario, expectRefreshRejected, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: "The refresh response's ID token names an iss one character off: the bridge refuses the refresh and ends the session",
  reproduces:
    "OIDF oidcc-client-test-refresh-token-invalid-issuer; OIDC Core 12.2: the refreshed ID token's iss MUST be the same as in the original ID token. A correct RP refuses the refresh response",
  steps: [
    configureBridge({ scopes: ['openid', 'profile', 'email', 'offline_access'] }),
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
    mutateNext({ target: 'refresh_id_token', kind: 'iss-near-miss' }),
    bridgeRefresh({ user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  // openid-client compares iss with the issuer on its own; the bridge's 12.2 check would catch it too.
  expect: [
    expectRefreshRejected({
      user: 'AdeleV@contoso.onmicrosoft.com',
      error: /^OAUTH_JWT_CLAIM_COMPARISON_FAILED .*unexpected JWT "iss" \(issuer\) claim value/,
    }),
  ],
});
