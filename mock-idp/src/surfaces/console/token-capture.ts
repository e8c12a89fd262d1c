import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import type { MockContext } from '../../context.js';
import { issuedTokens, presentedToken, userOf, type LoggedToken, type TokenJudge } from '../../runtime/logged-tokens.js';

/**
 * Notes the tokens a request presents (a bearer to Graph) and the tokens its answer hands out
 * (token endpoint JSON, authorize redirect or form_post page), decoded, for the request log and
 * the console's live view. An app-level onSend hook (app.ts), so every surface is covered
 * without each route knowing; it costs nothing for requests no tenant is attributed to, and for
 * answers that carry no token it costs a string test.
 */
export function tokenCapture(ctx: MockContext): onSendHookHandler {
  return (request, reply, payload, done) => {
    const tenant = request.notes.tenant;
    if (tenant !== undefined && !request.notes.endpoint.startsWith('control')) {
      note(ctx, request, reply, payload);
      request.notes.user ??= signingInUser(request);
    }
    done(null, payload);
  };
}

/**
 * The user a sign-in page names before any token exists — the account chosen or typed
 * (`loginfmt`, Entra's field name) or the `login_hint` — so a refusal at sign-in (AADSTS50105,
 * AADSTS50126…) shows whose it was.
 */
function signingInUser(request: FastifyRequest): string | undefined {
  const endpoint = request.notes.endpoint;
  if (!endpoint.startsWith('authorize') && !endpoint.startsWith('deviceauth')) return undefined;
  const form = request.body instanceof URLSearchParams ? request.body : undefined;
  const query = request.query as Record<string, unknown> | undefined;
  const value = form?.get('loginfmt') ?? form?.get('login_hint') ?? query?.login_hint;
  return typeof value === 'string' && value.length > 0 && value.length <= 256 ? value : undefined;
}

function note(ctx: MockContext, request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
  const tenant = request.notes.tenant!;
  let judge: TokenJudge | undefined;
  const judged = (): TokenJudge => (judge ??= { nowMs: tenant.now(), publishedKids: new Set(tenant.publishedKeys(ctx.machineKey).map((k) => k.kid)) });
  const tokens: LoggedToken[] = [];
  const authorization = request.headers.authorization;
  if (authorization !== undefined && authorization.length > 7) {
    const presented = presentedToken(authorization, judged());
    if (presented) tokens.push(presented);
  }
  // Graph and Azure AD Graph never hand out tokens: their answers (a members page can be 300 KB) are not searched.
  const issuing = !request.notes.endpoint.startsWith('graph.') && !request.notes.endpoint.startsWith('aad-graph.');
  const location = issuing ? reply.getHeader('location') : undefined;
  const mayCarry = issuing && ((typeof payload === 'string' && payload.includes('_token')) || (typeof location === 'string' && location.includes('_token=')));
  if (mayCarry) tokens.push(...issuedTokens(payload, typeof location === 'string' ? location : undefined, judged()));
  if (tokens.length === 0) return;
  request.notes.tokens = tokens;
  request.notes.user ??= userOf(tokens);
}
