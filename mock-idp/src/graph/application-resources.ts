import { createHash } from 'node:crypto';
import type { Application } from '../directory/model.js';
import { GRAPH_APP_ID } from '../directory/microsoft-graph.js';
import type { ResolvedAssignment, ResolvedServicePrincipal, TenantDirectory } from '../directory/tenant-directory.js';
import { stableUuid } from '../support/ids.js';
import { derivedCreatedDateTime, type Getter, type Json } from './resources.js';

/**
 * Applications, service principals and app role assignments as Graph serves them, derived from
 * the fixture model: the default properties in the order of Graph's examples, secrets never
 * served (a password credential's `secretText` is null, a key credential's `key` too, as Graph
 * returns them on reads), the properties the mock does not model null or empty.
 * https://learn.microsoft.com/graph/api/resources/application · …/resources/serviceprincipal ·
 * …/resources/approleassignment
 * UNCONFIRMED: the default property order (taken from the list examples of application-list and
 * serviceprincipal-list) and the shape of an appRoleAssignment's id (Graph's are 43-character
 * base64url strings; the mock's are derived from the assignment, of the same form).
 */

/** Microsoft's own tenant: the owner organization of first-party apps such as Microsoft Graph. */
export const MICROSOFT_SERVICES_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

/** An application as the directory holds it, with its object id. */
export interface AppObject {
  app: Application;
  id: string;
  tenantId: string;
}

/** A service principal with what Graph shows of its application. */
export interface SpObject {
  id: string;
  sp: ResolvedServicePrincipal;
  app: Application | undefined;
  tenantId: string;
}

/** An app role assignment, resolved to object ids. */
export interface AssignmentObject {
  id: string;
  appRoleId: string;
  principalId: string;
  principalType: 'User' | 'Group' | 'ServicePrincipal';
  principalDisplayName: string;
  resourceId: string;
  resourceDisplayName: string;
}

interface Derived {
  apps: Map<string, AppObject>;
  sps: Map<string, SpObject>;
  assignments: Map<string, AssignmentObject>;
  /** Per principal object id, and per resource service principal id: assignment ids, sorted. */
  byPrincipal: Map<string, string[]>;
  byResource: Map<string, string[]>;
}

const derived = new WeakMap<TenantDirectory, Derived>();

/** The application object id: the fixture's, else derived from the tenant and appId. */
export const applicationObjectId = (dir: TenantDirectory, app: Application): string =>
  (app.id ?? stableUuid(`app:${dir.id}:${app.appId.toLowerCase()}`)).toLowerCase();

function assignmentId(principalId: string, resourceId: string, appRoleId: string): string {
  return createHash('sha256').update(`appRoleAssignment:${principalId}:${resourceId}:${appRoleId}`).digest().subarray(0, 32).toString('base64url');
}

/** Built once per directory (a fixture replacement builds a new directory). */
export function applicationObjects(dir: TenantDirectory): Derived {
  let d = derived.get(dir);
  if (d) return d;
  const apps = new Map<string, AppObject>();
  for (const app of dir.apps.values()) {
    // Microsoft Graph's application object lives in Microsoft's tenant; only its service principal is here.
    if (app.appId.toLowerCase() === GRAPH_APP_ID) continue;
    apps.set(applicationObjectId(dir, app), { app, id: applicationObjectId(dir, app), tenantId: dir.id });
  }
  const sps = new Map<string, SpObject>();
  const spByAppId = new Map<string, ResolvedServicePrincipal>();
  for (const sp of dir.servicePrincipals.values()) {
    sps.set(sp.id, { id: sp.id, sp, app: dir.apps.get(sp.appId), tenantId: dir.id });
    spByAppId.set(sp.appId, sp);
  }
  const assignments = new Map<string, AssignmentObject>();
  const byPrincipal = new Map<string, string[]>();
  const byResource = new Map<string, string[]>();
  for (const a of dir.assignments) {
    const assignment = resolveAssignment(dir, a, spByAppId);
    if (!assignment || assignments.has(assignment.id)) continue;
    assignments.set(assignment.id, assignment);
    const push = (m: Map<string, string[]>, k: string) => {
      const list = m.get(k);
      if (list) list.push(assignment.id);
      else m.set(k, [assignment.id]);
    };
    push(byPrincipal, assignment.principalId);
    push(byResource, assignment.resourceId);
  }
  for (const list of [...byPrincipal.values(), ...byResource.values()]) list.sort();
  d = { apps, sps, assignments, byPrincipal, byResource };
  derived.set(dir, d);
  return d;
}

function resolveAssignment(dir: TenantDirectory, a: ResolvedAssignment, spByAppId: Map<string, ResolvedServicePrincipal>): AssignmentObject | undefined {
  const resource = spByAppId.get(a.resourceAppId);
  if (!resource) return undefined;
  let principalId: string;
  let principalType: AssignmentObject['principalType'];
  let principalDisplayName: string;
  const user = dir.users.get(a.principalId);
  const group = dir.groups.get(a.principalId);
  if (user) [principalId, principalType, principalDisplayName] = [a.principalId, 'User', user.displayName];
  else if (group) [principalId, principalType, principalDisplayName] = [a.principalId, 'Group', group.displayName];
  else {
    const client = spByAppId.get(a.principalId);
    if (!client) return undefined;
    [principalId, principalType, principalDisplayName] = [client.id, 'ServicePrincipal', client.displayName];
  }
  return {
    id: assignmentId(principalId, resource.id, a.appRoleId),
    appRoleId: a.appRoleId,
    principalId,
    principalType,
    principalDisplayName,
    resourceId: resource.id,
    resourceDisplayName: resource.displayName,
  };
}

const redirectUris = (app: Application | undefined): string[] => [
  ...(app?.web?.redirectUris ?? []),
  ...(app?.spa?.redirectUris ?? []),
  ...(app?.publicClient?.redirectUris ?? []),
];

const passwordCredentials = (app: Application | undefined): Json =>
  (app?.passwordCredentials ?? []).map((c) => ({
    customKeyIdentifier: null,
    displayName: c.displayName ?? null,
    endDateTime: c.endDateTime ?? null,
    hint: c.hint ?? c.secretText.slice(0, 3),
    keyId: c.keyId,
    secretText: null,
    startDateTime: c.startDateTime ?? null,
  }));

const keyCredentials = (app: Application | undefined): Json =>
  (app?.keyCredentials ?? []).map((c) => ({
    customKeyIdentifier: c.customKeyIdentifier ?? null,
    displayName: c.displayName ?? null,
    endDateTime: c.endDateTime ?? null,
    key: null,
    keyId: c.keyId,
    startDateTime: c.startDateTime ?? null,
    type: c.type ?? 'AsymmetricX509Cert',
    usage: c.usage ?? 'Verify',
  }));

const appRoles = (app: Application | undefined): Json =>
  (app?.appRoles ?? []).map((r) => ({
    allowedMemberTypes: r.allowedMemberTypes,
    description: r.description ?? null,
    displayName: r.displayName ?? null,
    id: r.id,
    isEnabled: r.isEnabled ?? true,
    origin: 'Application',
    value: r.value,
  }));

const permissionScopes = (app: Application | undefined): Json =>
  (app?.api?.oauth2PermissionScopes ?? []).map((s) => ({
    adminConsentDescription: s.adminConsentDescription ?? null,
    adminConsentDisplayName: s.adminConsentDisplayName ?? null,
    id: s.id,
    isEnabled: s.isEnabled ?? true,
    type: s.type ?? 'User',
    userConsentDescription: s.userConsentDescription ?? null,
    userConsentDisplayName: s.userConsentDisplayName ?? null,
    value: s.value,
  }));

const claims = (list: NonNullable<Application['optionalClaims']>['idToken']): Json =>
  (list ?? []).map((c) => ({ additionalProperties: c.additionalProperties ?? [], essential: c.essential ?? false, name: c.name, source: c.source ?? null }));

const optionalClaims = (app: Application): Json =>
  app.optionalClaims
    ? { accessToken: claims(app.optionalClaims.accessToken), idToken: claims(app.optionalClaims.idToken), saml2Token: claims(app.optionalClaims.saml2Token) }
    : null;

/** Every application property the mock serves (application-get's default set), in Graph's order. */
export const APPLICATION_PROPERTIES: Record<string, Getter<AppObject>> = {
  id: (_a, id) => id,
  deletedDateTime: () => null,
  appId: (a) => a.app.appId.toLowerCase(),
  applicationTemplateId: () => null,
  disabledByMicrosoftStatus: () => null,
  createdDateTime: (_a, id) => derivedCreatedDateTime(id),
  displayName: (a) => a.app.displayName,
  description: () => null,
  groupMembershipClaims: (a) => a.app.groupMembershipClaims ?? null,
  identifierUris: (a) => a.app.identifierUris ?? [],
  isDeviceOnlyAuthSupported: () => null,
  isFallbackPublicClient: (a) => a.app.isFallbackPublicClient ?? null,
  notes: () => null,
  publisherDomain: () => null,
  serviceManagementReference: () => null,
  signInAudience: (a) => a.app.signInAudience ?? 'AzureADMyOrg',
  tags: () => [],
  tokenEncryptionKeyId: () => null,
  samlMetadataUrl: () => null,
  defaultRedirectUri: () => null,
  certification: () => null,
  optionalClaims: (a) => optionalClaims(a.app),
  requestSignatureVerification: () => null,
  addIns: () => [],
  api: (a) => ({
    acceptMappedClaims: null,
    knownClientApplications: [],
    requestedAccessTokenVersion: a.app.api?.requestedAccessTokenVersion ?? null,
    oauth2PermissionScopes: permissionScopes(a.app),
    preAuthorizedApplications: [],
  }),
  appRoles: (a) => appRoles(a.app),
  info: () => ({ logoUrl: null, marketingUrl: null, privacyStatementUrl: null, supportUrl: null, termsOfServiceUrl: null }),
  keyCredentials: (a) => keyCredentials(a.app),
  parentalControlSettings: () => ({ countriesBlockedForMinors: [], legalAgeGroupRule: 'Allow' }),
  passwordCredentials: (a) => passwordCredentials(a.app),
  publicClient: (a) => ({ redirectUris: a.app.publicClient?.redirectUris ?? [] }),
  requiredResourceAccess: (a) => (a.app.requiredResourceAccess ?? []).map((r) => ({ resourceAppId: r.resourceAppId, resourceAccess: r.resourceAccess })),
  verifiedPublisher: () => ({ displayName: null, verifiedPublisherId: null, addedDateTime: null }),
  web: (a) => ({
    homePageUrl: null,
    logoutUrl: a.app.web?.logoutUrl ?? null,
    redirectUris: a.app.web?.redirectUris ?? [],
    implicitGrantSettings: {
      enableAccessTokenIssuance: a.app.web?.implicitGrantSettings?.enableAccessTokenIssuance ?? false,
      enableIdTokenIssuance: a.app.web?.implicitGrantSettings?.enableIdTokenIssuance ?? false,
    },
  }),
  spa: (a) => ({ redirectUris: a.app.spa?.redirectUris ?? [] }),
};
export const APPLICATION_DEFAULT = Object.keys(APPLICATION_PROPERTIES);

/** Every service principal property the mock serves (serviceprincipal-get's default set), in Graph's order. */
export const SERVICE_PRINCIPAL_PROPERTIES: Record<string, Getter<SpObject>> = {
  id: (_s, id) => id,
  deletedDateTime: () => null,
  accountEnabled: (s) => s.sp.accountEnabled,
  alternativeNames: () => [],
  appDisplayName: (s) => s.app?.displayName ?? s.sp.displayName,
  appDescription: () => null,
  appId: (s) => s.sp.appId,
  applicationTemplateId: () => null,
  appOwnerOrganizationId: (s) => (s.sp.appId === GRAPH_APP_ID ? MICROSOFT_SERVICES_TENANT : s.tenantId),
  appRoleAssignmentRequired: (s) => s.sp.appRoleAssignmentRequired,
  createdDateTime: (_s, id) => derivedCreatedDateTime(id),
  description: () => null,
  disabledByMicrosoftStatus: () => null,
  displayName: (s) => s.sp.displayName,
  homepage: () => null,
  loginUrl: () => null,
  logoutUrl: (s) => s.app?.web?.logoutUrl ?? null,
  notes: () => null,
  notificationEmailAddresses: () => [],
  preferredSingleSignOnMode: () => null,
  preferredTokenSigningKeyThumbprint: () => null,
  replyUrls: (s) => redirectUris(s.app),
  servicePrincipalNames: (s) => [s.sp.appId, ...(s.app?.identifierUris ?? [])],
  servicePrincipalType: () => 'Application',
  signInAudience: (s) => s.app?.signInAudience ?? 'AzureADMyOrg',
  tags: () => [],
  tokenEncryptionKeyId: () => null,
  samlSingleSignOnSettings: () => null,
  addIns: () => [],
  appRoles: (s) => appRoles(s.app),
  info: () => ({ logoUrl: null, marketingUrl: null, privacyStatementUrl: null, supportUrl: null, termsOfServiceUrl: null }),
  keyCredentials: () => [],
  oauth2PermissionScopes: (s) => permissionScopes(s.app),
  passwordCredentials: () => [],
  resourceSpecificApplicationPermissions: () => [],
  verifiedPublisher: () => ({ displayName: null, verifiedPublisherId: null, addedDateTime: null }),
};
export const SERVICE_PRINCIPAL_DEFAULT = Object.keys(SERVICE_PRINCIPAL_PROPERTIES);

/** An appRoleAssignment's properties (approleassignment resource), in Graph's order. */
export const ASSIGNMENT_PROPERTIES: Record<string, Getter<AssignmentObject>> = {
  id: (_a, id) => id,
  deletedDateTime: () => null,
  appRoleId: (a) => a.appRoleId,
  createdDateTime: (a) => derivedCreatedDateTime(a.id),
  principalDisplayName: (a) => a.principalDisplayName,
  principalId: (a) => a.principalId,
  principalType: (a) => a.principalType,
  resourceDisplayName: (a) => a.resourceDisplayName,
  resourceId: (a) => a.resourceId,
};
export const ASSIGNMENT_DEFAULT = Object.keys(ASSIGNMENT_PROPERTIES);
