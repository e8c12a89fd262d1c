import { browserLogin, configureBridge, defineScenario, expectBridgeUser, groupSync, expectRequests } from '../../harness/src/index.js';

export default defineScenario({
  title: 'Group synchronization not chosen: users are provisioned without groups and "Synchronize Groups" never calls Graph',
  reproduces: 'PingOne "Connect to Azure" step 17: "Choose whether or not to synchronize the user groups" — not chosen',
  steps: [configureBridge({ groupSync: false }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }), groupSync()],
  expect: [expectBridgeUser({ user: 'AdeleV@contoso.onmicrosoft.com', groups: [], groupSource: 'none' }), expectRequests({ endpoint: /^graph/, count: 0 })],
});
