import { bridgeVerify, configureBridgeDiscovery, defineScenario, expectAadsts } from '../../harness/src/index.js';

export default defineScenario({
  title: "The Discovery Endpoint re-typed with a tenant ID that does not exist: the bridge's Verify, fine before, now fails with AADSTS90002",
  reproduces: 'PingOne "Connect to Azure" steps 8–9: the metadata URL entered by hand with a mistyped Directory (tenant) ID, then "Verify"',
  steps: [bridgeVerify(), configureBridgeDiscovery({ tenant: '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0' }), bridgeVerify()],
  // The unknown tenant's answer is not in the scenario tenant's request log (the first Verify is): only the bridge saw it.
  expect: [expectAadsts(90002, { surface: 'bridge', phase: 'verify' })],
});
