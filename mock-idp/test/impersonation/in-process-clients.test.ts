import { ConfidentialClientApplication } from '@azure/msal-node';
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import { Client, PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOSO, impersonateMicrosoft, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { randomUUID } from 'node:crypto';
import { cloneContoso, decodeJwtPart } from '../support/real-clients.js';

/**
 * Unmodified clients through the in-process route (`impersonateMicrosoft(mock)`): each is given
 * only what a real deployment gives it — Microsoft's authority, a tenant id, a client id and a
 * secret — and no mock-specific setting at all: no knownAuthorities, no authorityHost, no
 * disableInstanceDiscovery, no Graph host. The route is the only change, and it trusts the
 * impersonation CA for Microsoft's names only.
 */
const TID = CONTOSO.tenantId;
const { bridge } = CONTOSO;

let mock: RunningMockEntra;
let undo: () => void;

beforeAll(async () => {
  mock = await startMockEntra({ port: 0, impersonate: true });
  undo = impersonateMicrosoft(mock);
});

afterAll(async () => {
  undo?.();
  await mock?.close();
});

describe('in-process route: MSAL Node', () => {
  it('ConfidentialClientApplication on https://login.microsoftonline.com/{tenant}: client credentials', async () => {
    const app = new ConfidentialClientApplication({
      auth: { clientId: bridge.appId, clientSecret: bridge.secret, authority: `https://login.microsoftonline.com/${TID}` },
    });
    const result = await app.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    const claims = decodeJwtPart(result!.accessToken, 1);
    expect(claims.iss).toBe(`https://sts.windows.net/${TID}/`);
    expect(claims.aud).toBe('https://graph.microsoft.com');
    expect(claims.tid).toBe(TID);
    expect(claims.appid).toBe(bridge.appId);
    // The mock answered it: the tenant's request log has the token call.
    const log = await mock.control.requests(TID);
    expect(log.some((e) => e.url.startsWith(`/${TID}/oauth2/v2.0/token?client-request-id=`) && e.flow === 'client_credentials' && e.status === 200)).toBe(true);
  });
});

describe('in-process route: @azure/identity', () => {
  it('ClientSecretCredential(tenantId, clientId, secret) with no options', async () => {
    const token = await new ClientSecretCredential(TID, bridge.appId, bridge.secret).getToken('https://graph.microsoft.com/.default');
    const claims = decodeJwtPart(token.token, 1);
    expect(claims.iss).toBe(`https://sts.windows.net/${TID}/`);
    expect(claims.appid).toBe(bridge.appId);
  });

  it('DefaultAzureCredential from AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { AZURE_TENANT_ID: TID, AZURE_CLIENT_ID: bridge.appId, AZURE_CLIENT_SECRET: bridge.secret });
    try {
      const token = await new DefaultAzureCredential().getToken('https://graph.microsoft.com/.default');
      expect(decodeJwtPart(token.token, 1).appid).toBe(bridge.appId);
    } finally {
      for (const k of ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET']) if (saved[k] === undefined) delete process.env[k];
    }
  });
});

describe('in-process route: Microsoft Graph JS SDK', () => {
  it('pages groups and a group’s members with its defaults (nextLinks on https://graph.microsoft.com)', async () => {
    const credential = new ClientSecretCredential(TID, bridge.appId, bridge.secret);
    const client = Client.initWithMiddleware({
      authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: ['https://graph.microsoft.com/.default'] }),
    });
    const { fixture } = await mock.control.getTenant(TID);
    const all = async (path: string): Promise<{ ids: string[]; firstLink: unknown }> => {
      const first = (await client.api(path).top(1).get()) as PageCollection;
      const ids: string[] = [];
      await new PageIterator(client, first, (item: { id: string }) => {
        ids.push(item.id);
        return true;
      }).iterate();
      return { ids: ids.sort(), firstLink: first['@odata.nextLink'] };
    };
    const groups = await all('/groups');
    expect(groups.ids).toEqual((fixture.groups ?? []).map((g) => g.id).sort());
    expect(groups.firstLink).toMatch(/^https:\/\/graph\.microsoft\.com\/v1\.0\/groups\?\$top=1&\$skiptoken=/);
    const engineering = (fixture.groups ?? []).find((g) => g.id === CONTOSO.groups.engineering)!;
    const members = await all(`/groups/${engineering.id}/members`);
    expect(members.ids).toEqual([...(engineering.members ?? [])].sort());
    expect(members.ids.length).toBeGreaterThan(1);
  });
});

describe('in-process route: a national cloud', () => {
  it('a tenant in AzureUSGovernment answers as login.microsoftonline.us, and MSAL Node gets its tokens there', async () => {
    const us = await cloneContoso(mock.control, (f) => {
      f.cloud = 'AzureUSGovernment';
    });
    const doc = (await (await fetch(`https://login.microsoftonline.us/${us.tenantId}/v2.0/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(doc).toMatchObject({
      issuer: `https://login.microsoftonline.us/${us.tenantId}/v2.0`,
      token_endpoint: `https://login.microsoftonline.us/${us.tenantId}/oauth2/v2.0/token`,
      jwks_uri: `https://login.microsoftonline.us/${us.tenantId}/discovery/v2.0/keys`,
      tenant_region_scope: 'USGov',
      cloud_instance_name: 'microsoftonline.us',
      cloud_graph_host_name: 'graph.microsoftazure.us',
      msgraph_host: 'graph.microsoft.us',
    });
    const app = new ConfidentialClientApplication({
      auth: { clientId: us.ids.bridge, clientSecret: bridge.secret, authority: `https://login.microsoftonline.us/${us.tenantId}` },
    });
    const result = await app.acquireTokenByClientCredential({ scopes: [`api://${us.ids.openMetadataUi}/.default`] });
    const claims = decodeJwtPart(result!.accessToken, 1);
    expect(claims.tid).toBe(us.tenantId);
    // v1 or v2 as the API asks (accessTokenAcceptedVersion); either way the US Government cloud's issuer.
    expect(claims.iss).toBe(claims.ver === '2.0' ? `https://login.microsoftonline.us/${us.tenantId}/v2.0` : `https://login.microsoftonline.us/${us.tenantId}/`);
    // The public cloud's names still answer for it, with its own cloud's issuer.
    const seenFromPublic = (await (await fetch(`https://login.microsoftonline.com/${us.tenantId}/v2.0/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(seenFromPublic.issuer).toBe(`https://login.microsoftonline.us/${us.tenantId}/v2.0`);
    expect(seenFromPublic.tenant_region_scope).toBe('USGov');
  });
});

describe('in-process route: the groups overage pointer', () => {
  it('is Entra’s own URL on graph.windows.net, and answers there', async () => {
    const t = await cloneContoso(mock.control, (f, ids) => {
      const many = Array.from({ length: 201 }, (_, i) => ({
        id: randomUUID(),
        displayName: `Team ${i + 1}`,
        groupTypes: [],
        securityEnabled: true,
        mailEnabled: false,
        members: [ids.megan],
      }));
      f.groups!.push(...many);
    });
    const redirectUri = 'http://localhost:7000/sso/callback/vc-5f2a9c';
    const authorize = new URL(`https://login.microsoftonline.com/${t.tenantId}/oauth2/v2.0/authorize`);
    for (const [k, v] of Object.entries({
      client_id: t.ids.bridge,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid User.Read',
      mock_login: 'auto',
      login_hint: `MeganB@${t.domain}`,
    }))
      authorize.searchParams.set(k, v);
    const redirect = await fetch(authorize, { redirect: 'manual' });
    const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
    const tokens = (await (
      await fetch(`https://login.microsoftonline.com/${t.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: t.ids.bridge,
          client_secret: bridge.secret,
          code,
          redirect_uri: redirectUri,
          scope: 'openid User.Read',
        }),
      })
    ).json()) as { id_token: string; access_token: string };
    const claims = decodeJwtPart(tokens.id_token, 1);
    const endpoint = `https://graph.windows.net/${t.tenantId}/users/${t.ids.megan}/getMemberObjects`;
    expect(claims._claim_sources).toEqual({ src1: { endpoint } });
    const answer = await fetch(`${endpoint}?api-version=1.6`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ securityEnabledOnly: false }),
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { 'odata.metadata': string; value: string[] };
    expect(body['odata.metadata']).toBe(`https://graph.windows.net/${t.tenantId}/$metadata#Collection(Edm.String)`);
    expect(body.value).toHaveLength(202);
  });
});
