import type { FixtureDocument, FixtureSource } from '../directory/model.js';

/**
 * Everything the mock can be told, with its default. The CLI fills it from flags, then
 * environment variables (named beside each option), then these defaults.
 */
export interface MockEntraOptions {
  /** Fixture files (YAML or JSON), or fixture documents (tenants may `extends` and `generate`). Default: the shipped Contoso tenant. Env MOCK_ENTRA_FIXTURES (comma-separated). */
  fixtures?: Array<string | FixtureDocument | FixtureSource>;
  /** Listen address. Default 127.0.0.1: a mock that mints tokens stays on loopback unless asked. Env MOCK_ENTRA_HOST. */
  host?: string;
  /** Listen port; 0 picks a free one. Default 8443. Env MOCK_ENTRA_PORT. */
  port?: number;
  /** Serve HTTPS with the local CA (default) or plain HTTP. Env MOCK_ENTRA_HTTP=1 for plain HTTP. */
  tls?: boolean;
  /**
   * The origin that appears in issuers, discovery documents and redirects, when it differs from
   * the listen address (a container reached as https://mock-entra:8443). Default:
   * `{scheme}://localhost:{port}`. Env MOCK_ENTRA_PUBLIC_URL.
   */
  publicUrl?: string;
  /** Extra host names for the TLS certificate (the public URL's host is always included). Env MOCK_ENTRA_TLS_HOSTS. */
  tlsHosts?: string[];
  /** Where keys and the CA are kept. Default: see keys/state-dir.ts. Env MOCK_ENTRA_STATE_DIR. */
  stateDir?: string;
  /**
   * Issuer origin of v1 tokens. Entra's is https://sts.windows.net (a host nobody calls), and
   * APIs hard-code it, so that is the default.
   */
  v1IssuerOrigin?: string;
  /** Let non-loopback callers use /_mock/ (the test-control API). Default false. Env MOCK_ENTRA_REMOTE_CONTROL=1. */
  allowRemoteControl?: boolean;
  /**
   * The control credential: a request to /_mock/ with `Authorization: Bearer <token>` passes the
   * loopback and Host checks (a container's control API, reached from the docker host as
   * `docker:49153` through a mapped port). Without it, loopback callers need no credential, as
   * before; with it set, a wrong or foreign `Authorization` is a 401. Default: none.
   * Env MOCK_ENTRA_CONTROL_TOKEN.
   */
  controlToken?: string;
  /**
   * Most tenants that may exist; `POST /_mock/tenants` beyond it is refused (409). Tenants from
   * the fixtures given at start count, but are never refused. Default 100. Env MOCK_ENTRA_MAX_TENANTS.
   */
  maxTenants?: number;
  /**
   * Most users one control-API request may `generate` (fixtures given at start are not bound).
   * Default 10,000. Env MOCK_ENTRA_MAX_GENERATED_USERS.
   */
  maxGeneratedUsers?: number;
  /** Most groups one control-API request may `generate`. Default 5,000. Env MOCK_ENTRA_MAX_GENERATED_GROUPS. */
  maxGeneratedGroups?: number;
  /** Fastify's logger. Default false. */
  logger?: boolean;
}

export interface ResolvedOptions {
  fixtures: Array<string | FixtureDocument | FixtureSource>;
  host: string;
  port: number;
  tls: boolean;
  publicUrl: string | undefined;
  tlsHosts: string[];
  stateDir: string;
  v1IssuerOrigin: string;
  allowRemoteControl: boolean;
  controlToken: string | undefined;
  maxTenants: number;
  maxGeneratedUsers: number;
  maxGeneratedGroups: number;
  logger: boolean;
}

/**
 * What the test-control API may create, unless raised by the options above. One 192-byte
 * `POST /_mock/tenants` asking to generate 200,000 users and 20,000 groups held the event loop
 * for 1.9 s and took 210 MiB; the schema alone allows a million of each.
 * - 10,000 users and 5,000 groups per request: above every paging case (Graph pages hold at
 *   most 999 objects, https://learn.microsoft.com/en-us/graph/paging), users over the 200-group
 *   token limit (https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference#groups-overage-claim)
 *   and the shipped 2,000-group sync scenario; measured at about 0.2 s and 9 MiB per tenant.
 *   A bigger tenant belongs in a fixture file given at start (`--fixture`, not bound), or raise
 *   the limits.
 * - 100 tenants: parallel test runs each make a tenant and delete it, so a run holds about as
 *   many as it has workers; 100 leaves room for what a long session leaks while bounding what a
 *   loop of creates can hold (100 × the largest generated tenant: about 1 GiB).
 */
export const CONTROL_LIMIT_DEFAULTS = { maxTenants: 100, maxGeneratedUsers: 10_000, maxGeneratedGroups: 5_000 } as const;
