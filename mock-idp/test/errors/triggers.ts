import { randomUUID } from 'node:crypto';
import type { AadstsCode, Surface } from '../../src/errors/catalog.js';
import { ORIGIN, T } from '../support/mock-app.js';
import type { Trigger } from './expect-surface.js';
import { deviceTenant, poll, signInOnPage, answerLastPage, startDeviceFlow } from '../device-code/device-flow.js';
import { keyValidity, thumbprintHex } from '../../src/tokens/verify-own-token.js';
import { API_URI, OBO, oboRequest, oboTenant, userTokenForApi } from '../on-behalf-of/obo-tenant.js';
import {
  ADELE,
  BRIDGE,
  BRIDGE_SCOPE,
  GRAPH_DEFAULT,
  INGESTION,
  INGESTION_REDIRECT,
  MEGAN,
  UI,
  UI_ORIGIN,
  UI_SCOPE,
  advanceClock,
  assertionClaims,
  assertionRequest,
  authorizeCode,
  authorizePath,
  bridgeCode,
  bridgeRefreshToken,
  certTenant,
  clientAssertion,
  clientSecretJwt,
  control,
  expectTokens,
  hiddenFields,
  mockTokenEndpoint,
  newTenant,
  pkcePair,
  postForm,
  sessionCookie,
  sha1Thumbprint,
  spaCode,
  spaRefreshToken,
  state,
  ticks,
  tokenAt,
  withFrozenTime,
} from './flows.js';

/**
 * One realistic request per (AADSTS code, surface) of the catalog: what a real client, a
 * misconfigured relying party or a user's browser sends to get that refusal. Each trigger returns
 * the response and what the refusal must say (the message's placeholders, the redirect target).
 */

/** The bridge's authorize request, as PingOne sends it; `over` changes or adds parameters. */
const bridgeAuthorize = (over: Record<string, string> = {}): Record<string, string> => ({
  client_id: BRIDGE.appId,
  response_type: 'code',
  redirect_uri: BRIDGE.redirectUri,
  scope: BRIDGE_SCOPE,
  state: state(),
  nonce: randomUUID(),
  ...over,
});

/** Redeems a bridge code with its valid secret; `over` changes fields. */
const redeemBridge = (code: string, over: Record<string, string> = {}) => ({
  grant_type: 'authorization_code',
  client_id: BRIDGE.appId,
  client_secret: BRIDGE.secret,
  code,
  redirect_uri: BRIDGE.redirectUri,
  scope: BRIDGE_SCOPE,
  ...over,
});

/** The ingestion service's app-only token request (OpenMetadata's "Azure" ingestion config). */
const ingestionClientCredentials = (scope: string) => ({
  grant_type: 'client_credentials',
  client_id: INGESTION.appId,
  client_secret: INGESTION.secret,
  scope,
});

/** The bridge's ROPC request (a confidential client: with its secret), for Graph's User.Read. */
const bridgePassword = (username: string, password: string) => ({
  grant_type: 'password',
  client_id: BRIDGE.appId,
  client_secret: BRIDGE.secret,
  username,
  password,
  scope: 'openid profile offline_access https://graph.microsoft.com/User.Read',
});

/** A tenant where Megan has the password Winter2025! (and per-user MFA as given). */
const ropcTenant = (m: Parameters<Trigger>[0], perUserMfaState?: 'enabled' | 'enforced'): Promise<string> =>
  newTenant(m, (f) => {
    for (const u of f.users ?? [])
      if (u.userPrincipalName === MEGAN) Object.assign(u, { password: 'Winter2025!', ...(perUserMfaState ? { perUserMfaState } : {}) });
  });

const KEY_NOT_FOUND_DETAIL = (appId: string): string =>
  `, Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${appId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/${appId}'`;

export const TRIGGERS: Record<AadstsCode, Partial<Record<Surface, Trigger>>> = {
  50011: {
    // The redirect URI configured in PingOne with a trailing slash the registration does not have.
    page: async (m) => {
      const redirectUri = `${BRIDGE.redirectUri}/`;
      const res = await m.inject(authorizePath(T, bridgeAuthorize({ redirect_uri: redirectUri })));
      return { res, params: { redirectUri, clientId: BRIDGE.appId } };
    },
    // Signed in through the registered URI, but the token request names it with a trailing slash.
    token: async (m) => {
      const { code } = await bridgeCode(m);
      const redirectUri = `${BRIDGE.redirectUri}/`;
      const res = await m.form(tokenAt(), redeemBridge(code, { redirect_uri: redirectUri }));
      return { res, params: { redirectUri, clientId: BRIDGE.appId } };
    },
  },
  500113: {
    // The sign-in flow pointed at a daemon registration that has no redirect URI on any platform.
    page: async (m) => {
      const daemon = randomUUID();
      const tenant = await newTenant(m, (f) => {
        f.applications = [...(f.applications ?? []), { appId: daemon, displayName: 'Contoso Nightly Export', signInAudience: 'AzureADMyOrg' }];
      });
      const res = await m.inject(authorizePath(tenant, bridgeAuthorize({ client_id: daemon, redirect_uri: 'http://localhost:7000/signin-oidc' })));
      return { res };
    },
  },
  700016: {
    // The secret's ID copied into the client ID field.
    page: async (m) => {
      const res = await m.inject(authorizePath(T, bridgeAuthorize({ client_id: BRIDGE.secretKeyId })));
      return { res, params: { clientId: BRIDGE.secretKeyId, tenant: T } };
    },
    // The tenant ID pasted as the client ID.
    token: async (m) => {
      const res = await m.form(tokenAt(), { grant_type: 'client_credentials', client_id: T, client_secret: BRIDGE.secret, scope: GRAPH_DEFAULT });
      return { res, params: { clientId: T, tenant: T } };
    },
  },
  90002: {
    // A tenant domain that does not exist (fabrikam instead of contoso).
    page: async (m) => {
      const tenant = 'fabrikam.onmicrosoft.com';
      const res = await m.inject(authorizePath(tenant, bridgeAuthorize()));
      return { res, params: { tenant } };
    },
    // A tenant ID with its last digit mistyped.
    token: async (m) => {
      const tenant = `${T.slice(0, -1)}8`;
      const res = await m.form(tokenAt(tenant), {
        grant_type: 'client_credentials',
        client_id: BRIDGE.appId,
        client_secret: BRIDGE.secret,
        scope: GRAPH_DEFAULT,
      });
      return { res, params: { tenant } };
    },
  },
  900023: {
    // The tenant's short name instead of its domain or GUID.
    page: async (m) => {
      const res = await m.inject(authorizePath('contoso', bridgeAuthorize()));
      return { res, params: { tenant: 'contoso' } };
    },
    token: async (m) => {
      const res = await m.form(tokenAt('contoso'), ingestionClientCredentials(`${UI.apiUri}/.default`));
      return { res, params: { tenant: 'contoso' } };
    },
  },
  900144: {
    // An empty client_id (unset environment variable): Entra treats `client_id=` as missing.
    page: async (m) => {
      const res = await m.inject(authorizePath(T, bridgeAuthorize({ client_id: '' })));
      return { res, params: { name: 'client_id' } };
    },
    // A JSON body: the form parameters are never read, so grant_type is missing.
    token: async (m) => {
      const res = await m.inject({
        method: 'POST',
        url: tokenAt(),
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(ingestionClientCredentials(`${UI.apiUri}/.default`)),
      });
      return { res, params: { name: 'grant_type' } };
    },
  },
  70011: {
    // The SPA asks for a scope with an empty value (`api://{appId}/`): nothing Entra can read.
    redirect: async (m) => {
      const s = state();
      const scope = `openid profile api://${UI.appId}/`;
      const p = pkcePair();
      const res = await m.inject(
        authorizePath(T, {
          client_id: UI.appId,
          response_type: 'code',
          redirect_uri: UI.redirectUri,
          scope,
          state: s,
          code_challenge: p.challenge,
          code_challenge_method: 'S256',
        }),
      );
      return { res, params: { scope }, redirectUri: UI.redirectUri, state: s };
    },
    // The bridge refreshes for `.default` next to another value of the same resource.
    token: async (m) => {
      const rt = await bridgeRefreshToken(m);
      const scope = `api://${UI.appId}/.default api://${UI.appId}/access_as_user offline_access`;
      const res = await m.form(tokenAt(), { grant_type: 'refresh_token', client_id: BRIDGE.appId, client_secret: BRIDGE.secret, refresh_token: rt, scope });
      return { res, params: { scope } };
    },
  },
  650053: {
    // The SPA asks for a scope its API does not expose (access_as_admin instead of access_as_user).
    redirect: async (m) => {
      const s = state();
      const scope = `openid profile api://${UI.appId}/access_as_admin`;
      const p = pkcePair();
      const res = await m.inject(
        authorizePath(T, {
          client_id: UI.appId,
          response_type: 'code',
          redirect_uri: UI.redirectUri,
          scope,
          state: s,
          code_challenge: p.challenge,
          code_challenge_method: 'S256',
        }),
      );
      return { res, params: { appName: 'OpenMetadata UI', scopeValue: 'access_as_admin', resourceId: UI.appId }, redirectUri: UI.redirectUri, state: s };
    },
    // The bridge refreshes for a scope the OpenMetadata API does not expose.
    token: async (m) => {
      const rt = await bridgeRefreshToken(m);
      const scope = `api://${UI.appId}/access_as_admin offline_access`;
      const res = await m.form(tokenAt(), { grant_type: 'refresh_token', client_id: BRIDGE.appId, client_secret: BRIDGE.secret, refresh_token: rt, scope });
      return { res, params: { appName: 'Identity Bridge', scopeValue: 'access_as_admin', resourceId: UI.appId } };
    },
  },
  1002012: {
    // A delegated scope in a client-credentials request.
    token: async (m) => {
      const res = await m.form(tokenAt(), ingestionClientCredentials(UI.scope));
      return { res, params: { scope: UI.scope } };
    },
  },
  500011: {
    // The SPA names its API by a mistyped App ID URI.
    redirect: async (m) => {
      const s = state();
      const res = await m.inject(
        authorizePath(T, {
          client_id: UI.appId,
          response_type: 'code',
          redirect_uri: UI.redirectUri,
          scope: 'openid profile api://openmetadata/access_as_user',
          state: s,
        }),
      );
      return { res, params: { resource: 'api://openmetadata', tenantName: 'Contoso' }, redirectUri: UI.redirectUri, state: s };
    },
    token: async (m) => {
      const res = await m.form(tokenAt(), ingestionClientCredentials('api://openmetadata/.default'));
      return { res, params: { resource: 'api://openmetadata', tenantName: 'Contoso' } };
    },
  },
  7000215: {
    // The PingOne seed's slip: the client ID pasted into the secret field.
    token: async (m) => {
      const correlationId = randomUUID();
      const { code } = await bridgeCode(m);
      const res = await m.form(tokenAt(), redeemBridge(code, { client_secret: BRIDGE.appId }), { 'client-request-id': correlationId });
      return { res, params: { clientId: BRIDGE.appId }, correlationId };
    },
  },
  7000222: {
    // The bridge still configured with its old secret, which expired on 2025-01-01.
    token: async (m) => {
      const { code } = await bridgeCode(m);
      const res = await m.form(tokenAt(), redeemBridge(code, { client_secret: BRIDGE.expiredSecret }));
      return { res, params: { clientId: BRIDGE.appId } };
    },
  },
  7000218: {
    // A web app redeeming its code without any credential (secret left out of the config).
    token: async (m) => {
      const { code } = await bridgeCode(m);
      const { client_secret: _omitted, ...fields } = redeemBridge(code);
      const res = await m.form(tokenAt(), fields);
      return { res };
    },
  },
  700025: {
    // A desktop tool signs in through its publicClient redirect and still sends its secret.
    token: async (m) => {
      const scope = UI.scope;
      const { code } = await authorizeCode(m, { clientId: INGESTION.appId, redirectUri: INGESTION_REDIRECT, scope });
      const res = await m.form(tokenAt(), {
        grant_type: 'authorization_code',
        client_id: INGESTION.appId,
        client_secret: INGESTION.secret,
        code,
        redirect_uri: INGESTION_REDIRECT,
        scope,
      });
      return { res };
    },
  },
  700027: {
    // Signed with a renewed certificate that was never uploaded to the registration.
    token: async (m) => {
      const c = await certTenant(m);
      const assertion = clientAssertion(c.unregistered, assertionClaims(BRIDGE.appId, mockTokenEndpoint(ORIGIN, c.tenant)));
      const res = await assertionRequest(m, c.tenant, assertion);
      const thumbprint = sha1Thumbprint(c.unregistered.certPem).toString('hex').toUpperCase();
      return { res, params: { reason: 'The key was not found.', thumbprint, detail: KEY_NOT_FOUND_DETAIL(BRIDGE.appId) } };
    },
  },
  700024: {
    // A cached assertion reused an hour after it expired.
    token: async (m) => {
      const c = await certTenant(m);
      return withFrozenTime(async (now) => {
        const exp = Math.floor(now / 1000) - 3600;
        const claims = { ...assertionClaims(BRIDGE.appId, mockTokenEndpoint(ORIGIN, c.tenant), exp - 600), exp };
        const res = await assertionRequest(m, c.tenant, clientAssertion(c.registered, claims));
        return { res, params: { now: ticks(now), nbf: ticks((exp - 600) * 1000), exp: ticks(exp * 1000) } };
      });
    },
  },
  700023: {
    // The assertion's aud copied from Entra's docs (login.microsoftonline.com), not the mock's endpoint.
    token: async (m) => {
      const c = await certTenant(m);
      const aud = `https://login.microsoftonline.com/${c.tenant}/oauth2/v2.0/token`;
      const res = await assertionRequest(m, c.tenant, clientAssertion(c.registered, assertionClaims(BRIDGE.appId, aud)));
      return { res };
    },
  },
  50027: {
    // client_secret_jwt (HS256 keyed with the secret), an OAuth library's default that Entra does not take.
    token: async (m) => {
      const assertion = clientSecretJwt(BRIDGE.secret, assertionClaims(BRIDGE.appId, mockTokenEndpoint(ORIGIN, T)));
      const res = await assertionRequest(m, T, assertion);
      return { res };
    },
  },
  50148: {
    // The web app (PKCE on, as recommended) sends the verifier of another login attempt.
    token: async (m) => {
      const p = pkcePair();
      const { code } = await bridgeCode(m, T, { code_challenge: p.challenge, code_challenge_method: 'S256' });
      const res = await m.form(tokenAt(), redeemBridge(code, { code_verifier: pkcePair().verifier }));
      return { res };
    },
  },
  54005: {
    // The callback handler runs twice (browser refresh on the callback URL).
    token: async (m) => {
      const { code } = await bridgeCode(m);
      const first = await m.form(tokenAt(), redeemBridge(code));
      if (first.statusCode !== 200) throw new Error(`first redemption failed: ${first.body}`);
      const res = await m.form(tokenAt(), redeemBridge(code));
      return { res };
    },
  },
  70008: {
    // The code redeemed 11 minutes after it was issued.
    token: async (m) => {
      const tenant = await newTenant(m);
      const { code } = await bridgeCode(m, tenant);
      await advanceClock(m, tenant, 11 * 60);
      const res = await m.form(tokenAt(tenant), redeemBridge(code));
      return { res };
    },
  },
  700082: {
    // The bridge's refresh token, unused for 91 days.
    token: async (m) =>
      withFrozenTime(async (issued) => {
        const tenant = await newTenant(m);
        const rt = await bridgeRefreshToken(m, tenant);
        await advanceClock(m, tenant, 91 * 24 * 3600);
        const res = await m.form(tokenAt(tenant), {
          grant_type: 'refresh_token',
          client_id: BRIDGE.appId,
          client_secret: BRIDGE.secret,
          refresh_token: rt,
          scope: BRIDGE_SCOPE,
        });
        return { res, params: { issuedOn: ticks(issued) } };
      }),
  },
  700084: {
    // The SPA's refresh token used the next day (25 hours after sign-in).
    token: async (m) =>
      withFrozenTime(async (issued) => {
        const tenant = await newTenant(m);
        const rt = await spaRefreshToken(m, tenant);
        await advanceClock(m, tenant, 25 * 3600);
        const res = await m.form(
          tokenAt(tenant),
          { grant_type: 'refresh_token', client_id: UI.appId, refresh_token: rt, scope: UI_SCOPE },
          { origin: UI_ORIGIN },
        );
        return { res, params: { issuedOn: ticks(issued) } };
      }),
  },
  50173: {
    // An administrator revoked Adele's sessions (revokeSignInSessions) after the token was issued.
    token: async (m) =>
      withFrozenTime(async (issued, at) => {
        const tenant = await newTenant(m);
        const rt = await bridgeRefreshToken(m, tenant);
        const revoked = issued + 90_000;
        at(revoked);
        await control(m, 'POST', `/_mock/tenants/${tenant}/users/${encodeURIComponent(ADELE)}/revoke-sessions`, {});
        const res = await m.form(tokenAt(tenant), {
          grant_type: 'refresh_token',
          client_id: BRIDGE.appId,
          client_secret: BRIDGE.secret,
          refresh_token: rt,
          scope: BRIDGE_SCOPE,
        });
        return { res, params: { issuedOn: ticks(issued), validFrom: ticks(revoked) } };
      }),
  },
  9002313: {
    // A refresh token truncated when it was stored (a too-short database column).
    token: async (m) => {
      const rt = await bridgeRefreshToken(m);
      const res = await m.form(tokenAt(), {
        grant_type: 'refresh_token',
        client_id: BRIDGE.appId,
        client_secret: BRIDGE.secret,
        refresh_token: rt.slice(0, 255),
        scope: BRIDGE_SCOPE,
      });
      return { res };
    },
  },
  70000: {
    // A code issued to the bridge redeemed by another app of the tenant (client IDs swapped in config).
    token: async (m) => {
      const { code } = await bridgeCode(m);
      const res = await m.form(tokenAt(), redeemBridge(code, { client_id: INGESTION.appId, client_secret: INGESTION.secret }));
      return { res, params: { name: 'code' } };
    },
  },
  9002326: {
    // The web app's code redeemed from browser JavaScript (fetch sends Origin).
    token: async (m) => {
      const origin = 'http://localhost:7000';
      const { code } = await bridgeCode(m);
      const res = await m.form(tokenAt(), redeemBridge(code), { origin });
      return { res, params: { origin } };
    },
  },
  9002327: {
    // The SPA's code handed to a backend that redeems it server-side (no Origin header).
    token: async (m) => {
      const { code, verifier } = await spaCode(m);
      const res = await m.form(tokenAt(), {
        grant_type: 'authorization_code',
        client_id: UI.appId,
        code,
        redirect_uri: UI.redirectUri,
        code_verifier: verifier,
        scope: UI_SCOPE,
      });
      return { res };
    },
  },
  9002325: {
    // A hand-rolled SPA that requested its code without code_challenge.
    token: async (m) => {
      const { code } = await spaCode(m, T, false);
      const res = await m.form(
        tokenAt(),
        { grant_type: 'authorization_code', client_id: UI.appId, code, redirect_uri: UI.redirectUri, scope: UI_SCOPE },
        { origin: UI_ORIGIN },
      );
      return { res };
    },
  },
  65001: {
    // Silent SSO (prompt=none) into the bridge, in a tenant where nobody consented to it.
    redirect: async (m) => {
      const tenant = await newTenant(m, (f) => {
        f.oauth2PermissionGrants = (f.oauth2PermissionGrants ?? []).filter((g) => g.clientId !== BRIDGE.appId);
      });
      const { cookie } = await authorizeCode(m, { tenant, clientId: UI.appId, redirectUri: UI.redirectUri, scope: UI_SCOPE });
      const s = state();
      const res = await m.inject({ url: authorizePath(tenant, bridgeAuthorize({ prompt: 'none', login_hint: ADELE, state: s })), headers: { cookie } });
      return { res, params: { clientId: BRIDGE.appId, appName: 'Identity Bridge' }, redirectUri: BRIDGE.redirectUri, state: s };
    },
    // The bridge's refresh token asked for a permission added to the app later.
    token: async (m) => {
      const rt = await bridgeRefreshToken(m);
      const res = await m.form(tokenAt(), {
        grant_type: 'refresh_token',
        client_id: BRIDGE.appId,
        client_secret: BRIDGE.secret,
        refresh_token: rt,
        scope: 'https://graph.microsoft.com/GroupMember.Read.All offline_access',
      });
      return { res, params: { clientId: BRIDGE.appId, appName: 'Identity Bridge' } };
    },
  },
  65004: {
    // prompt=consent, and the user clicks Cancel on the consent page.
    redirect: async (m) => {
      const s = state();
      const path = authorizePath(T, bridgeAuthorize({ prompt: 'consent', login_hint: ADELE, mock_login: 'auto', state: s }));
      const page = await m.inject(path);
      if (page.statusCode !== 200 || !page.body.includes('Permissions requested')) throw new Error(`no consent page: ${page.statusCode}`);
      const res = await postForm(m, path.split('?')[0]!, [...hiddenFields(page.body), ['consent', 'cancel']], sessionCookie(page));
      return { res, redirectUri: BRIDGE.redirectUri, state: s };
    },
    // Device code: the user cancels on "Are you trying to sign in to …?"; the CLI's next poll.
    token: async (m) => {
      const d = await deviceTenant(m);
      const a = await startDeviceFlow(m, d.tenant, d.cli);
      const { page, cookie } = await signInOnPage(m, a.user_code, ADELE);
      await answerLastPage(m, page, cookie, 'cancel');
      return { res: await poll(m, d.tenant, d.cli, a.device_code) };
    },
  },
  90094: {
    // A user asked for Group.Read.All (Admin consent only): "Need admin approval" → back to the app.
    redirect: async (m) => {
      const s = state();
      const path = authorizePath(
        T,
        bridgeAuthorize({ scope: 'openid profile https://graph.microsoft.com/Group.Read.All', login_hint: ADELE, mock_login: 'auto', state: s }),
      );
      const page = await m.inject(path);
      if (page.statusCode !== 200 || !page.body.includes('Need admin approval')) throw new Error(`no admin-approval page: ${page.statusCode}`);
      const res = await postForm(m, path.split('?')[0]!, [...hiddenFields(page.body), ['consent', 'admin_required']], sessionCookie(page));
      return { res, redirectUri: BRIDGE.redirectUri, state: s };
    },
  },
  50105: {
    // "Assignment required?" on the bridge's enterprise app, and Megan is not assigned.
    redirect: async (m) => {
      const tenant = await newTenant(m, (f) => {
        f.servicePrincipals = [...(f.servicePrincipals ?? []), { appId: BRIDGE.appId, appRoleAssignmentRequired: true }];
      });
      const s = state();
      const res = await m.inject(authorizePath(tenant, bridgeAuthorize({ login_hint: MEGAN, mock_login: 'auto', state: s })));
      return { res, params: { appName: 'Identity Bridge', clientId: BRIDGE.appId, upn: MEGAN }, redirectUri: BRIDGE.redirectUri, state: s };
    },
  },
  50058: {
    // An ASP.NET-style silent check (prompt=none, form_post) from a browser with no session.
    redirect: async (m) => {
      const s = state();
      const res = await m.inject(authorizePath(T, bridgeAuthorize({ prompt: 'none', response_mode: 'form_post', state: s })));
      return { res, redirectUri: BRIDGE.redirectUri, state: s };
    },
  },
  700054: {
    // Hybrid flow (code id_token) while the registration has ID tokens for implicit flows off:
    // back to the registered redirect URI (passport-azure-ad's form_post).
    redirect: async (m) => {
      const s = state();
      const res = await m.inject(authorizePath(T, bridgeAuthorize({ response_type: 'code id_token', response_mode: 'form_post', state: s })));
      return { res, redirectUri: BRIDGE.redirectUri, state: s };
    },
    // The same with a redirect URI that is not registered (microsoft-teams-faqplusplus-app #103).
    page: async (m) => {
      const res = await m.inject(
        authorizePath(
          T,
          bridgeAuthorize({ response_type: 'code id_token', response_mode: 'form_post', redirect_uri: 'https://bridge.contoso.example/wrong-callback' }),
        ),
      );
      return { res };
    },
  },
  700051: {
    // An old implicit-flow client (MSAL.js 1 style) asking for an access token from /authorize,
    // answered by form_post here (the fragment is the default; the login tests check it).
    redirect: async (m) => {
      const s = state();
      const res = await m.inject(authorizePath(T, bridgeAuthorize({ response_type: 'token', scope: 'User.Read', response_mode: 'form_post', state: s })));
      return { res, redirectUri: BRIDGE.redirectUri, state: s };
    },
    // The same from a page whose redirect URI is not registered.
    page: async (m) => {
      const res = await m.inject(
        authorizePath(T, bridgeAuthorize({ response_type: 'token', scope: 'User.Read', redirect_uri: 'https://bridge.contoso.example/old-spa' })),
      );
      return { res };
    },
  },
  900061: {
    // The grant name put into response_type.
    page: async (m) => {
      const res = await m.inject(authorizePath(T, bridgeAuthorize({ response_type: 'authorization_code' })));
      return { res };
    },
  },
  50194: {
    // MSAL's default authority (/common) with a single-tenant registration: back to the app.
    redirect: async (m) => {
      const s = state();
      const res = await m.inject(authorizePath('common', bridgeAuthorize({ state: s })));
      return { res, redirectUri: BRIDGE.redirectUri, state: s, params: { clientId: BRIDGE.appId, appName: 'Identity Bridge' } };
    },
    // A code from the tenant's endpoint redeemed at /organizations.
    token: async (m) => {
      const { code } = await bridgeCode(m);
      const res = await m.form(tokenAt('organizations'), redeemBridge(code));
      return { res, params: { clientId: BRIDGE.appId, appName: 'Identity Bridge' } };
    },
  },
  70016: {
    // A CLI polls before its user has typed the code.
    token: async (m) => {
      const d = await deviceTenant(m);
      const a = await startDeviceFlow(m, d.tenant, d.cli);
      return { res: await poll(m, d.tenant, d.cli, a.device_code) };
    },
  },
  70020: {
    // The user came back after lunch: the device code's 15 minutes are over.
    token: async (m) => {
      const d = await deviceTenant(m);
      const a = await startDeviceFlow(m, d.tenant, d.cli);
      await advanceClock(m, d.tenant, 900);
      return { res: await poll(m, d.tenant, d.cli, a.device_code) };
    },
  },
  70018: {
    // A device code from another tenant's flow pasted into this one's poll.
    token: async (m) => {
      const other = await deviceTenant(m);
      const a = await startDeviceFlow(m, other.tenant, other.cli);
      const d = await deviceTenant(m);
      return { res: await poll(m, d.tenant, d.cli, a.device_code) };
    },
  },
  50196: {
    // A script that signs in again and again instead of caching its tokens (an Entra fault stands for Entra's loop detection).
    token: async (m) => {
      const tenant = await newTenant(m);
      await control(m, 'POST', `/_mock/tenants/${tenant}/entra/faults`, { answer: 'request_loop', grantType: 'refresh_token' });
      const rt = await bridgeRefreshToken(m, tenant);
      const res = await m.form(tokenAt(tenant), { grant_type: 'refresh_token', client_id: BRIDGE.appId, client_secret: BRIDGE.secret, refresh_token: rt });
      return { res };
    },
    page: async (m) => {
      const tenant = await newTenant(m);
      await control(m, 'POST', `/_mock/tenants/${tenant}/entra/faults`, { answer: 'request_loop', endpoint: 'authorize' });
      return { res: await m.inject(authorizePath(tenant, bridgeAuthorize())) };
    },
  },
  90033: {
    // Entra has a bad minute: the ingestion service's app-only token request meets a transient failure.
    token: async (m) => {
      const tenant = await newTenant(m);
      await control(m, 'POST', `/_mock/tenants/${tenant}/entra/faults`, { answer: 'temporarily_unavailable' });
      return { res: await m.form(tokenAt(tenant), ingestionClientCredentials(`${UI.apiUri}/.default`)) };
    },
    page: async (m) => {
      const tenant = await newTenant(m);
      await control(m, 'POST', `/_mock/tenants/${tenant}/entra/faults`, { answer: 'temporarily_unavailable', endpoint: 'authorize' });
      return { res: await m.inject(authorizePath(tenant, bridgeAuthorize())) };
    },
  },
  70003: {
    // A typo in grant_type.
    token: async (m) => {
      const res = await m.form(tokenAt(), { ...ingestionClientCredentials(`${UI.apiUri}/.default`), grant_type: 'client_credential' });
      return { res, params: { grantType: 'client_credential' } };
    },
  },
  501491: {
    // A UUID without dashes (32 characters) used as the code challenge.
    redirect: async (m) => {
      const s = state();
      const challenge = randomUUID().replace(/-/g, '');
      const res = await m.inject(authorizePath(T, bridgeAuthorize({ code_challenge: challenge, code_challenge_method: 'S256', state: s })));
      return { res, redirectUri: BRIDGE.redirectUri, state: s };
    },
  },
  50149: {
    // The hash's name (SHA256) instead of the PKCE method name (S256).
    redirect: async (m) => {
      const s = state();
      const res = await m.inject(authorizePath(T, bridgeAuthorize({ code_challenge: pkcePair().challenge, code_challenge_method: 'SHA256', state: s })));
      return { res, redirectUri: BRIDGE.redirectUri, state: s };
    },
  },
  50059: {
    // A multi-tenant daemon asks for an app-only token through /organizations.
    token: async (m) => {
      const daemon = randomUUID();
      const secret = 'dmn8Q~Nightly-Export-Secret-Value-Local-01';
      await newTenant(m, (f) => {
        f.applications = [
          ...(f.applications ?? []),
          {
            appId: daemon,
            displayName: 'Contoso Nightly Export',
            signInAudience: 'AzureADMultipleOrgs',
            passwordCredentials: [
              { keyId: randomUUID(), displayName: 'export', secretText: secret, startDateTime: '2024-01-01T00:00:00Z', endDateTime: '2099-12-31T23:59:59Z' },
            ],
          },
        ];
      });
      const res = await m.form(tokenAt('organizations'), { grant_type: 'client_credentials', client_id: daemon, client_secret: secret, scope: GRAPH_DEFAULT });
      return { res };
    },
  },
  9000411: {
    // A URL builder that appends client_id although the base URL already has it.
    page: async (m) => {
      const path = `${authorizePath(T, bridgeAuthorize())}&client_id=${BRIDGE.appId}`;
      const res = await m.inject(path);
      return { res, params: { name: 'client_id' } };
    },
    // client_id added again through a library's "extra body parameters".
    token: async (m) => {
      const body = new URLSearchParams([
        ['grant_type', 'client_credentials'],
        ['client_id', INGESTION.appId],
        ['client_secret', INGESTION.secret],
        ['scope', `${UI.apiUri}/.default`],
        ['client_id', INGESTION.appId],
      ]).toString();
      const res = await m.inject({ method: 'POST', url: tokenAt(), payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      return { res, params: { name: 'client_id' } };
    },
  },
  900561: {
    // The token endpoint opened in a browser (GET).
    token: async (m) => {
      const res = await m.inject({ method: 'GET', url: `${tokenAt()}?client_id=${BRIDGE.appId}` });
      return { res, params: { method: 'GET' } };
    },
    // A link on another site that "submits" the consent form by GET.
    page: async (m) => {
      const res = await m.inject(authorizePath(T, bridgeAuthorize({ mock_action: 'consent', consent: 'accept', mock_sid: randomUUID() })));
      return { res, params: { method: 'GET' } };
    },
  },
  90100: {
    // A SPA that serializes its whole router state into `state` (over 8 KiB).
    page: async (m) => {
      const big = Buffer.from(JSON.stringify({ returnTo: '/explore/tables', filters: 'x'.repeat(9000) })).toString('base64url');
      const res = await m.inject(authorizePath(T, bridgeAuthorize({ state: big })));
      return { res, params: { name: 'state' } };
    },
    // A token request over 1 MiB (a client that attaches a file to the form).
    token: async (m) => {
      const body = `${new URLSearchParams(ingestionClientCredentials(`${UI.apiUri}/.default`)).toString()}&attachment=${'A'.repeat(1024 * 1024)}`;
      const res = await m.inject({ method: 'POST', url: tokenAt(), payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      return { res, params: { name: 'request body' } };
    },
  },
  28000: {
    // Graph and the OpenMetadata API in one app-only request.
    token: async (m) => {
      const scope = `${GRAPH_DEFAULT} ${UI.apiUri}/.default`;
      const res = await m.form(tokenAt(), ingestionClientCredentials(scope));
      return { res, params: { scope } };
    },
  },
  50089: {
    // The sign-in page left open in a tab, submitted twice (the browser's Back, then Next again).
    page: async (m) => {
      const path = authorizePath(T, bridgeAuthorize());
      const login = await m.inject(path);
      if (login.statusCode !== 200 || !login.body.includes('loginfmt')) throw new Error(`no sign-in page: ${login.statusCode}`);
      const fields: Array<[string, string]> = [...hiddenFields(login.body), ['loginfmt', ADELE]];
      const first = await postForm(m, path.split('?')[0]!, fields);
      if (first.statusCode !== 302) throw new Error(`first submission did not sign in: ${first.statusCode}`);
      const res = await postForm(m, path.split('?')[0]!, fields);
      return { res };
    },
  },
  50126: {
    // A test signs in a user who has a password with mock_login=auto and last year's password.
    page: async (m) => {
      const tenant = await newTenant(m, (f) => {
        f.users = (f.users ?? []).map((u) => (u.userPrincipalName === MEGAN ? { ...u, password: 'Winter2025!' } : u));
      });
      const res = await m.inject(authorizePath(tenant, bridgeAuthorize({ login_hint: MEGAN, mock_login: 'auto', mock_password: 'Winter2024!' })));
      return { res };
    },
    // A script signs Megan in with ROPC and last year's password.
    token: async (m) => {
      const tenant = await ropcTenant(m);
      const res = await m.form(tokenAt(tenant), bridgePassword(MEGAN, 'Winter2024!'));
      return { res };
    },
  },
  50020: {
    // Someone of another organization (another tenant of the mock) tries the bridge, a single-tenant app.
    page: async (m) => {
      const id = randomUUID();
      const domain = `partner${id.slice(0, 8)}.onmicrosoft.com`;
      await control(m, 'POST', '/_mock/tenants', {
        id,
        displayName: 'Partner',
        verifiedDomains: [domain],
        users: [{ id: randomUUID(), userPrincipalName: `pat@${domain}`, displayName: 'Pat' }],
      });
      const res = await m.inject(authorizePath(T, bridgeAuthorize({ login_hint: `pat@${domain}`, mock_login: 'auto' })));
      return {
        res,
        params: { upn: `pat@${domain}`, idp: `https://sts.windows.net/${id}/`, tenantName: 'Contoso', clientId: BRIDGE.appId, appName: 'Identity Bridge' },
      };
    },
  },
  50034: {
    // ROPC with a typo in the username.
    token: async (m) => {
      const tenant = await ropcTenant(m);
      const res = await m.form(tokenAt(tenant), bridgePassword('MeganBo@contoso.onmicrosoft.com', 'Winter2025!'));
      return { res, params: { tenant } };
    },
  },
  50056: {
    // ROPC for Adele, who has no password in the fixture (she signs in on the page without one).
    token: async (m) => {
      const tenant = await ropcTenant(m);
      const res = await m.form(tokenAt(tenant), bridgePassword(ADELE, 'anything'));
      return { res };
    },
  },
  50076: {
    // ROPC for Megan once per-user MFA is enforced for her.
    token: async (m) => {
      const tenant = await ropcTenant(m, 'enforced');
      const res = await m.form(tokenAt(tenant), bridgePassword(MEGAN, 'Winter2025!'));
      return { res, params: { resource: '00000003-0000-0000-c000-000000000000' } };
    },
  },
  9001023: {
    // ROPC through /common (the MSAL default authority).
    token: async (m) => {
      const res = await m.form(tokenAt('common'), bridgePassword(MEGAN, 'Winter2025!'));
      return { res };
    },
  },
  50057: {
    // Megan's account is disabled; she types her name on the sign-in page.
    page: async (m) => {
      const tenant = await newTenant(m, (f) => {
        for (const u of f.users ?? []) if (u.userPrincipalName === MEGAN) u.accountEnabled = false;
      });
      const path = authorizePath(tenant, bridgeAuthorize());
      const login = await m.inject(path);
      if (login.statusCode !== 200 || !login.body.includes('loginfmt')) throw new Error(`no sign-in page: ${login.statusCode}`);
      const res = await postForm(m, path.split('?')[0]!, [...hiddenFields(login.body), ['loginfmt', MEGAN]]);
      return { res };
    },
    // ROPC for Megan after her account was disabled.
    token: async (m) => {
      const tenant = await newTenant(m, (f) => {
        for (const u of f.users ?? []) if (u.userPrincipalName === MEGAN) Object.assign(u, { accountEnabled: false, password: 'Winter2025!' });
      });
      const res = await m.form(tokenAt(tenant), bridgePassword(MEGAN, 'Winter2025!'));
      return { res };
    },
  },
  9010010: {
    // An MCP client sends its server's URL as the RFC 8707 resource beside Graph scopes.
    redirect: async (m) => {
      const s = state();
      const res = await m.inject(authorizePath(T, bridgeAuthorize({ resource: 'https://mcp.contoso.example', state: s })));
      return { res, redirectUri: BRIDGE.redirectUri, state: s };
    },
    // App-only: Graph's .default with the OpenMetadata API as resource.
    token: async (m) => {
      const res = await m.form(tokenAt(), { ...ingestionClientCredentials(GRAPH_DEFAULT), resource: UI.apiUri });
      return { res };
    },
  },
  500013: {
    // An ADAL.js-era implicit request on v1 that forgot the resource.
    redirect: async (m) => {
      const s = state();
      const q = new URLSearchParams({ client_id: UI.appId, response_type: 'token', redirect_uri: UI.redirectUri, response_mode: 'form_post', state: s });
      const res = await m.inject(`/${T}/oauth2/authorize?${q}`);
      return { res, redirectUri: UI.redirectUri, state: s };
    },
    // A v1 client-credentials request with a v2-style scope instead of resource (Postman's Azure template).
    token: async (m) => {
      const res = await m.form(`/${T}/oauth2/token`, ingestionClientCredentials(GRAPH_DEFAULT));
      return { res };
    },
  },
  90056: {
    // A client that guessed an endpoint (a device-code "verify" path that Entra does not have).
    token: async (m) => {
      const res = await m.inject({ method: 'GET', url: `/${T}/oauth2/v2.0/verify?user_code=ABC` });
      return { res, params: { path: `/${T}/oauth2/v2.0/verify` } };
    },
  },
  500131: {
    // The Todo API presents the web client's ID token (aud = the web client) instead of a token for itself.
    token: async (m) => {
      const tenant = await oboTenant(m);
      const { code } = await authorizeCode(m, { tenant, clientId: OBO.webId, redirectUri: OBO.webRedirect, scope: 'openid' });
      const redeemed = await m.form(tokenAt(tenant), {
        grant_type: 'authorization_code',
        client_id: OBO.webId,
        client_secret: OBO.webSecret,
        code,
        redirect_uri: OBO.webRedirect,
        scope: 'openid',
      });
      const res = await oboRequest(m, tenant, String((await expectTokens(redeemed, 'sign-in')).id_token));
      return { res, params: { audience: OBO.webId, clientId: OBO.apiId, appName: 'Todo API' } };
    },
  },
  50013: {
    // The web client forwards its Microsoft Graph token to the Todo API, which tries to trade it.
    token: async (m) => {
      const tenant = await oboTenant(m);
      const res = await oboRequest(m, tenant, await userTokenForApi(m, tenant, ADELE, 'https://graph.microsoft.com/User.Read'));
      const { start, end } = keyValidity(m.ctx.machineKey);
      return {
        res,
        params: {
          reason: 'The provided signature value did not match the expected signature value.',
          thumbprint: thumbprintHex(m.ctx.machineKey.kid),
          foundKey: `, Found key 'Start=${start}, End=${end}'`,
        },
      };
    },
  },
  500133: {
    // The Todo API trades a user token two hours after it was issued.
    token: async (m) =>
      withFrozenTime(async (start) => {
        const tenant = await oboTenant(m);
        const assertion = await userTokenForApi(m, tenant);
        await advanceClock(m, tenant, 2 * 3600);
        const res = await oboRequest(m, tenant, assertion);
        const exp = Number(JSON.parse(Buffer.from(assertion.split('.')[1]!, 'base64url').toString('utf8')).exp);
        return { res, params: { now: ticks(start + 2 * 3600 * 1000), exp: ticks(exp * 1000) } };
      }),
  },
  7000114: {
    // A daemon's app-only token (client credentials) sent to the Todo API, which tries on-behalf-of with it.
    token: async (m) => {
      const tenant = await oboTenant(m);
      const cc = await m.form(tokenAt(tenant), {
        grant_type: 'client_credentials',
        client_id: OBO.webId,
        client_secret: OBO.webSecret,
        scope: `${API_URI}/.default`,
      });
      const res = await oboRequest(m, tenant, String((await expectTokens(cc, 'client credentials')).access_token));
      return { res, params: { clientId: OBO.apiId } };
    },
  },
};
