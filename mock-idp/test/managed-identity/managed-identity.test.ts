import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_FIXTURE_PATH } from '../../src/directory/load-fixture.js';
import type { FixtureDocument, TenantFixture } from '../../src/directory/model.js';
import { validateFixture } from '../../src/directory/validate-fixture.js';
import { newTenant } from '../errors/flows.js';
import { decodePart, json, mockApp, type TestMock } from '../support/mock-app.js';
import { addManagedIdentities, MI } from './mi-tenant.js';

/**
 * The managed identity endpoints through inject: App Service's (per tenant, X-IDENTITY-HEADER)
 * and IMDS's (per tenant and at Azure's own path, Metadata: true), each answer and each refusal
 * in its own shape; the tokens the identities get; and what fixture validation says.
 */

const GRAPH = 'https://graph.microsoft.com';
let m: TestMock;
let tenant: string;
let onlyUserAssigned: string;
let twoUserAssigned: string;

beforeAll(async () => {
  m = await mockApp();
  tenant = await newTenant(m, (f) => addManagedIdentities(f));
  onlyUserAssigned = await newTenant(m, (f) => addManagedIdentities(f, ['user']));
  twoUserAssigned = await newTenant(m, (f) => {
    addManagedIdentities(f, ['user']);
    f.servicePrincipals!.push({
      appId: '9a5e6f70-8192-43a4-8ebf-3a4b5c6d7e85',
      id: 'ab6f7081-92a3-44b5-9fc0-4b5c6d7e8f96',
      displayName: 'id-second',
      servicePrincipalType: 'ManagedIdentity',
      alternativeNames: [
        'isExplicit=True',
        '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-todo/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-second',
      ],
    });
  });
});
afterAll(() => m.close());

const appService = (
  t: string,
  query: Record<string, string>,
  headers: Record<string, string> = { 'x-identity-header': '853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a' },
) => m.inject({ url: `/${t}/msi/token?${new URLSearchParams(query)}`, headers });
const imds = (path: string, query: Record<string, string>, headers: Record<string, string> = { metadata: 'true' }) =>
  m.inject({ url: `${path}?${new URLSearchParams(query)}`, headers });
const imdsAt = (t: string) => `/${t}/metadata/identity/oauth2/token`;

/** App Service's error body, its correlation id checked against the header. */
function appServiceError(r: LightMyRequestResponse): { status: number; message: unknown } {
  const body = json(r);
  expect(Object.keys(body)).toEqual(['statusCode', 'message', 'correlationId']);
  expect(body.statusCode).toBe(r.statusCode);
  expect(body.correlationId).toBe(r.headers['x-correlation-id']);
  expect(String(body.correlationId)).toMatch(/^[0-9a-f-]{36}$/);
  return { status: r.statusCode, message: body.message };
}

describe('App Service (IDENTITY_ENDPOINT=/{tenant}/msi/token, api-version 2019-08-01)', () => {
  it('gives the system-assigned identity a Graph token when the request names none', async () => {
    const r = await appService(tenant, { resource: GRAPH, 'api-version': '2019-08-01' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = json(r);
    expect(Object.keys(body)).toEqual(['access_token', 'expires_on', 'resource', 'token_type', 'client_id']);
    expect(body).toMatchObject({ resource: GRAPH, token_type: 'Bearer', client_id: MI.system.clientId });
    const claims = decodePart(String(body.access_token), 1);
    expect(body.expires_on).toBe(String(claims.exp));
    expect(claims).toMatchObject({
      aud: GRAPH,
      iss: `https://sts.windows.net/${tenant}/`,
      appid: MI.system.clientId,
      appidacr: '2',
      app_displayname: 'todo-web',
      idp: `https://sts.windows.net/${tenant}/`,
      idtyp: 'app',
      oid: MI.system.objectId,
      sub: MI.system.objectId,
      tid: tenant,
      ver: '1.0',
      xms_mirid: MI.system.resourceId,
    });
    expect(claims).not.toHaveProperty('roles');
  });

  it('addresses the user-assigned identity by client_id, principal_id, object_id or mi_res_id; its token carries its Graph role', async () => {
    const queries: Array<Record<string, string>> = [
      { client_id: MI.user.clientId },
      { principal_id: MI.user.objectId },
      { object_id: MI.user.objectId },
      { mi_res_id: MI.user.resourceId },
    ];
    for (const query of queries) {
      const r = await appService(tenant, { resource: GRAPH, 'api-version': '2019-08-01', ...query });
      expect(r.statusCode, JSON.stringify(query)).toBe(200);
      const body = json(r);
      expect(body.client_id).toBe(MI.user.clientId);
      expect(decodePart(String(body.access_token), 1)).toMatchObject({ oid: MI.user.objectId, roles: ['User.Read.All'], xms_mirid: MI.user.resourceId });
    }
  });

  it('mints tokens Microsoft Graph accepts: the user-assigned identity lists users, the system-assigned one (no role) is refused', async () => {
    const user = json(await appService(tenant, { resource: GRAPH, 'api-version': '2019-08-01', client_id: MI.user.clientId }));
    const list = await m.inject({ url: '/v1.0/users?$select=id', headers: { authorization: `Bearer ${String(user.access_token)}` } });
    expect(list.statusCode).toBe(200);
    expect((json(list).value as unknown[]).length).toBe(3);
    const system = json(await appService(tenant, { resource: GRAPH, 'api-version': '2019-08-01' }));
    const refused = await m.inject({ url: '/v1.0/users?$select=id', headers: { authorization: `Bearer ${String(system.access_token)}` } });
    expect(refused.statusCode).toBe(403);
  });

  it('refuses an unknown identity, two ids at once, and a tenant with user-assigned identities only, asked for none: "Unable to load the proper Managed Identity."', async () => {
    const cases = [
      await appService(tenant, { resource: GRAPH, 'api-version': '2019-08-01', client_id: '00000000-1111-2222-3333-444444444444' }),
      await appService(tenant, { resource: GRAPH, 'api-version': '2019-08-01', client_id: MI.user.clientId, mi_res_id: MI.user.resourceId }),
      await appService(onlyUserAssigned, { resource: GRAPH, 'api-version': '2019-08-01' }),
    ];
    for (const r of cases) expect(appServiceError(r)).toEqual({ status: 400, message: 'Unable to load the proper Managed Identity.' });
  });

  it('refuses a request without X-IDENTITY-HEADER (401), another api-version or no resource (400), other methods (405), an unknown tenant (404)', async () => {
    expect(appServiceError(await appService(tenant, { resource: GRAPH, 'api-version': '2019-08-01' }, {}))).toEqual({
      status: 401,
      message: 'The X-IDENTITY-HEADER header is missing.',
    });
    expect(appServiceError(await appService(tenant, { resource: GRAPH, 'api-version': '2017-09-01' }))).toEqual({
      status: 400,
      message: "The api-version '2017-09-01' is not supported: use 2019-08-01.",
    });
    expect(appServiceError(await appService(tenant, { 'api-version': '2019-08-01' }))).toEqual({ status: 400, message: 'The resource parameter is missing.' });
    expect(appServiceError(await m.inject({ method: 'POST', url: `/${tenant}/msi/token` }))).toEqual({
      status: 405,
      message: "The requested resource does not support http method 'POST'.",
    });
    expect(appServiceError(await appService('nowhere.example.com', { resource: GRAPH, 'api-version': '2019-08-01' }))).toEqual({
      status: 404,
      message: "No tenant 'nowhere.example.com' in this mock: IDENTITY_ENDPOINT names a tenant by id or verified domain.",
    });
  });

  it('passes Entra’s refusal of a resource the tenant does not have (AADSTS500011) in its own shape', async () => {
    const e = appServiceError(await appService(tenant, { resource: 'https://vault.azure.net', 'api-version': '2019-08-01' }));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^AADSTS500011: The resource principal named https:\/\/vault\.azure\.net was not found in the tenant named Contoso\./);
  });
});

describe('a managed identity is no application', () => {
  it('its client id at the token endpoint answers AADSTS700016, as any unknown application', async () => {
    const r = await m.form(`/${tenant}/oauth2/v2.0/token`, {
      grant_type: 'client_credentials',
      client_id: MI.user.clientId,
      client_secret: 'not-a-secret',
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(r.statusCode).toBe(400);
    expect(json(r)).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });
  });
});

describe('IMDS (/{tenant}/metadata/identity/oauth2/token, api-version 2018-02-01)', () => {
  it('answers every number as a string and an empty refresh_token', async () => {
    const r = await imds(imdsAt(tenant), { 'api-version': '2018-02-01', resource: `${GRAPH}/`, client_id: MI.user.clientId });
    expect(r.statusCode).toBe(200);
    const body = json(r);
    expect(Object.keys(body)).toEqual(['access_token', 'refresh_token', 'expires_in', 'expires_on', 'not_before', 'resource', 'token_type']);
    expect(body).toMatchObject({ refresh_token: '', resource: `${GRAPH}/`, token_type: 'Bearer' });
    for (const k of ['expires_in', 'expires_on', 'not_before']) expect(body[k]).toMatch(/^\d+$/);
    const claims = decodePart(String(body.access_token), 1);
    expect(body.expires_on).toBe(String(claims.exp));
    expect(body.not_before).toBe(String(claims.nbf));
    // expires_in counts from the moment of issue; iat and nbf are backdated five minutes, as Entra's are.
    expect(Number(body.expires_on) - (Number(claims.iat) + 300)).toBe(Number(body.expires_in));
    expect(claims).toMatchObject({ aud: `${GRAPH}/`, oid: MI.user.objectId, roles: ['User.Read.All'], xms_mirid: MI.user.resourceId });
  });

  it('addresses identities by object_id and msi_res_id, and defaults to the system-assigned one', async () => {
    const byObject = json(await imds(imdsAt(tenant), { 'api-version': '2018-02-01', resource: GRAPH, object_id: MI.user.objectId }));
    const byResource = json(await imds(imdsAt(tenant), { 'api-version': '2018-02-01', resource: GRAPH, msi_res_id: MI.user.resourceId }));
    const byDefault = json(await imds(imdsAt(tenant), { 'api-version': '2018-02-01', resource: GRAPH }));
    expect(decodePart(String(byObject.access_token), 1).oid).toBe(MI.user.objectId);
    expect(decodePart(String(byResource.access_token), 1).oid).toBe(MI.user.objectId);
    expect(decodePart(String(byDefault.access_token), 1).oid).toBe(MI.system.objectId);
  });

  it('defaults to the only user-assigned identity when there is no system-assigned one, and asks to choose among several', async () => {
    const single = json(await imds(imdsAt(onlyUserAssigned), { 'api-version': '2018-02-01', resource: GRAPH }));
    expect(decodePart(String(single.access_token), 1).oid).toBe(MI.user.objectId);
    const several = await imds(imdsAt(twoUserAssigned), { 'api-version': '2018-02-01', resource: GRAPH });
    expect(several.statusCode).toBe(400);
    expect(json(several)).toEqual({
      error: 'invalid_request',
      error_description: 'Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request',
    });
  });

  it('answers 400 bad_request_102 without Metadata: true (also to @azure/identity’s bare probe)', async () => {
    const expected = { error: 'bad_request_102', error_description: 'Required metadata header not specified' };
    const variants: Array<Record<string, string>> = [{}, { metadata: 'True' }, { metadata: 'false' }];
    for (const headers of variants) {
      const r = await imds(imdsAt(tenant), { 'api-version': '2018-02-01', resource: GRAPH }, headers);
      expect(r.statusCode).toBe(400);
      expect(json(r)).toEqual(expected);
    }
    const probe = await m.inject({ url: '/metadata/identity/oauth2/token', headers: { accept: 'application/json' } });
    expect(probe.statusCode).toBe(400);
    expect(json(probe)).toEqual(expected);
  });

  it('answers an unknown identity with invalid_request "Identity not found"', async () => {
    const unknown: Array<Record<string, string>> = [{ client_id: '00000000-1111-2222-3333-444444444444' }, { msi_res_id: `${MI.user.resourceId}-gone` }];
    for (const query of unknown) {
      const r = await imds(imdsAt(tenant), { 'api-version': '2018-02-01', resource: GRAPH, ...query });
      expect(r.statusCode).toBe(400);
      expect(json(r)).toEqual({ error: 'invalid_request', error_description: 'Identity not found' });
    }
  });

  it('answers a missing or old api-version, a missing resource, two ids, a repeated parameter with invalid_request; another method with 405', async () => {
    const invalid = {
      error: 'invalid_request',
      error_description:
        'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
    };
    for (const url of [
      `${imdsAt(tenant)}?resource=${GRAPH}`,
      `${imdsAt(tenant)}?api-version=2017-12-01&resource=${GRAPH}`,
      `${imdsAt(tenant)}?api-version=2018-02-01`,
      `${imdsAt(tenant)}?api-version=2018-02-01&resource=${GRAPH}&client_id=${MI.user.clientId}&object_id=${MI.user.objectId}`,
      `${imdsAt(tenant)}?api-version=2018-02-01&resource=${GRAPH}&resource=${GRAPH}`,
    ]) {
      const r = await m.inject({ url, headers: { metadata: 'true' } });
      expect(r.statusCode, url).toBe(400);
      expect(json(r)).toEqual(invalid);
    }
    const post = await m.inject({ method: 'POST', url: imdsAt(tenant), headers: { metadata: 'true' } });
    expect(post.statusCode).toBe(405);
    expect(json(post)).toEqual({ error: 'invalid_request', error_description: 'The requested resource does not support http method' });
  });

  it('passes Entra’s JSON refusal of an unknown resource (400 invalid_resource AADSTS500011)', async () => {
    const r = await imds(imdsAt(tenant), { 'api-version': '2018-02-01', resource: 'https://vault.azure.net' });
    expect(r.statusCode).toBe(400);
    expect(json(r)).toMatchObject({ error: 'invalid_resource', error_codes: [500011] });
  });
});

describe('IMDS at Azure’s own path (/metadata/identity/oauth2/token): the identity looked up in every tenant', () => {
  let solo: TestMock;
  let soloTenant: string;
  beforeAll(async () => {
    solo = await mockApp();
    soloTenant = await newTenant(solo, (f) => addManagedIdentities(f));
  });
  afterAll(() => solo.close());

  it('finds the identity by id, or the system-assigned one, and mints in its tenant', async () => {
    const byId = await solo.inject({
      url: `/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${GRAPH}&client_id=${MI.user.clientId}`,
      headers: { metadata: 'true' },
    });
    expect(decodePart(String(json(byId).access_token), 1)).toMatchObject({ oid: MI.user.objectId, tid: soloTenant });
    const byDefault = await solo.inject({ url: `/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${GRAPH}`, headers: { metadata: 'true' } });
    expect(decodePart(String(json(byDefault).access_token), 1)).toMatchObject({ oid: MI.system.objectId, tid: soloTenant });
  });

  it('answers "Identity not found" for an identity that exists in no tenant', async () => {
    const r = await solo.inject({
      url: `/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${GRAPH}&object_id=${MI.user.clientId}`,
      headers: { metadata: 'true' },
    });
    expect(json(r)).toEqual({ error: 'invalid_request', error_description: 'Identity not found' });
  });
});

describe('fixtures: managed identities are service principals of type ManagedIdentity', () => {
  const contoso = parseYaml(readFileSync(DEFAULT_FIXTURE_PATH, 'utf8')) as FixtureDocument;
  const problems = (mutate: (t: TenantFixture) => void): string[] => {
    const doc = structuredClone(contoso);
    mutate(doc.tenants[0]!);
    return validateFixture(doc, 'mi.yaml').map((i) => `${i.path}: ${i.message}`);
  };

  it('accepts both kinds, with an app role assignment to one, without an application', () => {
    expect(problems((t) => addManagedIdentities(t))).toEqual([]);
  });

  it('needs the object id and exactly one Azure resource id, and an isExplicit that agrees with it', () => {
    expect(
      problems((t) => {
        addManagedIdentities(t);
        const [system, user] = t.servicePrincipals!.slice(-2) as [
          NonNullable<TenantFixture['servicePrincipals']>[number],
          NonNullable<TenantFixture['servicePrincipals']>[number],
        ];
        delete system.id;
        user.alternativeNames = ['isExplicit=False', MI.user.resourceId];
        t.appRoleAssignments = t.appRoleAssignments!.filter((a) => a.principalId !== MI.user.objectId);
      }),
    ).toEqual([
      'tenants[0].servicePrincipals[0].id: a managed identity needs its object (principal) id: clients address it by client id, object id or resource id',
      `tenants[0].servicePrincipals[1].alternativeNames: isExplicit=False says system-assigned, but ${MI.user.resourceId} is a user-assigned identity (isExplicit=True)`,
    ]);
    expect(
      problems((t) => {
        addManagedIdentities(t, ['system']);
        t.servicePrincipals![0]!.alternativeNames = ['isExplicit=False', 'todo-web'];
      }),
    ).toEqual([
      'tenants[0].servicePrincipals[0].alternativeNames: a managed identity needs exactly one Azure resource id, e.g. /subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name} (user-assigned) or the id of the resource it belongs to (system-assigned)',
    ]);
    expect(
      problems((t) => {
        addManagedIdentities(t, ['system']);
        t.servicePrincipals![0]!.alternativeNames = ['/subscriptions/x/providers/Microsoft.Web/sites/todo-web'];
      }),
    ).toEqual([
      'tenants[0].servicePrincipals[0].alternativeNames: /subscriptions/x/providers/Microsoft.Web/sites/todo-web is not an Azure resource id (/subscriptions/{id}/resourceGroups/{name}/providers/{namespace}/{type}/{name})',
    ]);
  });

  it('refuses servicePrincipalType values Graph has that the mock does not model (schema)', () => {
    const found = problems((t) => {
      addManagedIdentities(t, ['system']);
      (t.servicePrincipals![0] as { servicePrincipalType: string }).servicePrincipalType = 'SocialIdp';
    });
    expect(found).toEqual([
      'tenants[0].servicePrincipals[0].servicePrincipalType: must be one of: Application, ManagedIdentity (got SocialIdp)',
      // Not a managed identity then: an application's service principal, whose application is missing.
      'tenants[0].servicePrincipals[0].appId: must be the appId of an application in this tenant',
    ]);
  });
});
