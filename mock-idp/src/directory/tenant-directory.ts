import type { Application, AppRole, Group, PermissionScope, ServicePrincipal, TenantFixture, User } from './model.js';
import { GRAPH_APP_ID, microsoftGraphApplication } from './microsoft-graph.js';
import { resolvedMembersOf, takeUsersByUpn, UNRESOLVED, type ResolvedMembers } from './resolved-members.js';
import { stableUuid } from '../support/ids.js';

export const DEFAULT_ACCESS_ROLE_ID = '00000000-0000-0000-0000-000000000000';

export interface ResolvedServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  appRoleAssignmentRequired: boolean;
  accountEnabled: boolean;
}

export interface ResolvedGrant {
  clientAppId: string;
  resourceAppId: string;
  consentType: 'AllPrincipals' | 'Principal';
  principalId: string | null;
  scopes: Set<string>;
}

export interface ResolvedAssignment {
  /** User id, group id, or the client's appId. */
  principalId: string;
  resourceAppId: string;
  appRoleId: string;
}

/**
 * One tenant's directory, indexed for the lookups the protocol needs. Built from a validated
 * fixture; never mutated except through the few methods below that mirror portal actions.
 */
export class TenantDirectory {
  readonly id: string;
  readonly displayName: string;
  readonly domains: string[];
  readonly apps = new Map<string, Application>();
  readonly servicePrincipals = new Map<string, ResolvedServicePrincipal>();
  readonly users = new Map<string, User>();
  readonly usersByUpn: Map<string, User>;
  readonly groups = new Map<string, Group>();
  /** Direct "member of" edges: object id → group ids. */
  readonly memberOf = new Map<string, string[]>();
  readonly grants: ResolvedGrant[] = [];
  readonly assignments: ResolvedAssignment[] = [];
  private readonly byIdentifierUri = new Map<string, Application>();
  private readonly spObjectIdToAppId = new Map<string, string>();
  private mailIndex: Map<string, User> | undefined;

  constructor(readonly fixture: TenantFixture) {
    this.id = fixture.id.toLowerCase();
    this.displayName = fixture.displayName;
    this.domains = fixture.verifiedDomains.map((d) => d.toLowerCase());

    for (const app of [microsoftGraphApplication(), ...(fixture.applications ?? [])]) this.addApplication(app);
    for (const sp of fixture.servicePrincipals ?? []) this.addServicePrincipal(sp);
    // Plain loops: a big tenant has 100,000 users and a million memberships.
    const users = fixture.users ?? [];
    // What the validator resolved (resolved-members.ts); sealed, also the users' keys.
    const resolved = fixture.users ? resolvedMembersOf(fixture.groups ?? [], fixture.users) : undefined;
    const keys = resolved?.keys;
    const usersByUpn = keys ? takeUsersByUpn(keys) : undefined;
    this.usersByUpn = usersByUpn ?? new Map();
    const userKeys = keys ? keys.ids : new Array<string>(users.length);
    for (let i = 0; i < users.length; i++) {
      const u = users[i]!;
      const key = keys ? userKeys[i]! : ((userKeys as string[])[i] = u.id.toLowerCase());
      this.users.set(key, u);
      if (!usersByUpn) this.usersByUpn.set(keys ? keys.upns[i]! : u.userPrincipalName.toLowerCase(), u);
    }
    this.indexMemberships(fixture, userKeys, resolved);
    for (const g of fixture.oauth2PermissionGrants ?? []) {
      this.grants.push({
        clientAppId: this.appIdOf(g.clientId),
        resourceAppId: this.appIdOf(g.resourceId),
        consentType: g.consentType,
        principalId: g.principalId?.toLowerCase() ?? null,
        scopes: new Set(g.scope.split(' ').filter(Boolean)),
      });
    }
    for (const a of fixture.appRoleAssignments ?? []) {
      const principal = a.principalId.toLowerCase();
      this.assignments.push({
        principalId: this.users.has(principal) || this.groups.has(principal) ? principal : this.appIdOf(principal),
        resourceAppId: this.appIdOf(a.resourceId),
        appRoleId: a.appRoleId.toLowerCase(),
      });
    }
  }

  /**
   * Groups by id and the "member of" edges. When the validator left the members resolved to
   * positions (resolved-members.ts), a membership costs a reference compare and a few typed
   * array writes instead of a map lookup and an append to one of 100,000 arrays — a million of
   * them in a 100,000-user tenant; whatever changed since, or was not resolved, goes through
   * the maps.
   */
  private indexMemberships(fixture: TenantFixture, userKeys: readonly string[], resolved: ResolvedMembers | undefined): void {
    const users = fixture.users ?? [];
    const groups = fixture.groups ?? [];
    const groupKeys = new Array<string>(groups.length);
    for (let i = 0; i < groups.length; i++) {
      groupKeys[i] = groups[i]!.id.toLowerCase();
      this.groups.set(groupKeys[i]!, groups[i]!);
    }
    if (!resolved) {
      for (let i = 0; i < groups.length; i++) for (const member of groups[i]!.members ?? []) this.addMemberOf(member, groupKeys[i]!);
      return;
    }
    // Pass 1, in group order: which memberships the record still resolves (a member whose
    // recorded user or group no longer has its id goes through the maps, now), and how many
    // groups each user and group is in.
    const { codes, offsets, userIds, sealed } = resolved;
    let total = 0;
    for (const g of groups) total += g.members?.length ?? 0;
    const verified = new Int32Array(total);
    const userStart = new Int32Array(users.length + 1);
    const groupStart = new Int32Array(groups.length + 1);
    for (let i = 0, n = 0; i < groups.length; i++) {
      const members = groups[i]!.members ?? [];
      const from = offsets[i]!;
      const recorded = offsets[i + 1]! - from;
      for (let k = 0; k < members.length; k++, n++) {
        let p = k < recorded ? codes[from + k]! : UNRESOLVED;
        // Sealed, the record is the truth: no member string is touched (each one is a cache miss).
        if (p >= 0 && (sealed || userIds[p] === members[k])) userStart[p + 1]!++;
        else if (p < 0 && p !== UNRESOLVED && (sealed || groups[-1 - p]!.id === members[k])) groupStart[-p]!++;
        else {
          p = UNRESOLVED;
          this.addMemberOf(members[k]!, groupKeys[i]!);
        }
        verified[n] = p;
      }
    }
    for (let p = 0; p < users.length; p++) userStart[p + 1]! += userStart[p]!;
    for (let q = 0; q < groups.length; q++) groupStart[q + 1]! += groupStart[q]!;
    // Pass 2: each member's groups side by side (still in group order), in two flat arrays.
    const userGroups = new Int32Array(userStart[users.length]!);
    const groupGroups = new Int32Array(groupStart[groups.length]!);
    const userFilled = userStart.slice(0, users.length);
    const groupFilled = groupStart.slice(0, groups.length);
    for (let i = 0, n = 0; i < groups.length; i++) {
      for (const end = n + (groups[i]!.members?.length ?? 0); n < end; n++) {
        const p = verified[n]!;
        if (p >= 0) userGroups[userFilled[p]!++] = i;
        else if (p !== UNRESOLVED) groupGroups[groupFilled[-1 - p]!++] = i;
      }
    }
    // Then the lists, each allocated at its size and filled from consecutive entries.
    this.addMemberLists(userKeys, userStart, userGroups, groupKeys);
    this.addMemberLists(groupKeys, groupStart, groupGroups, groupKeys);
  }

  /** Object p's groups are `groupKeys[x]` for x in `groups[start[p]] … groups[start[p + 1] − 1]`. */
  private addMemberLists(keys: readonly string[], start: Int32Array, groups: Int32Array, groupKeys: string[]): void {
    for (let p = 0; p < keys.length; p++) {
      const from = start[p]!;
      const count = start[p + 1]! - from;
      if (count === 0) continue;
      const list = new Array<string>(count);
      for (let j = 0; j < count; j++) list[j] = groupKeys[groups[from + j]!]!;
      this.addMemberOfAll(keys[p]!, list);
    }
  }

  private addMemberOf(member: string, groupId: string): void {
    // Ids are nearly always lowercase already: lowercasing costs as much as the lookup, so only
    // a miss (the member's first group, or an uppercase id) pays for it.
    let list = this.memberOf.get(member);
    if (list === undefined) {
      const key = member.toLowerCase();
      list = this.memberOf.get(key);
      if (list === undefined) this.memberOf.set(key, (list = []));
    }
    list.push(groupId);
  }

  private addMemberOfAll(key: string, groupIds: string[]): void {
    const list = this.memberOf.get(key);
    if (list) list.push(...groupIds);
    else this.memberOf.set(key, groupIds);
  }

  private addApplication(app: Application): void {
    const appId = app.appId.toLowerCase();
    this.apps.set(appId, app);
    for (const uri of app.identifierUris ?? []) this.byIdentifierUri.set(uri.toLowerCase(), app);
    if (!this.servicePrincipals.has(appId)) {
      this.addServicePrincipal({ appId, displayName: app.displayName });
    }
  }

  private addServicePrincipal(sp: ServicePrincipal): void {
    const appId = sp.appId.toLowerCase();
    const old = this.servicePrincipals.get(appId);
    if (old) this.spObjectIdToAppId.delete(old.id);
    const id = (sp.id ?? stableUuid(`sp:${this.id}:${appId}`)).toLowerCase();
    this.servicePrincipals.set(appId, {
      id,
      appId,
      displayName: sp.displayName ?? this.apps.get(appId)?.displayName ?? appId,
      appRoleAssignmentRequired: sp.appRoleAssignmentRequired ?? false,
      accountEnabled: sp.accountEnabled ?? true,
    });
    this.spObjectIdToAppId.set(id, appId);
  }

  /** An appId or service-principal object id → appId (unknown values pass through lowercased). */
  appIdOf(ref: string): string {
    const key = ref.toLowerCase();
    return this.spObjectIdToAppId.get(key) ?? key;
  }

  app(appId: string): Application | undefined {
    return this.apps.get(appId.toLowerCase());
  }

  isGraph(app: Application): boolean {
    return app.appId.toLowerCase() === GRAPH_APP_ID;
  }

  /**
   * A resource named the way a client names it in `scope`: its appId, or one of its identifier
   * URIs (App ID URI). Entra matches identifier URIs case-insensitively.
   */
  resourceByIdentifier(identifier: string): Application | undefined {
    const key = identifier.toLowerCase();
    return this.apps.get(key) ?? this.byIdentifierUri.get(key) ?? this.byIdentifierUri.get(key.replace(/\/$/, ''));
  }

  /** A user by UPN, object id or mail (case-insensitively; the first user with that mail). */
  userByLogin(login: string): User | undefined {
    const key = login.toLowerCase();
    return this.usersByUpn.get(key) ?? this.users.get(key) ?? this.usersByMail().get(key);
  }

  /** Lowercased mail → the first user with it; built on first use (sign-in by mail is rare). */
  private usersByMail(): Map<string, User> {
    if (!this.mailIndex) {
      this.mailIndex = new Map();
      for (const u of this.users.values()) {
        const mail = u.mail?.toLowerCase();
        if (mail && !this.mailIndex.has(mail)) this.mailIndex.set(mail, u);
      }
    }
    return this.mailIndex;
  }

  scopesOf(app: Application): PermissionScope[] {
    return (app.api?.oauth2PermissionScopes ?? []).filter((s) => s.isEnabled !== false);
  }

  rolesOf(app: Application): AppRole[] {
    return (app.appRoles ?? []).filter((r) => r.isEnabled !== false);
  }

  /** Every group the object belongs to, directly or through nested groups. */
  transitiveGroupIds(objectId: string): string[] {
    // Breadth first: direct groups in fixture order, then the groups that contain them.
    const seen = new Set<string>(this.memberOf.get(objectId.toLowerCase()) ?? []);
    for (const g of seen) for (const parent of this.memberOf.get(g) ?? []) seen.add(parent);
    return [...seen];
  }

  /** Delegated scopes consented for this user (admin consent for all, or the user's own). */
  consentedScopes(clientAppId: string, resourceAppId: string, userId: string): Set<string> {
    const out = new Set<string>();
    const c = clientAppId.toLowerCase();
    const r = resourceAppId.toLowerCase();
    const u = userId.toLowerCase();
    for (const g of this.grants) {
      if (g.clientAppId !== c || g.resourceAppId !== r) continue;
      if (g.consentType === 'AllPrincipals' || g.principalId === u) for (const s of g.scopes) out.add(s);
    }
    return out;
  }

  /** Application permissions (app role values) that an administrator granted the client on the resource. */
  grantedAppRoles(clientAppId: string, resource: Application): string[] {
    const c = clientAppId.toLowerCase();
    const r = resource.appId.toLowerCase();
    const ids = new Set(this.assignments.filter((a) => a.principalId === c && a.resourceAppId === r).map((a) => a.appRoleId));
    return this.rolesOf(resource)
      .filter((role) => role.allowedMemberTypes.includes('Application') && ids.has(role.id.toLowerCase()))
      .map((role) => role.value);
  }

  /** App roles assigned to the user on the resource, directly or through a group (not transitively). */
  userAppRoleAssignments(userId: string, resourceAppId: string): ResolvedAssignment[] {
    const r = resourceAppId.toLowerCase();
    const principals = new Set([userId.toLowerCase(), ...(this.memberOf.get(userId.toLowerCase()) ?? [])]);
    return this.assignments.filter((a) => a.resourceAppId === r && principals.has(a.principalId));
  }

  /**
   * A service principal for another tenant's multi-tenant app, as consent creates it (kept in
   * the fixture with appOwnerOrganizationId, so an exported tenant keeps it). No-op when present.
   * https://learn.microsoft.com/entra/identity-platform/application-consent-experience
   */
  recordServicePrincipal(app: Application, ownerTenantId: string): void {
    const appId = app.appId.toLowerCase();
    if (this.servicePrincipals.has(appId)) return;
    const sp: ServicePrincipal = { appId, displayName: app.displayName, appOwnerOrganizationId: ownerTenantId.toLowerCase() };
    if (app.signInAudience) sp.signInAudience = app.signInAudience;
    (this.fixture.servicePrincipals ??= []).push(sp);
    this.addServicePrincipal(sp);
  }

  /** Admin consent: an AllPrincipals grant (for every user of the tenant) of these scopes. */
  recordAdminConsent(clientAppId: string, resourceAppId: string, scopes: Iterable<string>): void {
    const c = clientAppId.toLowerCase();
    const r = resourceAppId.toLowerCase();
    let grant = this.grants.find((g) => g.clientAppId === c && g.resourceAppId === r && g.consentType === 'AllPrincipals');
    if (!grant) {
      grant = { clientAppId: c, resourceAppId: r, consentType: 'AllPrincipals', principalId: null, scopes: new Set() };
      this.grants.push(grant);
      (this.fixture.oauth2PermissionGrants ??= []).push({ clientId: c, consentType: 'AllPrincipals', resourceId: r, scope: '' });
    }
    for (const s of scopes) grant.scopes.add(s);
    const stored = this.fixture.oauth2PermissionGrants?.find(
      (g) => this.appIdOf(g.clientId) === c && this.appIdOf(g.resourceId) === r && g.consentType === 'AllPrincipals',
    );
    if (stored) stored.scope = [...grant.scopes].join(' ');
  }

  /** Admin consent to an application permission (app role): the client's service principal is assigned the role. */
  recordAppRoleGrant(clientAppId: string, resourceAppId: string, appRoleId: string): void {
    const c = clientAppId.toLowerCase();
    const r = resourceAppId.toLowerCase();
    const role = appRoleId.toLowerCase();
    if (this.assignments.some((a) => a.principalId === c && a.resourceAppId === r && a.appRoleId === role)) return;
    this.assignments.push({ principalId: c, resourceAppId: r, appRoleId: role });
    (this.fixture.appRoleAssignments ??= []).push({ principalId: c, principalType: 'ServicePrincipal', resourceId: r, appRoleId: role });
  }

  /** The user's directory role template ids (fixture directoryRoleAssignments). */
  directoryRolesOf(userId: string): string[] {
    const u = userId.toLowerCase();
    return (this.fixture.directoryRoleAssignments ?? []).filter((a) => a.principalId.toLowerCase() === u).map((a) => a.roleDefinitionId.toLowerCase());
  }

  /**
   * Whether users may consent for themselves (authorizationPolicy): not when an administrator
   * emptied permissionGrantPoliciesAssigned ("Do not allow user consent").
   * https://learn.microsoft.com/entra/identity/enterprise-apps/configure-user-consent
   */
  usersMayConsent(): boolean {
    const assigned = this.fixture.authorizationPolicy?.defaultUserRolePermissions?.permissionGrantPoliciesAssigned;
    return assigned === undefined || assigned.some((p) => p.toLowerCase().startsWith('managepermissiongrantsforself.'));
  }

  /** The portal's "Accept" on the consent prompt: a Principal grant for this user. */
  recordUserConsent(clientAppId: string, resourceAppId: string, userId: string, scopes: Iterable<string>): void {
    const c = clientAppId.toLowerCase();
    const r = resourceAppId.toLowerCase();
    const u = userId.toLowerCase();
    let grant = this.grants.find((g) => g.clientAppId === c && g.resourceAppId === r && g.consentType === 'Principal' && g.principalId === u);
    if (!grant) {
      grant = { clientAppId: c, resourceAppId: r, consentType: 'Principal', principalId: u, scopes: new Set() };
      this.grants.push(grant);
      (this.fixture.oauth2PermissionGrants ??= []).push({ clientId: c, consentType: 'Principal', principalId: u, resourceId: r, scope: '' });
    }
    for (const s of scopes) grant.scopes.add(s);
    const stored = this.fixture.oauth2PermissionGrants?.find(
      (g) => this.appIdOf(g.clientId) === c && this.appIdOf(g.resourceId) === r && g.consentType === 'Principal' && g.principalId?.toLowerCase() === u,
    );
    if (stored) stored.scope = [...grant.scopes].join(' ');
  }
}
