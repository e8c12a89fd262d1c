import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import type { FetchLike } from '../../mock-idp/src/testing.js';
import { discover } from './http.js';

/**
 * The minimal SPA of OpenMetadata's guide: one static page (plain HTML and inline script, no
 * build step) that signs in as a *public* client with the authorization code flow + PKCE
 * entirely in the browser — it builds the authorize URL, receives the code on its redirect URI,
 * and redeems it with `fetch` from the browser (a cross-origin request: the token endpoint
 * answers CORS, and Entra requires that `Origin` for codes issued to a `spa` redirect URI).
 * It then shows the ID token's claims in `#claims` (JSON), or the error in `#error`
 * (`data-aadsts` holds the code, the text starts with Entra's `AADSTS…` description).
 *
 * The server itself only serves the page; it reads the discovery document once at start (with
 * the mock's CA when given) to put the authorize and token endpoints in the page.
 *
 * Port: Entra ignores the port of an `http://localhost` redirect URI, so the page, on any port,
 * matches the registered spa URI `http://localhost:8585/callback`.
 *
 * @example
 * const spa = await startSpa({ authority: `${mock.url}/${CONTOSO.tenantId}`, clientId: CONTOSO.openMetadataUi.appId, allowInsecureRequests: true });
 * await page.goto(spa.url); await page.click('#login'); // … pick the account …
 * JSON.parse(await page.textContent('#claims'));
 */

export interface SpaOptions {
  /** `${mockUrl}/${tenantId}` */
  authority: string;
  clientId: string;
  /** Default `['openid', 'profile', 'email']`. */
  scopes?: string[];
  /** Default 0 (a free port). Listens on 127.0.0.1; the page is http://localhost:<port>. */
  port?: number;
  /** Path of the redirect URI (default `/callback`, as registered for the OpenMetadata UI). */
  redirectPath?: string;
  /** PEM of the mock's CA when the mock is HTTPS (for the server's discovery; the browser must trust it on its own). */
  ca?: string;
  /** The mock serves plain HTTP. */
  allowInsecureRequests?: boolean;
  /** Addition: the HTTP function for the server's discovery (default `trustingFetch(ca)`). */
  fetch?: FetchLike;
}

export interface RunningSpa {
  /** `http://localhost:<port>/`: the page with the #login button. */
  url: string;
  /** `http://localhost:<port>/callback` */
  redirectUri: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  close(): Promise<void>;
}

export async function startSpa(o: SpaOptions): Promise<RunningSpa> {
  const discoveryUrl = `${o.authority.replace(/\/+$/, '')}/v2.0/.well-known/openid-configuration`;
  const config = await discover(discoveryUrl, o.clientId, client.None(), { ca: o.ca, allowInsecureRequests: o.allowInsecureRequests, fetch: o.fetch });
  const m = config.serverMetadata();
  if (!m.authorization_endpoint || !m.token_endpoint) throw new Error(`${discoveryUrl} names no authorization_endpoint or token_endpoint`);
  const redirectPath = o.redirectPath ?? '/callback';
  const app = Fastify({ logger: false });
  let redirectUri = '';
  const page = (): string =>
    spaPage({
      clientId: o.clientId,
      authorizationEndpoint: m.authorization_endpoint!,
      tokenEndpoint: m.token_endpoint!,
      redirectUri,
      redirectPath,
      scope: (o.scopes ?? ['openid', 'profile', 'email']).join(' '),
    });
  const send = async (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page());
  app.get('/', send);
  if (redirectPath !== '/') app.get(redirectPath, send);
  await app.listen({ host: '127.0.0.1', port: o.port ?? 0 });
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://localhost:${port}/`;
  redirectUri = `http://localhost:${port}${redirectPath}`;
  return { url, redirectUri, authorizationEndpoint: m.authorization_endpoint, tokenEndpoint: m.token_endpoint, close: () => app.close() };
}

interface PageConfig {
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  redirectUri: string;
  redirectPath: string;
  scope: string;
}

/** JSON safe inside a <script> element. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

function spaPage(cfg: PageConfig): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OpenMetadata UI (SPA)</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}#error:not(:empty){color:#a00;background:#fee;padding:.5rem;border:1px solid #e99}pre{background:#f4f4f4;padding:.5rem}</style>
</head><body>
<h1>OpenMetadata UI — sign in with Microsoft</h1>
<p><button id="login" type="button">Sign in</button> <span id="status"></span></p>
<p id="error" role="alert"></p>
<pre id="claims"></pre>
<script>
"use strict";
const CFG = ${scriptJson(cfg)};
const $ = (id) => document.getElementById(id);
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
const random = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
const decodeJwtPayload = (jwt) => {
  const s = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0))));
};
function showError(error, description, codes) {
  const m = /AADSTS(\\d+)/.exec(description || "");
  const aadsts = Array.isArray(codes) && codes.length > 0 ? String(codes[0]) : m ? m[1] : "";
  const el = $("error");
  el.dataset.error = error;
  el.dataset.aadsts = aadsts;
  el.textContent = description ? description : error;
  $("status").textContent = "failed";
}
async function login() {
  const verifier = random(), state = random(), nonce = random();
  const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  sessionStorage.setItem("spa.login." + state, JSON.stringify({ verifier, nonce }));
  const url = new URL(CFG.authorizationEndpoint);
  url.search = new URLSearchParams({
    client_id: CFG.clientId, response_type: "code", redirect_uri: CFG.redirectUri, response_mode: "query",
    scope: CFG.scope, state, nonce, code_challenge: challenge, code_challenge_method: "S256",
  }).toString();
  location.assign(url.href);
}
async function callback() {
  const q = new URLSearchParams(location.search);
  if (q.get("error")) return showError(q.get("error"), q.get("error_description"));
  const state = q.get("state") || "";
  const saved = sessionStorage.getItem("spa.login." + state);
  if (!saved) return showError("invalid_state", "This response does not belong to a sign-in started in this tab.");
  sessionStorage.removeItem("spa.login." + state);
  const { verifier, nonce } = JSON.parse(saved);
  $("status").textContent = "redeeming the code…";
  let response;
  try {
    response = await fetch(CFG.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: CFG.clientId, grant_type: "authorization_code", code: q.get("code") || "",
        redirect_uri: CFG.redirectUri, code_verifier: verifier, scope: CFG.scope }),
    });
  } catch (e) {
    return showError("network_error", "The token request failed in the browser: " + e);
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok || body.error) return showError(body.error || "http_" + response.status, body.error_description, body.error_codes);
  if (typeof body.id_token !== "string") return showError("missing_id_token", "The token response has no id_token.");
  const claims = decodeJwtPayload(body.id_token);
  if (claims.nonce !== nonce) return showError("invalid_nonce", "The ID token's nonce is not the one this sign-in sent.");
  $("claims").textContent = JSON.stringify(claims, null, 2);
  $("status").textContent = "signed in";
  history.replaceState(null, "", CFG.redirectPath);
}
$("login").addEventListener("click", () => { login().catch((e) => showError("client_error", String(e))); });
if (location.pathname === CFG.redirectPath && location.search) callback().catch((e) => showError("client_error", String(e)));
</script>
</body></html>`;
}
