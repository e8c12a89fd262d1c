import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyRequest } from 'fastify';
import type { PublicUrls } from '../runtime/urls.js';
import { CLOUDS, CLOUD_NAMES, IMPERSONATED_HOSTS, hostNameOf, type CloudName, type ImpersonatedHost } from './clouds.js';

/**
 * Impersonating, each request's URLs are Microsoft's: the Host a client used decides where the
 * endpoints are (https://login.microsoftonline.com/…, https://graph.microsoft.com/v1.0/…, no
 * port); the tenant's cloud decides the issuer. Entra's issuer is per cloud
 * (https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud: each cloud
 * instance has its own token service), while the endpoints answer under whichever alias was called
 * (Azure Government's page shows a US Government tenant's discovery read at
 * login.microsoftonline.com: https://learn.microsoft.com/azure/azure-government/documentation-government-plan-identity).
 *
 * The routes read `ctx.urls` as before: impersonating, `ctx.urls` is a getter over the request
 * being answered, kept in an AsyncLocalStorage the HTTPS server enters for each request (Fastify
 * carries it across body parsing). Legacy alias login.windows.net and the v1 issuer host
 * sts.windows.net answer as login.microsoftonline.com does, endpoints included (UNCONFIRMED
 * whether Entra echoes the alias in a discovery document's endpoints; its `error_uri` follows it).
 */

interface RequestScope {
  host: ImpersonatedHost;
  request: FastifyRequest | undefined;
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** The impersonated host a request was sent to, or undefined (the mock's own names). */
export function impersonatedHostOf(hostHeader: string | undefined): ImpersonatedHost | undefined {
  return IMPERSONATED_HOSTS.get(hostNameOf(hostHeader));
}

/** Runs `fn` (the server's request handler) in the scope of the request's Host. */
export function inHostScope(hostHeader: string | undefined, fn: () => void): void {
  const host = impersonatedHostOf(hostHeader);
  if (host) scopes.run({ host, request: undefined }, fn);
  else fn();
}

/** Ties the Fastify request to its scope, so the URLs can follow its tenant's cloud. */
export function noteScopeRequest(request: FastifyRequest): void {
  const scope = scopes.getStore();
  if (scope) scope.request = request;
}

/** The host scope of the request being answered (undefined on the mock's own names). */
export const currentHost = (): ImpersonatedHost | undefined => scopes.getStore()?.host;

const https = (host: string): string => `https://${host}`;

/** URLs of endpoints under `hostCloud`, for a tenant of `tenantCloud`: nine objects made once. */
const TABLE = new Map<string, PublicUrls>(
  CLOUD_NAMES.flatMap((h) =>
    CLOUD_NAMES.map((t): [string, PublicUrls] => [
      `${h}/${t}`,
      {
        login: https(CLOUDS[h].login),
        graph: https(CLOUDS[h].graph),
        aadGraph: https(CLOUDS[h].aadGraph),
        v2Issuer: https(CLOUDS[t].login),
        v1Issuer: https(CLOUDS[t].v1Issuer),
      },
    ]),
  ),
);

/** A tenant's cloud from its fixture (AzurePublic when not set). */
export function tenantCloud(fixture: { cloud?: CloudName | undefined }): CloudName {
  return fixture.cloud ?? 'AzurePublic';
}

/**
 * `ctx.urls` while impersonating: Microsoft's URLs for a request to one of its names, `own` (the
 * mock's public URL) for any other request — and outside any request (start banner, control client).
 */
export function impersonatedUrls(own: PublicUrls): () => PublicUrls {
  return () => {
    const scope = scopes.getStore();
    if (!scope) return own;
    const tenant = scope.request?.notes.tenant;
    const h = scope.host.cloud.name;
    const t = tenant ? tenantCloud(tenant.directory.fixture) : h;
    return TABLE.get(`${h}/${t}`)!;
  };
}
