import { createHash } from 'node:crypto';
import type { FixtureIssue } from './fixture-issues.js';
import type {
  Application,
  AppRole,
  FixtureDocument,
  KeyCredential,
  OptionalClaim,
  PasswordCredential,
  PermissionScope,
  RequiredResourceAccess,
} from './model.js';
import { GRAPH_APP_ID, GRAPH_APP_ROLES, GRAPH_DELEGATED_SCOPES } from './microsoft-graph.js';
import { validateFixture } from './validate-fixture.js';
import { stableUuid } from '../support/ids.js';

/**
 * Turns an app registration manifest, as the Azure portal's Manifest page shows or downloads it,
 * into a one-tenant fixture holding that application. Both forms are read, detected by their keys:
 * - the Microsoft Graph manifest (the application resource: `web`, `spa`, `api`…), and
 * - the legacy Azure AD Graph manifest (`replyUrlsWithType`, `oauth2Permissions`,
 *   `accessTokenAcceptedVersion`…): https://learn.microsoft.com/entra/identity-platform/reference-app-manifest
 *
 * Manifests never carry secret values or consent. Each client secret gets a deterministic
 * placeholder value (listed in `notes`) with the manifest's dates, so an expired secret still
 * fails with AADSTS7000222; consent is left to the author (a note shows the YAML to add).
 *
 * @example
 * const { fixture, notes, issues } = importManifest(JSON.parse(text), { domain: 'contoso.onmicrosoft.com' });
 */
export function importManifest(manifest: unknown, opts: ImportOptions = {}): ImportResult {
  const file = opts.file ?? '(manifest)';
  if (!isObject(manifest)) {
    return { fixture: { tenants: [] }, notes: [], issues: [{ file, path: '', message: 'must be a JSON object (an app registration manifest)' }] };
  }
  const reader = new ManifestReader(file);
  const form = detectForm(manifest);
  const app = form === 'legacy' ? readLegacyManifest(manifest, reader) : readGraphManifest(manifest, reader);

  const appId = app.appId.toLowerCase();
  const fixture: FixtureDocument = {
    tenants: [
      {
        id: opts.tenantId ?? stableUuid(`imported-tenant:${appId}`),
        displayName: opts.tenantDisplayName ?? 'Imported tenant',
        verifiedDomains: [opts.domain ?? 'imported.onmicrosoft.com'],
        applications: [app],
      },
    ],
  };

  const notes = [form === 'legacy' ? 'read as a legacy (Azure AD Graph) manifest' : 'read as a Microsoft Graph manifest', ...reader.notes];
  if (reader.ignored.size > 0) notes.push(`ignored manifest keys that have a value (mock-entra does not model them): ${[...reader.ignored].join(', ')}`);
  notes.push(consentNote(app), 'the tenant has no users yet: add some under `users:` to sign in');

  return { fixture, notes, issues: [...reader.issues, ...validateFixture(fixture, file)] };
}

export interface ImportOptions {
  /** The tenant's id; default: a GUID derived from the appId, stable across imports. */
  tenantId?: string;
  /** Default: `Imported tenant`. */
  tenantDisplayName?: string;
  /** The tenant's verified domain; default: `imported.onmicrosoft.com`. */
  domain?: string;
  /** Names the manifest in issues. */
  file?: string;
}

export interface ImportResult {
  fixture: FixtureDocument;
  /** What the import decided or could not carry over, for a person to read. */
  notes: string[];
  /** Problems, as validateFixture reports them on the resulting fixture (paths in the fixture). */
  issues: FixtureIssue[];
}

/** The deterministic stand-in for a secret the manifest cannot show: same keyId, same value. */
export function placeholderSecret(keyId: string): string {
  // `8Q~` is the shape of a real Entra secret's prefix; 40 characters like a real one.
  return `imp8Q~${createHash('sha256').update(keyId.toLowerCase()).digest('base64url').slice(0, 34)}`;
}

// ---------------------------------------------------------------------------------------------
// Reading untyped JSON

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const arrayOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const objectsOf = (value: unknown): Json[] => arrayOf(value).filter(isObject);
const stringOr = <T>(value: unknown, fallback: T): string | T => (typeof value === 'string' ? value : fallback);
const booleanOr = <T>(value: unknown, fallback: T): boolean | T => (typeof value === 'boolean' ? value : fallback);
const stringsOf = (value: unknown): string[] => arrayOf(value).filter((v): v is string => typeof v === 'string');

/** Drops undefined members, so the fixture only states what the manifest states. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A value that changes nothing: absent, null, false, '', [] or an object of such values. */
function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && Object.values(value).every(isEmptyValue);
}

/** Collects notes, manifest-level issues and the keys the import did not use. */
class ManifestReader {
  readonly notes: string[] = [];
  readonly issues: FixtureIssue[] = [];
  readonly ignored = new Set<string>();

  constructor(private readonly file: string) {}

  /** Records the keys of `object` outside `known` (that carry a value) as ignored. */
  ignoreOthers(object: Json, known: readonly string[], prefix: string): void {
    for (const [key, value] of Object.entries(object)) {
      if (!known.includes(key) && !isEmptyValue(value)) this.ignored.add(`${prefix}${key}`);
    }
  }

  issue(path: string, message: string): void {
    this.issues.push({ file: this.file, path, message });
  }
}

// ---------------------------------------------------------------------------------------------
// Which manifest is this?

type ManifestForm = 'legacy' | 'graph';

const LEGACY_ONLY_KEYS = [
  'replyUrlsWithType',
  'replyUrls',
  'oauth2Permissions',
  'accessTokenAcceptedVersion',
  'allowPublicClient',
  'oauth2AllowIdTokenImplicitFlow',
  'oauth2AllowImplicitFlow',
  'availableToOtherTenants',
  'oauth2AllowUrlPathMatching',
  'oauth2RequirePostResponse',
  'informationalUrls',
  'signInUrl',
  'logoutUrl',
  'orgRestrictions',
  'name',
];
const GRAPH_ONLY_KEYS = ['web', 'spa', 'publicClient', 'api', 'isFallbackPublicClient', 'info', 'defaultRedirectUri'];

/** The form with more of its own keys wins; a manifest with neither reads the same either way. */
function detectForm(manifest: Json): ManifestForm {
  const legacy = LEGACY_ONLY_KEYS.filter((k) => k in manifest).length;
  const graph = GRAPH_ONLY_KEYS.filter((k) => k in manifest).length;
  return legacy > graph ? 'legacy' : 'graph';
}

// ---------------------------------------------------------------------------------------------
// The Microsoft Graph manifest: already the fixture's shape; pick the fields the mock models.

const GRAPH_ROOT_KEYS = [
  'appId',
  'id',
  'displayName',
  'signInAudience',
  'web',
  'spa',
  'publicClient',
  'isFallbackPublicClient',
  'identifierUris',
  'api',
  'appRoles',
  'requiredResourceAccess',
  'groupMembershipClaims',
  'optionalClaims',
  'passwordCredentials',
  'keyCredentials',
] as const;

function readGraphManifest(m: Json, reader: ManifestReader): Application {
  reader.ignoreOthers(m, GRAPH_ROOT_KEYS, '');
  const web = isObject(m.web) ? m.web : undefined;
  // redirectUriSettings repeats redirectUris (with an index), so it is read, not ignored.
  if (web) reader.ignoreOthers(web, ['redirectUris', 'logoutUrl', 'implicitGrantSettings', 'redirectUriSettings'], 'web.');
  const api = isObject(m.api) ? m.api : undefined;
  if (api) reader.ignoreOthers(api, ['requestedAccessTokenVersion', 'oauth2PermissionScopes'], 'api.');
  const implicit = isObject(web?.implicitGrantSettings) ? web.implicitGrantSettings : undefined;

  return assembleApplication({
    appId: stringOr(m.appId, ''),
    id: stringOr(m.id, undefined),
    displayName: stringOr(m.displayName, ''),
    signInAudience: stringOr(m.signInAudience, undefined),
    webRedirectUris: stringsOf(web?.redirectUris),
    logoutUrl: stringOr(web?.logoutUrl, undefined),
    implicitIdTokens: booleanOr(implicit?.enableIdTokenIssuance, undefined),
    implicitAccessTokens: booleanOr(implicit?.enableAccessTokenIssuance, undefined),
    spaRedirectUris: stringsOf(isObject(m.spa) ? m.spa.redirectUris : undefined),
    publicClientRedirectUris: stringsOf(isObject(m.publicClient) ? m.publicClient.redirectUris : undefined),
    isFallbackPublicClient: 'isFallbackPublicClient' in m ? booleanOr(m.isFallbackPublicClient, null) : undefined,
    identifierUris: stringsOf(m.identifierUris),
    tokenVersion:
      api && 'requestedAccessTokenVersion' in api ? tokenVersionOf(api.requestedAccessTokenVersion, reader, 'api.requestedAccessTokenVersion') : undefined,
    scopes: readScopes(api?.oauth2PermissionScopes, 'api.oauth2PermissionScopes', reader),
    appRoles: readAppRoles(m.appRoles, reader),
    requiredResourceAccess: readRequiredResourceAccess(m.requiredResourceAccess),
    groupMembershipClaims: 'groupMembershipClaims' in m ? groupClaimsOf(m.groupMembershipClaims, reader) : undefined,
    optionalClaims: readOptionalClaims(m.optionalClaims),
    passwordCredentials: readPasswordCredentials(m.passwordCredentials, { start: 'startDateTime', end: 'endDateTime' }, reader),
    keyCredentials: readKeyCredentials(m.keyCredentials, { key: 'key', start: 'startDateTime', end: 'endDateTime' }, reader),
  });
}

// ---------------------------------------------------------------------------------------------
// The legacy (Azure AD Graph) manifest: flat keys, renamed and regrouped.

const LEGACY_ROOT_KEYS = [
  'appId',
  'id',
  'name',
  'displayName',
  'signInAudience',
  'availableToOtherTenants',
  'replyUrlsWithType',
  'replyUrls',
  'logoutUrl',
  'oauth2AllowIdTokenImplicitFlow',
  'oauth2AllowImplicitFlow',
  'allowPublicClient',
  'identifierUris',
  'accessTokenAcceptedVersion',
  'oauth2Permissions',
  'appRoles',
  'requiredResourceAccess',
  'groupMembershipClaims',
  'optionalClaims',
  'passwordCredentials',
  'keyCredentials',
] as const;

/** replyUrlsWithType `type` → the platform that holds the URI in the Graph model. */
const REPLY_URL_PLATFORMS: Record<string, 'web' | 'spa' | 'publicClient'> = { Web: 'web', Spa: 'spa', InstalledClient: 'publicClient' };

function readLegacyManifest(m: Json, reader: ManifestReader): Application {
  reader.ignoreOthers(m, LEGACY_ROOT_KEYS, '');
  const redirectUris = { web: [] as string[], spa: [] as string[], publicClient: [] as string[] };
  objectsOf(m.replyUrlsWithType).forEach((reply, i) => {
    const url = stringOr(reply.url, undefined);
    const type = stringOr(reply.type, '');
    const platform = REPLY_URL_PLATFORMS[type];
    if (url === undefined) return;
    if (!platform) reader.notes.push(`replyUrlsWithType[${i}]: unknown type ${JSON.stringify(reply.type)}, read as Web`);
    redirectUris[platform ?? 'web'].push(url);
  });
  // `replyUrls` is the older, untyped list: Web, unless replyUrlsWithType already placed the URI.
  const placed = new Set([...redirectUris.web, ...redirectUris.spa, ...redirectUris.publicClient]);
  for (const url of stringsOf(m.replyUrls)) if (!placed.has(url)) redirectUris.web.push(url);

  return assembleApplication({
    appId: stringOr(m.appId, ''),
    id: stringOr(m.id, undefined),
    displayName: stringOr(m.displayName, stringOr(m.name, '')),
    signInAudience: stringOr(m.signInAudience, audienceFromAvailability(m.availableToOtherTenants)),
    webRedirectUris: redirectUris.web,
    logoutUrl: stringOr(m.logoutUrl, undefined),
    implicitIdTokens: booleanOr(m.oauth2AllowIdTokenImplicitFlow, undefined),
    implicitAccessTokens: booleanOr(m.oauth2AllowImplicitFlow, undefined),
    spaRedirectUris: redirectUris.spa,
    publicClientRedirectUris: redirectUris.publicClient,
    isFallbackPublicClient: 'allowPublicClient' in m ? booleanOr(m.allowPublicClient, null) : undefined,
    identifierUris: stringsOf(m.identifierUris),
    tokenVersion: 'accessTokenAcceptedVersion' in m ? tokenVersionOf(m.accessTokenAcceptedVersion, reader, 'accessTokenAcceptedVersion') : undefined,
    scopes: readScopes(m.oauth2Permissions, 'oauth2Permissions', reader),
    appRoles: readAppRoles(m.appRoles, reader),
    requiredResourceAccess: readRequiredResourceAccess(m.requiredResourceAccess),
    groupMembershipClaims: 'groupMembershipClaims' in m ? groupClaimsOf(m.groupMembershipClaims, reader) : undefined,
    optionalClaims: readOptionalClaims(m.optionalClaims),
    passwordCredentials: readPasswordCredentials(m.passwordCredentials, { start: 'startDate', end: 'endDate' }, reader),
    keyCredentials: readKeyCredentials(m.keyCredentials, { key: 'value', start: 'startDate', end: 'endDate' }, reader),
  });
}

/** The oldest manifests had `availableToOtherTenants` instead of `signInAudience`. */
function audienceFromAvailability(value: unknown): string | undefined {
  if (value === true) return 'AzureADMultipleOrgs';
  if (value === false) return 'AzureADMyOrg';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Parts both forms share

interface ApplicationParts {
  appId: string;
  id: string | undefined;
  displayName: string;
  signInAudience: string | undefined;
  webRedirectUris: string[];
  logoutUrl: string | undefined;
  implicitIdTokens: boolean | undefined;
  implicitAccessTokens: boolean | undefined;
  spaRedirectUris: string[];
  publicClientRedirectUris: string[];
  isFallbackPublicClient: boolean | null | undefined;
  identifierUris: string[];
  tokenVersion: 1 | 2 | null | undefined;
  scopes: PermissionScope[];
  appRoles: AppRole[];
  requiredResourceAccess: RequiredResourceAccess[];
  groupMembershipClaims: string | null | undefined;
  optionalClaims: Application['optionalClaims'];
  passwordCredentials: PasswordCredential[];
  keyCredentials: KeyCredential[];
}

/**
 * The Application in model.ts's field order. Empty lists are left out; explicit nulls the
 * portal shows (groupMembershipClaims, requestedAccessTokenVersion) stay, as settings to edit.
 */
function assembleApplication(p: ApplicationParts): Application {
  const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length > 0 ? list : undefined);
  const implicitGrantSettings =
    p.implicitIdTokens === undefined && p.implicitAccessTokens === undefined
      ? undefined
      : compact({ enableIdTokenIssuance: p.implicitIdTokens, enableAccessTokenIssuance: p.implicitAccessTokens });
  const web = compact({ redirectUris: nonEmpty(p.webRedirectUris), logoutUrl: p.logoutUrl, implicitGrantSettings });
  const api = compact({ requestedAccessTokenVersion: p.tokenVersion, oauth2PermissionScopes: nonEmpty(p.scopes) });
  return compact<Application>({
    appId: p.appId,
    id: p.id,
    displayName: p.displayName,
    signInAudience: p.signInAudience as Application['signInAudience'],
    web: Object.keys(web).length > 0 ? web : undefined,
    spa: p.spaRedirectUris.length > 0 ? { redirectUris: p.spaRedirectUris } : undefined,
    publicClient: p.publicClientRedirectUris.length > 0 ? { redirectUris: p.publicClientRedirectUris } : undefined,
    isFallbackPublicClient: p.isFallbackPublicClient,
    identifierUris: nonEmpty(p.identifierUris),
    api: Object.keys(api).length > 0 ? api : undefined,
    appRoles: nonEmpty(p.appRoles),
    requiredResourceAccess: nonEmpty(p.requiredResourceAccess),
    groupMembershipClaims: p.groupMembershipClaims,
    optionalClaims: p.optionalClaims ?? undefined,
    passwordCredentials: nonEmpty(p.passwordCredentials),
    keyCredentials: nonEmpty(p.keyCredentials),
  });
}

function tokenVersionOf(value: unknown, reader: ManifestReader, path: string): 1 | 2 | null {
  if (value === null || value === 1 || value === 2) return value;
  reader.issue(path, `must be 1, 2 or null (got ${JSON.stringify(value)})`);
  return null;
}

/** The old manifest stored group claims as a bitmask (docs/entra-wire.md §9): 0 none, 1 security groups and roles, 7 all. */
const GROUP_CLAIM_BITMASKS: Record<number, string> = { 0: 'None', 1: 'SecurityGroup', 7: 'All' };

function groupClaimsOf(value: unknown, reader: ManifestReader): string | null {
  if (value === null || typeof value === 'string') return value;
  const name = typeof value === 'number' ? GROUP_CLAIM_BITMASKS[value] : undefined;
  if (name) {
    reader.notes.push(`groupMembershipClaims: the old bitmask ${String(value)} read as "${name}"`);
    return name;
  }
  reader.issue('groupMembershipClaims', `must be None, SecurityGroup, DirectoryRole, ApplicationGroup, All, or null (got ${JSON.stringify(value)})`);
  return null;
}

const SCOPE_KEYS = [
  'id',
  'value',
  'type',
  'adminConsentDisplayName',
  'adminConsentDescription',
  'userConsentDisplayName',
  'userConsentDescription',
  'isEnabled',
];

function readScopes(value: unknown, prefix: string, reader: ManifestReader): PermissionScope[] {
  return objectsOf(value).map((s) => {
    reader.ignoreOthers(s, SCOPE_KEYS, `${prefix}[].`);
    return compact<PermissionScope>({
      id: stringOr(s.id, ''),
      value: stringOr(s.value, ''),
      type: stringOr(s.type, undefined) as PermissionScope['type'],
      adminConsentDisplayName: stringOr(s.adminConsentDisplayName, undefined),
      adminConsentDescription: stringOr(s.adminConsentDescription, undefined),
      userConsentDisplayName: stringOr(s.userConsentDisplayName, undefined),
      userConsentDescription: stringOr(s.userConsentDescription, undefined),
      isEnabled: booleanOr(s.isEnabled, undefined),
    });
  });
}

const ROLE_KEYS = ['id', 'value', 'displayName', 'description', 'allowedMemberTypes', 'isEnabled'];

function readAppRoles(value: unknown, reader: ManifestReader): AppRole[] {
  return objectsOf(value).map((r) => {
    reader.ignoreOthers(r, ROLE_KEYS, 'appRoles[].');
    return compact<AppRole>({
      id: stringOr(r.id, ''),
      value: stringOr(r.value, ''),
      displayName: stringOr(r.displayName, undefined),
      description: stringOr(r.description, undefined),
      allowedMemberTypes: stringsOf(r.allowedMemberTypes) as AppRole['allowedMemberTypes'],
      isEnabled: booleanOr(r.isEnabled, undefined),
    });
  });
}

function readRequiredResourceAccess(value: unknown): RequiredResourceAccess[] {
  return objectsOf(value).map((r) => ({
    resourceAppId: stringOr(r.resourceAppId, ''),
    // Values pass through as written: validateFixture names anything that is not Scope or Role.
    resourceAccess: objectsOf(r.resourceAccess).map((a) => ({ id: stringOr(a.id, ''), type: stringOr(a.type, '') as 'Scope' | 'Role' })),
  }));
}

function readOptionalClaims(value: unknown): Application['optionalClaims'] {
  if (!isObject(value)) return undefined;
  const claims = (list: unknown): OptionalClaim[] | undefined => {
    const read = objectsOf(list).map((c) =>
      compact<OptionalClaim>({
        name: stringOr(c.name, ''),
        source: c.source === null ? null : stringOr(c.source, undefined),
        essential: booleanOr(c.essential, undefined),
        additionalProperties: Array.isArray(c.additionalProperties) ? stringsOf(c.additionalProperties) : undefined,
      }),
    );
    return read.length > 0 ? read : undefined;
  };
  const result = compact({ idToken: claims(value.idToken), accessToken: claims(value.accessToken), saml2Token: claims(value.saml2Token) });
  return Object.keys(result).length > 0 ? result : undefined;
}

/** Field names that differ between the two manifest forms. */
interface DateKeys {
  start: string;
  end: string;
}

function readPasswordCredentials(value: unknown, keys: DateKeys, reader: ManifestReader): PasswordCredential[] {
  const generated: string[] = [];
  const credentials = objectsOf(value).flatMap((c): PasswordCredential[] => {
    // `hint` is left out on purpose: it would describe the real secret, not the placeholder.
    reader.ignoreOthers(c, ['keyId', 'displayName', 'customKeyIdentifier', 'hint', 'value', 'secretText', keys.start, keys.end], 'passwordCredentials[].');
    const keyId = stringOr(c.keyId, undefined);
    if (!keyId) {
      reader.notes.push('passwordCredentials: dropped a secret without keyId');
      return [];
    }
    const displayName = stringOr(c.displayName, undefined) ?? decodeCustomKeyIdentifier(c.customKeyIdentifier);
    const credential = compact<PasswordCredential>({
      keyId,
      displayName,
      secretText: placeholderSecret(keyId),
      startDateTime: stringOr(c[keys.start], undefined),
      endDateTime: stringOr(c[keys.end], undefined),
    });
    const label = displayName ? ` (${displayName})` : '';
    generated.push(`  ${keyId}${label}, ends ${credential.endDateTime ?? 'never'}: ${credential.secretText}`);
    return [credential];
  });
  if (generated.length > 0) {
    reader.notes.push(
      `passwordCredentials: manifests never show secret values, so each secret got a generated value (same keyId, same value; dates kept, so an expired secret stays expired):\n${generated.join('\n')}`,
    );
  }
  return credentials;
}

/**
 * The legacy portal kept a secret's description in customKeyIdentifier, base64 of UTF-16LE
 * (or of UTF-8 when set through other tools). Anything that does not decode to text is dropped.
 */
function decodeCustomKeyIdentifier(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const bytes = Buffer.from(value, 'base64');
  const utf16 = bytes.length % 2 === 0 && bytes.length > 0 && bytes.every((b, i) => i % 2 === 0 || b === 0);
  const text = bytes.toString(utf16 ? 'utf16le' : 'utf8');
  return /^[\p{L}\p{N}\p{P}\p{Zs}]+$/u.test(text) ? text : undefined;
}

function readKeyCredentials(value: unknown, keys: DateKeys & { key: string }, reader: ManifestReader): KeyCredential[] {
  return objectsOf(value).flatMap((c): KeyCredential[] => {
    reader.ignoreOthers(c, ['keyId', 'displayName', 'customKeyIdentifier', 'type', 'usage', keys.key, keys.start, keys.end], 'keyCredentials[].');
    const keyId = stringOr(c.keyId, '(no keyId)');
    const name = typeof c.displayName === 'string' ? ` (${c.displayName})` : '';
    const key = stringOr(c[keys.key], undefined);
    if (!key) {
      reader.notes.push(
        `keyCredentials: dropped ${keyId}${name}: the manifest does not include the certificate; add it as \`key:\` (PEM or base64 DER) to use it`,
      );
      return [];
    }
    if ((c.type !== undefined && c.type !== 'AsymmetricX509Cert') || (c.usage !== undefined && c.usage !== 'Verify')) {
      reader.notes.push(
        `keyCredentials: dropped ${keyId}${name}: ${String(c.type)}/${String(c.usage)} is not a client-authentication certificate (AsymmetricX509Cert/Verify)`,
      );
      return [];
    }
    return [
      compact<KeyCredential>({
        keyId,
        displayName: stringOr(c.displayName, undefined),
        type: 'AsymmetricX509Cert',
        usage: 'Verify',
        key,
        customKeyIdentifier: stringOr(c.customKeyIdentifier, undefined),
        startDateTime: stringOr(c[keys.start], undefined),
        endDateTime: stringOr(c[keys.end], undefined),
      }),
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// The consent note

/**
 * Manifests record what an app asks for (requiredResourceAccess), not what was granted. This is
 * the YAML that the portal's "Grant admin consent" would have produced, commented out and
 * indented for the tenant level of a fixture, so an editor's "uncomment" makes it live.
 * Undefined when the app requests no API permissions.
 */
export function consentExample(app: Application): string | undefined {
  const grants: string[] = [];
  const assignments: string[] = [];
  for (const required of app.requiredResourceAccess ?? []) {
    const resource = describeResource(required.resourceAppId, app);
    const scopes = required.resourceAccess.filter((a) => a.type === 'Scope').map((a) => resource.scopeValue(a.id));
    if (scopes.length > 0) {
      // Sign-in scopes are Graph permissions too; Contoso's fixture consents them with User.Read.
      const all = resource.isGraph ? [...new Set(['openid', 'profile', 'email', 'offline_access', ...scopes])] : scopes;
      grants.push(
        `    #   - clientId: ${app.appId}   # ${app.displayName} → ${resource.name}, for all users`,
        '    #     consentType: AllPrincipals',
        `    #     resourceId: ${required.resourceAppId}`,
        `    #     scope: ${all.join(' ')}`,
      );
    }
    for (const access of required.resourceAccess.filter((a) => a.type === 'Role')) {
      assignments.push(
        `    #   - principalId: ${app.appId}   # ${app.displayName}: ${resource.roleValue(access.id)} on ${resource.name}`,
        '    #     principalType: ServicePrincipal',
        `    #     resourceId: ${required.resourceAppId}`,
        `    #     appRoleId: ${access.id}`,
      );
    }
  }
  const lines = [
    ...(grants.length > 0 ? ['    # oauth2PermissionGrants:', ...grants] : []),
    ...(assignments.length > 0 ? ['    # appRoleAssignments:', ...assignments] : []),
  ];
  if (lines.length === 0) return undefined;
  const outside = [...new Set((app.requiredResourceAccess ?? []).filter((r) => !describeResource(r.resourceAppId, app).known).map((r) => r.resourceAppId))];
  if (outside.length > 0) lines.push(`    # (${outside.join(', ')}: not in this fixture; add them as applications first)`);
  return lines.join('\n');
}

function consentNote(app: Application): string {
  const example = consentExample(app);
  if (!example) {
    return 'manifests carry no consent, and this app requests no API permissions: add oauth2PermissionGrants / appRoleAssignments under the tenant by hand if it needs any';
  }
  return `manifests carry no consent: to reproduce "Grant admin consent", add this under the tenant (uncomment it):\n${example}`;
}

interface ResourceDescription {
  name: string;
  isGraph: boolean;
  known: boolean;
  scopeValue: (id: string) => string;
  roleValue: (id: string) => string;
}

/** Permission ids → values for Graph and for the imported app itself; other APIs are unknown here. */
function describeResource(resourceAppId: string, app: Application): ResourceDescription {
  const id = resourceAppId.toLowerCase();
  const lookup = (list: ReadonlyArray<{ id: string; value: string }>) => (permissionId: string) =>
    list.find((p) => p.id.toLowerCase() === permissionId.toLowerCase())?.value ?? `<value of ${permissionId}>`;
  if (id === GRAPH_APP_ID) {
    return { name: 'Microsoft Graph', isGraph: true, known: true, scopeValue: lookup(GRAPH_DELEGATED_SCOPES), roleValue: lookup(GRAPH_APP_ROLES) };
  }
  if (id === app.appId.toLowerCase()) {
    return {
      name: app.displayName,
      isGraph: false,
      known: true,
      scopeValue: lookup(app.api?.oauth2PermissionScopes ?? []),
      roleValue: lookup(app.appRoles ?? []),
    };
  }
  return { name: resourceAppId, isGraph: false, known: false, scopeValue: lookup([]), roleValue: lookup([]) };
}
