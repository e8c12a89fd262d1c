/**
 * The mutation catalog ("Broken on purpose", README): every kind a test may queue per target, the
 * parameters it takes, what it changes and the OpenID Foundation RP test (oidcc-client-test-*,
 * or the older rp-*) or real-world case it reproduces — and, for tokens, how it changes the
 * header, the payload or the signature. The queue is runtime/mutations.ts; documents (discovery,
 * JWKS, userinfo) are changed by their routes from the same catalog.
 *
 * Token mutations run after the token is built and before it is signed (or instead of signing),
 * on a slow path taken only when the tenant's queue is not empty.
 */

import { createHash, createHmac, createPublicKey, randomBytes, sign } from 'node:crypto';
import { GRAPH_APP_ID } from '../directory/microsoft-graph.js';
import { newSigningKey, type SigningKey } from '../keys/signing-keys.js';
import { MAX_COUNT, MUTATION_TARGETS, type Mutation, type MutationSpec, type MutationTarget } from '../runtime/mutations.js';
import type { LoggedNotes } from '../runtime/request-log.js';
import type { TenantRuntime } from '../runtime/tenant-runtime.js';
import { v1Issuer, v2Issuer, type PublicUrls } from '../runtime/urls.js';
import { opaque } from '../support/ids.js';
import { graphNonceDigest, tokenHeader } from './jwt.js';
import { pairwiseSubject } from './subject.js';

type Param = 'value' | 'tenantId' | 'seconds' | 'status' | 'keys';

export interface MutationKind {
  targets: readonly MutationTarget[];
  /** What it changes (README table). */
  changes: string;
  /** The OIDF module or the real-world case it reproduces (README table). */
  reproduces: string;
  params?: readonly Param[];
  /** Lasting until DELETE or reset: takes no `count`, needs a `clientId`. */
  lasting?: true;
  /** Documents nobody asks for with a client: `clientId` is refused. */
  noClient?: true;
}

const JWT: readonly MutationTarget[] = ['id_token', 'access_token', 'refresh_id_token'];
const ID: readonly MutationTarget[] = ['id_token', 'refresh_id_token'];

/** Another tenant's GUID when the test names none (no tenant of the mock has it). */
export const OTHER_TENANT_ID = 'f3c9e0b2-7d41-4a8e-9b6c-5e2d1a0f4c37';
/** A `kid` no JWKS of the mock ever publishes (kid-unknown). */
export const UNPUBLISHED_KID = 'mock-entra-unpublished-kid';
/** A second audience (aud-array) and a wild audience when the test names none. */
export const SECOND_AUDIENCE = '5b0e2c1d-8a3f-4e6b-9c7d-1f2a3b4c5d6e';
export const WILD_AUDIENCE = 'api://wild.example.org';
export const WILD_ISSUER = 'https://issuer.example.org/';
/** The user whose pairwise subject `sub-other` puts in place of the real one. */
const OTHER_USER_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

export const MUTATION_KINDS: Readonly<Record<string, MutationKind>> = {
  'iss-near-miss': { targets: JWT, changes: '`iss` + `"1"`', reproduces: 'oidcc-client-test-invalid-iss (rp-id_token-issuer-mismatch)' },
  'iss-wild': { targets: JWT, params: ['value'], changes: `\`iss\` = \`value\` (default \`${WILD_ISSUER}\`)`, reproduces: 'oidcc-client-test-invalid-iss' },
  'iss-trailing-slash': { targets: JWT, changes: '`iss` + `"/"`', reproduces: 'RPs comparing issuers after normalising slashes' },
  'iss-version-swapped': {
    targets: JWT,
    changes: '`iss` of the other version: v2 `…/{tid}/v2.0` ↔ v1 `https://sts.windows.net/{tid}/`',
    reproduces: 'a v2 RP accepting v1 tokens (access-tokens doc: validate each version with its own metadata)',
  },
  'iss-template': {
    targets: JWT,
    changes: '`iss` with `{tenantid}` left unreplaced (the multi-tenant discovery value)',
    reproduces: 'RPs configured from /common comparing against the template',
  },
  'iss-other-tenant': {
    targets: JWT,
    params: ['tenantId'],
    changes: `\`iss\` naming another tenant's GUID (\`tenantId\`, default \`${OTHER_TENANT_ID}\`); \`tid\` unchanged`,
    reproduces: 'oidcc-client-test-invalid-iss; multi-tenant apps accepting any tenant',
  },
  'tid-other-tenant': {
    targets: JWT,
    params: ['tenantId'],
    changes: '`tid` naming another tenant while `iss` still names this one',
    reproduces: 'the multi-tenant hole: `{tenantid}` template filled from `tid` (access-tokens doc, "Validate the issuer")',
  },
  'aud-near-miss': { targets: JWT, changes: '`aud` + `"1"`', reproduces: 'oidcc-client-test-invalid-aud (rp-id_token-aud)' },
  'aud-wild': { targets: JWT, params: ['value'], changes: `\`aud\` = \`value\` (default \`${WILD_AUDIENCE}\`)`, reproduces: 'oidcc-client-test-invalid-aud' },
  'aud-graph': {
    targets: JWT,
    changes: `\`aud\` = Microsoft Graph's app id \`${GRAPH_APP_ID}\``,
    reproduces: "an API accepting a Graph token (another resource's token)",
  },
  'aud-array': {
    targets: JWT,
    params: ['value'],
    changes: `\`aud\` = \`[aud, value]\` (default second audience \`${SECOND_AUDIENCE}\`)`,
    reproduces: 'OIDC Core 3.1.3.7 (3): several audiences, one not trusted',
  },
  'nonce-near-miss': { targets: ID, changes: '`nonce` + `"1"` (tokens that carry a nonce)', reproduces: 'oidcc-client-test-nonce-invalid (rp-nonce-invalid)' },
  'nonce-wild': { targets: ID, params: ['value'], changes: '`nonce` = `value` (default a random one)', reproduces: 'oidcc-client-test-nonce-invalid' },
  'nonce-removed': {
    targets: ID,
    changes: '`nonce` removed (tokens that carry a nonce)',
    reproduces: 'OIDC Core 3.1.3.7 (11): a nonce was sent, none came back',
  },
  'sub-removed': {
    targets: ['id_token', 'access_token', 'refresh_id_token', 'userinfo'],
    changes: '`sub` removed',
    reproduces: 'oidcc-client-test-missing-sub (rp-id_token-sub); userinfo: OIDC Core 5.3.2 (`sub` is always returned)',
  },
  'sub-other': {
    targets: ['id_token', 'access_token', 'refresh_id_token', 'userinfo'],
    params: ['value'],
    changes: '`sub` = another pairwise subject of the same client (or `value`)',
    reproduces:
      "userinfo: oidcc-client-test-userinfo-invalid-sub (rp-userinfo-bad-sub-claim); refresh: OIDC Core 12.2 (the new ID token's `sub` must be the original's)",
  },
  'iat-removed': { targets: JWT, changes: '`iat` removed', reproduces: 'oidcc-client-test-missing-iat (rp-id_token-iat)' },
  'exp-removed': { targets: JWT, changes: '`exp` removed', reproduces: 'OIDC Core 2 (`exp` is required)' },
  'aud-removed': { targets: JWT, changes: '`aud` removed', reproduces: 'oidcc-client-test-missing-aud' },
  'iss-removed': { targets: JWT, changes: '`iss` removed', reproduces: 'OIDC Core 2 (`iss` is required)' },
  'iat-week-old': {
    targets: JWT,
    changes: '`iat` 7 days earlier (`nbf`, `exp` unchanged)',
    reproduces: 'RPs bounding token age by `iat` (OIDC Core 3.1.3.7 (10))',
  },
  'exp-past': {
    targets: JWT,
    params: ['seconds'],
    changes: '`exp` = now − `seconds` (default 60) by the tenant clock',
    reproduces: 'an expired token (RFC 7519 4.1.4)',
  },
  'nbf-future': {
    targets: JWT,
    params: ['seconds'],
    changes: '`nbf` = now + `seconds` (default 3600) by the tenant clock, without moving the clock',
    reproduces: 'a token not yet valid (RFC 7519 4.1.5)',
  },
  'sig-xor': { targets: JWT, changes: 'every signature byte XOR 0x5A', reproduces: 'oidcc-client-test-invalid-sig-rs256 (current suite)' },
  'sig-reordered': { targets: JWT, changes: "the signature's base64url characters reversed", reproduces: 'rp-id_token-bad-sig-rs256 (the older suite)' },
  'sig-truncated': {
    targets: JWT,
    changes: 'the signature cut to half its characters',
    reproduces: 'a token damaged in transit (cookie or header size limits)',
  },
  'alg-none': {
    targets: JWT,
    changes: 'header `alg` = `none`, empty signature (`header.payload.`)',
    reproduces: 'oidcc-client-test-idtoken-sig-none (rp-id_token-sig-none)',
  },
  'alg-hs256': {
    targets: JWT,
    changes: "header `alg` = `HS256`, HMAC-SHA256 keyed with the signing key's public key (SPKI PEM bytes)",
    reproduces: 'oidcc-client-test-invalid-sig-hs256; the RS/HS key-confusion attack (CVE-2015-9235)',
  },
  'kid-absent': {
    targets: JWT,
    changes: 'header `kid` removed (`x5t` of v1 tokens kept); with one key published or several (rotate first)',
    reproduces: 'oidcc-client-test-kid-absent-single-jwks, oidcc-client-test-kid-absent-multiple-jwks',
  },
  'kid-unknown': {
    targets: JWT,
    changes: `header \`kid\` = \`${UNPUBLISHED_KID}\`, which no JWKS publishes`,
    reproduces: 'oidcc-client-test-discovery-jwks-uri-keys (no matching key)',
  },
  'x5t-mismatch': {
    targets: JWT,
    changes: 'header `x5t` (added to v2 tokens) = a thumbprint that is not the `kid`',
    reproduces: 'validators that pick the key by `x5t` on v1 tokens (ADAL-era libraries)',
  },
  'c_hash-altered': { targets: ['id_token'], changes: '`c_hash` + `"1"` (hybrid responses)', reproduces: 'rp-id_token-bad-c_hash' },
  'c_hash-removed': {
    targets: ['id_token'],
    changes: '`c_hash` removed (hybrid responses)',
    reproduces: 'OIDC Core 3.3.2.11 (`c_hash` required with `code id_token`)',
  },
  'at_hash-altered': { targets: ['id_token'], changes: '`at_hash` + `"1"` (implicit `id_token token`)', reproduces: 'rp-id_token-bad-at_hash' },
  'at_hash-removed': {
    targets: ['id_token'],
    changes: '`at_hash` removed (implicit `id_token token`)',
    reproduces: 'OIDC Core 3.2.2.10 (`at_hash` required with `id_token token`)',
  },
  'graph-nonce': {
    targets: ['access_token'],
    changes: "a Graph-style header `nonce`, signed over its SHA-256, on a token for the tenant's own API",
    reproduces: 'catalog B-21: such tokens fail every third-party validator (only Graph checks them)',
  },
  'issuer-near-miss': {
    targets: ['discovery'],
    noClient: true,
    changes: '`issuer` + `"1"`',
    reproduces: 'oidcc-client-test-discovery-issuer-mismatch (rp-discovery-issuer-not-matching-config)',
  },
  'issuer-wild': {
    targets: ['discovery'],
    noClient: true,
    params: ['value'],
    changes: `\`issuer\` = \`value\` (default \`${WILD_ISSUER}\`)`,
    reproduces: 'oidcc-client-test-discovery-issuer-mismatch',
  },
  'jwks-uri-other-tenant': {
    targets: ['discovery'],
    noClient: true,
    params: ['tenantId'],
    changes: "`jwks_uri` = another tenant's keys (`tenantId`, default another tenant of the mock)",
    reproduces: "an RP trusting keys that are not the issuer's (meaningful once the tenants' keys differ: rotate one)",
  },
  'rotate-before-signing': {
    targets: ['jwks'],
    changes: 'a new key is made, published and signs the next token (the previous one stays published 24 h)',
    reproduces: 'oidcc-client-test-signing-key-rotation-just-before-signing (rp-key-rotation-op-sign-key)',
  },
  'rotate-publish-after': {
    targets: ['jwks'],
    params: ['seconds'],
    changes: 'as rotate-before-signing, but the JWKS lists the new key only `seconds` (tenant clock) later',
    reproduces: 'oidcc-client-test-signing-key-rotation; a cached JWKS that misses the new key',
  },
  'several-keys': {
    targets: ['jwks'],
    noClient: true,
    params: ['keys'],
    changes: '`keys` (default 2) extra keys that never sign, listed first',
    reproduces: 'oidcc-client-test-kid-absent-multiple-jwks (with kid-absent)',
  },
  'server-error': {
    targets: ['jwks'],
    noClient: true,
    params: ['status'],
    changes: 'the JWKS answers `status` (500, 502, 503 default, 504) with an empty body',
    reproduces: 'an outage of login.microsoftonline.com: RPs must keep their cached keys',
  },
  hang: {
    targets: ['jwks'],
    noClient: true,
    params: ['seconds'],
    changes: 'the JWKS never answers: the connection is held `seconds` (default 10, at most 60, wall clock), then closed without a response',
    reproduces: 'a JWKS fetch without a timeout hanging the RP',
  },
  'app-signing-key': {
    targets: ['jwks'],
    lasting: true,
    changes:
      'the app (`clientId`) gets its own signing key: its ID tokens and the access tokens for it are signed with it; only `jwks_uri?appid={clientId}` lists it',
    reproduces: 'apps with a claims-mapping policy (access-tokens doc, docs/entra-wire.md §1)',
  },
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_VALUE_LENGTH = 2000;

/** The kinds a target takes, for refusals that say what to send. */
export const kindsOf = (target: MutationTarget): string[] => Object.keys(MUTATION_KINDS).filter((k) => MUTATION_KINDS[k]!.targets.includes(target));

/** The spec's problems, as messages (empty when valid). */
export function mutationSpecIssues(spec: unknown): string[] {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return ['The body must be a JSON object.'];
  const s = spec as Record<string, unknown>;
  const issues: string[] = [];
  const known = new Set(['target', 'kind', 'count', 'clientId', 'value', 'tenantId', 'seconds', 'status', 'keys']);
  for (const k of Object.keys(s)) if (!known.has(k)) issues.push(`Unknown member '${k.slice(0, 100)}'.`);
  if (typeof s.target !== 'string' || !(MUTATION_TARGETS as readonly string[]).includes(s.target)) {
    issues.push(`'target' must be one of ${MUTATION_TARGETS.join(', ')}.`);
    return issues;
  }
  const target = s.target as MutationTarget;
  const kind = typeof s.kind === 'string' && Object.hasOwn(MUTATION_KINDS, s.kind) ? MUTATION_KINDS[s.kind] : undefined;
  if (!kind || !kind.targets.includes(target)) {
    issues.push(`'kind' must be one of, for target ${target}: ${kindsOf(target).join(', ')}.`);
    return issues;
  }
  const params = new Set<string>(kind.params ?? []);
  for (const p of ['value', 'tenantId', 'seconds', 'status', 'keys'])
    if (s[p] !== undefined && !params.has(p)) issues.push(`'${p}' does not go with ${s.kind as string}.`);
  if (s.count !== undefined) {
    if (kind.lasting) issues.push(`${s.kind as string} lasts until DELETE or reset: it takes no 'count'.`);
    else if (typeof s.count !== 'number' || !Number.isInteger(s.count) || s.count < 1 || s.count > MAX_COUNT)
      issues.push(`'count' must be a whole number from 1 to ${MAX_COUNT}.`);
  }
  if (s.clientId !== undefined && (typeof s.clientId !== 'string' || !GUID.test(s.clientId))) issues.push("'clientId' must be an application id (a GUID).");
  if (kind.noClient && s.clientId !== undefined) issues.push(`${s.kind as string} changes a document no client is named in: it takes no 'clientId'.`);
  if (kind.lasting && s.clientId === undefined) issues.push(`${s.kind as string} needs the 'clientId' of the app whose key it is.`);
  if (s.value !== undefined && (typeof s.value !== 'string' || s.value.length === 0 || s.value.length > MAX_VALUE_LENGTH))
    issues.push(`'value' must be a string of 1 to ${MAX_VALUE_LENGTH} characters.`);
  if (s.tenantId !== undefined && (typeof s.tenantId !== 'string' || !GUID.test(s.tenantId))) issues.push("'tenantId' must be a tenant GUID.");
  if (s.seconds !== undefined) {
    const max = s.kind === 'hang' ? 60 : 31_536_000;
    if (typeof s.seconds !== 'number' || !Number.isInteger(s.seconds) || s.seconds < 1 || s.seconds > max)
      issues.push(`'seconds' must be a whole number from 1 to ${max}.`);
  }
  if (s.status !== undefined && (typeof s.status !== 'number' || ![500, 502, 503, 504].includes(s.status)))
    issues.push("'status' must be one of 500, 502, 503, 504.");
  if (s.keys !== undefined && (typeof s.keys !== 'number' || !Number.isInteger(s.keys) || s.keys < 1 || s.keys > 5))
    issues.push("'keys' must be a whole number from 1 to 5.");
  return issues;
}

/** The keys a mutation brings when it is queued: the decoys of several-keys, an app's own key. */
export async function keysFor(spec: MutationSpec): Promise<SigningKey[]> {
  if (spec.kind === 'several-keys') return Promise.all(Array.from({ length: spec.keys ?? 2 }, () => newSigningKey()));
  if (spec.kind === 'app-signing-key') return [await newSigningKey()];
  return [];
}

/** Another pairwise subject of the same client: the one of a user the tenant does not have. */
export const otherSubject = (tid: string, clientId: string): string => pairwiseSubject(tid, clientId, OTHER_USER_ID);

export type TokenTarget = 'id_token' | 'access_token';

/** The issuer's side of a token about to be signed. */
export interface MintingContext {
  tenant: TenantRuntime;
  urls: PublicUrls;
  key: SigningKey;
  /** The request's notes (token endpoint): the grant, and where the log attributes the mutation. */
  notes?: LoggedNotes | undefined;
}

/** A token built, not yet signed. */
export interface TokenDraft {
  target: TokenTarget;
  version: '1.0' | '2.0';
  claims: Record<string, unknown>;
  /** A Graph token: header nonce, signed over its hash. */
  graph: boolean;
  /** The client the token is issued to, and the app it is for (`aud`). */
  clientId: string;
  audienceApp: string;
}

/**
 * Signs `draft` as the queue says: with an app's own key (`app-signing-key`), after a rotation
 * (`rotate-*`), and changed by the first token mutation queued for it. Access-token mutations
 * apply to tokens for the tenant's own APIs, never to Microsoft Graph's (the mutation waits).
 */
export async function mintMutated(ctx: MintingContext, draft: TokenDraft): Promise<string> {
  const t = ctx.tenant;
  const ms = t.mutations;
  const target: MutationTarget = draft.target === 'id_token' && ctx.notes?.flow === 'refresh_token' ? 'refresh_id_token' : draft.target;
  let key = t.keys[0] ?? ctx.key;
  const rotation = ms.take('jwks', draft.clientId, (m) => m.kind === 'rotate-before-signing' || m.kind === 'rotate-publish-after');
  if (rotation) {
    key = await newSigningKey();
    t.rotate(key, 86_400_000);
    if (rotation.mutation.kind === 'rotate-publish-after') ms.hold(key.kid, t.now() + (rotation.mutation.seconds ?? 60) * 1000);
    ms.noteApplied(ctx.notes, draft.clientId, rotation.mutation);
  }
  const appKey = ms.lasting('jwks', 'app-signing-key', draft.audienceApp);
  if (appKey?.keys[0]) key = appKey.keys[0];
  const claims = { ...draft.claims };
  const taken = target === 'access_token' && draft.graph ? undefined : ms.take(target, draft.clientId, (m) => appliesTo(m, claims));
  if (taken) ms.noteApplied(ctx.notes, draft.clientId, taken.mutation);
  const m = taken?.mutation;
  const header = tokenHeader(key, draft.version);
  if (m) mutateToken(ctx, draft, m, header, claims);
  return signDraft(key, header, claims, m?.kind, draft.graph || m?.kind === 'graph-nonce');
}

/** Claim mutations need the claim they change. */
function appliesTo(m: Mutation, claims: Record<string, unknown>): boolean {
  if (m.kind.startsWith('nonce-')) return claims.nonce !== undefined;
  if (m.kind.startsWith('c_hash-')) return claims.c_hash !== undefined;
  if (m.kind.startsWith('at_hash-')) return claims.at_hash !== undefined;
  return true;
}

function mutateToken(ctx: MintingContext, draft: TokenDraft, m: Mutation, header: Record<string, unknown>, c: Record<string, unknown>): void {
  const tid = ctx.tenant.id;
  const now = Math.floor(ctx.tenant.now() / 1000);
  const other = m.tenantId ?? OTHER_TENANT_ID;
  switch (m.kind) {
    case 'iss-near-miss':
      return void (c.iss = `${String(c.iss)}1`);
    case 'iss-wild':
      return void (c.iss = m.value ?? WILD_ISSUER);
    case 'iss-trailing-slash':
      return void (c.iss = `${String(c.iss)}/`);
    case 'iss-version-swapped':
      return void (c.iss = draft.version === '2.0' ? v1Issuer(ctx.urls, tid) : v2Issuer(ctx.urls, tid));
    case 'iss-template':
      return void (c.iss = draft.version === '2.0' ? v2Issuer(ctx.urls, '{tenantid}') : v1Issuer(ctx.urls, '{tenantid}'));
    case 'iss-other-tenant':
      return void (c.iss = draft.version === '2.0' ? v2Issuer(ctx.urls, other) : v1Issuer(ctx.urls, other));
    case 'tid-other-tenant':
      return void (c.tid = other);
    case 'aud-near-miss':
      return void (c.aud = `${String(c.aud)}1`);
    case 'aud-wild':
      return void (c.aud = m.value ?? WILD_AUDIENCE);
    case 'aud-graph':
      return void (c.aud = GRAPH_APP_ID);
    case 'aud-array':
      return void (c.aud = [c.aud, m.value ?? SECOND_AUDIENCE]);
    case 'nonce-near-miss':
      return void (c.nonce = `${String(c.nonce)}1`);
    case 'nonce-wild':
      return void (c.nonce = m.value ?? opaque(22));
    case 'sub-other':
      return void (c.sub = m.value ?? otherSubject(tid, draft.clientId));
    case 'iat-week-old':
      return void (c.iat = Number(c.iat) - 7 * 86_400);
    case 'exp-past':
      return void (c.exp = now - (m.seconds ?? 60));
    case 'nbf-future':
      return void (c.nbf = now + (m.seconds ?? 3600));
    case 'c_hash-altered':
      return void (c.c_hash = `${String(c.c_hash)}1`);
    case 'at_hash-altered':
      return void (c.at_hash = `${String(c.at_hash)}1`);
    case 'kid-absent':
      return void delete header.kid;
    case 'kid-unknown':
      return void (header.kid = UNPUBLISHED_KID);
    case 'x5t-mismatch':
      return void (header.x5t = createHash('sha1').update(randomBytes(32)).digest('base64url'));
  }
  const removed = /^(nonce|sub|iat|exp|aud|iss|c_hash|at_hash)-removed$/.exec(m.kind);
  if (removed) delete c[removed[1]!];
}

const b64json = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Signs (or, for alg-none, does not), then breaks the signature as the kind says. */
async function signDraft(
  key: SigningKey,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  kind: string | undefined,
  graph: boolean,
): Promise<string> {
  const payload = b64json(claims);
  if (kind === 'alg-none') return `${b64json({ ...header, alg: 'none' })}.${payload}.`;
  if (kind === 'alg-hs256') {
    const h = b64json({ ...header, alg: 'HS256' });
    const secret = createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' });
    return `${h}.${payload}.${createHmac('sha256', secret).update(`${h}.${payload}`).digest('base64url')}`;
  }
  let h = b64json(header);
  let signed = h;
  if (graph) {
    // Placed where Entra puts it (after typ), as tokenHeader does for Graph's own tokens.
    const nonce = opaque(48);
    const { typ, ...rest } = header;
    h = b64json({ typ, nonce, ...rest });
    signed = b64json({ typ, nonce: graphNonceDigest(nonce), ...rest });
  }
  const sig = await rs256(`${signed}.${payload}`, key);
  return `${h}.${payload}.${breakSignature(sig, kind)}`;
}

function rs256(input: string, key: SigningKey): Promise<Buffer> {
  return new Promise((resolve, reject) => sign('sha256', Buffer.from(input, 'latin1'), key.privateKey, (err, sig) => (err ? reject(err) : resolve(sig))));
}

function breakSignature(sig: Buffer, kind: string | undefined): string {
  switch (kind) {
    case 'sig-xor':
      return Buffer.from(sig.map((b) => b ^ 0x5a)).toString('base64url');
    case 'sig-reordered':
      return [...sig.toString('base64url')].reverse().join('');
    case 'sig-truncated': {
      const s = sig.toString('base64url');
      return s.slice(0, Math.floor(s.length / 2));
    }
    default:
      return sig.toString('base64url');
  }
}
