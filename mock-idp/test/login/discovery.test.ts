import { X509Certificate, createHash } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mockApp, type TestMock, T, ORIGIN, json } from '../support/mock-app.js';

let m: TestMock;
beforeAll(async () => {
  m = await mockApp();
});
afterAll(() => m.close());

const CLAIMS_V2 = [
  'sub',
  'iss',
  'cloud_instance_name',
  'cloud_instance_host_name',
  'cloud_graph_host_name',
  'msgraph_host',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'acr',
  'nonce',
  'preferred_username',
  'name',
  'tid',
  'ver',
  'at_hash',
  'c_hash',
  'email',
];

describe('v2 discovery', () => {
  it('serves a tenant document with Entra’s keys, values and key order', async () => {
    const r = await m.inject(`/${T}/v2.0/.well-known/openid-configuration`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.headers['cache-control']).toBe('max-age=86400, private');
    expect(r.headers['access-control-allow-origin']).toBe('*');
    const doc = json(r);
    expect(Object.keys(doc)).toEqual([
      'token_endpoint',
      'token_endpoint_auth_methods_supported',
      'jwks_uri',
      'response_modes_supported',
      'subject_types_supported',
      'id_token_signing_alg_values_supported',
      'response_types_supported',
      'scopes_supported',
      'issuer',
      'request_uri_parameter_supported',
      'userinfo_endpoint',
      'authorization_endpoint',
      'device_authorization_endpoint',
      'http_logout_supported',
      'frontchannel_logout_supported',
      'end_session_endpoint',
      'claims_supported',
      'kerberos_endpoint',
      'tenant_region_scope',
      'cloud_instance_name',
      'cloud_graph_host_name',
      'msgraph_host',
      'rbac_url',
    ]);
    expect(doc).toEqual({
      token_endpoint: `${ORIGIN}/${T}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${ORIGIN}/${T}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${ORIGIN}/${T}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${ORIGIN}/oidc/userinfo`,
      authorization_endpoint: `${ORIGIN}/${T}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${ORIGIN}/${T}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${ORIGIN}/${T}/oauth2/v2.0/logout`,
      claims_supported: CLAIMS_V2,
      kerberos_endpoint: `${ORIGIN}/${T}/kerberos`,
      tenant_region_scope: 'WW',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'localhost:8443',
      rbac_url: 'https://pas.windows.net',
    });
  });

  it('answers for the verified domain with the tenant GUID in every URL', async () => {
    const byDomain = json(await m.inject('/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration'));
    const byId = json(await m.inject(`/${T}/v2.0/.well-known/openid-configuration`));
    expect(byDomain).toEqual(byId);
  });

  it.each(['common', 'organizations'])('serves /%s with the {tenantid} issuer template, no kerberos endpoint, region null', async (alias) => {
    const doc = json(await m.inject(`/${alias}/v2.0/.well-known/openid-configuration`));
    expect(doc.issuer).toBe(`${ORIGIN}/{tenantid}/v2.0`);
    expect(doc.token_endpoint).toBe(`${ORIGIN}/${alias}/oauth2/v2.0/token`);
    expect(doc.jwks_uri).toBe(`${ORIGIN}/${alias}/discovery/v2.0/keys`);
    expect(doc).not.toHaveProperty('kerberos_endpoint');
    expect(doc.tenant_region_scope).toBeNull();
  });

  it('is case-insensitive in the tenant alias and fixed segments', async () => {
    const r = await m.inject(`/COMMON/V2.0/.well-known/openid-configuration`);
    expect(r.statusCode).toBe(200);
  });

  it('refuses an unknown tenant with AADSTS90002 invalid_tenant (400)', async () => {
    const r = await m.inject('/7c8f0f5a-0000-4000-8000-000000000001/v2.0/.well-known/openid-configuration');
    expect(r.statusCode).toBe(400);
    const b = json(r);
    expect(b.error).toBe('invalid_tenant');
    expect(b.error_codes).toEqual([90002]);
    expect(String(b.error_description)).toMatch(/^AADSTS90002: Tenant '7c8f0f5a-0000-4000-8000-000000000001' not found\. /);
  });

  it('refuses an unknown domain with 90002 and a malformed tenant with 900023', async () => {
    expect(json(await m.inject('/fabrikam.onmicrosoft.com/v2.0/.well-known/openid-configuration')).error_codes).toEqual([90002]);
    const r = await m.inject('/not_a%20tenant/v2.0/.well-known/openid-configuration');
    expect(r.statusCode).toBe(400);
    expect(json(r).error_codes).toEqual([900023]);
  });
});

describe('v1 discovery', () => {
  it('serves Entra’s v1 document: sts.windows.net issuer, v1 endpoints, openid only', async () => {
    const doc = json(await m.inject(`/${T}/.well-known/openid-configuration`));
    expect(doc.issuer).toBe(`https://sts.windows.net/${T}/`);
    expect(doc.token_endpoint).toBe(`${ORIGIN}/${T}/oauth2/token`);
    expect(doc.authorization_endpoint).toBe(`${ORIGIN}/${T}/oauth2/authorize`);
    expect(doc.jwks_uri).toBe(`${ORIGIN}/${T}/discovery/keys`);
    expect(doc.response_types_supported).toEqual(['code', 'id_token', 'code id_token', 'token id_token', 'token']);
    expect(doc.scopes_supported).toEqual(['openid']);
    expect(doc.microsoft_multi_refresh_token).toBe(true);
    expect(doc.check_session_iframe).toBe(`${ORIGIN}/${T}/oauth2/checksession`);
    expect(doc.userinfo_endpoint).toBe(`${ORIGIN}/${T}/openid/userinfo`);
  });
});

describe('JWKS', () => {
  it.each(['discovery/v2.0/keys', 'discovery/keys'])('/%s lists RSA keys with kid = x5t = SHA-1 of the x5c certificate, no alg', async (path) => {
    const r = await m.inject(`/${T}/${path}`);
    expect(r.statusCode).toBe(200);
    const { keys } = json(r) as { keys: Array<Record<string, unknown>> };
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const k of keys) {
      expect(Object.keys(k)).toEqual(['kty', 'use', 'kid', 'x5t', 'n', 'e', 'x5c', 'cloud_instance_name', 'issuer']);
      expect(k).toMatchObject({ kty: 'RSA', use: 'sig', e: 'AQAB', issuer: `${ORIGIN}/{tenantid}/v2.0` });
      expect(k.kid).toBe(k.x5t);
      const der = Buffer.from((k.x5c as string[])[0]!, 'base64');
      expect(createHash('sha1').update(der).digest('base64url')).toBe(k.x5t);
      const cert = new X509Certificate(der);
      expect(cert.subject).toBe('CN=accounts.accesscontrol.windows.net');
      expect(Buffer.from(String(k.n), 'base64url').length).toBe(256);
    }
  });

  it('serves /common keys too', async () => {
    const r = await m.inject('/common/discovery/v2.0/keys');
    expect(r.statusCode).toBe(200);
    expect((json(r).keys as unknown[]).length).toBeGreaterThanOrEqual(1);
  });
});

describe('instance discovery', () => {
  it('names the mock as its own cloud so MSAL trusts it', async () => {
    const r = await m.inject(`/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${ORIGIN}/${T}/oauth2/v2.0/authorize`)}`);
    expect(r.statusCode).toBe(200);
    expect(json(r)).toEqual({
      tenant_discovery_endpoint: `${ORIGIN}/${T}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: 'localhost:8443', preferred_cache: 'localhost:8443', aliases: ['localhost:8443'] }],
    });
  });
});
