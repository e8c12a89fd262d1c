import type { Application, RedirectPlatform } from '../directory/model.js';
import { EntraError } from '../errors/entra-error.js';

/**
 * Redirect URI matching, as Entra does it: exact (scheme, host, path, trailing slash, query,
 * case of the path), except that the port of an http://localhost or http://127.0.0.1 URI is
 * ignored ("localhost exceptions").
 * https://learn.microsoft.com/entra/identity-platform/reply-url#localhost-exceptions
 */

export interface MatchedRedirect {
  platform: RedirectPlatform;
  registered: string;
}

export function registeredRedirects(app: Application): MatchedRedirect[] {
  return [
    ...(app.web?.redirectUris ?? []).map((registered) => ({ platform: 'web' as const, registered })),
    ...(app.spa?.redirectUris ?? []).map((registered) => ({ platform: 'spa' as const, registered })),
    ...(app.publicClient?.redirectUris ?? []).map((registered) => ({ platform: 'publicClient' as const, registered })),
  ];
}

export function matchRedirectUri(app: Application, requested: string): MatchedRedirect | undefined {
  const all = registeredRedirects(app);
  const exact = all.find((r) => r.registered === requested);
  if (exact) return exact;
  const loose = withoutLocalhostPort(requested);
  if (loose === undefined) return undefined;
  return all.find((r) => withoutLocalhostPort(r.registered) === loose);
}

/**
 * The redirect URI of an authorize request: it must be registered (AADSTS50011); an app with
 * none at all gets AADSTS500113. Omitted, Entra falls back to a registered one (the first, here).
 */
export function resolveRedirectUri(client: Application, requested: string | undefined): MatchedRedirect {
  const all = registeredRedirects(client);
  if (all.length === 0) throw new EntraError(500113);
  if (requested === undefined) return all[0]!;
  const m = matchRedirectUri(client, requested);
  if (!m) throw new EntraError(50011, { redirectUri: requested, clientId: client.appId });
  return m;
}

/** http://localhost:7000/cb → http://localhost/cb; undefined for anything that is not loopback http. */
function withoutLocalhostPort(uri: string): string | undefined {
  const m = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?(\/.*)?$/i.exec(uri);
  if (!m) return undefined;
  // Host is case-insensitive; path and query are not.
  return `http://${m[1]!.toLowerCase()}${m[3] ?? ''}`;
}
