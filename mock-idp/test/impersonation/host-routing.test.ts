import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockEntra, startBanner, resolveOptions, CONTOSO, type RunningMockEntra } from '../../src/index.js';

/**
 * Impersonation mode on the mock's own HTTPS listener: the certificate by SNI, the answers by
 * Host — Microsoft's URLs with no port — and no /_mock under Microsoft's names.
 */

let dir: string;
let mock: RunningMockEntra;
const tid = CONTOSO.tenantId;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mock-entra-imp-'));
  mock = await startMockEntra({ port: 0, stateDir: dir, impersonate: true });
});

afterAll(async () => {
  await mock.close();
  await rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: string;
  issuer: string;
}

/** A GET to the mock's port as `host` (SNI and Host), trusting only the impersonation CA. */
/** `ca`: the CA to trust (default: the impersonation CA); null trusts only the system's CAs. */
function get(host: string, path: string, ca: string | null = mock.impersonation!.caPem): Promise<Answer> {
  const port = new URL(mock.url).port;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, servername: host, headers: { host }, ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      const issuer = String((res.socket as TLSSocket).getPeerCertificate().issuer.CN);
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, issuer }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('impersonation mode: host routing', () => {
  it('serves the v2 discovery document as login.microsoftonline.com, with Microsoft’s URLs', async () => {
    const a = await get('login.microsoftonline.com', `/${tid}/v2.0/.well-known/openid-configuration`);
    expect(a.status).toBe(200);
    expect(a.issuer).toBe('mock-entra impersonation CA (name-constrained)');
    const doc = JSON.parse(a.body) as Record<string, unknown>;
    expect(doc.issuer).toBe(`https://login.microsoftonline.com/${tid}/v2.0`);
    expect(doc.token_endpoint).toBe(`https://login.microsoftonline.com/${tid}/oauth2/v2.0/token`);
    expect(doc.authorization_endpoint).toBe(`https://login.microsoftonline.com/${tid}/oauth2/v2.0/authorize`);
    expect(doc.jwks_uri).toBe(`https://login.microsoftonline.com/${tid}/discovery/v2.0/keys`);
    expect(doc.end_session_endpoint).toBe(`https://login.microsoftonline.com/${tid}/oauth2/v2.0/logout`);
    expect(doc.device_authorization_endpoint).toBe(`https://login.microsoftonline.com/${tid}/oauth2/v2.0/devicecode`);
    expect(doc.userinfo_endpoint).toBe('https://graph.microsoft.com/oidc/userinfo');
    expect(doc.msgraph_host).toBe('graph.microsoft.com');
    expect(doc.cloud_instance_name).toBe('microsoftonline.com');
    expect(doc.tenant_region_scope).toBe('WW');
  });

  it('serves the v1 document with the sts.windows.net issuer, and the organizations template', async () => {
    const v1 = JSON.parse((await get('login.microsoftonline.com', `/${tid}/.well-known/openid-configuration`)).body) as Record<string, unknown>;
    expect(v1.issuer).toBe(`https://sts.windows.net/${tid}/`);
    expect(v1.token_endpoint).toBe(`https://login.microsoftonline.com/${tid}/oauth2/token`);
    const orgs = JSON.parse((await get('login.microsoftonline.com', '/organizations/v2.0/.well-known/openid-configuration')).body) as Record<string, unknown>;
    expect(orgs.issuer).toBe('https://login.microsoftonline.com/{tenantid}/v2.0');
    expect(orgs.token_endpoint).toBe('https://login.microsoftonline.com/organizations/oauth2/v2.0/token');
  });

  it('login.windows.net answers as login.microsoftonline.com, issuer unchanged', async () => {
    const a = await get('login.windows.net', `/${tid}/v2.0/.well-known/openid-configuration`);
    expect(a.status).toBe(200);
    const doc = JSON.parse(a.body) as Record<string, unknown>;
    expect(doc.issuer).toBe(`https://login.microsoftonline.com/${tid}/v2.0`);
  });

  it('answers instance discovery as Entra does', async () => {
    const a = await get(
      'login.microsoftonline.com',
      `/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`https://login.microsoftonline.com/${tid}/oauth2/v2.0/authorize`)}`,
    );
    const body = JSON.parse(a.body) as { tenant_discovery_endpoint: string; metadata: Array<{ preferred_network: string; aliases: string[] }> };
    expect(body.tenant_discovery_endpoint).toBe(`https://login.microsoftonline.com/${tid}/v2.0/.well-known/openid-configuration`);
    expect(body.metadata[0]).toEqual({
      preferred_network: 'login.microsoftonline.com',
      preferred_cache: 'login.windows.net',
      aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
    });
  });

  it('never serves /_mock under a Microsoft name: Entra’s 404 on login, Graph’s refusal on graph', async () => {
    const login = await get('login.microsoftonline.com', '/_mock/tenants');
    expect(login.status).toBe(404);
    expect(login.body).not.toContain(tid);
    const graph = await get('graph.microsoft.com', '/_mock/tenants');
    expect(graph.status).toBe(400);
    expect((JSON.parse(graph.body) as { error: { code: string } }).error.code).toBe('BadRequest');
    // The mock's own name still serves it, with the local CA's certificate.
    const own = await fetchOwn('/_mock/tenants');
    expect(own).toBe(200);
  });

  it('routes by Host: Graph paths are not Entra’s, Entra paths are not Graph’s', async () => {
    const graphOnLogin = await get('login.microsoftonline.com', '/v1.0/users');
    expect(graphOnLogin.status).toBe(404);
    const entraOnGraph = await get('graph.microsoft.com', `/${tid}/v2.0/.well-known/openid-configuration`);
    expect(entraOnGraph.status).toBe(400);
    const graphOnGraph = await get('graph.microsoft.com', '/v1.0/users');
    expect(graphOnGraph.status).toBe(401);
  });

  it('a client that does not trust the impersonation CA gets a TLS error, also with the local CA only', async () => {
    await expect(get('login.microsoftonline.com', '/common/discovery/instance', null)).rejects.toMatchObject({ code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    await expect(get('login.microsoftonline.com', '/common/discovery/instance', mock.caPem!)).rejects.toMatchObject({ code: 'SELF_SIGNED_CERT_IN_CHAIN' });
  });

  it('a tenant in AzureChina: its discovery fields, at login.partner.microsoftonline.cn', async () => {
    const { fixture } = await mock.control.getTenant(tid);
    const china = '2c3d4e5f-0000-4000-8000-00000000c0cn'.replace('c0cn', 'c0c1');
    await mock.control.createTenant({
      ...fixture,
      id: china,
      displayName: 'Contoso China',
      verifiedDomains: ['contosocn.partner.onmschina.cn'],
      cloud: 'AzureChina',
    });
    const doc = JSON.parse((await get('login.partner.microsoftonline.cn', `/${china}/v2.0/.well-known/openid-configuration`)).body) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: `https://login.partner.microsoftonline.cn/${china}/v2.0`,
      token_endpoint: `https://login.partner.microsoftonline.cn/${china}/oauth2/v2.0/token`,
      userinfo_endpoint: 'https://microsoftgraph.chinacloudapi.cn/oidc/userinfo',
      tenant_region_scope: 'AS',
      cloud_instance_name: 'partner.microsoftonline.cn',
      cloud_graph_host_name: 'graph.chinacloudapi.cn',
      msgraph_host: 'microsoftgraph.chinacloudapi.cn',
    });
    const v1 = JSON.parse((await get('login.chinacloudapi.cn', `/${china}/.well-known/openid-configuration`)).body) as Record<string, unknown>;
    expect(v1.issuer).toBe(`https://sts.chinacloudapi.cn/${china}/`);
  });

  it('is HTTPS only: --impersonate with --http is refused with a message', () => {
    expect(() => resolveOptions({ impersonate: true, tls: false }, {})).toThrow(
      '--impersonate (MOCK_ENTRA_IMPERSONATE, impersonate) needs HTTPS: drop --http (MOCK_ENTRA_HTTP)',
    );
    expect(resolveOptions({}, { MOCK_ENTRA_IMPERSONATE: '1' }).impersonate).toBe(true);
    expect(resolveOptions({}, {}).impersonate).toBe(false);
  });

  it('announces the names and the CA at start', () => {
    const banner = startBanner(mock);
    expect(banner).toContain("Impersonating Microsoft's host names (README: Unmodified apps):");
    expect(banner).toContain('  login.microsoftonline.com, login.windows.net, login.microsoft.com, sts.windows.net');
    expect(banner).toContain(`  their CA (name-constrained to those names and the mock's own): ${join(dir, 'impersonation-ca-cert.pem')}`);
  });
});

function fetchOwn(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${mock.url}${path}`, { ca: mock.caPem }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
