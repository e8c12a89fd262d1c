import { browserLogin, defineScenario, expectAadsts, expectGroupSync, expectNoBridgeUser, groupSync } from '../../harness/src/index.js';

export default defineScenario({
  title: "The bridge's only valid client secret has expired: code redemption and group sync fail with AADSTS7000222",
  reproduces: 'PingOne "Connect to Azure" step 5: "You\'ll need to update the client secret when it expires"',
  // The secret the bridge is configured with (valid until 2099 in the default tenant) expired last year.
  tenant: { patch: [{ op: 'replace', path: '/applications/0/passwordCredentials/0/endDateTime', value: '2025-06-30T23:59:59Z' }] },
  steps: [browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }), groupSync()],
  expect: [
    expectAadsts(7000222, { surface: 'bridge', phase: 'token' }),
    expectAadsts(7000222, { surface: 'bridge', phase: 'group-sync' }),
    expectAadsts(7000222, { surface: 'json' }),
    expectNoBridgeUser(),
    expectGroupSync({ ok: false }),
  ],
});
