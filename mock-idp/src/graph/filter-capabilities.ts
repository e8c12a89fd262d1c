/**
 * What the directory can filter on, per property of each resource: which `$filter` operators work
 * by default and which only in advanced queries (ConsistencyLevel: eventual and $count=true),
 * from https://learn.microsoft.com/graph/aad-advanced-queries (tables for users and groups).
 * Each entity set (entity-sets.ts) names its table; filter.ts checks expressions against it.
 */

/** 'd': works by default; 'a': only in advanced queries. */
export type Support = 'd' | 'a';
export interface FilterCapability {
  type: 'string' | 'bool' | 'collection';
  eq?: Support;
  ne?: Support;
  not?: Support;
  in?: Support;
  startswith?: Support;
  endswith?: Support;
  /** `eq null` / `ne null`. */
  null?: Support;
  /** `prop/any(x: x eq …)` and startswith inside it (collections). */
  any?: Support;
  anyStartswith?: Support;
}

const s = (c: Omit<FilterCapability, 'type'>): FilterCapability => ({ type: 'string', ...c });

/** Users (aad-advanced-queries, "filter-directory-objects" table). */
export const USER_FILTERS: Record<string, FilterCapability> = {
  id: s({ eq: 'd', in: 'd', ne: 'a', not: 'a' }),
  displayName: s({ eq: 'd', in: 'd', startswith: 'd', ne: 'a', not: 'a', null: 'a' }),
  givenName: s({ eq: 'd', in: 'd', startswith: 'd', ne: 'a', null: 'a' }),
  surname: s({ eq: 'd', in: 'd', startswith: 'd', ne: 'a', null: 'a' }),
  mail: s({ eq: 'd', in: 'd', startswith: 'd', ne: 'a', endswith: 'a' }),
  userPrincipalName: s({ eq: 'd', in: 'd', startswith: 'd', ne: 'a', endswith: 'a' }),
  mailNickname: s({ eq: 'd', in: 'd', startswith: 'd', ne: 'a', null: 'a' }),
  jobTitle: s({ eq: 'd', in: 'd', ne: 'a', null: 'a' }),
  userType: s({ eq: 'd', in: 'd', ne: 'a', not: 'a', null: 'a' }),
  mobilePhone: s({ eq: 'a', in: 'a', startswith: 'a', ne: 'a', null: 'a' }),
  officeLocation: s({ eq: 'a', in: 'a', startswith: 'a', ne: 'a', null: 'a' }),
  preferredLanguage: s({ eq: 'a', in: 'a', startswith: 'a', ne: 'a', null: 'a' }),
  accountEnabled: { type: 'bool', eq: 'd', in: 'd', ne: 'a', not: 'a' },
  businessPhones: { type: 'collection', any: 'd' },
  proxyAddresses: { type: 'collection', any: 'd', anyStartswith: 'd' },
  otherMails: { type: 'collection', any: 'd', anyStartswith: 'd' },
  imAddresses: { type: 'collection', any: 'd', anyStartswith: 'd' },
};

/** Groups (group resource: properties documented with $filter support). */
export const GROUP_FILTERS: Record<string, FilterCapability> = {
  id: s({ eq: 'd', in: 'd', ne: 'a', not: 'a' }),
  displayName: s({ eq: 'd', in: 'd', startswith: 'd', ne: 'a', not: 'a', null: 'a' }),
  description: s({ eq: 'd', startswith: 'd', ne: 'a', not: 'a' }),
  mail: s({ eq: 'd', in: 'd', startswith: 'd', ne: 'a', not: 'a', endswith: 'a', null: 'a' }),
  mailNickname: s({ eq: 'd', in: 'd', startswith: 'd', ne: 'a', not: 'a', null: 'a' }),
  visibility: s({ eq: 'd', in: 'd', ne: 'a', not: 'a' }),
  mailEnabled: { type: 'bool', eq: 'd', in: 'd', ne: 'a', not: 'a' },
  securityEnabled: { type: 'bool', eq: 'd', in: 'd', ne: 'a', not: 'a' },
  groupTypes: { type: 'collection', any: 'd' },
  proxyAddresses: { type: 'collection', any: 'd', anyStartswith: 'd' },
};

/** Applications (aad-advanced-queries, application table). */
export const APPLICATION_FILTERS: Record<string, FilterCapability> = {
  id: s({ eq: 'd', in: 'd', ne: 'a', not: 'a' }),
  appId: s({ eq: 'd', in: 'd', ne: 'a', not: 'a' }),
  displayName: s({ eq: 'd', in: 'd', startswith: 'd', ne: 'a', not: 'a', null: 'a' }),
  signInAudience: s({ eq: 'd', in: 'd', ne: 'a', not: 'a' }),
  identifierUris: { type: 'collection', any: 'd' },
};

/** Service principals (aad-advanced-queries, servicePrincipal table): `appId eq '…'` finds an app's. */
export const SERVICE_PRINCIPAL_FILTERS: Record<string, FilterCapability> = {
  id: s({ eq: 'd', in: 'd', ne: 'a', not: 'a' }),
  appId: s({ eq: 'd', in: 'd', ne: 'a', not: 'a' }),
  displayName: s({ eq: 'd', in: 'd', startswith: 'd', ne: 'a', not: 'a', null: 'a' }),
  accountEnabled: { type: 'bool', eq: 'd', in: 'd', ne: 'a', not: 'a' },
  appRoleAssignmentRequired: { type: 'bool', eq: 'd', in: 'd', ne: 'a', not: 'a' },
  servicePrincipalType: s({ eq: 'd', in: 'd', ne: 'a', not: 'a' }),
  servicePrincipalNames: { type: 'collection', any: 'd', anyStartswith: 'd' },
  tags: { type: 'collection', any: 'd' },
};

/** App role assignments: `resourceId eq` and `principalId eq` (approleassignment, "$filter"). */
export const ASSIGNMENT_FILTERS: Record<string, FilterCapability> = {
  resourceId: s({ eq: 'd' }),
  principalId: s({ eq: 'd' }),
  appRoleId: s({ eq: 'd' }),
};
