import type { MockContext } from '../../context.js';
import type { Application } from '../../directory/model.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import type { AppView, CredentialView, KeyView, PermissionView, TenantViewModel } from '../../views/console/tenant-view.js';
import type { AppliedSwitch } from './applied-switches.js';
import { MISCONFIGURATIONS, MUTATION_SCENARIOS } from './misconfigurations.js';

/**
 * What the tenant page shows, read from the tenant's directory as it is now (never a copy of
 * it: users and groups are paged by index, so a 100,000-user tenant costs one page of rows).
 * Expiry states are judged by the tenant's clock, as the token endpoint judges them.
 */

export const PAGE_SIZE = 50;

export function tenantModel(ctx: MockContext, t: TenantRuntime, applied: readonly AppliedSwitch[], userSkip: number, groupSkip: number): TenantViewModel {
  const fixture = t.directory.fixture;
  const now = t.now();
  const users = fixture.users ?? [];
  const groups = fixture.groups ?? [];
  const active = t.activeKey(ctx.machineKey).kid;
  const keys: KeyView[] = t.publishedKeys(ctx.machineKey).map((k) => ({
    kid: k.kid,
    active: k.kid === active,
    ...(k.kid !== active && Number.isFinite(k.publishedUntil) ? { until: isoTime(k.publishedUntil) } : {}),
  }));
  if (keys[keys.length - 1]?.kid === ctx.machineKey.kid && Number.isFinite(t.machineKeyPublishedUntil)) {
    keys[keys.length - 1]!.until = isoTime(t.machineKeyPublishedUntil);
  }
  const clampedUsers = clampSkip(userSkip, users.length);
  const clampedGroups = clampSkip(groupSkip, groups.length);
  return {
    id: t.id,
    displayName: t.directory.displayName,
    domains: t.directory.domains,
    authority: `${ctx.urls.login}/${t.id}/v2.0`,
    now: isoTime(now),
    offsetSeconds: Math.round(t.clock.offset / 1000),
    keys,
    apps: (fixture.applications ?? []).map((a) => appView(t, a, now)),
    users: {
      skip: clampedUsers,
      total: users.length,
      rows: users.slice(clampedUsers, clampedUsers + PAGE_SIZE).map((u) => ({
        id: u.id,
        upn: u.userPrincipalName,
        name: u.displayName,
        mail: u.mail ?? '',
        enabled: u.accountEnabled !== false,
        groups: t.directory.memberOf.get(u.id.toLowerCase())?.length ?? 0,
      })),
    },
    groups: {
      skip: clampedGroups,
      total: groups.length,
      rows: groups.slice(clampedGroups, clampedGroups + PAGE_SIZE).map((g) => ({
        id: g.id,
        name: g.displayName,
        kind: (g.groupTypes ?? []).includes('Unified') ? 'Microsoft 365' : g.securityEnabled === false ? 'Distribution' : 'Security',
        members: g.members?.length ?? 0,
      })),
    },
    switches: MISCONFIGURATIONS.map((m) => ({
      scenario: m.scenario,
      label: m.label,
      effect: m.effect,
      needsApp: m.needsApp,
      ...(m.input ? { input: m.input } : {}),
    })),
    mutationScenarios: Object.keys(MUTATION_SCENARIOS),
    applied: applied.map((a) => ({ id: a.id, scenario: a.scenario, summary: a.summary, at: a.at })),
  };
}

function clampSkip(skip: number, total: number): number {
  if (!Number.isInteger(skip) || skip < 0) return 0;
  return skip >= total ? Math.max(0, Math.floor((total - 1) / PAGE_SIZE) * PAGE_SIZE) : skip;
}

function credentialState(start: string | null | undefined, end: string | null | undefined, now: number): CredentialView['state'] {
  if (end && Date.parse(end) <= now) return 'expired';
  if (start && Date.parse(start) > now) return 'not yet valid';
  return 'valid';
}

function appView(t: TenantRuntime, a: Application, now: number): AppView {
  const d = t.directory;
  const appId = a.appId.toLowerCase();
  const sp = d.servicePrincipals.get(appId);
  const platforms: AppView['platforms'] = [];
  if (a.web) platforms.push({ name: 'Web', uris: a.web.redirectUris ?? [] });
  if (a.spa) platforms.push({ name: 'Single-page application', uris: a.spa.redirectUris ?? [] });
  if (a.publicClient) platforms.push({ name: 'Mobile and desktop', uris: a.publicClient.redirectUris ?? [] });
  const permissions: PermissionView[] = [];
  for (const rra of a.requiredResourceAccess ?? []) {
    const resource = d.apps.get(rra.resourceAppId.toLowerCase());
    for (const access of rra.resourceAccess) {
      if (access.type === 'Scope') {
        const value = resource?.api?.oauth2PermissionScopes?.find((s) => s.id === access.id)?.value ?? access.id;
        const grants = d.grants.filter((g) => g.clientAppId === appId && g.resourceAppId === rra.resourceAppId.toLowerCase() && g.scopes.has(value));
        const consent = grants.some((g) => g.consentType === 'AllPrincipals')
          ? 'admin consent'
          : grants.length > 0
            ? `${grants.length} user(s)`
            : 'not consented';
        permissions.push({ resource: resource?.displayName ?? rra.resourceAppId, value, type: 'Delegated', consent });
      } else {
        const value = resource?.appRoles?.find((r) => r.id === access.id)?.value ?? access.id;
        const granted = d.assignments.some((x) => x.principalId === appId && x.resourceAppId === rra.resourceAppId.toLowerCase() && x.appRoleId === access.id);
        permissions.push({
          resource: resource?.displayName ?? rra.resourceAppId,
          value,
          type: 'Application',
          consent: granted ? 'admin consent' : 'not consented',
        });
      }
    }
  }
  return {
    displayName: a.displayName,
    appId: a.appId,
    audience: a.signInAudience ?? 'AzureADMyOrg',
    platforms,
    implicitIdTokens: a.web?.implicitGrantSettings?.enableIdTokenIssuance === true,
    implicitAccessTokens: a.web?.implicitGrantSettings?.enableAccessTokenIssuance === true,
    publicClientFlows: a.isFallbackPublicClient === true,
    secrets: (a.passwordCredentials ?? []).map((c) => ({
      name: c.displayName ?? c.hint ?? '',
      keyId: c.keyId,
      end: c.endDateTime ?? '',
      state: credentialState(c.startDateTime, c.endDateTime, now),
    })),
    certificates: (a.keyCredentials ?? []).map((c) => ({
      name: c.displayName ?? '',
      keyId: c.keyId,
      end: c.endDateTime ?? '',
      state: credentialState(c.startDateTime, c.endDateTime, now),
    })),
    permissions,
    groupMembershipClaims: a.groupMembershipClaims ?? null,
    accessTokenVersion: a.api?.requestedAccessTokenVersion === 2 ? 2 : 1,
    assignmentRequired: sp?.appRoleAssignmentRequired === true,
  };
}

/** A time as ISO 8601, or its milliseconds when a moved clock puts it beyond what a Date can show (toISOString would throw). */
function isoTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} ms since 1970`;
}
