import { browserLogin, configureBridge, defineScenario, expectNoBridgeUser, expectRpRejects } from '../../harness/src/index.js';

export default defineScenario({
  title: 'subject mapped to email: a user without a mailbox has no email claim, and the bridge cannot provision her',
  reproduces: 'PingOne "Connect to Azure" step 16: the attribute mapping subject ← email instead of an immutable id (oid)',
  steps: [
    configureBridge({ attributeMapping: { subject: 'email', username: 'preferred_username', email: 'email', name: 'name' } }),
    browserLogin({ app: 'bridge', user: 'MeganB@contoso.onmicrosoft.com' }),
  ],
  expect: [expectRpRejects({ phase: 'provisioning' }), expectNoBridgeUser('MeganB@contoso.onmicrosoft.com')],
});
