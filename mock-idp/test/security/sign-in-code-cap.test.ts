import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { MockContext } from '../../src/context.js';
import { formatMessage } from '../../src/errors/catalog.js';
import { MAX_PAGE_TOKENS_PER_TENANT } from '../../src/protocol/page-token.js';
import { createContext } from '../../src/server.js';
import { MAX_PENDING_CODES_PER_TENANT } from '../../src/store/codes.js';
import { T } from './control-support.js';
import { ADELE, BRIDGE, BRIDGE_QUERY, authorizePath } from './sign-in-support.js';

/**
 * Issue 9 item 5 (codes) — authorization codes were kept 15 minutes with no cap: 6,000 codes
 * carrying an 8 KiB nonce held 65 MiB. Codes (and the sign-in pages' one-time tokens) are now
 * capped per tenant, oldest dropped first: the store's entry count stays bounded however many are
 * issued, the newest code still redeems, and a dropped one answers as expired (AADSTS70008).
 * A real server over HTTP, built here so that the test can count the store's entries.
 */
let ctx: MockContext;
let app: FastifyInstance;
let base: string;
let stateDir: string;
beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'mock-entra-code-cap-'));
  ctx = await createContext({ tls: false, stateDir, publicUrl: 'http://127.0.0.1' });
  app = buildApp(ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app.close();
  ctx.store.close();
  await rm(stateDir, { recursive: true, force: true });
});

const NONCE = 'n'.repeat(8 * 1024 - 16);

async function issueCode(): Promise<string> {
  const r = await fetch(`${base}${authorizePath(T, { ...BRIDGE_QUERY, login_hint: ADELE, mock_login: 'auto', nonce: NONCE })}`, { redirect: 'manual' });
  await r.arrayBuffer();
  const code = new URL(r.headers.get('location') ?? 'http://none/').searchParams.get('code');
  if (!code) throw new Error(`no code: ${r.status}`);
  return code;
}

async function redeem(code: string): Promise<{ status: number; body: { error_codes?: number[]; error_description?: string; access_token?: string } }> {
  const r = await fetch(`${base}/${T}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: BRIDGE.appId,
      client_secret: BRIDGE.secret,
      code,
      redirect_uri: BRIDGE.redirectUri,
    }),
  });
  return { status: r.status, body: (await r.json()) as { error_codes?: number[] } };
}

describe('pending authorization codes per tenant', () => {
  it(`issuing ${MAX_PENDING_CODES_PER_TENANT + 300} codes with an 8 KiB nonce keeps at most ${MAX_PENDING_CODES_PER_TENANT} in the store; the newest redeems, the oldest answers AADSTS70008`, async () => {
    const before = ctx.store.size();
    const codes: string[] = [];
    for (let i = 0; i < MAX_PENDING_CODES_PER_TENANT + 300; i++) codes.push(await issueCode());
    expect(ctx.store.size() - before).toBeLessThanOrEqual(MAX_PENDING_CODES_PER_TENANT);
    const newest = await redeem(codes[codes.length - 1]!);
    expect(newest.status).toBe(200);
    expect(newest.body.access_token).toBeTruthy();
    const oldest = await redeem(codes[0]!);
    expect(oldest.status).toBe(400);
    expect(oldest.body.error_codes).toEqual([70008]);
    expect(oldest.body.error_description).toMatch(new RegExp(`^AADSTS70008: ${formatMessage(70008, {}).replace(/[.()]/g, '\\$&')}\r\n`));
  });

  it(`rendering the sign-in page ${MAX_PAGE_TOKENS_PER_TENANT + 300} times keeps at most ${MAX_PAGE_TOKENS_PER_TENANT} page tokens; the newest page still posts`, async () => {
    const before = ctx.store.size();
    let last = '';
    for (let i = 0; i < MAX_PAGE_TOKENS_PER_TENANT + 300; i++) {
      const r = await fetch(`${base}${authorizePath(T, BRIDGE_QUERY)}`);
      last = await r.text();
    }
    expect(ctx.store.size() - before).toBeLessThanOrEqual(MAX_PAGE_TOKENS_PER_TENANT);
    const token = /name="flowToken" value="([^"]+)"/.exec(last)![1]!;
    const r = await fetch(`${base}/${T}/oauth2/v2.0/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...BRIDGE_QUERY, mock_action: 'login', loginfmt: ADELE, flowToken: token }),
    });
    expect(r.status).toBe(302);
  });
});
