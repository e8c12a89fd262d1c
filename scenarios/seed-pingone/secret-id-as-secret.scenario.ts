import { browserLogin, configureBridge, CONTOSO, defineScenario, expectAadsts, expectNoBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: 'The Secret ID pasted instead of the secret Value: the code redemption fails with AADSTS7000215',
  reproduces: 'PingOne "Connect to Azure" step 5.3: copy the secret Value, not the Secret ID',
  steps: [configureBridge({ clientSecret: CONTOSO.bridge.secretKeyId }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectAadsts(7000215, { surface: 'bridge', phase: 'token' }), expectAadsts(7000215, { surface: 'json' }), expectNoBridgeUser()],
});
