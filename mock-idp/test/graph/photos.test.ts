import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FixtureDocument, TenantFixture, UserPhoto } from '../../src/directory/model.js';
import { validateFixture } from '../../src/directory/validate-fixture.js';
import { CONTOSO, json, mockApp, type TestMock } from '../support/mock-app.js';
import { appToken, copyOfContoso, expectGraphError, GRAPH, graph, grantAppRoles, grantScopes, ODATA_JSON, ok, userToken } from './graph-support.js';
import { solidPng } from './png-image.js';

/**
 * Profile photos (https://learn.microsoft.com/graph/api/profilephoto-get): 404 ImageNotFound for
 * a user without one, the fixture's image for a user with one, at /photo/$value and
 * /photos/{size}/$value, their metadata, and Graph's photo permissions.
 */

const { adele, alex, megan } = CONTOSO.users;
const NO_PHOTO = ['ImageNotFound', "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown."] as const;
const FORBIDDEN = ['Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'] as const;

const PNG = solidPng(504);
const ADELE_PHOTO: UserPhoto = { contentType: 'image/png', base64: PNG.toString('base64'), width: 504, height: 504 };
// A JPEG's first bytes are all the fixture checks; the rest stands for an image.
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);
const ALEX_PHOTO: UserPhoto = { contentType: 'image/jpeg', base64: JPEG.toString('base64'), width: 96, height: 120 };

let m: TestMock;
/** Contoso with photos for Adele (504×504 PNG) and Alex (96×120 JPEG); Megan has none. */
let tenant: string;
/** Adele, delegated, User.Read (the bridge's consent). */
let adeleToken: string;

beforeAll(async () => {
  m = await mockApp();
  tenant = await copyOfContoso(m, (f) => {
    withPhoto(f, adele.id, ADELE_PHOTO);
    withPhoto(f, alex.id, ALEX_PHOTO);
  });
  adeleToken = await userToken(m, { tenant });
});
afterAll(() => m.close());

function withPhoto(f: TenantFixture, id: string, photo: UserPhoto): void {
  f.users!.find((u) => u.id === id)!.photo = photo;
}

describe('a user without a photo', () => {
  it.each([
    '/v1.0/me/photo/$value',
    '/v1.0/me/photo',
    '/v1.0/me/photos',
    '/v1.0/me/photos/48x48',
    '/v1.0/me/photos/48x48/$value',
    `/v1.0/users/${adele.id}/photo/$value`,
    `/v1.0/users/${adele.upn}/photos/240x240/$value`,
  ])('GET %s: 404 ImageNotFound (Contoso: no photos)', async (url) => {
    const token = await userToken(m);
    expectGraphError(await graph(m, token, url), 404, ...NO_PHOTO);
  });

  it('Megan, in the tenant with photos, has none either', async () => {
    const token = await userToken(m, { tenant, upn: megan.upn });
    expectGraphError(await graph(m, token, '/v1.0/me/photo/$value'), 404, ...NO_PHOTO);
  });
});

describe('a user with a photo', () => {
  it('GET /me/photo/$value: the fixture’s bytes, their content type, an ETag, cached privately', async () => {
    for (const value of ['$value', '%24value']) {
      const r = await graph(m, adeleToken, `/v1.0/me/photo/${value}`);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.rawPayload.equals(PNG)).toBe(true);
      expect(r.headers['content-type']).toBe('image/png');
      expect(r.headers['cache-control']).toBe('private');
      expect(r.headers.etag).toMatch(/^"[0-9A-F]{8}"$/);
      expect(r.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.headers['odata-version']).toBeUndefined();
    }
  });

  it('GET /me/photo: the stored photo’s metadata (id "default", its own size)', async () => {
    const etag = (await graph(m, adeleToken, '/v1.0/me/photo/$value')).headers.etag;
    const r = await graph(m, adeleToken, '/v1.0/me/photo');
    expect(r.headers['content-type']).toBe(ODATA_JSON);
    expect(r.body).toBe(
      JSON.stringify({
        '@odata.context': `${GRAPH}/v1.0/$metadata#users('${adele.id}')/photo/$entity`,
        '@odata.mediaContentType': 'image/png',
        '@odata.mediaEtag': etag,
        id: 'default',
        height: 504,
        width: 504,
      }),
    );
  });

  it('GET /me/photos: every Microsoft 365 size up to the photo’s (504: all but 648x648)', async () => {
    const b = ok(await graph(m, adeleToken, '/v1.0/me/photos'));
    expect(b['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#users('${adele.id}')/photos`);
    const value = b.value as Array<Record<string, unknown>>;
    expect(value.map((p) => p.id)).toEqual(['48x48', '64x64', '96x96', '120x120', '240x240', '360x360', '432x432', '504x504']);
    expect(Object.keys(value[0]!)).toEqual(['@odata.mediaContentType', '@odata.mediaEtag', 'id', 'height', 'width']);
    expect(value[2]).toMatchObject({ '@odata.mediaContentType': 'image/png', id: '96x96', height: 96, width: 96 });
  });

  it('GET /me/photos/{size} and its $value; a size Microsoft 365 does not have, or larger than the photo, is ImageNotFound', async () => {
    for (const size of ['48x48', '48X48', '240x240', '504x504']) {
      const n = Number(size.split(/x/i)[0]);
      const b = ok(await graph(m, adeleToken, `/v1.0/me/photos/${size}`));
      expect(b).toMatchObject({ '@odata.context': `${GRAPH}/v1.0/$metadata#users('${adele.id}')/photos/$entity`, id: `${n}x${n}`, height: n, width: n });
      const v = await graph(m, adeleToken, `/v1.0/me/photos/${size}/$value`);
      expect(v.statusCode).toBe(200);
      expect(v.headers['content-type']).toBe('image/png');
      expect(v.rawPayload.equals(PNG)).toBe(true);
    }
    for (const size of ['648x648', '50x50', '48x64', 'large', '0x0']) {
      expectGraphError(await graph(m, adeleToken, `/v1.0/me/photos/${size}`), 404, ...NO_PHOTO);
      expectGraphError(await graph(m, adeleToken, `/v1.0/me/photos/${size}/$value`), 404, ...NO_PHOTO);
    }
  });

  it('a 96×120 JPEG: served as image/jpeg, offered up to 96x96', async () => {
    const token = await userToken(m, { tenant, upn: alex.upn });
    const v = await graph(m, token, '/v1.0/me/photo/$value');
    expect(v.headers['content-type']).toBe('image/jpeg');
    expect(v.rawPayload.equals(JPEG)).toBe(true);
    expect(ok(await graph(m, token, '/v1.0/me/photo'))).toMatchObject({ id: 'default', height: 120, width: 96 });
    expect((ok(await graph(m, token, '/v1.0/me/photos')).value as Array<{ id: string }>).map((p) => p.id)).toEqual(['48x48', '64x64', '96x96']);
  });

  it('/users/{userPrincipalName}/photo echoes the key in @odata.context', async () => {
    const b = ok(await graph(m, adeleToken, `/v1.0/users/${adele.upn}/photo`));
    expect(b['@odata.context']).toBe(`${GRAPH}/v1.0/$metadata#users('${adele.upn}')/photo/$entity`);
  });

  it('what follows a photo other than $value is a segment Graph does not know; the mock’s Graph is read-only, so a photo write gets its documented 501 refusal', async () => {
    expectGraphError(await graph(m, adeleToken, '/v1.0/me/photo/content'), 400, 'BadRequest', "Resource not found for the segment 'content'.");
    expectGraphError(await graph(m, adeleToken, '/v1.0/me/photos/48x48/raw'), 400, 'BadRequest', "Resource not found for the segment 'raw'.");
    expectGraphError(
      await graph(m, adeleToken, '/v1.0/me/photo/$value', { method: 'PATCH', rawBody: 'x', contentType: 'image/png' }),
      501,
      'NotImplemented',
      'mock-entra does not implement PATCH /v1.0/me/photo/$value.',
    );
  });

  it('userinfo’s picture is this photo, fetched with the same token', async () => {
    const info = json(await m.inject({ url: '/oidc/userinfo', headers: { authorization: `Bearer ${adeleToken}` } }));
    expect(info.picture).toBe(`${GRAPH}/v1.0/me/photo/$value`);
    const r = await graph(m, adeleToken, String(info.picture).replace(GRAPH, ''));
    expect(r.statusCode).toBe(200);
    expect(r.rawPayload.equals(PNG)).toBe(true);
  });
});

describe('permissions (profilephoto-get: User.Read for oneself, User.ReadBasic.All / User.Read.All for others)', () => {
  it('User.Read (delegated) reads one’s own photo by /me and by id, and no one else’s', async () => {
    expect((await graph(m, adeleToken, `/v1.0/users/${adele.id}/photo/$value`)).statusCode).toBe(200);
    for (const url of [`/v1.0/users/${alex.id}/photo/$value`, `/v1.0/users/${alex.id}/photo`, `/v1.0/users/${megan.id}/photos`]) {
      expectGraphError(await graph(m, adeleToken, url), 403, ...FORBIDDEN);
    }
  });

  it('User.Read.All (delegated) reads others’ photos; an unknown user is Graph’s directory 404', async () => {
    const wider = await copyOfContoso(m, (f) => {
      withPhoto(f, alex.id, ALEX_PHOTO);
      grantScopes(f, 'User.Read.All');
    });
    const token = await userToken(m, { tenant: wider, scope: 'openid profile User.Read User.Read.All' });
    const r = await graph(m, token, `/v1.0/users/${alex.id}/photo/$value`);
    expect(r.statusCode).toBe(200);
    expect(r.rawPayload.equals(JPEG)).toBe(true);
    expectGraphError(await graph(m, token, `/v1.0/users/${megan.id}/photo/$value`), 404, ...NO_PHOTO);
    const unknown = '0f0f0f0f-0000-4000-8000-000000000001';
    expectGraphError(
      await graph(m, token, `/v1.0/users/${unknown}/photo/$value`),
      404,
      'Request_ResourceNotFound',
      `Resource '${unknown}' does not exist or one of its queried reference-property objects are not present.`,
    );
  });

  it('app-only: User.Read.All reads photos; Group.Read.All alone is refused; /me is delegated only', async () => {
    expectGraphError(await graph(m, await appToken(m, tenant), `/v1.0/users/${adele.id}/photo/$value`), 403, ...FORBIDDEN);
    const withUsers = await copyOfContoso(m, (f) => {
      withPhoto(f, adele.id, ADELE_PHOTO);
      grantAppRoles(f, 'User.Read.All');
    });
    const token = await appToken(m, withUsers);
    const r = await graph(m, token, `/v1.0/users/${adele.upn}/photos/96x96/$value`);
    expect(r.statusCode).toBe(200);
    expect(r.rawPayload.equals(PNG)).toBe(true);
    expectGraphError(await graph(m, token, '/v1.0/me/photo/$value'), 400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  });

  it('ProfilePhoto.Read.All and User.ReadBasic.All (Graph’s real permission ids) can be granted and read others’ photos, app-only and delegated', async () => {
    const photos = await copyOfContoso(m, (f) => {
      withPhoto(f, alex.id, ALEX_PHOTO);
      grantAppRoles(f, 'ProfilePhoto.Read.All');
      grantScopes(f, 'User.ReadBasic.All');
    });
    const app = await appToken(m, photos);
    expect((await graph(m, app, `/v1.0/users/${alex.id}/photo/$value`)).statusCode).toBe(200);
    // ProfilePhoto.Read.All reads photos, not users.
    expectGraphError(await graph(m, app, `/v1.0/users/${alex.id}`), 403, ...FORBIDDEN);
    const user = await userToken(m, { tenant: photos, scope: 'openid profile User.Read User.ReadBasic.All' });
    expect((await graph(m, user, `/v1.0/users/${alex.id}/photo/$value`)).statusCode).toBe(200);
  });
});

describe('the fixture’s photo', () => {
  const doc = (photo: unknown): FixtureDocument => ({
    tenants: [
      {
        id: '6a1f2b3c-0000-4000-8000-000000000001',
        displayName: 'Photos',
        verifiedDomains: ['photos.example.com'],
        users: [{ id: '6a1f2b3c-0000-4000-8000-000000000002', userPrincipalName: 'p@photos.example.com', displayName: 'P', photo: photo as UserPhoto }],
      },
    ],
  });
  const issues = (photo: unknown): string[] => validateFixture(doc(photo), 'photos.yaml').map((i) => `${i.path}: ${i.message}`);

  it('accepts a PNG and a JPEG that are what they say', () => {
    expect(issues(ADELE_PHOTO)).toEqual([]);
    expect(issues(ALEX_PHOTO)).toEqual([]);
  });

  it('names the path of each problem', () => {
    const at = 'tenants[0].users[0].photo';
    expect(issues({ ...ADELE_PHOTO, contentType: 'image/gif' })).toEqual([`${at}.contentType: must be one of: image/jpeg, image/png (got image/gif)`]);
    expect(issues({ ...ADELE_PHOTO, base64: 'not base64!' })).toEqual([
      `${at}.base64: must be base64 (A–Z, a–z, 0–9, + and /, padded with = to a multiple of 4 characters)`,
    ]);
    expect(issues({ ...ADELE_PHOTO, contentType: 'image/jpeg' })).toEqual([`${at}.base64: must be a JPEG image (FF D8 FF…), as contentType image/jpeg says`]);
    expect(issues({ ...ALEX_PHOTO, contentType: 'image/png' })).toEqual([
      `${at}.base64: must be a PNG image (89 50 4E 47 0D 0A 1A 0A…), as contentType image/png says`,
    ]);
    expect(issues({ ...ADELE_PHOTO, base64: 'A'.repeat(1398108) })).toEqual([`${at}.base64: must be at most 1398104 characters`]);
    expect(issues({ ...ADELE_PHOTO, width: 0, height: 4097 })).toEqual([`${at}.width: must be at least 1`, `${at}.height: must be at most 4096`]);
    expect(issues({ ...ADELE_PHOTO, width: 1.5 })).toEqual([`${at}.width: must be an integer`]);
    expect(issues({ contentType: 'image/png', base64: ADELE_PHOTO.base64, width: 504 })).toEqual([`${at}.height: is required`]);
    expect(issues({ ...ADELE_PHOTO, url: 'https://example.com/a.png' })).toEqual([
      `${at}: unknown property 'url' (allowed: contentType, base64, width, height)`,
    ]);
  });

  it('the control API refuses a tenant whose photo is not what it says, naming the path', async () => {
    const fixture = doc({ ...ALEX_PHOTO, contentType: 'image/png' }).tenants[0]!;
    const r = await m.inject({ method: 'POST', url: '/_mock/tenants', payload: JSON.stringify(fixture), headers: { 'content-type': 'application/json' } });
    expect(r.statusCode).toBe(400);
    const error = json(r).error as { code: string; issues: Array<{ path: string; message: string }> };
    expect(error.code).toBe('InvalidFixture');
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'tenants[0].users[0].photo.base64: must be a PNG image (89 50 4E 47 0D 0A 1A 0A…), as contentType image/png says',
    ]);
  });
});
