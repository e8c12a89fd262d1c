import { addSecurityGroups, CONTOSO, defineScenario, expectBridgeUser, expectBrowserSession, signInThenNextPage } from '../../harness/src/index.js';

export default defineScenario({
  title:
    "A user in 180 more groups (no overage yet): the groups claim carries all 181 security groups, and the bridge's session cookie — an id, not the groups — keeps her signed in",
  reproduces: 'Real-world case: sessions too large for a cookie with hundreds of groups — a relying party that keeps the session server-side',
  tenant: { mutate: addSecurityGroups({ count: 180, members: [CONTOSO.users.adele.id], name: 'Project' }) },
  steps: [signInThenNextPage({ user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [
    // 180 + Engineering: groupMembershipClaims SecurityGroup leaves the Microsoft 365 group (All Company) out.
    expectBridgeUser({ user: 'AdeleV@contoso.onmicrosoft.com', groupCount: 181, groupSource: 'claim' }),
    expectBrowserSession({ user: 'AdeleV@contoso.onmicrosoft.com', signedIn: true }),
  ],
});
