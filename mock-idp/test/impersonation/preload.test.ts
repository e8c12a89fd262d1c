import { execFile as execFileCb } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { PACKAGE_ROOT } from '../../src/support/package-root.js';

/**
 * The preload (`NODE_OPTIONS="--import mock-entra/impersonate"`) in a child process whose code
 * has no idea of the mock: MSAL Node and @azure/identity as a deployment would call them. The
 * package export points at the built file; here the same module runs from source (through tsx).
 */
const execFile = promisify(execFileCb);
const PRELOAD = fileURLToPath(new URL('../../src/impersonation/preload.ts', import.meta.url));
const TID = CONTOSO.tenantId;
const { bridge } = CONTOSO;

let mock: RunningMockEntra;

beforeAll(async () => {
  mock = await startMockEntra({ port: 0, impersonate: true });
});

afterAll(async () => {
  await mock?.close();
});

/** Runs `code` (an ES module) in a child Node with the preload, as NODE_OPTIONS would give it. */
async function run(code: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const out = await execFile(process.execPath, ['--input-type=module', '-e', code], {
      cwd: PACKAGE_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_OPTIONS: `--import tsx --import ${PRELOAD}`, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

describe('the preload (mock-entra/impersonate)', () => {
  it('routes an unmodified MSAL Node and @azure/identity to the mock', async () => {
    const code = `
      import { ConfidentialClientApplication } from '@azure/msal-node';
      import { ClientSecretCredential } from '@azure/identity';
      const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
      const msal = new ConfidentialClientApplication({ auth: { clientId: '${bridge.appId}', clientSecret: '${bridge.secret}', authority: 'https://login.microsoftonline.com/${TID}' } });
      const a = await msal.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
      const b = await new ClientSecretCredential('${TID}', '${bridge.appId}', '${bridge.secret}').getToken('https://graph.microsoft.com/.default');
      console.log(JSON.stringify([claims(a.accessToken).iss, claims(b.token).iss, claims(b.token).appid]));
    `;
    const out = await run(code, { MOCK_ENTRA_URL: mock.url, MOCK_ENTRA_CA: mock.impersonation!.caPath });
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual([`https://sts.windows.net/${TID}/`, `https://sts.windows.net/${TID}/`, bridge.appId]);
  });

  it('finds the CA in the state directory when MOCK_ENTRA_CA is not set', async () => {
    const out = await run(
      `console.log((await fetch('https://login.microsoftonline.com/${TID}/v2.0/.well-known/openid-configuration').then((r) => r.json())).issuer)`,
      {
        MOCK_ENTRA_URL: mock.url,
        MOCK_ENTRA_STATE_DIR: mock.impersonation!.caPath.replace(/\/impersonation-ca-cert\.pem$/, ''),
      },
    );
    expect(out.stdout.trim()).toBe(`https://login.microsoftonline.com/${TID}/v2.0`);
  });

  it('stops the process with a clear message when the mock is not there', async () => {
    const out = await run('console.log("ran")', { MOCK_ENTRA_URL: 'https://127.0.0.1:1', MOCK_ENTRA_CA: mock.impersonation!.caPath });
    expect(out).toEqual({
      code: 1,
      stdout: '',
      stderr: 'mock-entra/impersonate: the mock is not reachable at https://127.0.0.1:1 (ECONNREFUSED): start it with "mock-entra serve --impersonate"\n',
    });
  });

  it('says what is missing without MOCK_ENTRA_URL, and without a CA file', async () => {
    expect(await run('console.log("ran")', {})).toEqual({
      code: 1,
      stdout: '',
      stderr: 'mock-entra/impersonate: set MOCK_ENTRA_URL to the mock\'s URL (e.g. https://localhost:8443, as "mock-entra serve --impersonate" prints it)\n',
    });
    expect(await run('console.log("ran")', { MOCK_ENTRA_URL: mock.url, MOCK_ENTRA_CA: '/nonexistent/ca.pem' })).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'mock-entra/impersonate: no impersonation CA at /nonexistent/ca.pem: start the mock with --impersonate (it writes the file), or set MOCK_ENTRA_CA to its CA file\n',
    });
  });
});
