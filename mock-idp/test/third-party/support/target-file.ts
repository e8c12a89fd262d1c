import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { RE2JS } from 're2js';
import { parse as parseYaml } from 'yaml';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../../src/index.js';
import { CHROMIUM_ARGS, findChromium, verifiedSpki } from '../../../src/testing.js';
import type { Application } from '../../../src/directory/model.js';
import { cloneContoso, type ClonedTenant } from '../../support/real-clients.js';
import { freePort } from '../../support/free-port.js';

/**
 * Proves a conformance target file (examples/targets/<x>/target.yaml, README "Conformance mode")
 * by hand, independently of the harness's engine (mock-idp's tests may not import harness/):
 * the file is read with the `yaml` package and used exactly as written — its `app` added to a
 * fresh copy of Contoso, its `${VAR}`s substituted with that tenant's values, `managed.command`
 * started with `managed.env` in `managed.cwd`, `ready` awaited, a person's sign-in from
 * `signIn` in Chromium, and the `signedIn` checks evaluated as the format defines them.
 */

/** The part of a target file these tests read (fixtures/target.schema.json has it all). */
export interface TargetFile {
  name: string;
  library?: string;
  app: Application;
  user?: string;
  attached?: { url: string; tenantId: string; domain?: string; restart?: { command: string | string[] } };
  managed: { command: string | string[]; cwd?: string; env?: Record<string, string>; url?: string };
  ready?: { path?: string; timeoutSeconds?: number };
  signIn: { path: string; click?: string };
  signedIn: { url?: string; selector?: string; text?: string; identity?: { path: string } };
  refusal?: { serverErrorIsRefusal?: string };
}

export interface LoadedTargetFile {
  target: TargetFile;
  /** The file's folder, absolute: TARGET_DIR. */
  dir: string;
}

export async function loadTargetFile(file: string): Promise<LoadedTargetFile> {
  const target = parseYaml(await readFile(file, 'utf8')) as TargetFile;
  return { target, dir: dirname(resolve(file)) };
}

export type Variables = Record<string, string>;

/** Replaces every `${VAR}`; a name that is not a variable fails the test (the engine refuses it too). */
export function substitute(s: string, vars: Variables): string {
  return s.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`\${${name}} is not a target variable`);
    return value;
  });
}

export interface TargetTenant {
  tenant: ClonedTenant;
  /** The user who signs in, in this tenant's domain. */
  upn: string;
}

/**
 * A copy of Contoso with the target's `app` registered in it as written (its own appId). The
 * user's Contoso domain is mapped to the copy's, as scenarios do.
 */
export async function createTargetTenant(mock: RunningMockEntra, target: TargetFile): Promise<TargetTenant> {
  const tenant = await cloneContoso(mock.control, (f) => {
    (f.applications ??= []).push(structuredClone(target.app));
  });
  const upn = (target.user ?? CONTOSO.users.adele.upn).replace(/@contoso\.onmicrosoft\.com$/i, `@${tenant.domain}`);
  return { tenant, upn };
}

/** The variables of a managed instance (README "Conformance mode"), for `tenant` and `port`. */
export function managedVariables(mock: RunningMockEntra, loaded: LoadedTargetFile, tenant: ClonedTenant, port: number, runDir: string): Variables {
  const { target, dir } = loaded;
  const authority = `${mock.url}/${tenant.tenantId}/v2.0`;
  const now = Date.now();
  const secret = target.app.passwordCredentials?.find((c) => c.secretText && (!c.endDateTime || Date.parse(c.endDateTime) > now))?.secretText ?? '';
  const vars: Variables = {
    MOCK_ENTRA_URL: mock.url,
    MOCK_ENTRA_TENANT_ID: tenant.tenantId,
    MOCK_ENTRA_DOMAIN: tenant.domain,
    MOCK_ENTRA_AUTHORITY: authority,
    MOCK_ENTRA_DISCOVERY_URL: `${authority}/.well-known/openid-configuration`,
    MOCK_ENTRA_ISSUER: authority,
    MOCK_ENTRA_CLIENT_ID: target.app.appId,
    MOCK_ENTRA_CLIENT_SECRET: secret,
    MOCK_ENTRA_CA_FILE: mock.caPath ?? '',
    PORT: String(port),
    TARGET_DIR: dir,
    RUN_DIR: runDir,
  };
  vars.TARGET_URL = substitute(target.managed.url ?? 'http://localhost:${PORT}', vars).replace(/\/$/, '');
  return vars;
}

export interface RunningTarget {
  /** TARGET_URL: the app's base URL. */
  url: string;
  vars: Variables;
  /** The app's stdout and stderr so far. */
  output(): string;
  /** Whether the process has exited (a crash is never a refusal). */
  exited(): boolean;
  close(): Promise<void>;
}

/** Starts `managed.command` as the file says, for `tenant`, and waits for `ready`. */
export async function startManagedTarget(mock: RunningMockEntra, loaded: LoadedTargetFile, tenant: ClonedTenant): Promise<RunningTarget> {
  const { target, dir } = loaded;
  const runDir = await mkdtemp(join(tmpdir(), `mock-entra-target-${target.name}-`));
  const vars = managedVariables(mock, loaded, tenant, await freePort(), runDir);
  const env = { ...process.env, ...Object.fromEntries(Object.entries(target.managed.env ?? {}).map(([k, v]) => [k, substitute(v, vars)])) };
  const cwd = resolve(dir, substitute(target.managed.cwd ?? '.', vars));
  const command = target.managed.command;
  const [file, ...args] = typeof command === 'string' ? ['/bin/sh', '-c', substitute(command, vars)] : command.map((c) => substitute(c, vars));
  if (!file) throw new Error(`${target.name}: managed.command is empty`);
  let output = '';
  const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const close = async () => {
    if (!exited()) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await rm(runDir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(target, vars.TARGET_URL!, exited, () => output);
  } catch (e) {
    await close();
    throw e;
  }
  return { url: vars.TARGET_URL!, vars, output: () => output, exited, close };
}

/** `ready.path` answering below 500, or (without `ready.path`) a TCP connection to the url's port. */
async function waitUntilReady(target: TargetFile, url: string, exited: () => boolean, output: () => string): Promise<void> {
  const deadline = Date.now() + (target.ready?.timeoutSeconds ?? 30) * 1000;
  const { hostname, port } = new URL(url);
  for (;;) {
    if (exited()) throw new Error(`${target.name} exited before it was ready:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`${target.name} was not ready within ${target.ready?.timeoutSeconds ?? 30} s:\n${output()}`);
    const up =
      target.ready?.path !== undefined
        ? await fetch(new URL(target.ready.path, url), { redirect: 'manual' }).then(
            (r) => r.status < 500,
            () => false,
          )
        : await new Promise<boolean>((done) => {
            const socket = createConnection({ host: hostname === 'localhost' ? '127.0.0.1' : hostname, port: Number(port) }, () => {
              socket.end();
              done(true);
            });
            socket.on('error', () => done(false));
          });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A person's sign-in: opens `signIn.path`, clicks `signIn.click` if given, types the sign-in name
 * on the mock's page, Next, accepts the consent page if one comes (the target's app is new in
 * the tenant: nobody consented yet), and waits until the browser is back at the app and its
 * network is quiet.
 */
export async function signInAsPerson(page: Page, mock: RunningMockEntra, loaded: LoadedTargetFile, app: RunningTarget, upn: string): Promise<void> {
  const { signIn } = loaded.target;
  const appOrigin = new URL(app.url).origin;
  await page.goto(new URL(substitute(signIn.path, app.vars), `${app.url}/`).href);
  if (signIn.click) await page.click(substitute(signIn.click, app.vars));
  await page.waitForURL((u) => u.origin === mock.url);
  await page.fill('input[name="loginfmt"]:not([type="hidden"])', upn);
  await page.click('#idSIButton9');
  await page.waitForURL((u) => u.origin === appOrigin || (u.origin === mock.url && u.pathname.endsWith('/authorize')));
  if (new URL(page.url()).origin === mock.url && (await page.$('button[name="consent"][value="accept"]'))) {
    await page.click('#idSIButton9');
  }
  await page.waitForURL((u) => u.origin === appOrigin);
  await page.waitForLoadState('networkidle');
}

/** Each `signedIn` check the file gives, evaluated on the page the sign-in ended on. */
export interface SignedInChecks {
  url?: boolean;
  selector?: boolean;
  text?: boolean;
  identity?: { status: number; json: unknown };
}

export async function evaluateSignedIn(page: Page, loaded: LoadedTargetFile, app: RunningTarget): Promise<SignedInChecks> {
  const s = loaded.target.signedIn;
  const checks: SignedInChecks = {};
  const final = new URL(page.url());
  if (s.url !== undefined)
    checks.url = RE2JS.compile(substitute(s.url, app.vars))
      .matcher(final.pathname + final.search)
      .find();
  if (s.selector !== undefined) checks.selector = (await page.$(substitute(s.selector, app.vars))) !== null;
  if (s.text !== undefined) checks.text = ((await page.textContent('body')) ?? '').includes(substitute(s.text, app.vars));
  if (s.identity !== undefined) {
    // With the browser's cookies, no redirects followed: a signed-out app sends the browser away.
    const r = await page.request.get(new URL(substitute(s.identity.path, app.vars), `${app.url}/`).href, { maxRedirects: 0 });
    const text = await r.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    checks.identity = { status: r.status(), json };
  }
  return checks;
}

/** One HTTPS mock and one Chromium (the mock's certificate key pinned) for a test file. */
export interface TargetTestBed {
  mock: RunningMockEntra;
  browser: Browser;
  close(): Promise<void>;
}

export async function startTargetTestBed(): Promise<TargetTestBed> {
  const stateDir = await mkdtemp(join(tmpdir(), 'mock-entra-target-state-'));
  const mock = await startMockEntra({ port: 0, tls: true, stateDir });
  if (!mock.caPem) throw new Error('the mock runs on HTTPS here');
  // Node verifies the mock's certificate against its CA; Chromium then accepts exactly that key.
  const pin = await verifiedSpki(mock.url, mock.caPem);
  const executablePath = findChromium();
  const browser = await chromium.launch({
    ...(executablePath ? { executablePath } : {}),
    headless: true,
    args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${pin}`],
  });
  return {
    mock,
    browser,
    close: async () => {
      await browser.close();
      await mock.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export interface TargetSignIn {
  tenant: ClonedTenant;
  upn: string;
  app: RunningTarget;
  page: Page;
  checks: SignedInChecks;
  /** Every top-level navigation's response: status and URL (the app's refusal page among them). */
  navigations: { status: number; url: string }[];
  /** The tenant's request log: method, endpoint, status, mutations applied. */
  wire: string[];
  close(): Promise<void>;
}

/**
 * The whole proof of one sign-in: a fresh tenant for the target (with `mutation` queued for its
 * next ID token), the app started as `managed` says, a new browser context signing in as a person
 * would, and the `signedIn` checks evaluated where the browser ended.
 */
export async function signInToTarget(bed: TargetTestBed, loaded: LoadedTargetFile, mutation?: string): Promise<TargetSignIn> {
  const { mock, browser } = bed;
  const { tenant, upn } = await createTargetTenant(mock, loaded.target);
  if (mutation) await mock.control.addMutation(tenant.tenantId, { target: 'id_token', kind: mutation, clientId: loaded.target.app.appId });
  const app = await startManagedTarget(mock, loaded, tenant);
  const context = await browser.newContext({ ignoreHTTPSErrors: false });
  const close = async () => {
    await context.close();
    await app.close();
    await mock.control.deleteTenant(tenant.tenantId);
  };
  try {
    const page = await context.newPage();
    const navigations: { status: number; url: string }[] = [];
    page.on('response', (r: Response) => {
      if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) navigations.push({ status: r.status(), url: r.url() });
    });
    await signInAsPerson(page, mock, loaded, app, upn);
    const checks = await evaluateSignedIn(page, loaded, app);
    const log = await mock.control.requests(tenant.tenantId);
    const wire = log.map((e) => [e.method, e.endpoint, e.status, (e.mutation ?? []).map((m) => m.kind).join(',') || '-'].join(' '));
    return { tenant, upn, app, page, checks, navigations, wire, close };
  } catch (e) {
    await close();
    throw e;
  }
}
