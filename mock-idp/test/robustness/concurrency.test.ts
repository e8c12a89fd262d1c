import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startMockEntra, type RunningMockEntra } from '../../src/server.js';
import { CONTOSO } from '../../src/contoso.js';

/**
 * Concurrency over real sockets (not inject): parallel requests arrive on separate connections
 * and interleave in the event loop the way a client's retries or a load balancer's do.
 * token.test.ts checks the same rules in-process; here they hold on the wire.
 */
const T = CONTOSO.tenantId;
let mock: RunningMockEntra;
let base: string;

beforeAll(async () => {
  mock = await startMockEntra({ port: 0, tls: false });
  base = mock.url.replace('localhost', '127.0.0.1');
});
afterAll(() => mock?.close());

async function form(path: string, fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

async function code(): Promise<string> {
  const q = new URLSearchParams({
    client_id: CONTOSO.bridge.appId,
    redirect_uri: CONTOSO.bridge.redirectUri,
    response_type: 'code',
    scope: 'openid profile offline_access User.Read',
    mock_login: 'auto',
    login_hint: CONTOSO.users.alex.upn,
  });
  const r = await fetch(`${base}/${T}/oauth2/v2.0/authorize?${q.toString()}`, { redirect: 'manual' });
  const c = new URL(r.headers.get('location') ?? 'http://x/').searchParams.get('code');
  if (!c) throw new Error(`no code: ${r.status}`);
  return c;
}

const redeem = (c: string, path = `/${T}/oauth2/v2.0/token`) =>
  form(path, {
    grant_type: 'authorization_code',
    client_id: CONTOSO.bridge.appId,
    client_secret: CONTOSO.bridge.secret,
    code: c,
    redirect_uri: CONTOSO.bridge.redirectUri,
  });

const refresh = (rt: string) =>
  form(`/${T}/oauth2/v2.0/token`, { grant_type: 'refresh_token', client_id: CONTOSO.bridge.appId, client_secret: CONTOSO.bridge.secret, refresh_token: rt });

describe('concurrency over HTTP', () => {
  it('8 simultaneous redemptions of one code (v2 and v1 endpoints): exactly one token, the rest AADSTS54005, and the code stays dead', async () => {
    const c = await code();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => redeem(c, i % 2 ? `/${T}/oauth2/token` : `/${T}/oauth2/v2.0/token`)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0]!.body.access_token).toBeTruthy();
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid_grant');
      expect(r.body.error_codes).toEqual([54005]);
    }
    const again = await redeem(c);
    expect(again.body.error_codes).toEqual([54005]);
  });

  it('many codes redeemed at once: each exactly once', async () => {
    const codes = await Promise.all(Array.from({ length: 6 }, () => code()));
    const results = await Promise.all(codes.flatMap((c) => [redeem(c), redeem(c), redeem(c)]));
    for (let i = 0; i < codes.length; i++) {
      expect(results.slice(i * 3, i * 3 + 3).filter((r) => r.status === 200)).toHaveLength(1);
    }
  });

  it('8 simultaneous uses of one refresh token all succeed (as in Entra), and none after the user’s sessions are revoked', async () => {
    const first = await redeem(await code());
    const rt = String(first.body.refresh_token);
    const results = await Promise.all(Array.from({ length: 8 }, () => refresh(rt)));
    for (const r of results) {
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.access_token).toBeTruthy();
    }
    const issued = results.map((r) => String(r.body.refresh_token));
    expect(new Set(issued).size).toBe(8);

    await new Promise((r) => setTimeout(r, 5)); // revocation covers tokens issued before its millisecond
    const revoked = await fetch(`${base}/_mock/tenants/${T}/users/${encodeURIComponent(CONTOSO.users.alex.upn)}/revoke-sessions`, { method: 'POST' });
    expect(revoked.status).toBeLessThan(300);

    const after = await Promise.all([rt, ...issued].map((t) => refresh(t)));
    for (const r of after) {
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid_grant');
      expect(r.body.error_codes).toEqual([50173]);
    }
    // A new sign-in works again.
    expect((await redeem(await code())).status).toBe(200);
  });
});
