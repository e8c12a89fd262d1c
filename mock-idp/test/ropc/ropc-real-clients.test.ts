import { execFile as execFileCb, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PublicClientApplication } from '@azure/msal-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantFixture } from '../../src/directory/model.js';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { msalNetworkClient, trustingFetch } from '../../src/testing.js';
import { decodeJwtPart } from '../support/real-clients.js';
import { ALEX_PASSWORD, CLI_APP_ID, GRAPH, MEGAN_PASSWORD, ropcTenant } from './ropc-fixture.js';

/**
 * ROPC with real clients: MSAL Node's PublicClientApplication.acquireTokenByUsernamePassword and
 * MSAL for Python's acquire_token_by_username_password (Debian's python3-msal), unmodified,
 * against a mock on HTTPS. Both see Megan's tokens, and both surface per-user MFA as the
 * interaction-required error Entra's AADSTS50076 / basic_action is to them.
 */

const execFile = promisify(execFileCb);
const PYTHON = '/usr/bin/python3';
const hasMsal = spawnSync(PYTHON, ['-c', 'import msal'], { stdio: 'ignore' }).status === 0;
const { megan, alex } = CONTOSO.users;

let mock: RunningMockEntra;
let tid: string;
let work: string;

beforeAll(async () => {
  mock = await startMockEntra({ port: 0 });
  const base = (await mock.control.getTenant(CONTOSO.tenantId)).fixture as TenantFixture;
  const f = ropcTenant(base);
  await mock.control.createTenant(f);
  tid = f.id;
  work = mkdtempSync(join(tmpdir(), 'mock-entra-ropc-'));
});
afterAll(async () => {
  await mock?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

function msalApp(): PublicClientApplication {
  return new PublicClientApplication({
    auth: { clientId: CLI_APP_ID, authority: `${mock.url}/${tid}`, knownAuthorities: [new URL(mock.url).host] },
    system: { networkClient: msalNetworkClient(trustingFetch(mock.caPem!)) },
  });
}

describe('MSAL Node: acquireTokenByUsernamePassword', () => {
  it("Megan's tokens: a Graph access token and her account in the cache", async () => {
    const result = await msalApp().acquireTokenByUsernamePassword({ scopes: ['User.Read'], username: megan.upn, password: MEGAN_PASSWORD });
    expect(result?.account?.username).toBe(megan.upn);
    expect(result?.account?.homeAccountId).toBe(`${megan.id}.${tid}`);
    expect(result?.tenantId).toBe(tid);
    expect(result?.idTokenClaims).toMatchObject({ aud: CLI_APP_ID, tid, oid: megan.id, iss: `${mock.url}/${tid}/v2.0` });
    expect(decodeJwtPart(result!.accessToken, 1)).toMatchObject({ aud: GRAPH, tid, upn: megan.upn, appid: CLI_APP_ID, scp: 'email openid profile User.Read' });
  });

  it('a wrong password: ServerError invalid_grant AADSTS50126', async () => {
    const err = await msalApp()
      .acquireTokenByUsernamePassword({ scopes: ['User.Read'], username: megan.upn, password: 'Winter2024!' })
      .then(
        () => undefined,
        (e: unknown) => e as { name: string; errorCode: string; errorMessage: string },
      );
    expect([err?.name, err?.errorCode]).toEqual(['ServerError', 'invalid_grant']);
    expect(err?.errorMessage).toContain('AADSTS50126: Error validating credentials due to invalid username or password.');
  });

  it("per-user MFA: MSAL's InteractionRequiredAuthError with subError basic_action", async () => {
    const err = await msalApp()
      .acquireTokenByUsernamePassword({ scopes: ['User.Read'], username: alex.upn, password: ALEX_PASSWORD })
      .then(
        () => undefined,
        (e: unknown) => e as { name: string; errorCode: string; subError: string; errorMessage: string },
      );
    expect([err?.name, err?.errorCode, err?.subError]).toEqual(['InteractionRequiredAuthError', 'invalid_grant', 'basic_action']);
    expect(err?.errorMessage).toContain(
      `AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${GRAPH}'.`,
    );
  });
});

describe.skipIf(!hasMsal && process.env.CI !== 'true')('MSAL for Python: acquire_token_by_username_password (python3-msal)', () => {
  async function python(username: string, password: string): Promise<Record<string, unknown>> {
    const file = join(work, 'ropc.py');
    writeFileSync(
      file,
      `import json, sys, msal, requests
from urllib.parse import urlsplit

# MSAL for Python asks /common/userrealm/{username} on the authority's host name without its
# port (msal/authority.py user_realm_discovery: "https://{netloc}/..." with netloc = hostname).
# A mock on a port of its own needs that one request sent to the port: a requests adapter on
# MSAL's documented http_client does it; every other request goes out as MSAL builds it.
port = urlsplit(sys.argv[2]).port
class AuthorityPort(requests.adapters.HTTPAdapter):
    def send(self, request, **kwargs):
        request.url = request.url.replace("https://localhost/", "https://localhost:%d/" % port, 1)
        return super().send(request, **kwargs)
session = requests.Session()
session.verify = sys.argv[3]
session.mount("https://localhost/", AuthorityPort())
app = msal.PublicClientApplication(sys.argv[1], authority=sys.argv[2], instance_discovery=False, http_client=session)
result = app.acquire_token_by_username_password(sys.argv[4], sys.argv[5], scopes=["User.Read"])
print(json.dumps({k: result.get(k) for k in ("access_token", "error", "error_description", "error_codes", "suberror", "id_token_claims")}))
`,
    );
    const { REQUESTS_CA_BUNDLE: _r, CURL_CA_BUNDLE: _c, ...env } = process.env;
    const { stdout } = await execFile(PYTHON, [file, CLI_APP_ID, `${mock.url}/${tid}`, mock.caPath!, username, password], { env });
    return JSON.parse(stdout.trim()) as Record<string, unknown>;
  }

  it("Megan's Graph token", async () => {
    const r = await python(megan.upn, MEGAN_PASSWORD);
    expect(r.error).toBeNull();
    expect(decodeJwtPart(String(r.access_token), 1)).toMatchObject({ aud: GRAPH, tid, upn: megan.upn, appid: CLI_APP_ID });
    expect(r.id_token_claims).toMatchObject({ aud: CLI_APP_ID, tid, oid: megan.id });
  });

  it('a wrong password and per-user MFA: the error fields as Entra sends them', async () => {
    const wrong = await python(megan.upn, 'Winter2024!');
    expect([wrong.error, wrong.error_codes, String(wrong.error_description).split('\r\n')[0]]).toEqual([
      'invalid_grant',
      [50126],
      'AADSTS50126: Error validating credentials due to invalid username or password.',
    ]);
    const mfa = await python(alex.upn, ALEX_PASSWORD);
    expect([mfa.error, mfa.error_codes, mfa.suberror]).toEqual(['invalid_grant', [50076], 'basic_action']);
  });
});
