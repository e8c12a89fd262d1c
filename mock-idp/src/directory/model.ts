/**
 * The fixture format: one or more tenants, described with Microsoft Graph's own resource names
 * (application, servicePrincipal, oauth2PermissionGrant, appRoleAssignment, user, group) so a
 * person who knows the Azure portal or Graph recognises every field.
 *
 * Differences from Graph, all for authoring convenience and all resolved at load time:
 * - cross-references (`clientId`, `resourceId`, `principalId`) accept an application's `appId`
 *   as well as a service principal's object id; Microsoft Graph is reachable by its appId
 *   `00000003-0000-0000-c000-000000000000`;
 * - `passwordCredentials[].secretText` keeps the secret value (Graph returns it only on create);
 * - service principals are created for every application unless listed explicitly.
 *
 * Graph resource docs: https://learn.microsoft.com/graph/api/resources/application
 */

export type SignInAudience = 'AzureADMyOrg' | 'AzureADMultipleOrgs' | 'AzureADandPersonalMicrosoftAccount' | 'PersonalMicrosoftAccount';

export interface PermissionScope {
  id: string;
  value: string;
  /** `User` scopes can be consented by a user; `Admin` scopes need an administrator. */
  type?: 'User' | 'Admin';
  adminConsentDisplayName?: string;
  adminConsentDescription?: string;
  userConsentDisplayName?: string;
  userConsentDescription?: string;
  isEnabled?: boolean;
}

export interface AppRole {
  id: string;
  value: string;
  displayName?: string;
  description?: string;
  allowedMemberTypes: Array<'User' | 'Application'>;
  isEnabled?: boolean;
}

export interface PasswordCredential {
  keyId: string;
  displayName?: string | null;
  /** First three characters of the secret, as the portal shows them. Derived when absent. */
  hint?: string | null;
  /** The secret value. Graph only returns it on creation; a fixture keeps it. */
  secretText: string;
  startDateTime?: string | null;
  endDateTime?: string | null;
}

export interface KeyCredential {
  keyId: string;
  displayName?: string | null;
  type?: 'AsymmetricX509Cert';
  usage?: 'Verify';
  /** The certificate: PEM, or base64 DER as in the portal manifest's `value`/Graph's `key`. */
  key: string;
  /** Base64 SHA-1 thumbprint (Graph's customKeyIdentifier). Derived when absent. */
  customKeyIdentifier?: string | null;
  startDateTime?: string | null;
  endDateTime?: string | null;
}

export interface OptionalClaim {
  name: string;
  source?: string | null;
  essential?: boolean;
  additionalProperties?: string[];
}

export interface RequiredResourceAccess {
  resourceAppId: string;
  resourceAccess: Array<{ id: string; type: 'Scope' | 'Role' }>;
}

/** The platforms an application registers redirect URIs on: web, single-page app, mobile and desktop. */
export type RedirectPlatform = 'web' | 'spa' | 'publicClient';

export interface Application {
  appId: string;
  /** Object id of the application object. Derived from appId when absent. */
  id?: string;
  displayName: string;
  signInAudience?: SignInAudience;
  web?: {
    redirectUris?: string[];
    logoutUrl?: string | null;
    implicitGrantSettings?: { enableIdTokenIssuance?: boolean; enableAccessTokenIssuance?: boolean };
  };
  spa?: { redirectUris?: string[] };
  publicClient?: { redirectUris?: string[] };
  /** "Allow public client flows" in the portal. */
  isFallbackPublicClient?: boolean | null;
  identifierUris?: string[];
  api?: {
    /** null or 1 → v1 access tokens, 2 → v2 (legacy manifest: accessTokenAcceptedVersion). */
    requestedAccessTokenVersion?: 1 | 2 | null;
    oauth2PermissionScopes?: PermissionScope[];
  };
  appRoles?: AppRole[];
  requiredResourceAccess?: RequiredResourceAccess[];
  /** `None`, `SecurityGroup`, `DirectoryRole`, `ApplicationGroup`, `All`, comma-combined, or null. */
  groupMembershipClaims?: string | null;
  optionalClaims?: { idToken?: OptionalClaim[]; accessToken?: OptionalClaim[]; saml2Token?: OptionalClaim[] } | null;
  passwordCredentials?: PasswordCredential[];
  keyCredentials?: KeyCredential[];
}

export interface ServicePrincipal {
  /** Object id. Derived from the tenant and appId when absent. */
  id?: string;
  appId: string;
  displayName?: string;
  /** "Assignment required?" on the enterprise application. */
  appRoleAssignmentRequired?: boolean;
  accountEnabled?: boolean;
  /** `ManagedIdentity`: a managed identity (no application; appId is its client id, directory/managed-identity.ts). Default `Application`. */
  servicePrincipalType?: 'Application' | 'ManagedIdentity';
  /** A managed identity's Azure resource id, and `isExplicit=True` (user-assigned) or `isExplicit=False` (system-assigned). */
  alternativeNames?: string[];
  /**
   * The tenant that registered the application, when it is not this one: a multi-tenant app of
   * another tenant, whose service principal consent created here (Graph's servicePrincipal resource).
   */
  appOwnerOrganizationId?: string;
  /** The application's signInAudience, kept with a service principal of another tenant's app. */
  signInAudience?: SignInAudience;
}

/**
 * A directory role assigned to a user (Graph: roleManagement/directory/roleAssignments), by the
 * role's template id: 62e90394-69f5-4237-9190-012177145e10 Global Administrator,
 * e8611ab8-c189-46e8-94e1-60213ab1f814 Privileged Role Administrator,
 * 158c047a-c907-4556-b7ef-446551a6b5f7 Cloud Application Administrator,
 * 9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3 Application Administrator.
 * https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference
 */
export interface DirectoryRoleAssignment {
  principalId: string;
  roleDefinitionId: string;
}

/**
 * The tenant's authorization policy (Graph: /policies/authorizationPolicy), for what users may
 * consent to: `permissionGrantPoliciesAssigned` empty means users cannot consent (an
 * administrator must); absent, users may consent to permissions that do not need an admin
 * (Entra's legacy default, ManagePermissionGrantsForSelf.microsoft-user-default-legacy).
 * https://learn.microsoft.com/entra/identity/enterprise-apps/configure-user-consent
 */
export interface AuthorizationPolicy {
  defaultUserRolePermissions?: { permissionGrantPoliciesAssigned?: string[] };
}

export interface OAuth2PermissionGrant {
  id?: string;
  /** The client: appId or service-principal object id. */
  clientId: string;
  /** `AllPrincipals` (admin consent for everyone) or `Principal` (one user's consent). */
  consentType: 'AllPrincipals' | 'Principal';
  /** The user, when consentType is Principal. */
  principalId?: string | null;
  /** The resource (API): appId or service-principal object id. */
  resourceId: string;
  /** Space-separated delegated scope values. */
  scope: string;
}

export interface AppRoleAssignment {
  id?: string;
  /** A user, group, or client application (appId or service-principal id). */
  principalId: string;
  principalType?: 'User' | 'Group' | 'ServicePrincipal';
  /** The resource whose role is assigned: appId or service-principal id. */
  resourceId: string;
  /** The app role's id; the empty GUID is Entra's "default access". */
  appRoleId: string;
}

export interface User {
  id: string;
  userPrincipalName: string;
  displayName: string;
  givenName?: string | null;
  surname?: string | null;
  mail?: string | null;
  jobTitle?: string | null;
  mobilePhone?: string | null;
  officeLocation?: string | null;
  preferredLanguage?: string | null;
  businessPhones?: string[];
  accountEnabled?: boolean;
  userType?: 'Member' | 'Guest';
  /** When set, the login page asks for it. */
  password?: string | null;
  /**
   * Per-user MFA, as Graph (beta) reports it at /users/{id}/authentication/requirements.
   * `enabled` or `enforced`: a password alone is not enough, so ROPC answers AADSTS50076.
   */
  perUserMfaState?: 'disabled' | 'enabled' | 'enforced';
  /** The profile photo Graph serves at /users/{id}/photo/$value; without one, Graph answers 404 ImageNotFound. */
  photo?: UserPhoto;
}

/** A user's profile photo: the image's bytes (base64, at most 1 MiB once decoded) and its size in pixels. */
export interface UserPhoto {
  contentType: 'image/jpeg' | 'image/png';
  base64: string;
  width: number;
  height: number;
}

export interface Group {
  id: string;
  displayName: string;
  description?: string | null;
  /** `[]` for a security group, `["Unified"]` for a Microsoft 365 group. */
  groupTypes?: string[];
  securityEnabled?: boolean;
  mailEnabled?: boolean;
  mail?: string | null;
  mailNickname?: string | null;
  /** Member object ids: users or groups. */
  members?: string[];
  /** Owner object ids: users or service principals (GET /groups/{id}/owners). */
  owners?: string[];
}

export interface TenantFixture {
  id: string;
  displayName: string;
  /** The cloud instance (default AzurePublic): discovery's cloud fields and, impersonating, the issuer's host (impersonation/clouds.ts). */
  cloud?: 'AzurePublic' | 'AzureUSGovernment' | 'AzureChina';
  verifiedDomains: string[];
  applications?: Application[];
  servicePrincipals?: ServicePrincipal[];
  oauth2PermissionGrants?: OAuth2PermissionGrant[];
  appRoleAssignments?: AppRoleAssignment[];
  users?: User[];
  groups?: Group[];
  /** Directory roles of users: an administrator grants consent for the whole tenant (admin consent). */
  directoryRoleAssignments?: DirectoryRoleAssignment[];
  authorizationPolicy?: AuthorizationPolicy;
}

/** A loaded fixture: every tenant resolved (no `extends`, no `generate` left). */
export interface FixtureDocument {
  $schema?: string;
  tenants: TenantFixture[];
}

/**
 * Generated users and groups, added to a tenant at load time (directory/generate-tenant.ts).
 * The same spec (and the same tenant domain) always yields the same objects, ids included.
 */
export interface GenerateSpec {
  /** Seeds everything generated: names, ids, memberships. An integer from 0 to 4294967295. */
  seed: number;
  /** How many users (0–1,000,000). */
  users: number;
  /** How many groups (0–1,000,000). */
  groups: number;
  /** Mean direct group memberships of an ordinary user (Poisson-distributed; 0–50). Default: 10, or `groups` when fewer. */
  membershipsPerUser?: number;
  /**
   * Security groups that are members of another security group: a share of the generated
   * security groups (0 ≤ x < 1) or a count (a whole number ≥ 1). Chains are at most three
   * groups deep and never cycle. Default 0.
   */
  nestedGroups?: number;
  /** `count` users who are direct members of exactly `groups` security groups (over 200: token overage). */
  usersInManyGroups?: { count: number; groups: number };
  /** Share (0–1) of users without a mail address (members only; guests always have one). Default 0. */
  usersWithoutMail?: number;
  /** Share (0–1) of users who are guests: `alice_fabrikam.com#EXT#@{domain}`, userType Guest. Default 0. */
  guests?: number;
  /** Share (0–1) of groups that are Microsoft 365 groups (groupTypes ["Unified"], mail-enabled). Default 0. */
  microsoft365Groups?: number;
}

/**
 * A tenant as written in a fixture file, before loading resolves it into a {@link TenantFixture}:
 * - `extends` starts from a base tenant — `contoso` (the shipped default) or a fixture file,
 *   `./base.yaml` (its only tenant) or `./base.yaml#<tenant id>`, relative to this file;
 * - `generate` appends generated users and groups.
 *
 * Merge rules (load-fixture.ts): `id`, `displayName` and `verifiedDomains` are this tenant's when
 * given, else the base's. Lists are the base's, in order, then this tenant's: an application or
 * service principal with the same `appId`, or a user or group with the same `id`, replaces the
 * base's entry in place (the whole object, no deep merge); grants and app role assignments are
 * appended. Generated users and groups come last.
 */
export interface TenantSource
  extends Partial<Pick<TenantFixture, 'id' | 'displayName' | 'verifiedDomains'>>, Omit<TenantFixture, 'id' | 'displayName' | 'verifiedDomains'> {
  extends?: string;
  generate?: GenerateSpec;
}

/** A fixture file as written: tenants may still `extend` a base or `generate` objects. */
export interface FixtureSource {
  $schema?: string;
  tenants: TenantSource[];
}
