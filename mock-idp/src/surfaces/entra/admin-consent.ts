import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorContext, type MockContext } from '../../context.js';
import type { Application, User } from '../../directory/model.js';
import type { TenantDirectory } from '../../directory/tenant-directory.js';
import { EntraError } from '../../errors/entra-error.js';
import { errorDescription, errorIds, sendToRedirectUri, type RedirectTarget } from '../../errors/render.js';
import { isMultiTenant, refuseSingleTenantOnAlias } from '../../protocol/client-app.js';
import { issuePageToken, PAGE_TOKEN_FIELD, refusePageAnswerByGet } from '../../protocol/page-token.js';
import { resolveRedirectUri } from '../../protocol/redirect-uri.js';
import { parseResponseType } from '../../protocol/response-type.js';
import { configuredScopes, parseScopes } from '../../protocol/scope.js';
import { writeSessions } from '../../protocol/sso-session.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import { interactivePageHeaders } from '../../views/page-headers.js';
import { renderConsentPage } from '../../views/consent-page.js';
import { carriedFields, type AuthorizeRequest } from './authorize-request.js';
import { answerErrorsWith, PAGE_ANSWER } from './error-answer.js';
import { signIn } from './sign-in-interaction.js';
import { pageParams, tenantOf, type TenantRoute } from './tenant-route.js';

/**
 * The admin consent endpoints, `/{tenant}/adminconsent` (v1: the permissions the app
 * registration lists) and `/{tenant}/v2.0/adminconsent` (v2: the `scope` asked for, `.default`
 * for the registration's). An administrator of the tenant signs in, sees the permissions, and
 * accepts for the whole organization: the tenant gets a service principal for another tenant's
 * multi-tenant app, AllPrincipals grants for the delegated permissions and app role assignments
 * for the application permissions. The browser goes back to `redirect_uri` with
 * `admin_consent=True`, `tenant` (v2 also `scope`) and `state`; Cancel sends `error=access_denied`
 * with AADSTS65004 and `admin_consent=True` (docs/entra-wire.md §5.2, MicrosoftDocs/azure-docs
 * #114009). A user who is not an administrator sees "Need admin approval" (AADSTS90094).
 * https://learn.microsoft.com/entra/identity-platform/v2-admin-consent
 * https://learn.microsoft.com/entra/identity/enterprise-apps/grant-admin-consent
 *
 * Like /authorize, it signs the user in through the sign-in page (or `mock_login=auto` with
 * `login_hint`), and its pages post back here with their one-time tokens.
 */

/** Roles that may grant tenant-wide consent to delegated permissions (grant-admin-consent). */
const CONSENT_ADMIN_ROLES = new Set([
  '62e90394-69f5-4237-9190-012177145e10', // Global Administrator
  'e8611ab8-c189-46e8-94e1-60213ab1f814', // Privileged Role Administrator
  '158c047a-c907-4556-b7ef-446551a6b5f7', // Cloud Application Administrator
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3', // Application Administrator
]);
/** Application permissions of Microsoft Graph need one of these two (grant-admin-consent, "Prerequisites"). */
const GRAPH_APP_ROLE_ADMINS = new Set(['62e90394-69f5-4237-9190-012177145e10', 'e8611ab8-c189-46e8-94e1-60213ab1f814']);
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export function registerAdminConsentRoutes(app: FastifyInstance, ctx: MockContext): void {
  for (const [path, version] of [
    ['/:tenant/adminconsent', 'v1'],
    ['/:tenant/v2.0/adminconsent', 'v2'],
  ] as const) {
    const handler = (request: FastifyRequest<TenantRoute>, reply: FastifyReply) => adminConsent(ctx, request, reply, version);
    app.get<TenantRoute>(path, handler);
    app.post<TenantRoute>(path, handler);
  }
}

/** What admin consent grants in one tenant: delegated scopes per resource, app roles per resource. */
interface Permissions {
  delegated: Array<{ resource: Application; values: string[] }>;
  roles: Array<{ resource: Application; roleId: string; value: string }>;
}

async function adminConsent(ctx: MockContext, request: FastifyRequest<TenantRoute>, reply: FastifyReply, version: 'v1' | 'v2'): Promise<FastifyReply> {
  answerErrorsWith(request, PAGE_ANSWER);
  const seg = tenantOf(ctx, request, `adminconsent.${version}`);
  const params = pageParams(request);
  refusePageAnswerByGet(request.method, params);
  const clientId = params.require('client_id');
  request.notes.clientId = clientId;
  if (seg.kind === 'multi' && seg.alias === 'consumers') throw new EntraError(90002, { tenant: seg.alias });
  const { client, home } = consentedApp(ctx, seg.kind === 'tenant' ? seg.tenant : undefined, clientId, seg.segment);
  refuseSingleTenantOnAlias(seg, client);
  const requested = params.get('redirect_uri');
  const redirect = resolveRedirectUri(client, requested);
  const target: RedirectTarget = { redirectUri: requested ?? redirect.registered, mode: 'query', state: params.get('state') };
  const tenant = seg.kind === 'tenant' ? seg.tenant : home;
  const scope = version === 'v2' ? params.require('scope') : '.default';
  const ar: AuthorizeRequest = {
    version,
    params,
    tenant,
    client,
    redirect,
    responseType: parseResponseType('code'),
    target,
    segment: seg,
    nonce: undefined,
    scope,
    scopes: { oidc: new Set(), resources: [] },
    pkce: undefined,
    prompt: params.get('prompt'),
    path: request.url.split('?')[0]!,
  };

  const signedIn = await signIn(ctx, request, ar);
  if (signedIn.kind === 'page') return sendPage(reply, ar, signedIn.html);
  if (signedIn.sessions) writeSessions(reply, ctx.sealer, signedIn.sessions, ctx.secure);
  const adminTenant = signedIn.tenant;
  request.notes.tenant = adminTenant;
  const dir = adminTenant.directory;
  const permissions = permissionsAsked(dir, client, version === 'v2' ? scope : undefined);
  const isAdmin = mayGrant(dir, signedIn.user, permissions);

  const answer = signedIn.consentAnswer;
  const answered = (fields: Array<[string, string]>) => sendToRedirectUri(reply, target.redirectUri, 'query', fields);
  if (answer === 'cancel' || answer === 'admin_required' || (answer === 'accept' && !isAdmin)) {
    const e = new EntraError(answer === 'cancel' ? 65004 : 90094);
    request.notes.aadsts = e.code;
    const ectx = errorContext(ctx, request, adminTenant);
    const fields: Array<[string, string]> = [
      ['error', e.entry.redirectError ?? e.entry.error],
      ['error_description', errorDescription(e, errorIds(ectx))],
      ['error_uri', `${ectx.origin}/error?code=${e.code}`],
      ['admin_consent', 'True'],
    ];
    if (target.state !== undefined) fields.push(['state', target.state]);
    return answered(fields);
  }
  if (answer === 'accept') {
    grant(dir, client, home, adminTenant, permissions);
    const fields: Array<[string, string]> = [
      ['admin_consent', 'True'],
      ['tenant', adminTenant.id],
    ];
    if (version === 'v2') fields.push(['scope', scopesGranted(permissions)]);
    if (target.state !== undefined) fields.push(['state', target.state]);
    return answered(fields);
  }

  const token = await issuePageToken(ctx.store, adminTenant, { kind: 'consent', clientId: client.appId, sid: signedIn.account.sid });
  const html = renderConsentPage({
    action: ar.path,
    hidden: [...carriedFields(ar), ['mock_action', 'consent'], ['mock_sid', signedIn.account.sid], [PAGE_TOKEN_FIELD, token]],
    appName: client.displayName,
    userName: signedIn.user.userPrincipalName,
    permissions: [
      ...permissions.delegated.flatMap((d) =>
        d.values.map((value) => ({ value, resource: d.resource.displayName, description: describe(dir, d.resource, value) })),
      ),
      ...permissions.roles.map((r) => ({ value: r.value, resource: r.resource.displayName, description: `${r.value} (application permission)` })),
    ],
    needsAdmin: !isAdmin,
    forOrganization: isAdmin,
  });
  return sendPage(reply, ar, html);
}

/**
 * The app whose permissions are asked for: registered in the tenant named, or a multi-tenant app
 * of another tenant (consent creates its service principal there). Else AADSTS700016.
 */
function consentedApp(ctx: MockContext, tenant: TenantRuntime | undefined, clientId: string, segment: string): { client: Application; home: TenantRuntime } {
  const home = ctx.tenants.homeOfApp(clientId);
  const client = home?.directory.app(clientId);
  if (!home || !client || (tenant !== undefined && tenant !== home && !isMultiTenant(client))) throw new EntraError(700016, { clientId, tenant: segment });
  return { client, home };
}

/**
 * v1 and v2 `.default`: everything the app registration lists (requiredResourceAccess) that the
 * tenant's resources expose; v2 with named scopes: those delegated permissions.
 */
function permissionsAsked(dir: TenantDirectory, client: Application, v2Scope: string | undefined): Permissions {
  const out: Permissions = { delegated: [], roles: [] };
  const named = v2Scope === undefined ? undefined : parseScopes(dir, v2Scope, client);
  const wantsDefault = named === undefined || named.resources.some((r) => r.values.includes('.default'));
  if (named) {
    for (const r of named.resources) if (!r.values.includes('.default')) out.delegated.push({ resource: r.app, values: r.values });
    if (named.oidc.size > 0) out.delegated.push({ resource: dir.app(GRAPH_APP_ID)!, values: [...named.oidc] });
  }
  if (!wantsDefault) return out;
  for (const rra of client.requiredResourceAccess ?? []) {
    const resource = dir.app(rra.resourceAppId);
    if (!resource) continue;
    const values = configuredScopes(dir, client, resource);
    if (values.length > 0 && !out.delegated.some((d) => d.resource === resource)) out.delegated.push({ resource, values });
    const roleIds = new Set(rra.resourceAccess.filter((a) => a.type === 'Role').map((a) => a.id.toLowerCase()));
    for (const role of dir.rolesOf(resource)) {
      if (roleIds.has(role.id.toLowerCase()) && role.allowedMemberTypes.includes('Application'))
        out.roles.push({ resource, roleId: role.id, value: role.value });
    }
  }
  return out;
}

/** Whether the user's directory roles let them consent to all of it for the organization. */
function mayGrant(dir: TenantDirectory, user: User, p: Permissions): boolean {
  const roles = dir.directoryRolesOf(user.id);
  if (!roles.some((r) => CONSENT_ADMIN_ROLES.has(r))) return false;
  const graphRoles = p.roles.some((r) => r.resource.appId.toLowerCase() === GRAPH_APP_ID);
  return !graphRoles || roles.some((r) => GRAPH_APP_ROLE_ADMINS.has(r));
}

function grant(dir: TenantDirectory, client: Application, home: TenantRuntime, tenant: TenantRuntime, p: Permissions): void {
  if (tenant !== home) dir.recordServicePrincipal(client, home.id);
  for (const d of p.delegated) dir.recordAdminConsent(client.appId, d.resource.appId, d.values);
  for (const r of p.roles) dir.recordAppRoleGrant(client.appId, r.resource.appId, r.roleId);
}

/** The `scope` sent back (v2): the granted delegated permissions, Graph's by URI as the doc's example shows. */
function scopesGranted(p: Permissions): string {
  return p.delegated
    .flatMap((d) =>
      d.values
        .filter((v) => !['openid', 'profile', 'email', 'offline_access'].includes(v))
        .map(
          (v) =>
            `${d.resource.appId.toLowerCase() === GRAPH_APP_ID ? 'https://graph.microsoft.com' : (d.resource.identifierUris?.[0] ?? d.resource.appId)}/${v}`,
        ),
    )
    .join(' ');
}

function describe(dir: TenantDirectory, resource: Application, value: string): string {
  const s = dir.scopesOf(resource).find((x) => x.value.toLowerCase() === value.toLowerCase());
  return s?.adminConsentDisplayName ?? s?.userConsentDisplayName ?? value;
}

/** A sign-in or consent page: never cached, never framed; its form may post to the redirect URI's origin. */
function sendPage(reply: FastifyReply, ar: AuthorizeRequest, html: string): FastifyReply {
  return interactivePageHeaders(reply.code(200), ar.target.redirectUri)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store, no-cache')
    .send(html);
}
