import type { Application, User } from '../directory/model.js';
import { GRAPH_APP_ID } from '../directory/microsoft-graph.js';
import type { TenantDirectory } from '../directory/tenant-directory.js';
import { canonicalScope, configuredScopes, type RequestedScopes } from './scope.js';

/**
 * Delegated consent: which of the requested permissions neither an administrator (AllPrincipals)
 * nor this user (Principal) has granted. OIDC scopes are Microsoft Graph permissions and need
 * consent like any other. `.default` stands for what the app registration lists.
 * https://learn.microsoft.com/entra/identity-platform/permissions-consent-overview
 */

export interface MissingPermission {
  resource: Application;
  value: string;
  /** Admin scopes cannot be consented by a user. */
  adminOnly: boolean;
  description: string;
}

export function missingConsent(dir: TenantDirectory, client: Application, user: User, req: RequestedScopes): MissingPermission[] {
  const out: MissingPermission[] = [];
  const graph = dir.app(GRAPH_APP_ID)!;
  const wanted = new Map<Application, string[]>();
  if (req.oidc.size > 0) wanted.set(graph, [...req.oidc]);
  for (const r of req.resources) {
    const values = r.values.includes('.default') ? configuredScopes(dir, client, r.app) : r.values.map((v) => canonicalScope(dir, r.app, v));
    wanted.set(r.app, [...(wanted.get(r.app) ?? []), ...values]);
  }
  for (const [resource, values] of wanted) {
    const consented = lower(dir.consentedScopes(client.appId, resource.appId, user.id));
    const declared = new Map(dir.scopesOf(resource).map((s) => [s.value.toLowerCase(), s]));
    for (const v of new Set(values)) {
      if (consented.has(v.toLowerCase())) continue;
      const s = declared.get(v.toLowerCase());
      out.push({
        resource,
        value: s?.value ?? v,
        adminOnly: s?.type === 'Admin',
        description: s?.userConsentDisplayName ?? s?.adminConsentDisplayName ?? describe(s?.value ?? v),
      });
    }
  }
  return out;
}

/** The scp a token for `resource` carries: every permission consented for this client and user (Entra's incremental consent). */
export function grantedScopes(dir: TenantDirectory, client: Application, user: User, resource: Application): string[] {
  const consented = dir.consentedScopes(client.appId, resource.appId, user.id);
  const isGraph = dir.isGraph(resource);
  return [...consented]
    .filter((s) => s !== 'offline_access' && (isGraph || !['openid', 'profile', 'email'].includes(s)))
    .map((s) => canonicalScope(dir, resource, s))
    .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
}

const lower = (s: Set<string>): Set<string> => new Set([...s].map((x) => x.toLowerCase()));

const DESCRIPTIONS: Record<string, string> = {
  openid: 'Sign you in',
  profile: 'View your basic profile',
  email: 'View your email address',
  offline_access: 'Maintain access to data you have given it access to',
  'User.Read': 'Sign you in and read your profile',
};
const describe = (v: string): string => DESCRIPTIONS[v] ?? v;
