import { changeTenant, CONTOSO, defineScenario, expectBridgeGroups, expectGroupSync, groupSync, resync } from '../../harness/src/index.js';

const DATA_PLATFORM = '5f0c3c1e-7d2a-4b7e-9a51-2f7d1c0e6a01';

export default defineScenario({
  title: 'The bridge synchronizes a tenant of 2,000 groups through Graph with paging; a resync picks up an addition, a rename and a removal',
  reproduces: 'PingOne "Connect to Azure" step 17: group synchronization keyed by Azure group ID, and "Synchronize Groups" after changes',
  timeoutMs: 120_000,
  tenant: { generate: { seed: 20240605, users: 300, groups: 2000, microsoft365Groups: 0.1 } },
  steps: [
    groupSync(),
    changeTenant(
      [
        { op: 'replace', path: '/groups/0/displayName', value: 'Platform Engineering' }, // Engineering, renamed
        { op: 'remove', path: '/groups/1' }, // Data Stewards, deleted
        {
          op: 'add',
          path: '/groups/-',
          value: {
            id: DATA_PLATFORM,
            displayName: 'Data Platform',
            groupTypes: [],
            securityEnabled: true,
            mailEnabled: false,
            members: [CONTOSO.users.megan.id],
          },
        },
      ],
      'rename Engineering, delete Data Stewards, add Data Platform',
    ),
    resync(),
  ],
  expect: [
    expectGroupSync({ ok: true, minPages: 3 }),
    expectBridgeGroups('tenant'),
    expectBridgeGroups({
      include: [
        { id: CONTOSO.groups.engineering, displayName: 'Platform Engineering' },
        { id: DATA_PLATFORM, displayName: 'Data Platform' },
      ],
      exclude: [CONTOSO.groups.dataStewards],
    }),
  ],
});
