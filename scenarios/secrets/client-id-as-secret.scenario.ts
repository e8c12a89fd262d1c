import {
  bridgeVerify,
  browserLogin,
  configureBridge,
  CONTOSO,
  defineScenario,
  expectAadsts,
  expectBridgeVerified,
  expectNoBridgeUser,
} from '../../harness/src/index.js';

export default defineScenario({
  title: 'The client ID pasted into the Client Secret field: "Verify" passes, sign-in fails with AADSTS7000215',
  reproduces: 'PingOne "Connect to Azure" step 6, as written: "paste the Client ID value into the Client Secret field"',
  steps: [configureBridge({ clientSecret: CONTOSO.bridge.appId }), bridgeVerify(), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    // Discovery needs no secret, so the slip goes unnoticed until the first sign-in.
    expectBridgeVerified(),
    expectAadsts(7000215, { surface: 'bridge', phase: 'token' }),
    expectAadsts(7000215, { surface: 'json' }),
    expectNoBridgeUser(),
  ],
});
