import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, BrowserServer } from 'playwright-core';
import { MockControlError, MockEntraControl, startMockEntra, type RunningMockEntra } from '../../mock-idp/src/index.js';
import type { FetchLike } from '../../mock-idp/src/testing.js';
import { connectChromium, launchChromium, launchChromiumServer, newBrowserContext, verifiedSpki } from './drivers/browser.js';
import { startImpersonationServices, type ImpersonationServices } from './impersonation-environment.js';

/**
 * What scenario runs share: one mock (started in-process, or a running one attached with
 * `--idp-url`) and one Chromium. Started once per run — by the vitest global setup, or by
 * `startHarnessEnvironment()` when you drive the engine yourself — and reached from every
 * worker through {@link SharedServicesInfo}.
 */

export interface SharedServicesInfo {
  /** The mock's base URL, e.g. `http://localhost:41234`. */
  idpUrl: string;
  /** PEM of the mock's CA, when the mock is HTTPS. */
  caPem?: string | undefined;
  /** The attached mock's control credential (`Authorization: Bearer`), when it is not a loopback caller's. */
  controlToken?: string | undefined;
  /** Playwright's endpoint of the shared Chromium. */
  browserWsEndpoint: string;
  /** Whether the harness started the mock (false: attached to one started elsewhere). */
  startedMock: boolean;
}

export interface SharedServicesOptions {
  /**
   * Attach to this running mock instead of starting one. Its test-control API must answer us: we
   * are on its loopback, or we send its control credential (`controlToken`; a container's mock).
   */
  idpUrl?: string | undefined;
  /** The attached mock's CA (PEM), when it is HTTPS. */
  caPem?: string | undefined;
  /** The attached mock's control credential: its `--control-token` / MOCK_ENTRA_CONTROL_TOKEN, or the one it printed at start. */
  controlToken?: string | undefined;
  /** Start the in-process mock on HTTPS (Chromium then accepts its verified key). Default: plain HTTP. */
  tls?: boolean | undefined;
}

export interface SharedServices {
  info: SharedServicesInfo;
  close(): Promise<void>;
}

/** Everything a scenario run needs, in one process. */
export interface HarnessEnvironment {
  idpUrl: string;
  caPem: string | undefined;
  control: MockEntraControl;
  /** A fresh browser session (own cookies). Chromium accepts an HTTPS mock's key only (see drivers/browser.ts). */
  newBrowserContext(): Promise<BrowserContext>;
  /**
   * The environment of scenarios declared with `impersonation: true`: a mock of its own in
   * impersonation mode and a Chromium that reaches it under Microsoft's names, started on first
   * use (impersonation-environment.ts). Absent when attached to a running mock (`--idp-url`):
   * such scenarios are then not applicable.
   */
  impersonation?: (() => Promise<HarnessEnvironment>) | undefined;
  /** Set in the impersonating environment: how the bridge reaches Microsoft's names (the mock behind them). */
  microsoftFetch?: FetchLike | undefined;
  close(): Promise<void>;
}

/**
 * Reads the harness's settings from the environment: `MOCK_ENTRA_IDP_URL` (attach), `MOCK_ENTRA_CA`
 * (a PEM file; else `NODE_EXTRA_CA_CERTS` for an https URL), `MOCK_ENTRA_CONTROL_TOKEN` (the
 * attached mock's control credential), `MOCK_ENTRA_SCENARIOS_TLS=1`.
 */
export function sharedServicesOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SharedServicesOptions {
  return sharedServicesOptions(
    {
      idpUrl: env.MOCK_ENTRA_IDP_URL,
      caFile: env.MOCK_ENTRA_CA,
      controlToken: env.MOCK_ENTRA_CONTROL_TOKEN,
      tls: env.MOCK_ENTRA_SCENARIOS_TLS === '1' || env.MOCK_ENTRA_SCENARIOS_TLS === 'true',
    },
    env,
  );
}

/**
 * The mock to run against: attach to `idpUrl` (trusting the CA in `caFile`, else
 * `NODE_EXTRA_CA_CERTS` for an https URL; sending `controlToken` to its test-control API), or
 * start one in-process, over TLS when `tls`.
 */
export function sharedServicesOptions(
  o: { idpUrl?: string | undefined; caFile?: string | undefined; controlToken?: string | undefined; tls?: boolean | undefined },
  env: NodeJS.ProcessEnv = process.env,
): SharedServicesOptions {
  const idpUrl = o.idpUrl?.trim() || undefined;
  const caFile = o.caFile || (idpUrl?.startsWith('https:') ? env.NODE_EXTRA_CA_CERTS : undefined);
  let caPem: string | undefined;
  if (caFile) {
    try {
      caPem = readFileSync(caFile, 'utf8');
    } catch (e) {
      throw new Error(`cannot read the mock's CA certificate ${caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
  }
  return { idpUrl, caPem, controlToken: o.controlToken?.trim() || undefined, tls: o.tls === true };
}

/** Starts (or attaches to) the mock and launches the shared Chromium. */
export async function startSharedServices(o: SharedServicesOptions = {}): Promise<SharedServices> {
  let mock: RunningMockEntra | undefined;
  let idpUrl: string;
  let caPem = o.caPem;
  if (o.idpUrl) {
    idpUrl = o.idpUrl.replace(/\/+$/, '');
    await checkReachable(idpUrl, caPem, o.controlToken);
  } else {
    mock = await startMockEntra({ port: 0, tls: o.tls ?? false });
    idpUrl = mock.url;
    caPem = mock.caPem;
  }
  let server: BrowserServer;
  try {
    server = await launchChromiumServer({ pinnedSpki: await pinsFor(idpUrl, caPem) });
  } catch (e) {
    await mock?.close();
    throw e;
  }
  return {
    info: {
      idpUrl,
      caPem,
      controlToken: mock === undefined ? o.controlToken : undefined,
      browserWsEndpoint: server.wsEndpoint(),
      startedMock: mock !== undefined,
    },
    async close() {
      await Promise.allSettled([server.close(), mock?.close()]);
    },
  };
}

/** Throws, with a hint, when the mock's test-control API cannot be reached (wrong URL, CA or credential, not running). */
export async function checkReachable(idpUrl: string, caPem: string | undefined, controlToken?: string): Promise<void> {
  const control = controlClient(idpUrl, caPem, controlToken);
  try {
    await control.health();
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { cause?: unknown };
    const hint = /self[- ]signed|unable to verify|certificate/i.test(String(err.message))
      ? ` — pass the mock's CA with --ca FILE (or MOCK_ENTRA_CA); \`mock-entra ca\` prints it`
      : err.code === 'ECONNREFUSED'
        ? ' — is the mock running? (`mock-entra serve`)'
        : e instanceof MockControlError && e.status === 401
          ? ' — pass its control credential with --control-token TOKEN (or MOCK_ENTRA_CONTROL_TOKEN)'
          : '';
    throw new Error(`cannot reach the mock's test-control API at ${idpUrl}/_mock/health: ${err.message}${hint}`, { cause: e });
  }
}

/** An HTTPS mock's key, verified against its CA, for Chromium to accept (drivers/browser.ts). */
async function pinsFor(idpUrl: string, caPem: string | undefined): Promise<string[]> {
  if (!idpUrl.startsWith('https:')) return [];
  if (!caPem) return []; // a publicly trusted certificate needs nothing
  return [await verifiedSpki(idpUrl, caPem)];
}

/** The environment of one worker: control client + a connection to the shared Chromium. */
export async function connectHarnessEnvironment(info: SharedServicesInfo): Promise<HarnessEnvironment> {
  const browser = await connectChromium(info.browserWsEndpoint);
  return environment(info.idpUrl, info.caPem, info.controlToken, browser, () => browser.close(), info.startedMock);
}

/**
 * Everything in this process: a mock (or the one at `idpUrl`) and a Chromium of its own. For
 * driving the engine from your own code (`runScenario(scenario, env)`).
 */
export async function startHarnessEnvironment(o: SharedServicesOptions = {}): Promise<HarnessEnvironment> {
  let mock: RunningMockEntra | undefined;
  let idpUrl = o.idpUrl?.replace(/\/+$/, '');
  let caPem = o.caPem;
  if (idpUrl) await checkReachable(idpUrl, caPem, o.controlToken);
  else {
    mock = await startMockEntra({ port: 0, tls: o.tls ?? false });
    idpUrl = mock.url;
    caPem = mock.caPem;
  }
  const browser = await pinsFor(idpUrl, caPem)
    .then((pinnedSpki) => launchChromium({ pinnedSpki }))
    .catch(async (e: unknown) => {
      await mock?.close();
      throw e;
    });
  return environment(
    idpUrl,
    caPem,
    mock === undefined ? o.controlToken : undefined,
    browser,
    async () => {
      await Promise.allSettled([browser.close(), mock?.close()]);
    },
    mock !== undefined,
  );
}

function environment(
  idpUrl: string,
  caPem: string | undefined,
  controlToken: string | undefined,
  browser: Browser,
  close: () => Promise<unknown>,
  canImpersonate: boolean,
): HarnessEnvironment {
  let impersonating: Promise<ImpersonationServices> | undefined;
  return {
    idpUrl,
    caPem,
    control: controlClient(idpUrl, caPem, controlToken),
    newBrowserContext: () => newBrowserContext(browser),
    ...(canImpersonate
      ? {
          impersonation: async () => {
            impersonating ??= startImpersonationServices();
            const s = await impersonating;
            return {
              idpUrl: s.idpUrl,
              caPem: s.caPem,
              control: controlClient(s.idpUrl, s.caPem, undefined),
              newBrowserContext: () => newBrowserContext(s.browser),
              microsoftFetch: s.microsoftFetch,
              close: () => s.close(),
            };
          },
        }
      : {}),
    close: async () => {
      const started = impersonating;
      impersonating = undefined;
      await Promise.allSettled([close(), started?.then((s) => s.close())]);
    },
  };
}

function controlClient(idpUrl: string, caPem: string | undefined, token: string | undefined): MockEntraControl {
  return new MockEntraControl(idpUrl, { ...(caPem ? { ca: caPem } : {}), ...(token ? { token } : {}) });
}
