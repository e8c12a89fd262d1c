import fc from 'fast-check';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { appClaims, appClaimsJson, type AppOnlyGrant, type AppTokenVariables, type IssuerContext, type TokenVersion } from '../../src/tokens/issue.js';
import { mockApp, type TestMock, CONTOSO } from '../support/mock-app.js';
import type { Application } from '../../src/directory/model.js';

/**
 * App-only tokens splice their six variables into JSON built once per grant; the result must be
 * byte for byte what serializing the claims gives, for every kind of grant.
 */
let m: TestMock;
beforeAll(async () => {
  m = await mockApp();
});
afterAll(() => m.close());

const b64url = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b).toString('base64url'));
const variables: fc.Arbitrary<AppTokenVariables> = fc.record({
  iat: fc.integer({ min: 0, max: 2 ** 40 }),
  nbf: fc.integer({ min: 0, max: 2 ** 40 }),
  exp: fc.integer({ min: 0, max: 2 ** 40 }),
  aio: b64url,
  rh: b64url.map((s) => `1.A${s}`),
  uti: b64url,
});

describe('app-only token claims from a template', () => {
  it('equal JSON.stringify of the claims, whatever the grant and the values', () => {
    const tenant = m.ctx.tenants.get(CONTOSO.tenantId)!;
    const ctx: IssuerContext = { tenant, urls: m.ctx.urls, key: m.ctx.machineKey };
    const dir = tenant.directory;
    const apps = [...dir.apps.values()];
    const odd: Application = { ...dir.app(CONTOSO.ingestion.appId)!, displayName: '\u0000iat\u0000' };
    const quoted: Application = { ...dir.app(CONTOSO.bridge.appId)!, displayName: 'Quote " backslash \\ é \u2028' };
    const grant = fc.record({
      client: fc.constantFrom(...apps, odd, quoted),
      clientAuth: fc.constantFrom('0', '1', '2') as fc.Arbitrary<'0' | '1' | '2'>,
      resource: fc.constantFrom(...apps),
      resourceIdentifier: fc.constantFrom('https://graph.microsoft.com', CONTOSO.openMetadataUi.apiUri, '00000003-0000-0000-c000-000000000000', 'api://x"y'),
      roles: fc.array(fc.constantFrom('Group.Read.All', 'User.Read.All', 'Role "quoted"'), { maxLength: 3 }),
    }) as fc.Arbitrary<AppOnlyGrant>;
    fc.assert(
      fc.property(grant, fc.constantFrom('1.0', '2.0') as fc.Arbitrary<TokenVersion>, variables, fc.array(variables, { maxLength: 3 }), (g, v, x, more) => {
        for (const values of [x, ...more]) expect(appClaimsJson(ctx, g, v, values)).toBe(JSON.stringify(appClaims(ctx, g, v, values)));
      }),
      { numRuns: 300 },
    );
  });
});
