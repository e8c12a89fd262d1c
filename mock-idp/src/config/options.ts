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
  logger: boolean;
}
