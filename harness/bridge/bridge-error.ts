import * as client from 'openid-client';

/**
 * What went wrong, where, in Entra's or Graph's own words: the shape the bridge records and
 * scenarios assert on (codes, never messages). Built from whatever openid-client threw, or from
 * a Graph answer, by {@link toBridgeError}.
 */

export interface BridgeError {
  phase: BridgePhase;
  /** OAuth `error` (e.g. `invalid_client`), Graph error code, or the client library's error code. */
  error: string;
  description: string;
  /** The AADSTS number, from `error_codes[0]` or `/AADSTS(\d+)/` in the description. */
  aadsts?: number;
  /** Microsoft Graph's `error.code` (e.g. `Authorization_RequestDenied`). */
  graphCode?: string;
  /** HTTP status of the answer that carried the error, when there was one. */
  status?: number;
  at: string;
}

/**
 * Where it failed:
 * - `verify`: the discovery document could not be read (Verify, or when a sign-in needs it);
 * - `authorize`: Entra sent the browser back with `error` / `error_description`;
 * - `callback`: the bridge refused the redirect itself (another verification code, unknown state, no code);
 * - `token`: the code redemption was refused (e.g. AADSTS7000215, 7000222) or unreachable;
 * - `id_token`: openid-client rejected the ID token (signature, iss, aud, nonce, times);
 * - `userinfo`: with `userinfo: true`, the UserInfo answer was refused (its `sub` is not the ID token's: OIDC Core 5.3.2);
 * - `provisioning`: the mapped subject is missing, or the overage lookup in Graph failed;
 * - `group-sync`: anything during a group sync (client credentials, Graph);
 * - `refresh`: a refresh of a signed-in user's tokens was refused — by Entra, by openid-client, or by
 *   the bridge itself when the new ID token's `iss` or `sub` is not the original's (OIDC Core 12.2).
 */
export const BRIDGE_PHASES = ['verify', 'authorize', 'callback', 'token', 'id_token', 'userinfo', 'provisioning', 'group-sync', 'refresh'] as const;
export type BridgePhase = (typeof BRIDGE_PHASES)[number];

/** A Microsoft Graph request that did not succeed (non-2xx after retries, or a 401 challenge). */
export class GraphRequestError extends Error {
  constructor(
    readonly status: number,
    readonly graphCode: string,
    readonly graphMessage: string,
    readonly url: string,
  ) {
    super(`Microsoft Graph answered ${status} ${graphCode}: ${graphMessage} (${url})`);
    this.name = 'GraphRequestError';
  }
}

/** The AADSTS number in Entra's `error_codes` or in its `error_description` text. */
export function parseAadsts(description: string | undefined, errorCodes?: unknown): number | undefined {
  if (Array.isArray(errorCodes) && typeof errorCodes[0] === 'number') return errorCodes[0];
  const m = description ? /AADSTS(\d+)/.exec(description) : null;
  return m ? Number(m[1]) : undefined;
}

/** Reads a Graph error body `{"error":{"code","message"}}` (or anything else) from a Response. */
export async function readGraphError(response: Response, url: string): Promise<GraphRequestError> {
  const text = await response.text().catch(() => '');
  let code = `HTTP${response.status}`;
  let message = text.slice(0, 500);
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (body.error && typeof body.error.code === 'string') code = body.error.code;
    if (body.error && typeof body.error.message === 'string') message = body.error.message;
  } catch {
    // not JSON: keep the text
  }
  return new GraphRequestError(response.status, code, message, url);
}

function make(phase: BridgePhase, fields: Omit<BridgeError, 'phase' | 'at'>): BridgeError {
  const out: BridgeError = { phase, error: fields.error, description: fields.description, at: new Date().toISOString() };
  if (fields.aadsts !== undefined) out.aadsts = fields.aadsts;
  if (fields.graphCode !== undefined) out.graphCode = fields.graphCode;
  if (fields.status !== undefined) out.status = fields.status;
  return out;
}

/** A BridgeError from an OAuth error found in a redirect's query (`error`, `error_description`). */
export function oauthRedirectError(phase: BridgePhase, error: string, description: string | undefined): BridgeError {
  const aadsts = parseAadsts(description);
  return make(phase, { error, description: description ?? '', ...(aadsts !== undefined ? { aadsts } : {}) });
}

/** A BridgeError of the bridge's own making (e.g. a callback with the wrong verification code). */
export function bridgeError(phase: BridgePhase, error: string, description: string, status?: number): BridgeError {
  return make(phase, { error, description, ...(status !== undefined ? { status } : {}) });
}

/**
 * Translates what openid-client (or the Graph helper) threw into a BridgeError — never throws.
 * - `ResponseBodyError` (token endpoint refusal): `error`, `error_description`, `cause.error_codes`.
 * - `AuthorizationResponseError` (refused redirect): `error`, `error_description`.
 * - `ClientError` with an unexpected HTTP status (e.g. discovery of an unknown tenant, 400
 *   `invalid_tenant` AADSTS90002): the Response is its `cause`; its JSON body is read.
 * - `WWWAuthenticateChallengeError` (a 401 from Graph): the Graph body of its `response`.
 * - `GraphRequestError`: `graphCode`, status.
 * - Anything else: its `code` (or name) and message, with the cause's message.
 */
export async function toBridgeError(phase: BridgePhase, err: unknown): Promise<BridgeError> {
  try {
    if (err instanceof GraphRequestError) {
      return make(phase, { error: err.graphCode, description: err.graphMessage, graphCode: err.graphCode, status: err.status });
    }
    if (err instanceof client.ResponseBodyError) {
      const cause = err.cause as { error_codes?: unknown };
      const aadsts = parseAadsts(err.error_description, cause?.error_codes);
      return make(phase, { error: err.error, description: err.error_description ?? '', status: err.status, ...(aadsts !== undefined ? { aadsts } : {}) });
    }
    if (err instanceof client.AuthorizationResponseError) {
      return oauthRedirectError(phase, err.error, err.error_description);
    }
    if (err instanceof client.WWWAuthenticateChallengeError) {
      const g = await readGraphError(err.response.clone(), err.response.url);
      return make(phase, { error: g.graphCode, description: g.graphMessage, graphCode: g.graphCode, status: err.status });
    }
    if (err instanceof client.ClientError && err.cause instanceof Response) {
      return await fromResponse(phase, err.cause, err.code ?? 'unexpected_response');
    }
    if (err instanceof Error) {
      const code = (err as { code?: unknown }).code;
      const cause = (err as { cause?: unknown }).cause;
      const causeText = describeCause(cause);
      return make(phase, {
        error: typeof code === 'string' ? code : err instanceof TypeError || systemErrorCode(cause) ? 'network_error' : err.name,
        description: causeText ? `${err.message}: ${causeText}` : err.message,
      });
    }
    return make(phase, { error: 'unknown_error', description: String(err) });
  } catch (inner) {
    return make(phase, { error: 'unknown_error', description: `${String(err)} (while reading it: ${String(inner)})` });
  }
}

async function fromResponse(phase: BridgePhase, response: Response, fallback: string): Promise<BridgeError> {
  const text = await response
    .clone()
    .text()
    .catch(() => '');
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  if (body && typeof body.error === 'string') {
    const description = typeof body.error_description === 'string' ? body.error_description : '';
    const aadsts = parseAadsts(description, body.error_codes);
    return make(phase, { error: body.error, description, status: response.status, ...(aadsts !== undefined ? { aadsts } : {}) });
  }
  const graph = body?.error as { code?: unknown; message?: unknown } | undefined;
  if (graph && typeof graph.code === 'string') {
    return make(phase, { error: graph.code, description: String(graph.message ?? ''), graphCode: graph.code, status: response.status });
  }
  return make(phase, {
    error: fallback,
    description: `HTTP ${response.status} from ${response.url || 'the server'}: ${text.slice(0, 300)}`,
    status: response.status,
  });
}

function describeCause(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    const inner = describeCause((cause as { cause?: unknown }).cause);
    return [typeof code === 'string' ? `${code}` : undefined, cause.message, inner].filter(Boolean).join(': ');
  }
  if (typeof cause === 'object') {
    try {
      return JSON.stringify(cause).slice(0, 300);
    } catch {
      return undefined;
    }
  }
  return String(cause);
}

/** A Node system error code (ECONNREFUSED, CERT_…) somewhere in a cause chain: the request never got an answer. */
function systemErrorCode(cause: unknown, depth = 0): string | undefined {
  if (!(cause instanceof Error) || depth > 5) return undefined;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string' && /^(E[A-Z]+|ERR_TLS|CERT_|UNABLE_TO|SELF_SIGNED|DEPTH_ZERO)/.test(code)) return code;
  return systemErrorCode((cause as { cause?: unknown }).cause, depth + 1);
}
