import { CATALOG, type AadstsCode } from '../../errors/catalog.js';

/**
 * For a refusal in the log: what produces it (the catalog's own `trigger`, errors/catalog.ts)
 * and which setting of the app registration or tenant to change. The settings are named as the
 * Entra admin center and the application manifest name them
 * (https://learn.microsoft.com/entra/identity-platform/reference-microsoft-graph-app-manifest);
 * codes without a setting (a client's own mistake in the request) say so.
 */

const SETTINGS: Partial<Record<number, string>> = {
  50011:
    'App registration → Authentication → the platform’s Redirect URIs (web.redirectUris, spa.redirectUris, publicClient.redirectUris): add the exact URI the app sends',
  500113: 'App registration → Authentication → add a platform and its Redirect URI',
  700016: 'The app’s client_id (Application (client) ID on the Overview page) and the tenant in the authority URL',
  90002: 'The tenant in the authority URL (Directory (tenant) ID or a verified domain)',
  7000215: 'Certificates & secrets → the secret’s Value (not its Secret ID), sent as client_secret',
  7000222: 'Certificates & secrets → the client secret has expired: add a new one (passwordCredentials[].endDateTime) and configure the app with it',
  7000218: 'Send a client_secret or client_assertion, or Authentication → Allow public client flows (isFallbackPublicClient)',
  700025: 'A public client sends no secret: remove it, or register the redirect URI on the Web platform',
  9002327: 'The redirect URI is registered as Single-page application: redeem the code from the browser, or register it under Web',
  9002325: 'Single-page application codes need PKCE: send code_challenge',
  65001: 'API permissions → Grant admin consent (oauth2PermissionGrants), or let the user consent',
  65004: 'The user declined consent: grant admin consent, or sign in again and accept',
  50105: 'Enterprise application → Properties → Assignment required? (appRoleAssignmentRequired): assign the user or a group, or set it to No',
  700054: 'App registration → Authentication → Implicit grant and hybrid flows → ID tokens (web.implicitGrantSettings.enableIdTokenIssuance)',
  700051: 'App registration → Authentication → Implicit grant and hybrid flows → Access tokens (enableAccessTokenIssuance), or use the code flow',
  70011: 'The scope parameter: request the API’s scopes, or `<resource>/.default` for client credentials',
  650053: 'API permissions: add the permission the app requests, or stop requesting it',
  500011: 'Expose an API → Application ID URI (identifierUris) of the resource the scope names',
  50148: 'PKCE: the code_verifier must match the code_challenge sent to authorize',
  70008: 'The authorization code or refresh token expired, or was revoked: sign in again',
  54005: 'The authorization code was already redeemed: redeem each code once',
  700082: 'The refresh token expired from inactivity: sign in again',
  50173: 'The user’s sessions were revoked (revokeSignInSessions): sign in again',
  9002313: 'The request is malformed: check its parameters',
  50126: 'The user name or password is wrong',
  50058: 'prompt=none found no session: sign in interactively',
  50194: 'The app is single-tenant (signInAudience AzureADMyOrg): use the tenant-specific authority, or make it multi-tenant',
  50059: 'No tenant in the request: use the tenant-specific authority',
  90033: 'Nothing in the registration: Entra failed transiently — retry with back-off (here: an Entra fault set on the tenant, test-control API or console)',
  50196: 'Nothing in the registration: the app repeats the same sign-in too often — fix its loop (here: an Entra fault set on the tenant)',
  90094: 'Admin consent is required for these permissions: API permissions → Grant admin consent',
};

export interface RefusalHelp {
  /** What produces it (the catalog's trigger). */
  explanation: string;
  /** The setting to change, when a setting causes it. */
  setting?: string;
}

export function refusalHelp(aadsts: number): RefusalHelp | undefined {
  const entry = Object.hasOwn(CATALOG, aadsts) ? CATALOG[aadsts as AadstsCode] : undefined;
  if (!entry) return undefined;
  const setting = SETTINGS[aadsts];
  return { explanation: entry.trigger, ...(setting ? { setting } : {}) };
}
