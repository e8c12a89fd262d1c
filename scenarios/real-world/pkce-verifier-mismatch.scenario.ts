import { bridgeLosesCodeVerifier, browserLogin, defineScenario, expectAadsts, expectNoBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: "The bridge redeems the code with another sign-in's PKCE verifier: Entra refuses with AADSTS50148, nobody is signed in",
  reproduces: "Real-world case: PKCE verifier mismatch — two sign-ins in two tabs share one session, the second overwrites the first's code_verifier",
  steps: [bridgeLosesCodeVerifier(), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectAadsts(50148, { surface: 'bridge', phase: 'token' }), expectAadsts(50148, { surface: 'json' }), expectNoBridgeUser()],
});
