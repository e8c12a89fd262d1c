import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, json, mockApp, type TestMock } from '../support/mock-app.js';
import { authorizePath, bridgeRefreshToken, newTenant, state } from '../errors/flows.js';

let m: TestMock;
beforeAll(async () => {
  m = await mockApp();
});
afterAll(() => m.close());

const INGESTION = CONTOSO.ingestion;
const BRIDGE = CONTOSO.bridge;
const API_DEFAULT = `${CONTOSO.openMetadataUi.apiUri}/.default`;

const setFault = (tenant: string, spec: unknown): Promise<LightMyRequestResponse> =>
  m.inject({ method: 'POST', url: `/_mock/tenants/${tenant}/entra/faults`, payload: JSON.stringify(spec), headers: { 'content-type': 'application/json' } });
const faults = async (tenant: string): Promise<Array<Record<string, unknown>>> =>
  (json(await m.inject(`/_mock/tenants/${tenant}/entra/faults`)) as { faults: Array<Record<string, unknown>> }).faults;
const clientCredentials = (tenant: string, path = `/${tenant}/oauth2/v2.0/token`): Promise<LightMyRequestResponse> =>
  m.form(path, { grant_type: 'client_credentials', client_id: INGESTION.appId, client_secret: INGESTION.secret, scope: API_DEFAULT });
const firstLine = (r: LightMyRequestResponse): string => String(json(r).error_description).split('\r\n')[0]!;

describe('Entra faults on the token endpoint', () => {
  it('throttled: 429, Retry-After: 60, a plain-text "Too Many Requests", for the next `count` client_credentials requests only', async () => {
    const t = await newTenant(m);
    const set = await setFault(t, { answer: 'throttled', grantType: 'client_credentials', count: 2 });
    expect(set.statusCode).toBe(201);
    expect(json(set)).toEqual({
      id: 'entra-fault-1',
      answer: 'throttled',
      grantType: 'client_credentials',
      count: 2,
      endpoint: 'token',
      retryAfterSeconds: 60,
      matched: 0,
      applied: 0,
      remaining: 2,
    });
    for (let i = 0; i < 2; i++) {
      const r = await clientCredentials(t);
      expect(r.statusCode).toBe(429);
      expect(r.headers['retry-after']).toBe('60');
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.body).toBe('Too Many Requests');
    }
    expect((await clientCredentials(t)).statusCode).toBe(200);
    expect(await faults(t)).toEqual([]);
    // The request log shows the throttled requests as the fault's.
    const log = (
      json(await m.inject(`/_mock/tenants/${t}/requests`)) as { requests: Array<{ endpoint: string; status: number; flow?: string; clientId?: string }> }
    ).requests;
    expect(log.filter((e) => e.endpoint.startsWith('token')).map((e) => [e.endpoint, e.status, e.flow, e.clientId])).toEqual([
      ['token.fault', 429, 'client_credentials', INGESTION.appId],
      ['token.fault', 429, 'client_credentials', INGESTION.appId],
      ['token.v2', 200, 'client_credentials', INGESTION.appId],
    ]);
  });

  it('a grantType fault leaves other grants alone; a fault in one tenant leaves the others alone', async () => {
    const t = await newTenant(m);
    const other = await newTenant(m);
    await setFault(t, { answer: 'throttled', grantType: 'refresh_token', retryAfterSeconds: 5 });
    expect((await clientCredentials(t)).statusCode).toBe(200);
    const rt = await bridgeRefreshToken(m, other);
    expect(
      (await m.form(`/${other}/oauth2/v2.0/token`, { grant_type: 'refresh_token', client_id: BRIDGE.appId, client_secret: BRIDGE.secret, refresh_token: rt }))
        .statusCode,
    ).toBe(200);
    const rt2 = await bridgeRefreshToken(m, t);
    const r = await m.form(`/${t}/oauth2/v2.0/token`, {
      grant_type: 'refresh_token',
      client_id: BRIDGE.appId,
      client_secret: BRIDGE.secret,
      refresh_token: rt2,
    });
    expect(r.statusCode).toBe(429);
    expect(r.headers['retry-after']).toBe('5');
  });

  it('request_loop: invalid_grant AADSTS50196 in Entra’s JSON', async () => {
    const t = await newTenant(m);
    await setFault(t, { answer: 'request_loop', clientId: BRIDGE.appId });
    const rt = await bridgeRefreshToken(m, await newTenant(m));
    const r = await m.form(`/${t}/oauth2/v2.0/token`, {
      grant_type: 'refresh_token',
      client_id: BRIDGE.appId,
      client_secret: BRIDGE.secret,
      refresh_token: rt,
    });
    expect(r.statusCode).toBe(400);
    const b = json(r);
    expect(Object.keys(b)).toEqual(['error', 'error_description', 'error_codes', 'timestamp', 'trace_id', 'correlation_id', 'error_uri']);
    expect(b.error).toBe('invalid_grant');
    expect(firstLine(r)).toBe('AADSTS50196: The server terminated an operation because it encountered a client request loop. Please contact your app vendor.');
    // Another client in the tenant is not in the loop.
    expect((await clientCredentials(t)).statusCode).toBe(200);
  });

  it('temporarily_unavailable: 503 with AADSTS90033, on v1 too', async () => {
    const t = await newTenant(m);
    await setFault(t, { answer: 'temporarily_unavailable', count: 1 });
    const r = await m.form(`/${t}/oauth2/token`, {
      grant_type: 'client_credentials',
      client_id: INGESTION.appId,
      client_secret: INGESTION.secret,
      resource: CONTOSO.openMetadataUi.apiUri,
    });
    expect(r.statusCode).toBe(503);
    expect(json(r).error).toBe('temporarily_unavailable');
    expect(json(r).error_codes).toEqual([90033]);
    expect(firstLine(r)).toBe('AADSTS90033: A transient error has occurred. Please try again.');
  });

  it('server_error: 500 server_error AADSTS50000', async () => {
    const t = await newTenant(m);
    await setFault(t, { answer: 'server_error', count: 1 });
    const r = await clientCredentials(t);
    expect(r.statusCode).toBe(500);
    expect(json(r).error).toBe('server_error');
    expect(firstLine(r)).toBe('AADSTS50000: There was an error issuing a token or an issue with our sign-in service.');
  });

  it('on /organizations the client’s home tenant’s faults apply', async () => {
    await setFault(CONTOSO.tenantId, { answer: 'temporarily_unavailable', clientId: BRIDGE.appId, count: 1 });
    try {
      const r = await m.form('/organizations/oauth2/v2.0/token', {
        grant_type: 'refresh_token',
        client_id: BRIDGE.appId,
        client_secret: BRIDGE.secret,
        refresh_token: 'x',
      });
      expect(r.statusCode).toBe(503);
    } finally {
      await m.inject({ method: 'DELETE', url: `/_mock/tenants/${CONTOSO.tenantId}/entra/faults` });
    }
  });

  it('rate + seed fail the same requests every run; latency alone delays without failing', async () => {
    const outcomes = async (): Promise<number[]> => {
      const t = await newTenant(m);
      await setFault(t, { answer: 'temporarily_unavailable', rate: 0.5, seed: 7, limit: 3 });
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await clientCredentials(t)).statusCode);
      return statuses;
    };
    const first = await outcomes();
    expect(first.filter((s) => s === 503)).toHaveLength(3);
    expect(await outcomes()).toEqual(first);
    const t = await newTenant(m);
    await setFault(t, { latencyMs: 20, count: 1 });
    expect((await clientCredentials(t)).statusCode).toBe(200);
    expect(await faults(t)).toEqual([]);
  });
});

describe('Entra faults on authorize, devicecode, discovery and keys', () => {
  it('authorize: Microsoft’s error page with the AADSTS code', async () => {
    const t = await newTenant(m);
    await setFault(t, { answer: 'request_loop', endpoint: 'authorize', count: 1 });
    const q = { client_id: BRIDGE.appId, response_type: 'code', redirect_uri: BRIDGE.redirectUri, scope: 'openid', state: state(), nonce: 'n' };
    const r = await m.inject(authorizePath(t, q));
    expect(r.statusCode).toBe(200);
    expect(r.headers['x-ms-ests-error']).toBe('50196');
    expect(r.body).toContain('AADSTS50196');
    expect((await m.inject(authorizePath(t, q))).statusCode).toBe(200);
  });

  it('discovery, keys and devicecode answer the fault in their JSON or as 429', async () => {
    const t = await newTenant(m);
    await setFault(t, { answer: 'temporarily_unavailable', endpoint: 'discovery', count: 1 });
    await setFault(t, { answer: 'throttled', endpoint: 'keys', count: 1 });
    await setFault(t, { answer: 'throttled', endpoint: 'devicecode', count: 1, retryAfterSeconds: 10 });
    const d = await m.inject(`/${t}/v2.0/.well-known/openid-configuration`);
    expect(d.statusCode).toBe(503);
    expect(json(d).error_codes).toEqual([90033]);
    expect((await m.inject(`/${t}/v2.0/.well-known/openid-configuration`)).statusCode).toBe(200);
    const k = await m.inject(`/${t}/discovery/v2.0/keys`);
    expect([k.statusCode, k.body]).toEqual([429, 'Too Many Requests']);
    const dc = await m.form(`/${t}/oauth2/v2.0/devicecode`, { client_id: BRIDGE.appId, scope: 'openid' });
    expect([dc.statusCode, dc.headers['retry-after']]).toEqual([429, '10']);
  });
});

describe('the control API for Entra faults', () => {
  it('refuses a bad spec with every problem named', async () => {
    const r = await setFault(CONTOSO.tenantId, { answer: 'slow', endpoint: 'logout', grantType: 'password', retryAfterSeconds: 3, extra: 1 });
    expect(r.statusCode).toBe(400);
    expect(json(r).error).toMatchObject({ code: 'InvalidFault' });
    expect(JSON.stringify(json(r))).toContain("Unknown member 'extra'.");
    expect(JSON.stringify(json(r))).toContain("'answer' must be one of throttled, request_loop, temporarily_unavailable, server_error.");
    expect(JSON.stringify(json(r))).toContain("'endpoint' must be one of token, authorize, devicecode, discovery, keys.");
    expect(JSON.stringify(json(r))).toContain("'grantType' goes with the token endpoint.");
    expect(JSON.stringify(json(r))).toContain("'retryAfterSeconds' goes with 'answer': 'throttled'.");
    expect(json(await setFault(CONTOSO.tenantId, {})).error).toMatchObject({ message: "Give 'answer' (a failure), 'latencyMs' (a delay), or both." });
  });

  it('lists, deletes one or all, holds at most 100, and a tenant reset clears them', async () => {
    const t = await newTenant(m);
    const a = json(await setFault(t, { answer: 'throttled' }));
    await setFault(t, { latencyMs: 5, endpoint: 'discovery' });
    expect((await faults(t)).map((f) => f.id)).toEqual(['entra-fault-1', 'entra-fault-2']);
    expect((await m.inject({ method: 'DELETE', url: `/_mock/tenants/${t}/entra/faults/${String(a.id)}` })).statusCode).toBe(204);
    expect((await m.inject({ method: 'DELETE', url: `/_mock/tenants/${t}/entra/faults/${String(a.id)}` })).statusCode).toBe(404);
    expect((await m.inject({ method: 'DELETE', url: `/_mock/tenants/${t}/entra/faults` })).statusCode).toBe(204);
    for (let i = 0; i < 100; i++) await setFault(t, { latencyMs: 1 });
    expect((await setFault(t, { latencyMs: 1 })).statusCode).toBe(409);
    expect((await m.inject({ method: 'POST', url: `/_mock/tenants/${t}/reset` })).statusCode).toBeLessThan(300);
    expect(await faults(t)).toEqual([]);
  });
});
