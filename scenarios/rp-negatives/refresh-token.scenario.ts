import { bridgeRefresh, browserLogin, configureBridge, defineScenario, expectRefreshAccepted } from '../../harness/src/index.js';

export default defineScenario({
  title: 'A user signs in with offline_access and the bridge refreshes the tokens: the new ID token names the same iss and sub, the session stays',
  reproduces:
    'OIDF oidcc-client-test-refresh-token (the baseline of the refresh negatives); OIDC Core 12.1–12.2. A correct RP accepts a refresh response whose ID token repeats iss and sub',
  steps: [
    configureBridge({ scopes: ['openid', 'profile', 'email', 'offline_access'] }),
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
    bridgeRefresh({ user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: [expectRefreshAccepted({ user: 'AdeleV@contoso.onmicrosoft.com' })],
});
