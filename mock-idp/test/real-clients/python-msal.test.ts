import { execFile as execFileCb, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { decodeJwtPart } from '../support/real-clients.js';

/**
 * The README's Python recipe, run by MSAL for Python (Debian's python3-msal, 1.21, with Debian's
 * /usr/bin/python3): its code block, taken from README.md, with only the mock's origin and CA
 * file put in. It proves what the recipe says: `instance_discovery=False` or the mock's own
 * instance discovery URL; `verify` with the CA file; and that `requests` lets REQUESTS_CA_BUNDLE
 * (and CURL_CA_BUNDLE) win over `verify` — the system bundle there fails the call, the mock's CA
 * there makes it work whatever `verify` says.
 *
 * Skipped when python3-msal is missing (`scripts/ensure-test-packages.mjs` installs it as root);
 * under CI=true it runs and fails instead, so CI never passes without it.
 */
const execFile = promisify(execFileCb);
const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const PYTHON = '/usr/bin/python3';
const hasMsal = spawnSync(PYTHON, ['-c', 'import msal'], { stdio: 'ignore' }).status === 0;
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

const PYTHON_BLOCK = (() => {
  const found = [...README.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.includes('msal.ConfidentialClientApplication('));
  if (found.length !== 1) throw new Error(`README: ${found.length} python blocks with msal.ConfidentialClientApplication(`);
  return found[0]!;
})();

let mock: RunningMockEntra;
let work: string;

beforeAll(async () => {
  mock = await startMockEntra({ port: 0 });
  work = mkdtempSync(join(tmpdir(), 'mock-entra-python-'));
});
afterAll(async () => {
  await mock?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * Runs the README's block (after `change`) and prints the token's claims or the exception.
 * The CA variables of this machine are removed unless `env` sets them.
 */
async function runRecipe(change: (code: string) => string, env: Record<string, string> = {}): Promise<{ claims?: Record<string, unknown>; error?: string }> {
  const code = change(PYTHON_BLOCK.replaceAll('https://localhost:8443', mock.url).replace('/root/.local/state/mock-entra/ca-cert.pem', mock.caPath!));
  const file = join(work, 'recipe.py');
  writeFileSync(
    file,
    `import json, sys
try:
${code
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
    print(json.dumps({"token": result.get("access_token"), "error": result.get("error")}))
except Exception as e:
    print(json.dumps({"exception": type(e).__name__ + ": " + str(e)}))
`,
  );
  const { REQUESTS_CA_BUNDLE: _r, CURL_CA_BUNDLE: _c, ...inherited } = process.env;
  const { stdout } = await execFile(PYTHON, [file], { env: { ...inherited, ...env } });
  const out = JSON.parse(stdout.trim()) as { token?: string; error?: string; exception?: string };
  if (out.exception) return { error: out.exception };
  if (out.error) return { error: out.error };
  return { claims: decodeJwtPart(out.token!, 1) };
}

const APP_TOKEN = { aud: 'https://graph.microsoft.com', tid: CONTOSO.tenantId, appid: CONTOSO.ingestion.appId, idtyp: 'app' };
const pick = (claims: Record<string, unknown> | undefined) => claims && { aud: claims.aud, tid: claims.tid, appid: claims.appid, idtyp: claims.idtyp };

describe.skipIf(!hasMsal && process.env.CI !== 'true')('MSAL for Python, as the README configures it (python3-msal)', () => {
  it('instance_discovery=False and verify=<the CA file>: an app-only Graph token', async () => {
    const r = await runRecipe((code) => code);
    expect(r.error).toBeUndefined();
    expect(pick(r.claims)).toEqual(APP_TOKEN);
  }, 60_000);

  it('or the mock’s own instance discovery URL (the commented alternative)', async () => {
    const r = await runRecipe((code) => {
      const alternative = /instance_discovery=False,\s+# or "([^"]+)"/.exec(code)![1]!;
      expect(alternative).toBe(`${mock.url}/common/discovery/instance`);
      return code.replace('instance_discovery=False,', `instance_discovery=${JSON.stringify(alternative)},`);
    });
    expect(pick(r.claims)).toEqual(APP_TOKEN);
  }, 60_000);

  it('REQUESTS_CA_BUNDLE (and CURL_CA_BUNDLE) win over verify: the system bundle there fails the call', async () => {
    for (const name of ['REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE']) {
      const r = await runRecipe((code) => code, { [name]: SYSTEM_BUNDLE });
      expect(r.claims, name).toBeUndefined();
      expect(r.error, name).toMatch(/^SSLError: .*CERTIFICATE_VERIFY_FAILED/);
    }
  }, 60_000);

  it('…and the mock’s CA there makes the call work even when verify names another bundle', async () => {
    const r = await runRecipe(
      (code) => {
        expect(code).toContain(`verify=${JSON.stringify(mock.caPath)}`);
        return code.replace(`verify=${JSON.stringify(mock.caPath)}`, `verify=${JSON.stringify(SYSTEM_BUNDLE)}`);
      },
      {
        REQUESTS_CA_BUNDLE: mock.caPath!,
      },
    );
    expect(pick(r.claims)).toEqual(APP_TOKEN);
  }, 60_000);
});
