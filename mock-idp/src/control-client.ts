import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { FixtureDocument, FixtureSource, TenantFixture, TenantSource } from './directory/model.js';
import type { RequestLogEntry } from './runtime/request-log.js';
import type { EntraFault, EntraFaultSpec } from './runtime/entra-faults.js';
import type { GraphFault, GraphFaultSpec } from './runtime/faults.js';
import type { Mutation, MutationSpec } from './runtime/mutations.js';
import type { PatchOperation } from './support/json-patch.js';
import type { TenantInfo } from './surfaces/control/tenant-info.js';

/** An answer of the control API that was not a success. */
export class MockControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`mock-entra control API answered ${status}: ${JSON.stringify(body)}`);
    this.name = 'MockControlError';
  }
}

export type { TenantInfo };

/**
 * Typed client for the test-control API (/_mock/). Uses node:http(s) so the mock's CA can be
 * passed directly (`{ ca }`), which Node 20's global fetch cannot take.
 *
 * @example
 * const control = new MockEntraControl('https://localhost:8443', { ca: mock.caPem });
 * // A mock in a container, started with --control-token: the credential lets the docker host in.
 * const remote = new MockEntraControl('https://docker:49153', { ca: caPem, token: process.env.MOCK_ENTRA_CONTROL_TOKEN });
 * const t = await control.createTenant(myTenantFixture);
 * await control.patchFixture(t.id, [{ op: 'replace', path: '/applications/0/passwordCredentials/0/endDateTime', value: '2020-01-01T00:00:00Z' }]);
 * await control.advanceClock(t.id, 3600);
 */
export class MockEntraControl {
  constructor(
    readonly baseUrl: string,
    /** `ca`: the mock's CA (HTTPS). `token`: the control credential (the mock's `controlToken`), sent as `Authorization: Bearer`. */
    private readonly options: { ca?: string; token?: string } = {},
  ) {}

  health(): Promise<{ status: string; tenants: number }> {
    return this.call('GET', '/_mock/health');
  }
  listTenants(): Promise<{ tenants: Array<Pick<TenantInfo, 'id' | 'displayName' | 'verifiedDomains'>> }> {
    return this.call('GET', '/_mock/tenants');
  }
  /** Creates a tenant; it may `extends: 'contoso'` and `generate` users and groups (not extend files). */
  createTenant(fixture: TenantFixture | FixtureDocument | TenantSource | FixtureSource): Promise<TenantInfo> {
    return this.call('POST', '/_mock/tenants', fixture);
  }
  getTenant(id: string): Promise<TenantInfo & { fixture: TenantFixture }> {
    return this.call('GET', `/_mock/tenants/${enc(id)}`);
  }
  deleteTenant(id: string): Promise<void> {
    return this.call('DELETE', `/_mock/tenants/${enc(id)}`);
  }
  resetTenant(id: string): Promise<void> {
    return this.call('POST', `/_mock/tenants/${enc(id)}/reset`);
  }
  replaceFixture(id: string, fixture: TenantFixture): Promise<TenantInfo> {
    return this.call('PUT', `/_mock/tenants/${enc(id)}/fixture`, fixture);
  }
  patchFixture(id: string, patch: PatchOperation[]): Promise<TenantInfo> {
    return this.call('PATCH', `/_mock/tenants/${enc(id)}/fixture`, patch, 'application/json-patch+json');
  }
  getClock(id: string): Promise<{ now: string; offsetMs: number }> {
    return this.call('GET', `/_mock/tenants/${enc(id)}/clock`);
  }
  setClock(id: string, now: Date | string | number): Promise<{ now: string; offsetMs: number }> {
    return this.call('PUT', `/_mock/tenants/${enc(id)}/clock`, { now: now instanceof Date ? now.toISOString() : now });
  }
  advanceClock(id: string, seconds: number): Promise<{ now: string; offsetMs: number }> {
    return this.call('POST', `/_mock/tenants/${enc(id)}/clock/advance`, { seconds });
  }
  rotateKeys(id: string, retireAfterSeconds?: number): Promise<{ kid: string; previousKid: string; published: string[] }> {
    return this.call('POST', `/_mock/tenants/${enc(id)}/keys/rotate`, retireAfterSeconds === undefined ? {} : { retireAfterSeconds });
  }
  requests(id: string): Promise<RequestLogEntry[]> {
    return this.call<{ requests: RequestLogEntry[] }>('GET', `/_mock/tenants/${enc(id)}/requests`).then((r) => r.requests);
  }
  clearRequests(id: string): Promise<void> {
    return this.call('DELETE', `/_mock/tenants/${enc(id)}/requests`);
  }
  revokeSessions(id: string, user: string): Promise<{ value: boolean }> {
    return this.call('POST', `/_mock/tenants/${enc(id)}/users/${enc(user)}/revoke-sessions`);
  }

  /**
   * Makes Microsoft Graph misbehave for this tenant's callers only: throttling (429 with
   * Retry-After), 500/502/503/504, or latency — for the next `count` calls, or a seeded share
   * (`rate`, `seed`, optional `limit`) of the calls whose path matches `path` (a glob).
   *
   * @example
   * await control.setGraphFault(t.id, { status: 429, retryAfterSeconds: 2, count: 3, path: '/v1.0/groups*' });
   * await control.setGraphFault(t.id, { status: 503, rate: 0.3, seed: 42 });
   */
  setGraphFault(id: string, fault: GraphFaultSpec): Promise<GraphFault> {
    return this.call('POST', `/_mock/tenants/${enc(id)}/graph/faults`, fault);
  }
  /** Same as setGraphFault (the name the harness uses). */
  addGraphFault(id: string, fault: GraphFaultSpec): Promise<GraphFault> {
    return this.setGraphFault(id, fault);
  }
  /** The tenant's faults, with how often each matched and fired, and what is left of it. */
  listGraphFaults(id: string): Promise<GraphFault[]> {
    return this.call<{ faults: GraphFault[] }>('GET', `/_mock/tenants/${enc(id)}/graph/faults`).then((r) => r.faults);
  }
  /** Removes one fault, or all of them. */
  clearGraphFaults(id: string, faultId?: string): Promise<void> {
    return this.call('DELETE', `/_mock/tenants/${enc(id)}/graph/faults${faultId === undefined ? '' : `/${enc(faultId)}`}`);
  }

  /**
   * Makes this tenant's Entra endpoints fail in Entra's shapes — the token endpoint (default),
   * authorize, devicecode, discovery or keys: `throttled` (429, Retry-After: 60, "Too Many
   * Requests"), `request_loop` (invalid_grant AADSTS50196), `temporarily_unavailable` (503,
   * AADSTS90033), `server_error` (500, AADSTS50000), or latency — for the next `count` requests, or a seeded share of them,
   * optionally only for one grant_type or client_id.
   *
   * @example
   * await control.setEntraFault(t.id, { answer: 'throttled', grantType: 'client_credentials', count: 1 });
   * await control.setEntraFault(t.id, { answer: 'temporarily_unavailable', endpoint: 'discovery', count: 2 });
   */
  setEntraFault(id: string, fault: EntraFaultSpec): Promise<EntraFault> {
    return this.call('POST', `/_mock/tenants/${enc(id)}/entra/faults`, fault);
  }
  /** The tenant's Entra faults, with how often each matched and fired, and what is left of it. */
  listEntraFaults(id: string): Promise<EntraFault[]> {
    return this.call<{ faults: EntraFault[] }>('GET', `/_mock/tenants/${enc(id)}/entra/faults`).then((r) => r.faults);
  }
  /** Removes one Entra fault, or all of them. */
  clearEntraFaults(id: string, faultId?: string): Promise<void> {
    return this.call('DELETE', `/_mock/tenants/${enc(id)}/entra/faults${faultId === undefined ? '' : `/${enc(faultId)}`}`);
  }

  /**
   * Breaks this tenant's next responses on purpose ("Broken on purpose" in the README: the kinds
   * per target): the next `count` (default 1) ID tokens, access tokens, refresh responses' ID
   * tokens, userinfo answers, discovery documents or JWKS — for one client when `clientId` is given.
   *
   * @example
   * await control.addMutation(t.id, { target: 'id_token', kind: 'iss-near-miss' });
   * await control.addMutation(t.id, { target: 'jwks', kind: 'server-error', status: 503, count: 2 });
   */
  addMutation(id: string, mutation: MutationSpec): Promise<Mutation> {
    return this.call('POST', `/_mock/tenants/${enc(id)}/mutations`, mutation);
  }
  /** The tenant's queued mutations, with how often each applied and what is left of it. */
  listMutations(id: string): Promise<Mutation[]> {
    return this.call<{ mutations: Mutation[] }>('GET', `/_mock/tenants/${enc(id)}/mutations`).then((r) => r.mutations);
  }
  /** Removes one mutation, or all of them (and the keys they hold back from the JWKS). */
  clearMutations(id: string, mutationId?: string): Promise<void> {
    return this.call('DELETE', `/_mock/tenants/${enc(id)}/mutations${mutationId === undefined ? '' : `/${enc(mutationId)}`}`);
  }

  private call<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const url = new URL(path, this.baseUrl);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<T>((resolve, reject) => {
      const req = send(
        url,
        {
          method,
          ...(this.options.ca ? { ca: this.options.ca } : {}),
          headers: {
            ...(payload ? { 'content-type': contentType, 'content-length': payload.length } : {}),
            ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const parsed: unknown = text ? safeJson(text) : undefined;
            if ((res.statusCode ?? 500) >= 400) reject(new MockControlError(res.statusCode ?? 500, parsed));
            else resolve(parsed as T);
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}

const enc = encodeURIComponent;
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
