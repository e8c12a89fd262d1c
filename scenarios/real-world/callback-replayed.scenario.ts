import {
  CONTOSO,
  defineScenario,
  expectAadsts,
  expectBridgeUser,
  expectRequests,
  expectBridgeError,
  redeemCodeAgain,
  replayCallback,
} from '../../harness/src/index.js';

export default defineScenario({
  title: 'The callback is opened twice: the bridge refuses the replay by its single-use state, and Entra refuses the code a second time with AADSTS54005',
  reproduces: 'Real-world case: code redeemed twice — the callback replayed (back button, reload, a retrying proxy), and a relying party that redeems it again',
  steps: [replayCallback({ user: 'AdeleV@contoso.onmicrosoft.com' }), redeemCodeAgain()],
  expect: [
    expectBridgeUser({ user: 'AdeleV@contoso.onmicrosoft.com', groups: [CONTOSO.groups.engineering] }),
    // The replayed callback never reaches Entra: its state was used up by the first one.
    expectBridgeError({ phase: 'callback', error: 'invalid_state' }),
    expectAadsts(54005, { surface: 'json' }),
    // One redemption by the bridge (accepted), one replayed (refused).
    expectRequests({ endpoint: 'token.v2', status: 200, count: 1 }),
  ],
});
