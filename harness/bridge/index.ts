import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { bridgeError, oauthRedirectError, toBridgeError, type BridgeError, type BridgePhase } from './bridge-error.js';
import { BrowserSessions, readCookie } from './browser-session.js';
import { GraphReader, mapLimit } from './graph.js';
import { errorPage, signedInPage, statusPage } from './html.js';
import { SigningKeys } from './flow-configuration.js';
import { customFetchOf, discover, type IdpHttpOptions } from './http.js';
import { isTenantTemplate, multiTenantCodeGrant } from './tenant-allow-list.js';
import { checkRefreshedIdToken } from './refresh.js';
import type { BridgeConfig, BridgeGroup, BridgeRefresh, BridgeSession, BridgeStatus, BridgeSync, BridgeUser, BridgeVerification } from './bridge-types.js';

export type { BridgeConfig, BridgeUser, BridgeGroup, BridgeSync, BridgeVerification, BridgeStatus, BridgeSession, BridgeRefresh } from './bridge-types.js';
export { BRIDGE_PHASES, GraphRequestError, parseAadsts, toBridgeError, type BridgeError, type BridgePhase } from './bridge-error.js';
export { runIngestion, type IngestionOptions, type IngestionResult } from './ingestion-client.js';
export { startSpa, type SpaOptions, type RunningSpa } from './spa.js';

/**
 * The reference relying party ("the bridge"): a small Fastify app on openid-client that behaves
 * like the identity bridge of PingOne's "Connect to Azure" guide — a discovery endpoint and a
 * client ID/secret pasted from the portal, "Verify", SSO with just-in-time provisioning
 * (attribute mapping, groups from the token or, past the overage limit, from Microsoft Graph),
 * and group synchronization from Graph keyed by Azure group ID.
 *
 * @example
 * const bridge = await startBridge({
 *   discoveryUrl: `${mock.url}/${CONTOSO.tenantId}/v2.0/.well-known/openid-configuration`,
 *   clientId: CONTOSO.bridge.appId, clientSecret: CONTOSO.bridge.secret,
 *   verificationCode: 'vc-5f2a9c', ca: mock.caPem,
 * });
 * await bridge.verify();            // { ok: true, scopesSupported: [...], issuer }
 * // a browser opens bridge.loginUrl and signs in; then:
 * bridge.status().users;            // [{ subject: <oid>, attributes: {...}, groups: [...], groupSource: 'claim', ... }]
 * await bridge.syncGroups();        // { ok: true, groups: 2, pages: 1, retries: 0, ... }
 * await bridge.close();
 */

export interface RunningBridge {
  /** `http://localhost:<port>` */
  url: string;
  /** `${url}/login`: open it in a browser to sign in through Entra. */
  loginUrl: string;
  /** The redirect URI sent to Entra (follows reconfigure). */
  readonly redirectUri: string;
  status(): BridgeStatus;
  verify(): Promise<BridgeStatus['verified']>;
  syncGroups(): Promise<BridgeStatus['lastSync']>;
  /**
   * Refreshes the tokens of a signed-in user (by the bridge's subject) with the refresh token of
   * its sign-in (scope `offline_access`), and checks the new ID token as OIDC Core 12.2 asks.
   * Never throws: a refusal is recorded (phase `refresh`) and ends the session.
   */
  refresh(subject: string): Promise<BridgeRefresh>;
  /** Merges the patch into the configuration (a key set to undefined returns to its default); the port cannot change. */
  reconfigure(patch: Partial<BridgeConfig>): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_SCOPES = ['openid', 'profile', 'email'] as const;
export const DEFAULT_ATTRIBUTE_MAPPING: Readonly<Record<string, string>> = { subject: 'oid', username: 'preferred_username', email: 'email', name: 'name' };
/** Graph's delegated permission asked for alongside openid when groups are synchronized (overage lookups). */
export const GRAPH_USER_READ = 'User.Read';
/** App-only token for Graph: every admin-consented application permission (Group.Read.All). */
export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';
/** Concurrent `/groups/{id}/members` listings during a sync. */
const MEMBER_CONCURRENCY = 8;
const PENDING_LOGIN_TTL_MS = 15 * 60_000;
const MAX_ERRORS = 200;
/** The cookie that ties a sign-in to its browser (config.stateCookie). */
const STATE_COOKIE = 'bridge_state';

interface PendingLogin {
  verifier: string;
  nonce: string;
  redirectUri: string;
  hybrid: boolean;
  createdAt: number;
}

/** A session's secret part, next to what the status shows. */
interface SessionState extends BridgeSession {
  refreshToken: string;
}

/** Thrown inside a flow once its BridgeError is recorded, to stop the flow. */
class Recorded extends Error {
  constructor(readonly bridgeError: BridgeError) {
    super(bridgeError.description);
  }
}

/**
 * Starts the bridge on 127.0.0.1. HTTP surface: `GET /` (a page for people), `POST /verify`,
 * `GET /login` (302 to Entra's authorize: state, nonce, PKCE S256, response_mode=query — hybrid:
 * `code id_token` with form_post; passes `login_hint`, `domain_hint`, `prompt` and the mock's
 * `mock_login` through), `GET|POST /sso/callback/:code` (the redirect URI), `POST /sync`, `GET
 * /api/status`, `GET /api/users/:subject`, `POST /api/users/:subject/refresh` (JSON BridgeRefresh,
 * 200 or 400), `GET /me` (the user of the browser's session cookie, set by a successful callback;
 * 401 without one). POST /verify and /sync answer JSON, or 303 back to `/` for an HTML form.
 *
 * A sign-in in progress is found again by its `state` (random, single use, 15 minutes), kept in
 * the bridge's memory rather than a cookie, so a driver may fetch /login itself and hand the
 * authorize URL to any browser.
 */
export async function startBridge(initial: BridgeConfig): Promise<RunningBridge> {
  let config: BridgeConfig = { ...initial };
  let port = 0;
  let oidc: Promise<client.Configuration> | undefined;
  let verified: BridgeVerification | undefined;
  let lastSync: BridgeSync | undefined;
  let running: Promise<BridgeSync> | undefined;
  const users = new Map<string, BridgeUser>();
  let groups = new Map<string, BridgeGroup>();
  const errors: BridgeError[] = [];
  const pending = new Map<string, PendingLogin>();
  const sessions = new Map<string, SessionState>();
  let lastRefresh: BridgeRefresh | undefined;
  const browserSessions = new BrowserSessions();

  const http = (): IdpHttpOptions => ({ ca: config.ca, allowInsecureRequests: config.allowInsecureRequests, fetch: config.fetch });
  const redirectUri = (): string => config.redirectUri ?? `http://localhost:${port}/sso/callback/${encodeURIComponent(config.verificationCode)}`;
  const scopes = (): string[] => config.scopes ?? [...DEFAULT_SCOPES];
  const requestedScopes = (): string[] => {
    const s = scopes();
    const hasUserRead = s.some((x) => /(^|\/)user\.read$/i.test(x));
    return config.groupSync !== false && !hasUserRead ? [...s, GRAPH_USER_READ] : s;
  };
  const mapping = (): Record<string, string> => config.attributeMapping ?? { ...DEFAULT_ATTRIBUTE_MAPPING };
  const keys = new SigningKeys(http);
  const hybrid = (): boolean => config.responseType === 'code id_token';
  /** One sign-in's or refresh's Configuration (see flow-configuration.ts: the JWKS refetched on an unknown kid). */
  const flowConfiguration = (c: client.Configuration, o: { hybrid?: boolean } = {}): client.Configuration =>
    keys.configuration(c, client.ClientSecretPost(config.clientSecret), o);

  function record(e: BridgeError): BridgeError {
    errors.push(e);
    if (errors.length > MAX_ERRORS) errors.splice(0, errors.length - MAX_ERRORS);
    return e;
  }
  async function fail(phase: BridgePhase, err: unknown): Promise<never> {
    if (err instanceof Recorded) throw err;
    throw new Recorded(record(await toBridgeError(phase, err)));
  }

  function discovered(): Promise<client.Configuration> {
    if (!oidc) {
      const p = discover(config.discoveryUrl, config.clientId, client.ClientSecretPost(config.clientSecret), http()).then(enableIdTokenSignatureChecks);
      keys.reset();
      oidc = p;
      p.catch(() => {
        if (oidc === p) oidc = undefined;
      });
    }
    return oidc;
  }

  function graphBase(c: client.Configuration): string {
    if (config.graphUrl) return config.graphUrl.replace(/\/+$/, '');
    const m = c.serverMetadata();
    const host = typeof m.msgraph_host === 'string' && m.msgraph_host ? m.msgraph_host : new URL(config.discoveryUrl).host;
    return `${new URL(config.discoveryUrl).protocol}//${host}/v1.0`;
  }

  function status(): BridgeStatus {
    const { clientSecret: _s, ca: _c, fetch: _f, ...visible } = config;
    const s: BridgeStatus = {
      config: { ...visible, scopes: scopes(), redirectUri: redirectUri(), attributeMapping: mapping(), groupSync: config.groupSync !== false, port },
      requestedScopes: requestedScopes(),
      users: [...users.values()].map((u) => ({ ...u, attributes: { ...u.attributes }, groups: [...u.groups] })),
      groups: [...groups.values()].map((g) => ({ ...g, members: [...g.members] })),
      sessions: [...sessions.values()].map(({ refreshToken: _r, ...visible }) => ({ ...visible })),
      errors: [...errors],
    };
    if (verified) s.verified = verified;
    if (lastSync) s.lastSync = lastSync;
    if (lastRefresh) s.lastRefresh = { ...lastRefresh };
    const last = errors.at(-1);
    if (last) s.lastError = last;
    return s;
  }

  /** "Verify" (seed step 9): fetch the discovery document now; report its scopes or the error. */
  async function verify(): Promise<BridgeVerification> {
    oidc = undefined;
    try {
      const c = await discovered();
      const m = c.serverMetadata();
      verified = { ok: true, scopesSupported: Array.isArray(m.scopes_supported) ? [...m.scopes_supported] : [], issuer: m.issuer };
    } catch (err) {
      verified = { ok: false, error: record(await toBridgeError('verify', err)) };
    }
    return verified;
  }

  /** Group synchronization (seed step 17): Azure's groups replace the bridge's. */
  function syncGroups(): Promise<BridgeSync> {
    running ??= runSync().finally(() => {
      running = undefined;
    });
    return running;
  }

  async function runSync(): Promise<BridgeSync> {
    const at = new Date().toISOString();
    let pages = 0;
    let listed = 0;
    let reader: GraphReader | undefined;
    try {
      if (config.groupSync === false)
        throw new Recorded(record(bridgeError('group-sync', 'group_sync_disabled', 'Group synchronization is turned off in the bridge configuration.')));
      const c = await discovered().catch((e: unknown) => fail('group-sync', e));
      const token = await client.clientCredentialsGrant(c, { scope: GRAPH_DEFAULT_SCOPE }).catch((e: unknown) => fail('group-sync', e));
      const r = new GraphReader(c, token.access_token, graphBase(c));
      reader = r;
      const list = await r.all(r.url('groups?$select=id,displayName&$top=999'), () => pages++).catch((e: unknown) => fail('group-sync', e));
      listed = list.length;
      const found = list.filter((g): g is { id: string; displayName?: unknown } => typeof g.id === 'string');
      const members = await mapLimit(found, MEMBER_CONCURRENCY, (g) => r.all(r.url(`groups/${encodeURIComponent(g.id)}/members?$select=id`))).catch(
        (e: unknown) => fail('group-sync', e),
      );
      const next = new Map<string, BridgeGroup>();
      found.forEach((g, i) => {
        const ids = (members[i] ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
        next.set(g.id, { id: g.id, displayName: typeof g.displayName === 'string' ? g.displayName : '', members: ids });
      });
      groups = next;
      lastSync = { at, groups: next.size, pages, retries: r.counters.retries, ok: true, requests: r.counters.requests };
    } catch (err) {
      const e = err instanceof Recorded ? err.bridgeError : record(await toBridgeError('group-sync', err));
      lastSync = { at, groups: listed, pages, retries: reader?.counters.retries ?? 0, ok: false, requests: reader?.counters.requests ?? 0, error: e };
    }
    return lastSync;
  }

  /** Just-in-time provisioning from validated ID token claims (+ Graph on group overage). */
  async function provision(c: client.Configuration, claims: Record<string, unknown>, accessToken: string): Promise<BridgeUser> {
    const attributes: Record<string, string | null> = {};
    for (const [attr, claim] of Object.entries(mapping())) attributes[attr] = claimText(claims[claim]);
    const subject = attributes.subject;
    if (!subject) {
      const claim = mapping().subject;
      throw new Recorded(
        record(
          bridgeError(
            'provisioning',
            'missing_subject',
            claim ? `The ID token has no '${claim}' claim, which the attribute mapping uses as the subject.` : "The attribute mapping has no 'subject'.",
          ),
        ),
      );
    }
    let userGroups: string[] = [];
    let groupSource: BridgeUser['groupSource'] = 'none';
    if (config.groupSync !== false) {
      const names = claims._claim_names as Record<string, unknown> | undefined;
      if (names && typeof names === 'object' && 'groups' in names) {
        // Overage: more groups than a JWT carries. Microsoft's advice: ask Graph for every page —
        // with the access token of the same redemption (a Graph token, User.Read), or app-only.
        const userOid = typeof claims.oid === 'string' ? claims.oid : '';
        const appOnly = config.overageLookup === 'app-only';
        const token = appOnly
          ? (await client.clientCredentialsGrant(c, { scope: GRAPH_DEFAULT_SCOPE }).catch((e: unknown) => fail('provisioning', e))).access_token
          : accessToken;
        const r = new GraphReader(c, token, graphBase(c));
        const path = appOnly
          ? `users/${encodeURIComponent(userOid)}/transitiveMemberOf/microsoft.graph.group?$select=id`
          : 'me/transitiveMemberOf/microsoft.graph.group?$select=id';
        const found = await r.all(r.url(path)).catch((e: unknown) => fail('provisioning', e));
        userGroups = found.map((g) => g.id).filter((id): id is string => typeof id === 'string');
        groupSource = 'graph-overage';
      } else if (Array.isArray(claims.groups)) {
        userGroups = claims.groups.filter((g): g is string => typeof g === 'string');
        groupSource = 'claim';
      }
    }
    const now = new Date().toISOString();
    const user: BridgeUser = {
      subject,
      attributes,
      groups: userGroups,
      groupSource,
      provisionedAt: users.get(subject)?.provisionedAt ?? now,
      lastLoginAt: now,
    };
    users.set(subject, user);
    // Seed step 17: members are added to the corresponding (synchronized) groups at sign-in.
    const oid = typeof claims.oid === 'string' ? claims.oid : undefined;
    if (oid) {
      for (const id of userGroups) {
        const group = groups.get(id);
        if (group && !group.members.includes(oid)) group.members.push(oid);
      }
    }
    return user;
  }

  async function refresh(subject: string): Promise<BridgeRefresh> {
    const at = new Date().toISOString();
    const session = sessions.get(subject);
    try {
      if (!session)
        throw new Recorded(
          record(
            bridgeError(
              'refresh',
              'no_session',
              `No signed-in user '${subject}' with a refresh token: sign in with the scope offline_access first (the bridge's sessions: ${[...sessions.keys()].join(', ') || 'none'}).`,
            ),
          ),
        );
      const c = await discovered().catch((e: unknown) => fail('refresh', e));
      const flow = flowConfiguration(c);
      const tokens = await client
        .refreshTokenGrant(flow, session.refreshToken)
        .catch((e: unknown) => fail('refresh', e))
        .finally(() => keys.remember(flow));
      const claims = tokens.claims();
      if (claims) {
        const drift = checkRefreshedIdToken(session, claims);
        if (drift) throw new Recorded(record(bridgeError('refresh', drift.error, drift.description)));
      }
      // Entra returns a new refresh token with each use; the one used may stay valid, the new one is kept.
      if (tokens.refresh_token) session.refreshToken = tokens.refresh_token;
      session.refreshes++;
      session.lastRefreshAt = at;
      lastRefresh = { at, subject, ok: true, idToken: claims !== undefined };
    } catch (err) {
      const e = err instanceof Recorded ? err.bridgeError : record(await toBridgeError('refresh', err));
      // Tokens the bridge cannot trust end the session: the user signs in again.
      sessions.delete(subject);
      lastRefresh = { at, subject, ok: false, error: e };
    }
    return lastRefresh;
  }

  async function callback(request: FastifyRequest, reply: FastifyReply, code: string | undefined): Promise<FastifyReply> {
    const html = (statusCode: number, body: string) => reply.code(statusCode).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
    // response_mode=form_post (the hybrid flow) posts the response; query mode carries it in the URL.
    const q =
      request.method === 'POST'
        ? new URLSearchParams(typeof request.body === 'string' ? request.body : '')
        : new URL(request.url, 'http://bridge.invalid').searchParams;
    try {
      if (code !== config.verificationCode) {
        throw new Recorded(
          record(
            bridgeError(
              'callback',
              'invalid_verification_code',
              code === undefined
                ? `The redirect URI has no verification code; this account's redirect URI is ${redirectUri()}.`
                : `The verification code '${code}' in the redirect URI is not this account's; its redirect URI is ${redirectUri()}.`,
            ),
          ),
        );
      }
      const state = q.get('state') ?? '';
      const login = pending.get(state);
      if (login) pending.delete(state);
      const error = q.get('error');
      if (error) throw new Recorded(record(oauthRedirectError('authorize', error, q.get('error_description') ?? undefined)));
      if (!login)
        throw new Recorded(
          record(
            bridgeError(
              'callback',
              'invalid_state',
              'The sign-in response does not belong to a sign-in started here (unknown, expired or already used state). Start again from /login.',
            ),
          ),
        );
      if (config.stateCookie) {
        const bound = readCookie(request.headers.cookie, STATE_COOKIE);
        if (bound === undefined)
          throw new Recorded(
            record(
              bridgeError(
                'callback',
                'state_cookie_missing',
                `The sign-in response came without the ${STATE_COOKIE} cookie set at /login (a cross-site form_post carries no SameSite=Lax cookie): it cannot be tied to this browser.`,
              ),
            ),
          );
        if (bound !== state)
          throw new Recorded(
            record(bridgeError('callback', 'state_cookie_mismatch', `The ${STATE_COOKIE} cookie names another sign-in than the response's state.`)),
          );
      }
      if (!q.get('code')) throw new Recorded(record(bridgeError('callback', 'missing_code', 'The sign-in response carries neither a code nor an error.')));
      const c = await discovered().catch((e: unknown) => fail('verify', e));
      const flow = flowConfiguration(c, { hybrid: login.hybrid });
      const currentUrl = new URL(login.redirectUri);
      if (login.hybrid) {
        // openid-client reads a hybrid response from the fragment (as it does with a form post it is given).
        currentUrl.hash = q.toString();
        const frontChannel = q.get('id_token');
        if (frontChannel) await keys.ensureKeyFor(flow, frontChannel);
      } else for (const [k, v] of q) currentUrl.searchParams.append(k, v);
      const checks = { pkceCodeVerifier: login.verifier, expectedState: state, expectedNonce: login.nonce, idTokenExpected: true };
      // A multi-tenant configuration (discovery on /organizations or /common): iss checked against its own tid (tenant-allow-list.ts).
      const redeemed =
        config.allowedTenants && isTenantTemplate(c)
          ? multiTenantCodeGrant({
              discovered: c,
              auth: client.ClientSecretPost(config.clientSecret),
              fetch: customFetchOf(http()),
              allowInsecureRequests: config.allowInsecureRequests === true,
              currentUrl,
              checks,
            })
          : client.authorizationCodeGrant(flow, currentUrl, checks);
      const tokens = await redeemed.catch((e: unknown) => fail(redemptionPhase(e), e)).finally(() => keys.remember(flow));
      const claims = tokens.claims();
      if (!claims) throw new Recorded(record(bridgeError('id_token', 'missing_id_token', 'The token response has no ID token.')));
      const tid = typeof claims.tid === 'string' ? claims.tid.toLowerCase() : undefined;
      if (config.allowedTenants && (tid === undefined || !config.allowedTenants.some((t) => t.toLowerCase() === tid)))
        throw new Recorded(
          record(
            bridgeError('id_token', 'tenant_not_allowed', `The ID token's tenant (tid ${tid ?? 'absent'}) is not one of the tenants this application serves.`),
          ),
        );
      // A hard-coded issuer pattern (issuerPattern): the relying party's own check after the library's, a national cloud's bug.
      if (config.issuerPattern !== undefined && !new RegExp(config.issuerPattern).test(claims.iss))
        throw new Recorded(
          record(bridgeError('id_token', 'invalid_issuer', `The ID token's issuer ${claims.iss} does not match the expected pattern ${config.issuerPattern}.`)),
        );
      if (config.userinfo) {
        // OIDC Core 5.3.2: the UserInfo sub MUST exactly match the ID token's (openid-client compares it when given).
        await client.fetchUserInfo(flow, tokens.access_token, claims.sub).catch((e: unknown) => fail('userinfo', e));
      }
      const user = await provision(c, claims as Record<string, unknown>, tokens.access_token);
      if (tokens.refresh_token) {
        const now = new Date().toISOString();
        sessions.set(user.subject, {
          subject: user.subject,
          iss: claims.iss,
          sub: claims.sub,
          refreshes: 0,
          signedInAt: now,
          refreshToken: tokens.refresh_token,
        });
      }
      reply.header('set-cookie', browserSessions.issue(config.sessionCookie ?? 'id', user));
      return html(200, signedInPage(user));
    } catch (err) {
      const e = err instanceof Recorded ? err.bridgeError : record(await toBridgeError('callback', err));
      return html(400, errorPage(e));
    }
  }

  const app = Fastify({ logger: false });
  // HTML forms post urlencoded bodies: the form_post callback reads them; /verify and /sync do not.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const wantsHtml = (request: FastifyRequest): boolean =>
    String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') || /text\/html/.test(String(request.headers.accept ?? ''));

  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(statusPage(status())));
  app.post('/verify', async (request, reply) => {
    const result = await verify();
    return wantsHtml(request) ? reply.redirect('/', 303) : reply.send(result);
  });
  app.post('/sync', async (request, reply) => {
    const result = await syncGroups();
    return wantsHtml(request) ? reply.redirect('/', 303) : reply.send(result);
  });
  app.get('/api/status', async () => status());
  // The signed-in user of this browser (its session cookie), or 401: what "the next page" sees.
  app.get('/me', async (request, reply) => {
    const subject = browserSessions.subjectOf(request.headers.cookie);
    const user = subject ? users.get(subject) : undefined;
    return user
      ? reply.header('cache-control', 'no-store').send(user)
      : reply.code(401).send({ error: 'not_signed_in', description: 'No bridge session cookie in this request (or one the bridge does not know).' });
  });
  app.post<{ Params: { subject: string } }>('/api/users/:subject/refresh', async (request, reply) => {
    const result = await refresh(request.params.subject);
    return reply.code(result.ok ? 200 : 400).send(result);
  });
  app.get<{ Params: { subject: string } }>('/api/users/:subject', async (request, reply) => {
    const { subject } = request.params;
    const user = users.get(subject);
    return user ? reply.send(user) : reply.code(404).send({ error: 'not_found', description: `No provisioned user with subject '${subject}'.` });
  });
  app.get<{ Querystring: Record<string, string | string[] | undefined> }>('/login', async (request, reply) => {
    let c: client.Configuration;
    try {
      c = await discovered();
    } catch (err) {
      const e = record(await toBridgeError('verify', err));
      return reply.code(502).type('text/html; charset=utf-8').send(errorPage(e));
    }
    const now = Date.now();
    for (const [k, v] of pending) if (now - v.createdAt > PENDING_LOGIN_TTL_MS) pending.delete(k);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const uri = redirectUri();
    pending.set(state, { verifier, nonce, redirectUri: uri, hybrid: hybrid(), createdAt: now });
    const params: Record<string, string> = {
      client_id: config.clientId,
      response_type: hybrid() ? 'code id_token' : 'code',
      redirect_uri: uri,
      response_mode: hybrid() ? 'form_post' : 'query',
      scope: requestedScopes().join(' '),
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    };
    for (const k of ['login_hint', 'domain_hint', 'prompt', 'mock_login']) {
      const v = request.query[k];
      if (typeof v === 'string') params[k] = v;
    }
    if (config.stateCookie) reply.header('set-cookie', `${STATE_COOKIE}=${state}; Path=/; HttpOnly; SameSite=Lax`);
    return reply.header('cache-control', 'no-store').redirect(client.buildAuthorizationUrl(c, params).href, 302);
  });
  app.get<{ Params: { code: string } }>('/sso/callback/:code', (request, reply) => callback(request, reply, request.params.code));
  app.get('/sso/callback', (request, reply) => callback(request, reply, undefined));
  app.post<{ Params: { code: string } }>('/sso/callback/:code', (request, reply) => callback(request, reply, request.params.code));
  app.post('/sso/callback', (request, reply) => callback(request, reply, undefined));

  await app.listen({ host: '127.0.0.1', port: config.port ?? 0 });
  port = (app.server.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;

  return {
    url,
    loginUrl: `${url}/login`,
    get redirectUri() {
      return redirectUri();
    },
    status,
    verify,
    syncGroups,
    refresh,
    async reconfigure(patch) {
      if (patch.port !== undefined && patch.port !== 0 && patch.port !== port)
        throw new Error(`the bridge listens on port ${port}; its port cannot change (start another bridge)`);
      const next: Record<string, unknown> = { ...config };
      for (const [k, v] of Object.entries(patch)) {
        if (k === 'port') continue;
        if (v === undefined) delete next[k];
        else next[k] = v;
      }
      config = next as unknown as BridgeConfig;
      oidc = undefined;
    },
    close: () => app.close(),
  };
}

/** openid-client also checks the ID token's signature against the JWKS (not only TLS-trusted). */
function enableIdTokenSignatureChecks(c: client.Configuration): client.Configuration {
  client.enableNonRepudiationChecks(c);
  return c;
}

/** Where a failed `authorizationCodeGrant` failed: the token endpoint's answer, or the ID token. */
function redemptionPhase(err: unknown): BridgePhase {
  if (err instanceof client.ResponseBodyError || err instanceof TypeError) return 'token';
  if (
    err instanceof client.ClientError &&
    ['OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_RESPONSE_IS_NOT_JSON', 'OAUTH_HTTP_REQUEST_FORBIDDEN'].includes(err.code ?? '')
  )
    return 'token';
  return 'id_token';
}

/** A claim as a bridge attribute: strings as they are, other scalars as text, arrays comma-joined, absent → null. */
function claimText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(String).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
