import { browserLogin, defineScenario, expectRpAccepts, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: "The ID token's iat is a week old while nbf and exp are current: the bridge signs the user in",
  reproduces:
    'OIDC Core 3.1.3.7 (10): "the iat Claim can be used to reject tokens that were issued too far away from the current time … the acceptable range is Client specific" — an optional check. An RP bounding token age rejects; one that does not accepts',
  steps: [mutateNext({ target: 'id_token', kind: 'iat-week-old' }), browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    expectRpAccepts({
      user: 'AdeleV@contoso.onmicrosoft.com',
      because: 'OIDC Core 3.1.3.7 (10) leaves the age bound on iat to the client; openid-client rejects only an iat in the future',
    }),
  ],
});
