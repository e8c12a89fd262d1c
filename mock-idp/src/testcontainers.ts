import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { AbstractStartedContainer, GenericContainer, ImageName, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { MockEntraControl, type TenantInfo } from './control-client.js';
import { fixtureToJson } from './directory/fixture-json.js';
import { loadFixtureFile, resolveFixture } from './directory/load-fixture.js';
import type { FixtureDocument, FixtureSource } from './directory/model.js';
import { PACKAGE_ROOT } from './support/package-root.js';
import { trustingFetch, type FetchLike } from './testing/trusting-fetch.js';
import { registryCaPem } from './testcontainers/registry-ca.js';

/**
 * `mock-entra/testcontainers`: the mock's container image as a testcontainers module, in the
 * style of the official ones (`new PostgreSqlContainer().withDatabase(…).start()`).
 * testcontainers (12.0.1; 12.2 crashes on Node 20) is an optional peer dependency: only this
 * entry imports it, `mock-entra` itself starts without it.
 *
 * It runs the image `mock-entra:<this package's version>` when the Docker daemon has it, and
 * otherwise builds it first from the Dockerfile shipped in the package (no image is published to a
 * registry yet). The started container publishes the mock on a free port of the Docker host and
 * is configured with that address as its public URL, so discovery, issuers and redirects work from
 * the test process; its CA, read from the container, and its control credential come with it.
 *
 * On machines that cannot pull images (README, "Run in a container / in CI"): testcontainers
 * needs TESTCONTAINERS_RYUK_DISABLED=true and TESTCONTAINERS_HOST_OVERRIDE=localhost there.
 *
 * @example
 * const mock = await new MockEntraContainer().withFixture('fixtures/acme.yaml').start();
 * const config = await client.discovery(new URL(mock.authority() + '/v2.0'), clientId, secret, undefined,
 *   { [client.customFetch]: mock.fetch });
 * await mock.control.advanceClock(mock.tenants[0]!.id, 3600);
 * await mock.stop();
 */

const PACKAGE_VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The image this package's version runs: `mock-entra:0.1.0`. */
export const MOCK_ENTRA_IMAGE = `mock-entra:${PACKAGE_VERSION}`;

/** The port the mock listens on in the image (its Dockerfile's MOCK_ENTRA_PORT and EXPOSE). */
export const MOCK_ENTRA_CONTAINER_PORT = 8443;

/** Where the image keeps its state (Dockerfile: MOCK_ENTRA_STATE_DIR); the CA certificate is read from there. */
const STATE_DIR = '/var/lib/mock-entra';

/** What the mock prints once it listens (server.ts startBanner): the container is ready then. */
const READY_LINE = 'mock-entra is serving';

export class MockEntraContainer extends GenericContainer {
  private readonly fixtures: Array<string | FixtureDocument | FixtureSource> = [];
  private controlToken: string | undefined;

  constructor(image = MOCK_ENTRA_IMAGE) {
    super(image);
    this.withWaitStrategy(Wait.forLogMessage(READY_LINE)).withStartupTimeout(120_000);
  }

  /**
   * A fixture to serve instead of the shipped Contoso tenant (repeatable): a file (YAML or JSON;
   * its `extends` of other files are followed on this machine) or a document (it may `extends:
   * contoso` and `generate`). Both are resolved and validated by `start()` before any container
   * starts — a bad one is a FixtureError listing every issue, not a container that never gets
   * ready — and handed to the container as resolved JSON.
   */
  withFixture(fixture: string | FixtureDocument | FixtureSource): this {
    this.fixtures.push(fixture);
    return this;
  }

  /** The control credential to start the mock with. Default: 256 random bits made here. */
  withControlToken(token: string): this {
    if (token.trim() === '') throw new Error('MockEntraContainer.withControlToken: the token is empty');
    this.controlToken = token;
    return this;
  }

  override async start(): Promise<StartedMockEntraContainer> {
    await ensureMockEntraImage(this.imageName.string);
    const token = this.controlToken ?? randomBytes(32).toString('base64url');
    const runtime = await getContainerRuntimeClient();
    // The public URL must name the published port before the mock starts: so the port is chosen
    // here (free on this machine, which is the Docker host for a local daemon) instead of by Docker.
    const host = runtime.info.containerRuntime.host;
    const port = await freePort();
    const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const files = await Promise.all(
      this.fixtures.map(async (f, i) => ({
        target: `/etc/mock-entra/fixture-${i + 1}.json`,
        content: fixtureToJson(typeof f === 'string' ? await loadFixtureFile(resolve(f)) : await resolveFixture(f)),
        mode: 0o644,
      })),
    );
    this.withExposedPorts({ container: MOCK_ENTRA_CONTAINER_PORT, host: port }).withEnvironment({
      MOCK_ENTRA_PUBLIC_URL: url,
      MOCK_ENTRA_CONTROL_TOKEN: token,
      ...(files.length ? { MOCK_ENTRA_FIXTURES: files.map((f) => f.target).join(',') } : {}),
    });
    if (files.length) this.withCopyContentToContainer(files);
    const started = await super.start();
    try {
      const ca = await started.exec(['cat', `${STATE_DIR}/ca-cert.pem`]);
      if (ca.exitCode !== 0) throw new Error(`cannot read the container's CA certificate: ${ca.output.trim()}`);
      const control = new MockEntraControl(url, { ca: ca.output, token });
      const { tenants } = await control.listTenants();
      const described = await Promise.all(tenants.map(async (t) => withoutFixture(await control.getTenant(t.id))));
      return new StartedMockEntraContainer(started, { url, caPem: ca.output, controlToken: token, control, tenants: described });
    } catch (e) {
      await started.stop();
      throw e;
    }
  }
}

export class StartedMockEntraContainer extends AbstractStartedContainer {
  /** The mock's public base URL on the Docker host (`https://localhost:49153`). */
  readonly url: string;
  /** The container's own CA certificate (PEM): trust it, and only it, for `url`. */
  readonly caPem: string;
  /** The control credential the mock was started with (`Authorization: Bearer`). */
  readonly controlToken: string;
  /** The test-control API client, with the CA and the credential. */
  readonly control: MockEntraControl;
  /** The tenants served at start: ids, domains, authorities, discovery URLs, issuers. */
  readonly tenants: TenantInfo[];
  /** A fetch that trusts the container's CA (openid-client's `customFetch`, jose; `msalNetworkClient(mock.fetch)` for MSAL Node). */
  readonly fetch: FetchLike;
  /** An https.Agent that trusts the container's CA (axios, got, node:https). */
  readonly httpsAgent: HttpsAgent;

  constructor(started: StartedTestContainer, o: { url: string; caPem: string; controlToken: string; control: MockEntraControl; tenants: TenantInfo[] }) {
    super(started);
    this.url = o.url;
    this.caPem = o.caPem;
    this.controlToken = o.controlToken;
    this.control = o.control;
    this.tenants = o.tenants;
    this.fetch = trustingFetch(o.caPem);
    this.httpsAgent = new HttpsAgent({ ca: o.caPem });
  }

  /**
   * The authority of a tenant (its id or one of its domains; `common` and `organizations` too),
   * or of the first tenant served: `https://localhost:49153/{tenant id}`. MSAL's `authority`;
   * openid-client discovers `authority(…) + '/v2.0'`.
   */
  authority(tenant?: string): string {
    const known = tenant === undefined ? this.tenants[0] : this.tenantInfo(tenant);
    if (known) return known.authority;
    if (tenant === undefined) throw new Error('the mock serves no tenant');
    return `${this.url}/${encodeURIComponent(tenant)}`;
  }

  /** The v2.0 discovery document's URL of a tenant (as {@link authority} finds it). */
  discoveryUrl(tenant?: string): string {
    return `${this.authority(tenant)}/v2.0/.well-known/openid-configuration`;
  }

  private tenantInfo(tenant: string): TenantInfo | undefined {
    const name = tenant.toLowerCase();
    return this.tenants.find((t) => t.id.toLowerCase() === name || t.verifiedDomains.some((d) => d.toLowerCase() === name));
  }
}

/** A tenant as the control API describes it, without its fixture. */
function withoutFixture(t: TenantInfo & { fixture?: unknown }): TenantInfo {
  return { id: t.id, displayName: t.displayName, verifiedDomains: t.verifiedDomains, authority: t.authority, discoveryUrl: t.discoveryUrl, issuer: t.issuer };
}

/** One build at a time in this process: parallel starts wait for the same build. */
let building: Promise<void> | undefined;

/**
 * This package's image, built from the package's own Dockerfile when the daemon lacks it (a
 * suite's global setup may call it, so that the first test does not wait for the build). Other
 * images (a user's own tag) are pulled by testcontainers as usual.
 */
export async function ensureMockEntraImage(image: string = MOCK_ENTRA_IMAGE): Promise<void> {
  if (image !== MOCK_ENTRA_IMAGE) return;
  const client = await getContainerRuntimeClient();
  if (await client.image.exists(ImageName.fromString(image))) return;
  building ??= (async () => {
    const ca = registryCaPem();
    await GenericContainer.fromDockerfile(PACKAGE_ROOT)
      .withBuildArgs(ca ? { NPM_CA_PEM: ca } : {})
      .build(image, { deleteOnExit: false });
  })().finally(() => {
    building = undefined;
  });
  await building;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, () => {
      const address = s.address();
      s.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port'))));
    });
  });
}
