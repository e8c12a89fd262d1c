import type { FastifyRequest } from 'fastify';
import type { ResolvedOptions } from './config/options.js';
import type { SigningKey } from './keys/signing-keys.js';
import type { Sealer } from './keys/sealing.js';
import type { ErrorContext, ErrorIds } from './errors/render.js';
import type { LoggedToken } from './runtime/logged-tokens.js';
import type { TenantRuntime } from './runtime/tenant-runtime.js';
import type { Tenants } from './runtime/tenants.js';
import type { PublicUrls } from './runtime/urls.js';
import type { ShortLivedStore } from './store/short-lived-store.js';

/** What every route needs, built once per app. */
export interface MockContext {
  tenants: Tenants;
  urls: PublicUrls;
  store: ShortLivedStore;
  sealer: Sealer;
  machineKey: SigningKey;
  options: ResolvedOptions;
  /** Whether the listener is HTTPS (decides cookie flags). */
  secure: boolean;
  /** The local CA's certificate (PEM) when the listener is HTTPS: `GET /_mock/ca.pem` serves it to other containers. */
  caPem?: string | undefined;
}

/** Per-request notes for the request log. */
export interface RequestNotes {
  tenant?: TenantRuntime | undefined;
  endpoint: string;
  flow?: string | undefined;
  clientId?: string | undefined;
  aadsts?: number | undefined;
  error?: string | undefined;
  /** The ids an Entra error answer showed (errors/render.ts), for the console's search by a screenshot. */
  errorIds?: ErrorIds | undefined;
  /** Tokens issued or presented, decoded (runtime/logged-tokens.ts), and the user they name. */
  tokens?: readonly LoggedToken[] | undefined;
  user?: string | undefined;
  /** What a console action changed (surfaces/console): shown in the log beside the requests it affects. */
  note?: string | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    notes: RequestNotes;
  }
}

export function errorContext(ctx: MockContext, request: FastifyRequest, tenant?: TenantRuntime): ErrorContext {
  const crid = request.headers['client-request-id'];
  return {
    origin: ctx.urls.login,
    now: tenant ? tenant.now() : Date.now(),
    correlationId: typeof crid === 'string' ? crid : undefined,
    onIds: (ids) => {
      request.notes.errorIds = ids;
    },
  };
}
