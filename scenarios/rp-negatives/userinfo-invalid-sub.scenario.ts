import { browserLogin, configureBridge, defineScenario, expectNoBridgeUser, expectRpRejects, mutateNext } from '../../harness/src/index.js';

export default defineScenario({
  title: "The UserInfo answer names another user's sub than the ID token: the bridge, reading UserInfo, rejects the sign-in",
  reproduces:
    'OIDF oidcc-client-test-userinfo-invalid-sub (rp-userinfo-bad-sub-claim); OIDC Core 5.3.2: the sub in the UserInfo response MUST be verified to exactly match the sub of the ID token. A correct RP that reads UserInfo rejects it',
  steps: [
    // PingOne's bridge maps ID token claims only; the check applies to an RP that reads UserInfo.
    configureBridge({ userinfo: true }),
    mutateNext({ target: 'userinfo', kind: 'sub-other' }),
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: [
    expectRpRejects({
      phase: 'userinfo',
      error: /^OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED .*unexpected "response" body "sub" property value/,
      skippable: 'OIDC Core 5.3.2 binds an RP that reads UserInfo; one that takes its claims from the ID token only never sees the bad sub',
    }),
    expectNoBridgeUser(),
  ],
});
