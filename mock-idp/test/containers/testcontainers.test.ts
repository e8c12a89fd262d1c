import { describeWithDocker } from './docker-support.js';
import { ConfidentialClientApplication } from '@azure/msal-node';
import * as client from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONTOSO } from '../../src/contoso.js';
import { FixtureError } from '../../src/directory/fixture-issues.js';
import { MockEntraContainer, type StartedMockEntraContainer } from '../../src/testcontainers.js';
import { msalNetworkClient } from '../../src/testing.js';

/**
 * Issue 14 §3: `mock-entra/testcontainers`. A MockEntraContainer serving a fixture file and a
 * fixture document, started through testcontainers; MSAL Node and openid-client sign in through
 * it (client credentials) trusting only the container's CA, and the control client carries the
 * credential the container was started with (the test process is not its loopback caller).
 */

const ACME = 'a1c0e000-0000-4000-8000-00000000ac3e';
const TOKEN = 'testcontainers-control-token-0123456789';

describeWithDocker('MockEntraContainer', () => {
  let mock: StartedMockEntraContainer;
  beforeAll(async () => {
    mock = await new MockEntraContainer()
      .withFixture('fixtures/contoso.yaml')
      .withFixture({ tenants: [{ extends: 'contoso', id: ACME, displayName: 'Acme', verifiedDomains: ['acme.test'] }] })
      .withControlToken(TOKEN)
      .start();
  }, 600_000);
  afterAll(async () => {
    await mock?.stop();
  });

  it('gives the URL on the Docker host, authorities and discovery URLs per tenant, the CA and the credential', () => {
    expect(mock.url).toBe(`https://localhost:${mock.getMappedPort(8443)}`);
    expect(mock.tenants.map((t) => [t.id, t.displayName, t.verifiedDomains])).toEqual([
      [CONTOSO.tenantId, 'Contoso', ['contoso.onmicrosoft.com']],
      [ACME, 'Acme', ['acme.test']],
    ]);
    expect(mock.authority()).toBe(`${mock.url}/${CONTOSO.tenantId}`);
    expect(mock.authority('acme.test')).toBe(`${mock.url}/${ACME}`);
    expect(mock.authority('organizations')).toBe(`${mock.url}/organizations`);
    expect(mock.discoveryUrl(ACME)).toBe(`${mock.url}/${ACME}/v2.0/.well-known/openid-configuration`);
    expect(mock.caPem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(mock.controlToken).toBe(TOKEN);
  });

  it('signs a daemon in with MSAL Node (client credentials), trusting only the container’s CA', async () => {
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: CONTOSO.ingestion.appId,
        clientSecret: CONTOSO.ingestion.secret,
        authority: mock.authority(),
        knownAuthorities: [new URL(mock.url).host],
      },
      system: { networkClient: msalNetworkClient(mock.fetch) },
    });
    const result = await app.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    const claims = JSON.parse(Buffer.from(result!.accessToken.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ tid: CONTOSO.tenantId, appid: CONTOSO.ingestion.appId, aud: 'https://graph.microsoft.com' });
  });

  it('signs a daemon in with openid-client (discovery + client credentials) in the second tenant', async () => {
    const config = await client.discovery(new URL(`${mock.authority('acme.test')}/v2.0`), CONTOSO.ingestion.appId, CONTOSO.ingestion.secret, undefined, {
      [client.customFetch]: mock.fetch,
    });
    expect(config.serverMetadata().issuer).toBe(`${mock.url}/${ACME}/v2.0`);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'https://graph.microsoft.com/.default' });
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ tid: ACME, appid: CONTOSO.ingestion.appId });
  });

  it('hands out a control client with the credential; without it the container refuses (401 InvalidControlToken)', async () => {
    expect(await mock.control.health()).toEqual({ status: 'ok', tenants: 2 });
    const clock = await mock.control.advanceClock(ACME, 3600);
    expect(clock.offsetMs).toBe(3_600_000);
    const r = await mock.fetch(`${mock.url}/_mock/health`);
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('InvalidControlToken');
  });

  it('refuses a bad fixture before any container starts, listing every issue', async () => {
    const bad = new MockEntraContainer().withFixture({ tenants: [{ extends: 'contoso', id: 'not-a-guid', displayName: 'Bad', verifiedDomains: [] }] });
    const error = await bad.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FixtureError);
    expect((error as FixtureError).issues).toEqual([
      { file: '(inline fixture)', path: 'tenants[0].id', message: 'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)' },
      { file: '(inline fixture)', path: 'tenants[0].verifiedDomains', message: 'must not be empty' },
    ]);
  });

  it('serves its CA at /_mock/ca.pem to anyone', async () => {
    const r = await mock.fetch(`${mock.url}/_mock/ca.pem`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe(mock.caPem);
  });
});
