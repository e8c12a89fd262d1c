import { browserLogin, CONTOSO, defineScenario, expectBridgeUser } from '../../harness/src/index.js';

/** The "Platform" security group the scenario adds. */
const PLATFORM = '5e1b7c3a-0f42-4d8e-9b6a-2c7d1e4f8a93';

export default defineScenario({
  title: 'A user in a group nested inside another: the groups claim carries both (transitive membership), and the bridge provisions both',
  reproduces:
    'Real-world case: nested groups — Adele is a member of "Platform", which is a member of "Engineering"; the claim lists transitive security groups',
  tenant: {
    mutate: (t) => {
      const engineering = t.groups?.find((g) => g.id === CONTOSO.groups.engineering);
      if (!engineering) throw new Error('the base tenant has no Engineering group');
      // Adele leaves Engineering as a direct member; she is in it through Platform only.
      engineering.members = [...(engineering.members ?? []).filter((m) => m !== CONTOSO.users.adele.id), PLATFORM];
      t.groups?.push({ id: PLATFORM, displayName: 'Platform', groupTypes: [], securityEnabled: true, mailEnabled: false, members: [CONTOSO.users.adele.id] });
    },
  },
  steps: [browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: expectBridgeUser({ user: 'AdeleV@contoso.onmicrosoft.com', groups: [PLATFORM, CONTOSO.groups.engineering], groupSource: 'claim' }),
});
