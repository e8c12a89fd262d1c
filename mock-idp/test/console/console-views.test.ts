import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TenantFixture } from '../../src/directory/model.js';
import type { RequestLogEntry } from '../../src/runtime/request-log.js';
import { MISCONFIGURATIONS } from '../../src/surfaces/console/misconfigurations.js';
import { authorize, BRIDGE_AUTH, CONTOSO, json, mockApp, T, tokenPath, type TestMock } from '../support/mock-app.js';

/**
 * The console's views, log and actions through inject(): what each page shows of the default
 * tenant, creating, exporting and deleting tenants, the log's Trace ID / Correlation ID /
 * Timestamp search and decoded tokens, and every one-click misconfiguration — its change seen
 * through the control API, and its undo giving the fixture back.
 */

let mock: TestMock;
beforeAll(async () => {
  mock = await mockApp();
});
afterAll(() => mock.close());
beforeEach(async () => {
  await mock.inject({ method: 'POST', url: `/_mock/tenants/${T}/reset` });
});

const pageTokenOf = (r: LightMyRequestResponse): string => /<meta name="console-token" content="([^"]+)">/.exec(r.body)![1]!;

async function act(path: string, body: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const token = pageTokenOf(await mock.inject('/_mock/ui'));
  return mock.inject({ method: 'POST', url: path, payload: JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-console-token': token } });
}

const fixtureOf = async (id: string = T): Promise<TenantFixture> => json(await mock.inject(`/_mock/tenants/${id}`)).fixture as TenantFixture;
const requests = async (id: string = T): Promise<RequestLogEntry[]> => json(await mock.inject(`/_mock/tenants/${id}/requests`)).requests as RequestLogEntry[];
/** The ingestion app's app-only Graph token answer (client credentials). */
const ingestionGraphToken = async (): Promise<Record<string, unknown>> =>
  json(
    await mock.form(tokenPath(), {
      grant_type: 'client_credentials',
      client_id: CONTOSO.ingestion.appId,
      client_secret: CONTOSO.ingestion.secret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  );
const text = (html: string): string =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

describe('views', () => {
  it('the tenants page lists Contoso with its counts and actions', async () => {
    const r = await mock.inject('/_mock/ui');
    expect(r.statusCode).toBe(200);
    const t = text(r.body);
    expect(t).toContain(`Contoso ${T} contoso.onmicrosoft.com 3 3 3`);
    expect(r.body).toContain(`<a href="/_mock/ui/tenants/${T}/export" download>Export fixture</a>`);
  });

  it("a tenant's page shows its apps as the registration pages do, its clock, keys, users and groups", async () => {
    await mock.inject({
      method: 'PATCH',
      url: `/_mock/tenants/${T}/fixture`,
      payload: [{ op: 'replace', path: '/applications/0/passwordCredentials/0/endDateTime', value: '2025-06-30T23:59:59Z' }],
    });
    const r = await mock.inject(`/_mock/ui/tenants/${T}`);
    expect(r.statusCode).toBe(200);
    const t = text(r.body);
    expect(t).toContain(`Identity Bridge ${CONTOSO.bridge.appId}`);
    expect(t).toContain('Redirect URIs Web : http://localhost:7000/sso/callback/vc-5f2a9c');
    expect(t).toMatch(new RegExp(`${CONTOSO.bridge.secretKeyId} — expired \\(ends 2025-06-30T23:59:59Z\\)`));
    expect(t).toContain('Microsoft Graph: Group.Read.All (Application) — admin consent');
    expect(t).toContain('groupMembershipClaims SecurityGroup');
    expect(t).toContain('Tenant time:');
    expect(t).toContain('real time');
    expect(t).toContain('AdeleV@contoso.onmicrosoft.com Adele Vance');
    expect(t).toMatch(/Users 1–\d+ of \d+/);
    expect(r.body.match(/<form data-action method="post" action="\/_mock\/ui\/tenants\/[^"]+\/misconfigure"/g)).toHaveLength(MISCONFIGURATIONS.length);
  });

  it('an unknown tenant is a 404 page', async () => {
    const r = await mock.inject('/_mock/ui/tenants/no-such-tenant.example');
    expect(r.statusCode).toBe(404);
    expect(text(r.body)).toContain('No tenant no-such-tenant.example.');
  });
});

describe('tenants: create, export, delete', () => {
  it('creates a copy of the base tenant under a new domain, exports it as a fixture, deletes it', async () => {
    const id = '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const created = await act('/_mock/ui/tenants', { source: 'base', displayName: 'Customer repro', domain: 'repro.contoso.test', id });
    expect(created.statusCode).toBe(201);
    expect(json(created)).toEqual({ message: `Created Customer repro (${id}).`, location: `/_mock/ui/tenants/${id}` });
    const fixture = await fixtureOf(id);
    expect([fixture.displayName, fixture.verifiedDomains]).toEqual(['Customer repro', ['repro.contoso.test']]);
    expect(fixture.applications?.map((a) => a.displayName)).toEqual((await fixtureOf()).applications?.map((a) => a.displayName));

    const exported = await mock.inject(`/_mock/ui/tenants/${id}/export`);
    expect(exported.headers['content-disposition']).toBe('attachment; filename="repro.contoso.test.fixture.json"');
    expect(JSON.parse(exported.body)).toEqual({ tenants: [fixture] });

    expect((await act('/_mock/ui/tenants', { source: 'base', displayName: 'x', domain: 'repro.contoso.test' })).statusCode).toBe(409);
    const deleted = await act(`/_mock/ui/tenants/${id}/delete`);
    expect(json(deleted)).toEqual({ message: `Deleted Customer repro (${id}).`, location: '/_mock/ui' });
    expect((await mock.inject(`/_mock/tenants/${id}`)).statusCode).toBe(404);
  });

  it('streams a large tenant a thousand users at a time, answering other requests meanwhile, and the file loads back', async () => {
    const id = '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4e';
    const payload = { id, displayName: 'Large', verifiedDomains: ['large.contoso.test'], generate: { seed: 7, users: 10_000, groups: 50 } };
    expect((await mock.inject({ method: 'POST', url: '/_mock/tenants', payload })).statusCode).toBe(201);
    let exportDone = false;
    const exporting = mock.inject(`/_mock/ui/tenants/${id}/export`).then((r) => ((exportDone = true), r));
    const discovery = await mock.inject(`/${T}/v2.0/.well-known/openid-configuration`);
    expect([discovery.statusCode, exportDone]).toEqual([200, false]);
    const exported = await exporting;
    expect(exported.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(exported.body.split('\n').filter((line) => line.startsWith('        {"id":')).length).toBe(10_050);
    expect(JSON.parse(exported.body)).toEqual({ tenants: [await fixtureOf(id)] });
    await mock.inject({ method: 'DELETE', url: `/_mock/tenants/${id}` });
  });

  it('creates a tenant from an uploaded YAML fixture, and from an app registration manifest', async () => {
    const yaml =
      'tenants:\n  - id: 6b2c3d4e-5f60-4b7c-8d9e-0f1a2b3c4d5e\n    displayName: Uploaded\n    verifiedDomains: [uploaded.test]\n    users:\n      - id: 7c3d4e5f-6071-4c8d-9eaf-1a2b3c4d5e6f\n        userPrincipalName: ann@uploaded.test\n        displayName: Ann\n';
    const r = await act('/_mock/ui/tenants', { source: 'file', file: yaml });
    expect(r.statusCode).toBe(201);
    expect((await fixtureOf('6b2c3d4e-5f60-4b7c-8d9e-0f1a2b3c4d5e')).users?.map((u) => u.userPrincipalName)).toEqual(['ann@uploaded.test']);

    const manifest = JSON.stringify({
      appId: '8d4e5f60-7182-4d9e-afb0-2b3c4d5e6f70',
      displayName: 'From manifest',
      web: { redirectUris: ['https://app.example/cb'] },
    });
    const m = await act('/_mock/ui/tenants', { source: 'file', file: manifest });
    expect(m.statusCode).toBe(201);
    const location = String(json(m).location);
    const mid = location.split('/').pop()!;
    expect((await fixtureOf(mid)).applications?.map((a) => [a.displayName, a.web?.redirectUris])).toEqual([['From manifest', ['https://app.example/cb']]]);

    const bad = await act('/_mock/ui/tenants', { source: 'file', file: 'tenants: [ {' });
    expect(bad.statusCode).toBe(400);
    expect((json(bad).error as { message: string }).message).toMatch(/^The file is neither YAML nor JSON: /);
    const invalid = await act('/_mock/ui/tenants', { source: 'file', file: 'id: 1\n' });
    expect(invalid.statusCode).toBe(400);
    expect((json(invalid).error as { code: string }).code).toBe('InvalidFixture');
    for (const id of ['6b2c3d4e-5f60-4b7c-8d9e-0f1a2b3c4d5e', mid]) await mock.inject({ method: 'DELETE', url: `/_mock/tenants/${id}` });
  });
});

describe('the request log', () => {
  it('records the Trace ID, Correlation ID and Timestamp of an Entra error, explains it and finds it by each', async () => {
    const correlation = '0a1b2c3d-0000-4000-8000-123456789abc';
    const refused = await mock.form(
      tokenPath(),
      {
        grant_type: 'client_credentials',
        client_id: CONTOSO.ingestion.appId,
        client_secret: CONTOSO.ingestion.secretKeyId,
        scope: 'https://graph.microsoft.com/.default',
      },
      { 'client-request-id': correlation },
    );
    const body = json(refused);
    expect(body.error_codes).toEqual([7000215]);
    const entry = (await requests()).find((e) => e.aadsts === 7000215)!;
    expect([entry.traceId, entry.correlationId, entry.timestamp]).toEqual([body.trace_id, correlation, body.timestamp]);

    for (const q of [String(body.trace_id), correlation, String(body.timestamp), String(body.timestamp).replace(' ', 'T')]) {
      const page = await mock.inject(`/_mock/ui/tenants/${T}/log?q=${encodeURIComponent(q)}`);
      const t = text(page.body);
      expect(t).toContain('Requests ( 1 shown)');
      expect(t).toContain('AADSTS7000215 invalid_client');
      expect(t).toContain('Setting to change: Certificates & secrets → the secret’s Value (not its Secret ID), sent as client_secret');
      expect(t).toContain(`Trace ID ${String(body.trace_id)} · Correlation ID ${correlation} · Timestamp ${String(body.timestamp)}`);
    }
    expect(text((await mock.inject(`/_mock/ui/tenants/${T}/log?q=${encodeURIComponent('ffffffff-ffff-4fff-8fff-ffffffffffff')}`)).body)).toContain(
      'Requests ( 0 shown)',
    );
  });

  it('keeps issued tokens decoded (never compact), with v1/v2, groups and warnings; the feed gives rows after a seq', async () => {
    const before = (await requests()).at(-1)?.seq ?? 0;
    const r = json(
      await mock.form(tokenPath(), {
        grant_type: 'client_credentials',
        client_id: CONTOSO.ingestion.appId,
        client_secret: CONTOSO.ingestion.secret,
        scope: 'https://graph.microsoft.com/.default',
      }),
    );
    const compact = String(r.access_token);
    const entry = (await requests()).at(-1)!;
    expect(entry.tokens).toHaveLength(1);
    const token = entry.tokens![0]!;
    expect([token.role, token.name, token.version]).toEqual(['issued', 'access_token', '1.0']);
    expect(token.claims.appid).toBe(CONTOSO.ingestion.appId);
    expect(token.warnings).toEqual(['Graph access token (nonce in its header): its signature verifies for Microsoft Graph only — an app must not validate it']);
    expect(JSON.stringify(await requests())).not.toContain(compact);

    // Presented to Graph: decoded as the bearer, with the user column empty (an app-only token names no user).
    await mock.inject({ url: '/v1.0/groups', headers: { authorization: `Bearer ${compact}` } });
    const graph = (await requests()).at(-1)!;
    expect(graph.tokens?.map((t) => [t.role, t.name])).toEqual([['presented', 'bearer']]);

    const feed = json(await mock.inject({ url: `/_mock/ui/tenants/${T}/log/feed?since=${before}`, headers: { accept: 'application/json' } }));
    expect(feed.count).toBe(2);
    expect(feed.seq).toBe(graph.seq);
    expect(String(feed.html)).toContain('issued access_token v1.0');
    expect(String(feed.html)).not.toContain(compact);
    const none = json(await mock.inject({ url: `/_mock/ui/tenants/${T}/log/feed?since=${graph.seq}`, headers: { accept: 'application/json' } }));
    expect(none).toEqual({ seq: graph.seq, count: 0, html: '' });
  });

  it('a token presented again is judged again: expired once the clock passes exp, its kid flagged once the key retires', async () => {
    const r = await ingestionGraphToken();
    const present = async () => {
      await mock.inject({ url: '/v1.0/groups', headers: { authorization: `Bearer ${String(r.access_token)}` } });
      return (await requests()).at(-1)!.tokens![0]!.warnings;
    };
    const graphOnly = 'Graph access token (nonce in its header): its signature verifies for Microsoft Graph only — an app must not validate it';
    // Decoded once and shared while nothing it is judged on changes (runtime/logged-tokens.ts).
    expect(await present()).toEqual([graphOnly]);
    expect(await present()).toEqual([graphOnly]);
    const kid = JSON.parse(Buffer.from(String(r.access_token).split('.')[0]!, 'base64url').toString()).kid as string;
    await mock.inject({ method: 'POST', url: `/_mock/tenants/${T}/keys/rotate`, payload: { retireAfterSeconds: 0 } });
    expect(await present()).toEqual([graphOnly, `kid ${kid} is not in the tenant's JWKS`]);
    await mock.inject({ method: 'POST', url: `/_mock/tenants/${T}/clock/advance`, payload: { seconds: 3 * 3600 } });
    const late = await present();
    expect(late[0]).toMatch(/^expired by the tenant clock: exp \S+Z is before \S+Z$/);
    expect(late.slice(1)).toEqual([graphOnly, `kid ${kid} is not in the tenant's JWKS`]);
  });

  it('warns of a token expired by the tenant clock when it is presented', async () => {
    const r = await ingestionGraphToken();
    await mock.inject({ method: 'POST', url: `/_mock/tenants/${T}/clock/advance`, payload: { seconds: 3 * 3600 } });
    await mock.inject({ url: '/v1.0/groups', headers: { authorization: `Bearer ${String(r.access_token)}` } });
    const entry = (await requests()).at(-1)!;
    expect(entry.tokens![0]!.warnings[0]).toMatch(/^expired by the tenant clock: exp \S+Z is before \S+Z$/);
  });
});

describe('one-click misconfigurations', () => {
  const bridge = CONTOSO.bridge.appId;
  const cases: Array<{ scenario: string; input?: Record<string, string>; check: (f: TenantFixture) => unknown; expected: unknown }> = [
    { scenario: 'secrets/expired-secret', check: (f) => f.applications![0]!.passwordCredentials![0]!.endDateTime, expected: '2025-06-30T23:59:59Z' },
    { scenario: 'sso/redirect-uri-mismatch', check: (f) => f.applications![0]!.web!.redirectUris, expected: ['http://localhost:7000/sso/callback'] },
    {
      scenario: 'sso/redirect-uri-mismatch',
      input: { value: 'https://typed.example/cb' },
      check: (f) => f.applications![0]!.web!.redirectUris,
      expected: ['https://typed.example/cb'],
    },
    { scenario: 'seed-pingone/no-redirect-uri', check: (f) => f.applications![0]!.web!.redirectUris, expected: [] },
    {
      scenario: 'seed-openmetadata/implicit-checkboxes-unchecked',
      check: (f) => f.applications![0]!.web!.implicitGrantSettings,
      expected: { enableIdTokenIssuance: false, enableAccessTokenIssuance: false },
    },
    { scenario: 'sso/groups-claim-missing', check: (f) => f.applications![0]!.groupMembershipClaims, expected: null },
    { scenario: 'group-sync/group-sync-without-admin-consent', check: (f) => f.appRoleAssignments, expected: [] },
    {
      scenario: 'real-world/user-not-assigned',
      check: (f) => f.servicePrincipals?.find((s) => s.appId === bridge)?.appRoleAssignmentRequired,
      expected: true,
    },
  ];

  for (const c of cases) {
    it(`${c.scenario}${c.input ? ' (typed value)' : ''}: the scenario's change, seen through the control API; logged; undone`, async () => {
      const before = await fixtureOf();
      const r = await act(`/_mock/ui/tenants/${T}/misconfigure`, { scenario: c.scenario, appId: bridge, ...c.input });
      expect(r.statusCode).toBe(200);
      const after = await fixtureOf();
      expect(c.check(after)).toEqual(c.expected);
      const logged = (await requests()).at(-1)!;
      expect([logged.endpoint, logged.flow, logged.status]).toEqual(['console', c.scenario, 200]);
      expect(logged.note).toMatch(new RegExp(`^applied ${c.scenario.replace('/', '\\/')}: Identity Bridge`));
      const page = await mock.inject(`/_mock/ui/tenants/${T}`);
      const id = /name="id" value="([^"]+)"/.exec(page.body)![1]!;
      expect((await act(`/_mock/ui/tenants/${T}/undo`, { id })).statusCode).toBe(200);
      expect(await fixtureOf()).toEqual(before);
      expect((await requests()).at(-1)!.note).toMatch(/^undone /);
      expect((await act(`/_mock/ui/tenants/${T}/undo`, { id })).statusCode).toBe(404);
    });
  }

  it('rotate keys, move the clock, throttle Graph, a token mutation: each visible through the control API and undone', async () => {
    const kids = async () => (json(await mock.inject(`/${T}/discovery/v2.0/keys`)).keys as Array<{ kid: string }>).map((k) => k.kid);
    const keysBefore = await kids();
    await act(`/_mock/ui/tenants/${T}/misconfigure`, { scenario: 'rp-negatives/signing-key-rotation' });
    expect(await kids()).toHaveLength(keysBefore.length + 1);

    const clock = async () => json(await mock.inject(`/_mock/tenants/${T}/clock`)).offsetMs as number;
    await act(`/_mock/ui/tenants/${T}/misconfigure`, { scenario: 'real-world/clock-ahead', value: '7200' });
    expect(Math.round((await clock()) / 1000)).toBe(7200);

    await act(`/_mock/ui/tenants/${T}/misconfigure`, { scenario: 'group-sync/graph-throttled' });
    expect(
      (json(await mock.inject(`/_mock/tenants/${T}/graph/faults`)).faults as Array<Record<string, unknown>>).map((f) => [f.status, f.path, f.remaining]),
    ).toEqual([[429, '/v1.0/groups*', 2]]);

    await act(`/_mock/ui/tenants/${T}/misconfigure`, { scenario: 'rp-negatives/*', value: 'rp-negatives/invalid-aud' });
    expect((json(await mock.inject(`/_mock/tenants/${T}/mutations`)).mutations as Array<Record<string, unknown>>).map((m) => [m.target, m.kind])).toEqual([
      ['id_token', 'aud-near-miss'],
    ]);

    // Undone newest first, as the page lists them.
    for (let i = 0; i < 4; i++) {
      const page = await mock.inject(`/_mock/ui/tenants/${T}`);
      const id = /name="id" value="([^"]+)"/.exec(page.body)![1]!;
      expect((await act(`/_mock/ui/tenants/${T}/undo`, { id })).statusCode).toBe(200);
    }
    expect(json(await mock.inject(`/_mock/tenants/${T}/mutations`)).mutations).toEqual([]);
    expect(json(await mock.inject(`/_mock/tenants/${T}/graph/faults`)).faults).toEqual([]);
    expect(await clock()).toBe(0);
    expect(await kids()).toEqual(keysBefore);
  });

  it('a reset through the JSON control API empties the applied list too: nothing stale is offered for undo', async () => {
    await act(`/_mock/ui/tenants/${T}/misconfigure`, { scenario: 'real-world/clock-ahead', value: '60' });
    const id = /name="id" value="([^"]+)"/.exec((await mock.inject(`/_mock/ui/tenants/${T}`)).body)![1]!;
    expect((await mock.inject({ method: 'POST', url: `/_mock/tenants/${T}/reset` })).statusCode).toBe(204);
    expect((await mock.inject(`/_mock/ui/tenants/${T}`)).body).not.toContain('name="id" value="');
    const undo = await act(`/_mock/ui/tenants/${T}/undo`, { id });
    expect(undo.statusCode).toBe(404);
    expect(json(undo)).toEqual({ error: { code: 'NotFound', message: 'That change is no longer applied (undone already, or the tenant was reset).' } });
  });

  it('ingestion/token-endpoint-unavailable: the next client-credentials request answers 503 AADSTS90033, explained in the log; undone', async () => {
    await act(`/_mock/ui/tenants/${T}/misconfigure`, { scenario: 'ingestion/token-endpoint-unavailable' });
    const faults = json(await mock.inject(`/_mock/tenants/${T}/entra/faults`)).faults as Array<Record<string, unknown>>;
    expect(faults.map((f) => [f.answer, f.grantType, f.remaining])).toEqual([['temporarily_unavailable', 'client_credentials', 1]]);
    const r = await mock.form(tokenPath(), {
      grant_type: 'client_credentials',
      client_id: CONTOSO.ingestion.appId,
      client_secret: CONTOSO.ingestion.secret,
      scope: 'https://graph.microsoft.com/.default',
    });
    expect([r.statusCode, json(r).error_codes]).toEqual([503, [90033]]);
    const t = text((await mock.inject(`/_mock/ui/tenants/${T}/log?q=AADSTS90033`)).body);
    expect(t).toContain('Setting to change: Nothing in the registration: Entra failed transiently');
    await act(`/_mock/ui/tenants/${T}/misconfigure`, { scenario: 'ingestion/token-endpoint-unavailable' });
    const id = /name="id" value="([^"]+)"/.exec((await mock.inject(`/_mock/ui/tenants/${T}`)).body)![1]!;
    await act(`/_mock/ui/tenants/${T}/undo`, { id });
    expect(json(await mock.inject(`/_mock/tenants/${T}/entra/faults`)).faults).toEqual([]);
  });

  it('real-world/user-not-assigned: the refused sign-in (AADSTS50105) names its user in the log, explained', async () => {
    await act(`/_mock/ui/tenants/${T}/misconfigure`, { scenario: 'real-world/user-not-assigned', appId: bridge });
    const r = await authorize(mock, { ...BRIDGE_AUTH, state: 's1', nonce: 'n1', mock_login: 'auto', login_hint: CONTOSO.users.alex.upn });
    expect(r.params.get('error_description')).toMatch(/^AADSTS50105: /);
    const entry = (await requests()).at(-1)!;
    expect([entry.aadsts, entry.user]).toEqual([50105, CONTOSO.users.alex.upn]);
    const t = text((await mock.inject(`/_mock/ui/tenants/${T}/log?q=${encodeURIComponent(String(entry.traceId))}`)).body);
    expect(t).toContain(`${CONTOSO.users.alex.upn} 302 AADSTS50105`);
    expect(t).toContain('Setting to change: Enterprise application → Properties → Assignment required? (appRoleAssignmentRequired)');
  });

  it('a switch the tenant cannot take is refused with what to do', async () => {
    const r = await act(`/_mock/ui/tenants/${T}/misconfigure`, { scenario: 'secrets/expired-secret', appId: '00000000-0000-0000-0000-00000000dead' });
    expect(r.statusCode).toBe(400);
    expect((json(r).error as { message: string }).message).toBe(
      `No application 00000000-0000-0000-0000-00000000dead in tenant ${T}: pick one of the tenant's applications.`,
    );
    const none = await act(`/_mock/ui/tenants/${T}/misconfigure`, { scenario: 'secrets/expired-secret' });
    expect((json(none).error as { message: string }).message).toBe('Pick the application to change.');
    const bad = await act(`/_mock/ui/tenants/${T}/misconfigure`, { scenario: 'sso/redirect-uri-mismatch', appId: bridge, value: 'not a uri' });
    expect((json(bad).error as { message: string }).message).toBe('not a uri is not an absolute URI.');
  });
});
