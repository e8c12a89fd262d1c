import { createHash } from 'node:crypto';
import type { Group, User } from '../directory/model.js';

/**
 * Microsoft Graph's user and group resources as the mock serves them (the entity sets of
 * entity-sets.ts are built on these tables): the default property sets
 * in the order Graph serves them, nulls included (docs/entra-wire.md §8.2), the wider set `$select` may
 * name, and the `@odata.context` URLs (docs/entra-wire.md §8.1).
 * https://learn.microsoft.com/graph/api/resources/user · https://learn.microsoft.com/graph/api/resources/group
 */

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** GET /users, /me, /users/{id} without $select (Doc user-get.md; key order as served). */
export const USER_DEFAULT = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const;

/** GET /groups, /groups/{id} without $select (Doc group-list.md example; key order as served). */
export const GROUP_DEFAULT = [
  'id',
  'deletedDateTime',
  'classification',
  'createdDateTime',
  'description',
  'displayName',
  'expirationDateTime',
  'groupTypes',
  'isAssignableToRole',
  'mail',
  'mailEnabled',
  'mailNickname',
  'membershipRule',
  'membershipRuleProcessingState',
  'onPremisesLastSyncDateTime',
  'onPremisesSecurityIdentifier',
  'onPremisesSyncEnabled',
  'preferredDataLocation',
  'preferredLanguage',
  'proxyAddresses',
  'renewedDateTime',
  'resourceBehaviorOptions',
  'resourceProvisioningOptions',
  'securityEnabled',
  'theme',
  'visibility',
  'onPremisesProvisioningErrors',
] as const;

/**
 * A stable creation time for objects whose fixture has none: derived from the id, between 2020
 * and 2024, whole seconds, `Z` (Graph's DateTimeOffset format). The same id always gives the same time.
 */
export function derivedCreatedDateTime(id: string): string {
  const h = createHash('sha256').update(`created:${id.toLowerCase()}`).digest();
  const start = Date.UTC(2020, 0, 1);
  const span = Date.UTC(2025, 0, 1) - start;
  return new Date(start + (h.readUInt32BE(0) % (span / 1000)) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The object's security identifier as Entra derives it for cloud objects: `S-1-12-1-` and the
 * GUID's 16 bytes read as four little-endian 32-bit numbers.
 */
export function securityIdentifier(id: string): string {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) return 'S-1-12-1-0-0-0-0';
  const b = Buffer.from(hex, 'hex');
  // GUID byte order: the first three fields are little-endian in the binary form.
  const guidBytes = Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8),
  ]);
  return `S-1-12-1-${[0, 4, 8, 12].map((o) => guidBytes.readUInt32LE(o)).join('-')}`;
}

const isUnified = (g: Pick<Group, 'groupTypes'>): boolean => (g.groupTypes ?? []).some((t) => t.toLowerCase() === 'unified');
/** A group's securityEnabled: as the fixture says, else true for security groups, false for Microsoft 365 groups. */
export const groupSecurityEnabled = (g: Pick<Group, 'securityEnabled' | 'groupTypes'>): boolean => g.securityEnabled ?? !isUnified(g);
const groupMailEnabled = (g: Pick<Group, 'mailEnabled' | 'groupTypes'>): boolean => g.mailEnabled ?? isUnified(g);

/** A mail nickname for groups whose fixture has none: the display name's letters and digits. */
function derivedMailNickname(g: Pick<Group, 'displayName' | 'id'>): string {
  const n = g.displayName.replace(/[^A-Za-z0-9]/g, '');
  return n.length > 0 ? n.slice(0, 64) : g.id.slice(0, 10);
}

/** A property's value on an object (the id passed apart: the object may be a snapshot without one). */
export type Getter<T> = (o: T, id: string) => Json;

/** Every user property the mock can serve, with its value. Properties not modelled are null. */
export const USER_PROPERTIES: Record<string, Getter<User>> = {
  businessPhones: (u) => u.businessPhones ?? [],
  displayName: (u) => u.displayName,
  givenName: (u) => u.givenName ?? null,
  jobTitle: (u) => u.jobTitle ?? null,
  mail: (u) => u.mail ?? null,
  mobilePhone: (u) => u.mobilePhone ?? null,
  officeLocation: (u) => u.officeLocation ?? null,
  preferredLanguage: (u) => u.preferredLanguage ?? null,
  surname: (u) => u.surname ?? null,
  userPrincipalName: (u) => u.userPrincipalName,
  id: (_u, id) => id,
  accountEnabled: (u) => u.accountEnabled ?? true,
  userType: (u) => u.userType ?? (u.userPrincipalName.includes('#EXT#') ? 'Guest' : 'Member'),
  createdDateTime: (_u, id) => derivedCreatedDateTime(id),
  deletedDateTime: () => null,
  mailNickname: (u) => u.userPrincipalName.split('@')[0] ?? u.userPrincipalName,
  otherMails: () => [],
  proxyAddresses: (u) => (u.mail ? [`SMTP:${u.mail}`] : []),
  imAddresses: () => [],
  identities: (u) => [{ signInType: 'userPrincipalName', issuer: u.userPrincipalName.split('@')[1] ?? '', issuerAssignedId: u.userPrincipalName }],
  securityIdentifier: (_u, id) => securityIdentifier(id),
  ageGroup: () => null,
  city: () => null,
  companyName: () => null,
  consentProvidedForMinor: () => null,
  country: () => null,
  creationType: () => null,
  department: () => null,
  employeeHireDate: () => null,
  employeeId: () => null,
  employeeType: () => null,
  externalUserState: () => null,
  externalUserStateChangeDateTime: () => null,
  faxNumber: () => null,
  isResourceAccount: () => null,
  legalAgeGroupClassification: () => null,
  onPremisesDistinguishedName: () => null,
  onPremisesDomainName: () => null,
  onPremisesImmutableId: () => null,
  onPremisesLastSyncDateTime: () => null,
  onPremisesSamAccountName: () => null,
  onPremisesSecurityIdentifier: () => null,
  onPremisesSyncEnabled: () => null,
  onPremisesUserPrincipalName: () => null,
  passwordPolicies: () => null,
  postalCode: () => null,
  preferredDataLocation: () => null,
  showInAddressList: () => null,
  state: () => null,
  streetAddress: () => null,
  usageLocation: () => null,
};

/** Every group property the mock can serve, with its value; none reads the members (a delta snapshot has none). */
export const GROUP_PROPERTIES: Record<string, Getter<Omit<Group, 'members'>>> = {
  id: (_g, id) => id,
  deletedDateTime: () => null,
  classification: () => null,
  createdDateTime: (_g, id) => derivedCreatedDateTime(id),
  description: (g) => g.description ?? null,
  displayName: (g) => g.displayName,
  expirationDateTime: () => null,
  groupTypes: (g) => g.groupTypes ?? [],
  isAssignableToRole: () => null,
  mail: (g) => g.mail ?? null,
  mailEnabled: (g) => groupMailEnabled(g),
  mailNickname: (g) => g.mailNickname ?? derivedMailNickname(g),
  membershipRule: () => null,
  membershipRuleProcessingState: () => null,
  onPremisesLastSyncDateTime: () => null,
  onPremisesSecurityIdentifier: () => null,
  onPremisesSyncEnabled: () => null,
  preferredDataLocation: () => null,
  preferredLanguage: () => null,
  proxyAddresses: (g) => (g.mail ? [`SMTP:${g.mail}`] : []),
  renewedDateTime: (_g, id) => derivedCreatedDateTime(id),
  resourceBehaviorOptions: () => [],
  resourceProvisioningOptions: () => [],
  securityEnabled: (g) => groupSecurityEnabled(g),
  theme: () => null,
  // Microsoft 365 groups are Public unless made Private; security groups have no visibility.
  visibility: (g) => (isUnified(g) ? 'Public' : null),
  onPremisesProvisioningErrors: () => [],
  creationOptions: () => [],
  securityIdentifier: (_g, id) => securityIdentifier(id),
  serviceProvisioningErrors: () => [],
  onPremisesDomainName: () => null,
  onPremisesNetBiosName: () => null,
  onPremisesSamAccountName: () => null,
  uniqueName: () => null,
};

/** A group's property, on the group or on a snapshot of it (groups/delta compares both). */
export function groupValue(g: Omit<Group, 'members'>, id: string, property: string): Json {
  const get = GROUP_PROPERTIES[property];
  return get ? get(g, id) : null;
}

/** `https://graph.microsoft.com/v1.0/$metadata#groups(id,displayName)` and friends. */
export function contextUrl(graphOrigin: string, entitySet: string, opts: { select?: readonly string[] | undefined; entity?: boolean } = {}): string {
  const sel = opts.select ? `(${opts.select.join(',')})` : '';
  return `${graphOrigin}/v1.0/$metadata#${entitySet}${sel}${opts.entity ? '/$entity' : ''}`;
}
