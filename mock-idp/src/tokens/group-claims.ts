import type { Application, User } from '../directory/model.js';
import type { TenantDirectory } from '../directory/tenant-directory.js';
import type { PublicUrls } from '../runtime/urls.js';

/**
 * The `groups` claim (and `wids`, `hasgroups`, the overage pointer) as Entra builds it from the
 * `groupMembershipClaims` of the app whose manifest governs the token — the client's for ID
 * tokens, the resource's for access tokens — and its `groups` optional claim.
 * https://learn.microsoft.com/entra/identity-platform/optional-claims#configure-groups-optional-claims
 * https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference (groups, hasgroups, wids)
 */

/** Beyond this many groups a JWT carries the overage pointer instead (SAML: 150). */
export const JWT_GROUP_LIMIT = 200;
/** Implicit-flow tokens travel in a URL fragment: beyond this many, `hasgroups: true` instead. */
export const IMPLICIT_GROUP_LIMIT = 6;

/** Directory role templates Entra puts in `wids` for every member user and every guest. */
const MEMBER_ROLE_TEMPLATE = 'b79fbf4d-3ef9-4689-8143-76b194e85509';
const GUEST_ROLE_TEMPLATE = '10dae51f-b6af-4016-8d66-8c2a99b929b3';

export type GroupClaimTypes = Set<'SecurityGroup' | 'DirectoryRole' | 'ApplicationGroup' | 'All'>;

/** `"SecurityGroup, ApplicationGroup"` → the set; `None`, null and unknown words → empty. */
export function parseGroupMembershipClaims(value: string | null | undefined): GroupClaimTypes {
  const out: GroupClaimTypes = new Set();
  for (const part of (value ?? '').split(',').map((s) => s.trim())) {
    if (part === 'SecurityGroup' || part === 'DirectoryRole' || part === 'ApplicationGroup' || part === 'All') out.add(part);
  }
  return out;
}

export interface GroupClaimContext {
  dir: TenantDirectory;
  urls: PublicUrls;
  /** The app whose manifest governs the token. */
  app: Application;
  kind: 'idToken' | 'accessToken';
  user: User;
  /** Issued from /authorize in an implicit or hybrid response. */
  implicit: boolean;
}

export function groupClaims(c: GroupClaimContext): Record<string, unknown> {
  const types = parseGroupMembershipClaims(c.app.groupMembershipClaims);
  if (types.size === 0) return {};
  const out: Record<string, unknown> = {};
  // wids: the user's directory roles, when All or DirectoryRole. Directory role assignments
  // are not modelled; every user holds the default role of its kind (member or guest).
  if (types.has('All') || types.has('DirectoryRole')) out.wids = [c.user.userType === 'Guest' ? GUEST_ROLE_TEMPLATE : MEMBER_ROLE_TEMPLATE];

  if (!types.has('SecurityGroup') && !types.has('All') && !types.has('ApplicationGroup')) return out;
  const ids = groupIdsFor(c.dir, c.app, c.user, types);
  const optional = (c.kind === 'idToken' ? c.app.optionalClaims?.idToken : c.app.optionalClaims?.accessToken)?.find((o) => o.name === 'groups');
  const props = new Set(optional?.additionalProperties ?? []);
  const claimName = props.has('emit_as_roles') ? 'roles' : 'groups';

  if (c.implicit && ids.length > IMPLICIT_GROUP_LIMIT) {
    out.hasgroups = true;
    return out;
  }
  if (ids.length > JWT_GROUP_LIMIT) {
    // Entra points at the retired Azure AD Graph (graph.windows.net/{tid}/users/{oid}/getMemberObjects);
    // the mock points at its own equivalent, which it serves (surfaces/aad-graph/overage.ts).
    out._claim_names = { [claimName]: 'src1' };
    out._claim_sources = { src1: { endpoint: `${c.urls.aadGraph}/${c.dir.id}/users/${c.user.id}/getMemberObjects` } };
    return out;
  }
  if (ids.length === 0) return out;
  // cloud_displayname: display names instead of ids, only with ApplicationGroup (optional-claims doc).
  out[claimName] = props.has('cloud_displayname') && types.has('ApplicationGroup') ? ids.map((id) => c.dir.groups.get(id)?.displayName ?? id) : ids;
  return out;
}

/** The group ids the claim types select, transitively, in the directory's order. */
export function groupIdsFor(dir: TenantDirectory, app: Application, user: User, types: GroupClaimTypes): string[] {
  const all = dir.transitiveGroupIds(user.id);
  if (types.has('All')) return all;
  const selected = new Set<string>();
  if (types.has('SecurityGroup')) for (const g of all) if (isSecurityGroup(dir, g)) selected.add(g);
  if (types.has('ApplicationGroup')) {
    const assigned = new Set(dir.assignments.filter((a) => a.resourceAppId === app.appId.toLowerCase()).map((a) => a.principalId));
    for (const g of all) if (assigned.has(g)) selected.add(g);
  }
  return all.filter((g) => selected.has(g));
}

/** A security group: securityEnabled (default true unless it is a Microsoft 365 group). */
function isSecurityGroup(dir: TenantDirectory, id: string): boolean {
  const g = dir.groups.get(id);
  if (!g) return false;
  if (g.securityEnabled !== undefined) return g.securityEnabled;
  return !(g.groupTypes ?? []).includes('Unified');
}
