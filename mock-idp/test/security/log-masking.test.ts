import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskSecretsInText, maskUrl, SECRET_PARAMS } from '../../src/support/secret-params.js';
import { send, serveMock, T, type ServedMock } from './control-support.js';
import { ADELE, authorizePath, BRIDGE, BRIDGE_QUERY, get, hiddenFields, newTenant, postForm } from './sign-in-support.js';

/**
 * Issue 9, item 8: secrets in logs. The request log (GET /_mock/tenants/{id}/requests) and
 * Fastify's logger (`--log`) mask every secret parameter from one list
 * (support/secret-params.ts) — `passwd`, `mock_password` and the pages' `flowToken` included,
 * which the request log missed and `--log` printed whole with `client_secret`. Bodies are logged
 * by neither. Over real HTTP; `--log` through the CLI's stdout.
 */
const PASSWORD = 'S3cret-Passw0rd!';
const MOCK_PASSWORD = 'Mock-Pa55word!';
const PAGE_TOKEN = 'page-token-value-123';
const QUERY_SECRET = 'query-client-secret-456';

describe('the request log', () => {
  let s: ServedMock;
  let tenant: string;
  beforeAll(async () => {
    s = await serveMock();
    tenant = await newTenant(s.port, (f) => {
      f.users = (f.users ?? []).map((u) => (u.userPrincipalName === ADELE ? { ...u, password: PASSWORD } : u));
    });
  });
  afterAll(() => s?.close());

  const log = async (): Promise<Array<{ method: string; url: string; endpoint: string }>> => {
    const r = await send(s.port, 'GET', `/_mock/tenants/${tenant}/requests`);
    expect(r.status).toBe(200);
    return (r.json as { requests: Array<{ method: string; url: string; endpoint: string }> }).requests;
  };

  it('after a form POST sign-in with passwd, and GETs carrying passwd, mock_password, flowToken and client_secret in the query: every value masked', async () => {
    // The sign-in as a browser does it: the page, the account, the password (form POSTs).
    const at = `/${tenant}/oauth2/v2.0/authorize`;
    const page = await get(s.port, authorizePath(tenant, BRIDGE_QUERY));
    const passwordPage = await postForm(s.port, at, [...hiddenFields(page.body), ['loginfmt', ADELE]]);
    expect(passwordPage.body).toContain('Enter password');
    const signedIn = await postForm(s.port, at, [...hiddenFields(passwordPage.body), ['passwd', PASSWORD]]);
    expect(signedIn.status).toBe(302);
    const code = new URL(String(signedIn.headers.location)).searchParams.get('code')!;
    expect(code).toBeTruthy();
    // The same secrets in URLs: a client that puts them in the query, a name percent-encoded.
    await get(
      s.port,
      `${authorizePath(tenant, { ...BRIDGE_QUERY, login_hint: ADELE, mock_login: 'auto', mock_password: MOCK_PASSWORD, passwd: PASSWORD, flowToken: PAGE_TOKEN })}`,
    );
    await send(s.port, 'POST', `/${tenant}/oauth2/v2.0/token?client%5Fsecret=${QUERY_SECRET}&code=${code}`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: BRIDGE.appId,
        client_secret: BRIDGE.secret,
        code,
        redirect_uri: BRIDGE.redirectUri,
      }).toString(),
    });

    const entries = await log();
    const text = JSON.stringify(entries);
    for (const secret of [PASSWORD, MOCK_PASSWORD, PAGE_TOKEN, QUERY_SECRET, BRIDGE.secret, code]) expect(text).not.toContain(secret);
    const authorizeGet = entries.find((e) => e.method === 'GET' && e.url.includes('mock_password'))!;
    expect(authorizeGet.url).toContain('&mock_password=***&passwd=***&flowToken=***');
    expect(authorizeGet.url).toContain(`login_hint=${encodeURIComponent(ADELE)}`); // user names are not secrets
    expect(entries.find((e) => e.endpoint === 'token.v2')!.url).toBe(`/${tenant}/oauth2/v2.0/token?client%5Fsecret=***&code=***`);
    // The form POSTs: their URL has no query, and bodies are never logged.
    expect(entries.filter((e) => e.method === 'POST' && e.endpoint === 'authorize.v2').map((e) => e.url)).toEqual([at, at]);
  });
});

describe('--log (Fastify’s logger, from the CLI)', () => {
  let child: ChildProcess;
  let out = '';
  let port = 0;
  let stateDir: string;
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'mock-entra-log-'));
    child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'serve', '--http', '--port', '0', '--log', '--state-dir', stateDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const end = Date.now() + 30_000;
    while (!/serving http:\/\/localhost:(\d+)/.test(out) && Date.now() < end && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    port = Number(/serving http:\/\/localhost:(\d+)/.exec(out)?.[1]);
  }, 60_000);
  afterAll(async () => {
    child?.kill('SIGTERM');
    await rm(stateDir, { recursive: true, force: true });
  });

  it('is listed in --help', async () => {
    const help = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'serve', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    help.stdout.on('data', (d: Buffer) => (text += d.toString()));
    await new Promise((r) => help.on('exit', r));
    expect(text).toMatch(/^ {6}--log +request log on stdout \(Fastify's; secrets masked\) +\[MOCK_ENTRA_LOG=1\]$/m);
  }, 60_000);

  it('logs a token request with client_secret in the query and an authorize GET with passwd and mock_password, with no secret value', async () => {
    expect(port).toBeGreaterThan(0);
    const token = await send(port, 'POST', `/${T}/oauth2/v2.0/token?client_secret=${QUERY_SECRET}`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: BRIDGE.appId,
        client_secret: BRIDGE.secret,
        scope: 'https://graph.microsoft.com/.default',
      }).toString(),
    });
    expect(token.status).toBe(200);
    await send(port, 'GET', authorizePath(T, { ...BRIDGE_QUERY, login_hint: ADELE, passwd: PASSWORD, mock_password: MOCK_PASSWORD }));
    const end = Date.now() + 20_000;
    while ((out.match(/"statusCode"/g) ?? []).length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    // The requests were logged (Fastify's "incoming request" lines), with the URL's secrets masked…
    expect(out).toContain(`"url":"/${T}/oauth2/v2.0/token?client_secret=***"`);
    expect(out).toMatch(/"url":"\/[^"]+\/authorize\?[^"]*&passwd=\*\*\*&mock_password=\*\*\*"/);
    // …and no log line holds a secret value: not the query's, not the body's, not the token
    // answered. (The banner above the log prints the default tenant's documented dev secrets.)
    const logLines = out.split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThanOrEqual(4);
    const accessToken = (token.json as { access_token: string }).access_token;
    expect(accessToken).toMatch(/^ey/);
    for (const secret of [QUERY_SECRET, PASSWORD, MOCK_PASSWORD, BRIDGE.secret, accessToken]) expect(logLines.join('\n')).not.toContain(secret);
  });
});

describe('the one list', () => {
  it('masks every listed parameter, in the query and the fragment, by its decoded name in any case, and nothing else', () => {
    for (const name of SECRET_PARAMS) expect(maskUrl(`/p?a=1&${name}=v&b=2`), name).toBe(`/p?a=1&${name}=***&b=2`);
    expect(maskUrl('/cb#code=abc&state=s&id_token=ey.x.y')).toBe('/cb#code=***&state=s&id_token=***');
    expect(maskUrl('/p?PASSWD=x&client%5fsecret=y&pass+wd=z&login_hint=adele%40contoso.com')).toBe(
      '/p?PASSWD=***&client%5fsecret=***&pass+wd=z&login_hint=adele%40contoso.com',
    );
    expect(maskUrl('/p?code&state=1')).toBe('/p?code&state=1');
    expect(maskSecretsInText('Route GET:/x?passwd=hunter2&y=1 not found "url":"/t?client_secret=s"')).toBe(
      'Route GET:/x?passwd=***&y=1 not found "url":"/t?client_secret=***"',
    );
  });
});
