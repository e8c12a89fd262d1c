import { browserLogin, CONTOSO, defineScenario, expectBridgeUser } from '../../harness/src/index.js';

export default defineScenario({
  title: 'A user without a mailbox signs in: the v2.0 ID token has no email claim, and the bridge provisions her with an empty email',
  reproduces: 'Real-world case: users without email (no Exchange license, mail attribute empty) — the email claim is only sent when the user has one',
  steps: [browserLogin({ app: 'bridge', user: 'MeganB@contoso.onmicrosoft.com' })],
  expect: expectBridgeUser({
    user: 'MeganB@contoso.onmicrosoft.com',
    attributes: { subject: CONTOSO.users.megan.id, username: 'MeganB@contoso.onmicrosoft.com', email: null, name: 'Megan Bowen' },
    groups: [CONTOSO.groups.dataStewards],
    groupSource: 'claim',
  }),
});
