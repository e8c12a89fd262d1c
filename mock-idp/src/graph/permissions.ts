import type { GraphCaller } from './graph-caller.js';

/**
 * What each Graph endpoint requires, from the Permissions sections of Graph's API reference
 * (least → most privileged, ReadWrite variants included, docs/entra-wire.md §8.1). A caller passes when
 * one alternative is entirely held: delegated tokens by their `scp`, app-only tokens by their
 * `roles` (which carry only admin-consented application permissions, so an app that merely
 * *requests* Group.Read.All has no role and is refused — the PingOne failure).
 */

/** What one endpoint (or reading one type of object) requires. */
export interface PermissionRule {
  /** Alternatives; each is a set of permissions that must all be held. */
  delegated: readonly (readonly string[])[];
  application: readonly (readonly string[])[];
  /** Extra alternatives for a delegated caller acting on themself (User.Read reads your own profile). */
  self?: readonly (readonly string[])[];
}

const any = (...perms: string[]): string[][] => perms.map((p) => [p]);

const USER_READ_ALL_DELEGATED = [
  'User.ReadBasic.All',
  'User.Read.All',
  'User.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'Directory.AccessAsUser.All',
];
const USER_READ_ALL_APP = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const GROUP_READ_DELEGATED = [
  'GroupMember.Read.All',
  'Group.Read.All',
  'GroupMember.ReadWrite.All',
  'Group.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'Directory.AccessAsUser.All',
];
const GROUP_READ_APP = [
  'GroupMember.Read.All',
  'Group.Read.All',
  'GroupMember.ReadWrite.All',
  'Group.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];

/** Tables per endpoint family (Doc: user-get, user-list, group-list, group-get, group-list-members, group-list-transitivemembers, user-list-memberof, user-list-transitivememberof, directoryobject-getmembergroups, group-delta, profilephoto-get). */
export const PERMISSIONS = {
  /** GET /me (app-only tokens get 400 before this table is consulted). */
  me: { delegated: any('User.Read', 'User.ReadWrite', ...USER_READ_ALL_DELEGATED), application: [] },
  /** GET /users, /users/$count. */
  listUsers: { delegated: any(...USER_READ_ALL_DELEGATED), application: any(...USER_READ_ALL_APP) },
  /** GET /users/{id}: User.Read is enough for the signed-in user's own id. */
  getUser: { delegated: any(...USER_READ_ALL_DELEGATED), application: any(...USER_READ_ALL_APP), self: any('User.Read', 'User.ReadWrite') },
  /** GET /groups, /groups/{id}, /groups/$count, /groups/delta. */
  groups: { delegated: any(...GROUP_READ_DELEGATED), application: any(...GROUP_READ_APP) },
  /** GET /groups/{id}/members, /transitiveMembers, /memberOf, /transitiveMemberOf (current docs). */
  groupRelations: { delegated: any(...GROUP_READ_DELEGATED), application: any(...GROUP_READ_APP) },
  /** GET /me/memberOf, /users/{id}/memberOf, …/transitiveMemberOf: User.Read for oneself. */
  userMemberOf: {
    delegated: any(
      'User.Read.All',
      'User.ReadWrite.All',
      'GroupMember.Read.All',
      'Group.Read.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
      'Directory.AccessAsUser.All',
    ),
    application: any('User.Read.All', 'User.ReadWrite.All', 'GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All'),
    self: any('User.Read', 'User.ReadWrite'),
  },
  /**
   * POST getMemberGroups / getMemberObjects / checkMemberGroups on a user: a user-reading AND a
   * group-reading permission, or Directory.Read.All. User.Read alone is refused
   * (microsoft-graph-docs-contrib#8196); User.Read counts for oneself.
   */
  userMemberGroups: {
    delegated: [
      ...['User.ReadBasic.All', 'User.Read.All', 'User.ReadWrite.All'].flatMap((u) =>
        ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All'].map((g) => [u, g]),
      ),
      ['Directory.Read.All'],
      ['Directory.ReadWrite.All'],
      ['Directory.AccessAsUser.All'],
    ],
    application: [
      ...['User.Read.All', 'User.ReadWrite.All'].flatMap((u) => ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All'].map((g) => [u, g])),
      ['Directory.Read.All'],
      ['Directory.ReadWrite.All'],
    ],
    self: ['User.Read', 'User.ReadWrite'].flatMap((u) => ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All'].map((g) => [u, g])),
  },
  /**
   * GET /me/photo, /users/{id}/photo, /photos, /photos/{size} and their $value (Doc profilephoto-get,
   * "To retrieve the profile photo of a user"; ProfilePhoto.* are the newer least-privileged ones).
   * The table lists User.Read without saying whose photo; the mock lets it read one's own only, as
   * for the profile itself (UNCONFIRMED for other users' photos). Directory.* are not listed.
   */
  userPhoto: {
    delegated: any('ProfilePhoto.Read.All', 'ProfilePhoto.ReadWrite.All', 'User.ReadBasic.All', 'User.Read.All', 'User.ReadWrite.All'),
    application: any('ProfilePhoto.Read.All', 'ProfilePhoto.ReadWrite.All', 'User.Read.All', 'User.ReadWrite.All'),
    self: any('User.Read', 'User.ReadWrite'),
  },
  /** GET /applications, /servicePrincipals (+ /{id}) (application-list, serviceprincipal-list). */
  applications: {
    delegated: any('Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All', 'Directory.AccessAsUser.All'),
    application: any('Application.Read.All', 'Application.ReadWrite.All', 'Application.ReadWrite.OwnedBy', 'Directory.Read.All', 'Directory.ReadWrite.All'),
  },
  /** GET /servicePrincipals/{id}/appRoleAssignedTo (serviceprincipal-list-approleassignedto). */
  appRoleAssignedTo: {
    delegated: any(
      'Application.Read.All',
      'AppRoleAssignment.ReadWrite.All',
      'Application.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
      'Directory.AccessAsUser.All',
    ),
    application: any('Application.Read.All', 'AppRoleAssignment.ReadWrite.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'),
  },
  /** GET /users/{id}/appRoleAssignments (user-list-approleassignments); User.Read for oneself. UNCONFIRMED: User.Read.All's place in the list. */
  appRoleAssignments: {
    delegated: any('User.Read.All', 'AppRoleAssignment.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All', 'Directory.AccessAsUser.All'),
    application: any('User.Read.All', 'AppRoleAssignment.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'),
    self: any('User.Read', 'User.ReadWrite'),
  },
  /** POST /directoryObjects/getByIds (directoryobject-getbyids). */
  directoryObjects: {
    delegated: any('Directory.Read.All', 'Directory.ReadWrite.All', 'Directory.AccessAsUser.All'),
    application: any('Directory.Read.All', 'Directory.ReadWrite.All'),
  },
  /** POST getMemberGroups / getMemberObjects / checkMemberGroups on a group. */
  groupMemberGroups: { delegated: any(...GROUP_READ_DELEGATED), application: any(...GROUP_READ_APP) },
} as const satisfies Record<string, PermissionRule>;

const held = (caller: GraphCaller): Set<string> => (caller.delegated ? caller.scopes : caller.roles);

/** Whether the caller holds one alternative of the rule. `self`: a delegated call about the signed-in user. */
export function allowed(caller: GraphCaller, rule: PermissionRule, self = false): boolean {
  const have = held(caller);
  const alternatives = caller.delegated ? [...rule.delegated, ...(self && rule.self ? rule.self : [])] : rule.application;
  return alternatives.some((alt) => alt.every((p) => have.has(p)));
}

/** The signed-in user's object id (delegated tokens), lowercase. */
export function callerUserId(caller: GraphCaller): string | undefined {
  return caller.delegated && typeof caller.claims.oid === 'string' ? caller.claims.oid.toLowerCase() : undefined;
}
