import { browserLogin, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: 'A nonce was sent and the ID token carries none: the bridge rejects it',
  reproduces:
    'OIDC Core 3.1.3.7 (11): a nonce was sent, so the ID token must carry it; no OIDF module of its own (UNCONFIRMED). A correct RP rejects the ID token',
  steps: [mutateNext({ target: 'id_token', kind: 'nonce-removed' }), browserLogin({ app: 'bridge', user: 'MeganB@contoso.onmicrosoft.com' })],
  expect: [expectRpRejects({ phase: 'id_token', error: /^OAUTH_INVALID_RESPONSE .*JWT "nonce" \(nonce\) claim missing/ }), expectNoBridgeUser()],
});
