import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, tenantClock } from '../../harness/src/index.js';

export default defineScenario({
  title: "The identity provider's clock runs two hours ahead: the ID token is not yet valid on arrival, and the bridge rejects it",
  reproduces: "Real-world case: clock skew the other way (see sso/id-token-clock-skew) — the relying party's clock is behind, so nbf and iat lie in its future",
  steps: [tenantClock({ advanceSeconds: 2 * 3600 }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectRpRejects({
      phase: 'id_token',
      error: /nbf|iat/,
      // exp is still ahead; what is wrong (nbf, iat in the future) are checks a relying party may skip, as in rp-negatives/nbf-future and iat-week-old.
      skippable:
        'OIDC Core 3.1.3.7 does not list nbf among the ID token checks (RFC 7519 4.1.5 asks a JWT processor to honour it), and (10) leaves the bound on iat to the client',
    }),
    expectNoBridgeUser(),
  ],
});
