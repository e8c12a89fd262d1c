import { mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockEntra, type RunningMockEntra } from '../../mock-idp/src/index.js';
import { checkReachable, sharedServicesOptions, sharedServicesOptionsFromEnv } from '../src/environment.js';

/**
 * The harness attached to a mock it is not a loopback caller of (`--idp-url` + `--control-token`,
 * issue 14 §1): a mock listening on every interface, reached at this machine's external address,
 * as the test runner reaches a container's mock.
 */

const external = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

describe.skipIf(!external)('attaching to a mock beyond loopback', () => {
  let mock: RunningMockEntra;
  let url: string;
  let stateDir: string;
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'mock-entra-attach-'));
    mock = await startMockEntra({ host: '0.0.0.0', port: 0, tls: false, stateDir });
    url = `http://${external!}:${new URL(mock.url).port}`;
  });
  afterAll(async () => {
    await mock?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('reaches its test-control API with the control credential', async () => {
    await expect(checkReachable(url, undefined, mock.controlToken!.value)).resolves.toBeUndefined();
  });

  it('says to pass --control-token when it has none', async () => {
    await expect(checkReachable(url, undefined)).rejects.toThrow(
      `cannot reach the mock's test-control API at ${url}/_mock/health: mock-entra control API answered 401: {"error":{"code":"InvalidControlToken","message":"The test-control API answers callers beyond loopback with the control credential only: send Authorization: Bearer <the token the mock was started with, --control-token or MOCK_ENTRA_CONTROL_TOKEN, or the one it printed at start>."}} — pass its control credential with --control-token TOKEN (or MOCK_ENTRA_CONTROL_TOKEN)`,
    );
  });

  it('takes the credential from --control-token or MOCK_ENTRA_CONTROL_TOKEN (blank is none)', () => {
    expect(sharedServicesOptions({ idpUrl: url, controlToken: ' t0k3n ' })).toEqual({ idpUrl: url, caPem: undefined, controlToken: 't0k3n', tls: false });
    expect(sharedServicesOptionsFromEnv({ MOCK_ENTRA_IDP_URL: url, MOCK_ENTRA_CONTROL_TOKEN: 'from-env' }).controlToken).toBe('from-env');
    expect(sharedServicesOptionsFromEnv({ MOCK_ENTRA_IDP_URL: url, MOCK_ENTRA_CONTROL_TOKEN: '' }).controlToken).toBeUndefined();
  });
});
