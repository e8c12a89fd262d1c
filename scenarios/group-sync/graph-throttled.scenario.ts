import { defineScenario, expectBridgeGroups, expectGroupSync, expectRequests, graphFault, groupSync } from '../../harness/src/index.js';

export default defineScenario({
  title: 'Microsoft Graph throttles the group listing (429 with Retry-After): the bridge waits, retries, and the sync completes',
  reproduces: 'Microsoft Graph throttling guidance: honour Retry-After on 429 (learn.microsoft.com/graph/throttling)',
  steps: [graphFault({ status: 429, retryAfterSeconds: 1, count: 2, path: '/v1.0/groups*' }), groupSync()],
  expect: [expectGroupSync({ ok: true, minRetries: 2 }), expectBridgeGroups('tenant'), expectRequests({ endpoint: /^graph/, status: 429, count: 2 })],
});
