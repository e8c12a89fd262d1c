import type {
  Application,
  AppRole,
  Group,
  PermissionScope,
  ServicePrincipal,
  TenantFixture,
  User,
} from './model.js';
import { GRAPH_APP_ID, microsoftGraphApplication } from './microsoft-graph.js';
import { resolvedMembersOf, UNRESOLVED, type ResolvedMembers } from './resolved-members.js';
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
  readonly usersByUpn = new Map<string, User>();
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
    const userKeys = new Array<string>(users.length);
    for (let i = 0; i < users.length; i++) {
      const u = users[i]!;
      const key = u.id.toLowerCase();
      userKeys[i] = key;
      this.users.set(key, u);
      this.usersByUpn.set(u.userPrincipalName.toLowerCase(), u);
    }
    this.indexMemberships(fixture, userKeys);
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
   * positions (resolved-members.ts), a membership is an array append instead of a map lookup —
   * a million of them in a 100,000-user tenant; whatever changed since, or was not resolved,
   * goes through the maps.
   */
  private indexMemberships(fixture: TenantFixture, userKeys: string[]): void {
    const users = fixture.users ?? [];
    const groups = fixture.groups ?? [];
    const groupKeys = new Array<string>(groups.length);
    for (let i = 0; i < groups.length; i++) {
      groupKeys[i] = groups[i]!.id.toLowerCase();
      this.groups.set(groupKeys[i]!, groups[i]!);
    }
    const resolved = fixture.users ? usableRecord(resolvedMembersOf(groups, fixture.users), users) : undefined;
    if (!resolved) {
      for (let i = 0; i < groups.length; i++) for (const member of groups[i]!.members ?? []) this.addMemberOf(member, groupKeys[i]!);
      return;
    }
    // Pass 1: which memberships the record resolves (kept in one flat array, in order), and how
    // many groups each user and group is in — so each list is allocated once, at its size.
    let total = 0;
    for (const g of groups) total += g.members?.length ?? 0;
    const codes = new Int32Array(total);
    const userCounts = new Int32Array(users.length);
    const groupCounts = new Int32Array(groups.length);
    for (let i = 0, n = 0; i < groups.length; i++) {
      const members = groups[i]!.members ?? [];
      const validated = resolved.members[i]!;
      const positions = validated.length === members.length ? resolved.positions[i]! : undefined;
      for (let k = 0; k < members.length; k++, n++) {
        const member = members[k]!;
        let p = positions && validated[k] === member ? positions[k]! : UNRESOLVED;
        if (p >= 0) userCounts[p]!++;
        else if (p !== UNRESOLVED && groups[-1 - p]!.id === member) groupCounts[-1 - p]!++;
        else p = UNRESOLVED;
        codes[n] = p;
      }
    }
    const userLists = Array.from(userCounts, (count) => (count > 0 ? new Array<string>(count) : undefined));
    const groupLists = Array.from(groupCounts, (count) => (count > 0 ? new Array<string>(count) : undefined));
    userCounts.fill(0);
    groupCounts.fill(0);
    // Pass 2: fill them, in group order (as the maps would have).
    for (let i = 0, n = 0; i < groups.length; i++) {
      const groupId = groupKeys[i]!;
      const members = groups[i]!.members ?? [];
      for (let k = 0; k < members.length; k++, n++) {
        const p = codes[n]!;
        if (p >= 0) userLists[p]![userCounts[p]!++] = groupId;
        else if (p !== UNRESOLVED) groupLists[-1 - p]![groupCounts[-1 - p]!++] = groupId;
        else this.addMemberOf(members[k]!, groupId);
      }
    }
    for (let p = 0; p < userLists.length; p++) if (userLists[p]) this.addMemberOfAll(userKeys[p]!, userLists[p]!);
    for (let p = 0; p < groupLists.length; p++) if (groupLists[p]) this.addMemberOfAll(groupKeys[p]!, groupLists[p]!);
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

/** The validator's record, if every user still has the id it had then (positions point at users). */
function usableRecord(record: ResolvedMembers | undefined, users: readonly User[]): ResolvedMembers | undefined {
  if (!record) return undefined;
  for (let i = 0; i < users.length; i++) if (record.userIds[i] !== users[i]!.id) return undefined;
  return record;
}
