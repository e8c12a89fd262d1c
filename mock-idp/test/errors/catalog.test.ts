import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, CATALOG_CODES, type AadstsCode, type Surface } from '../../src/errors/catalog.js';
import { mockApp, type TestMock } from '../support/mock-app.js';
import { expectSurface, expectTokenError } from './expect-surface.js';
import { INGESTION, tokenAt } from './flows.js';
import { TRIGGERS } from './triggers.js';

/**
 * Generated from the catalog: every AADSTS code the mock can produce, on every surface its entry
 * lists, is triggered by a realistic request (triggers.ts) and checked on the wire — token JSON,
 * authorize redirect, or Microsoft's error page. A catalog entry without a trigger fails here, so
 * an untested refusal cannot reach a release.
 */
let m: TestMock;
beforeAll(async () => {
  m = await mockApp();
});
afterAll(() => m.close());

describe('AADSTS catalog', () => {
  for (const code of CATALOG_CODES) {
    for (const surface of CATALOG[code].surfaces) {
      it(`AADSTS${code} on ${surface}: ${CATALOG[code].trigger}`, async () => {
        const trigger = TRIGGERS[code]?.[surface];
        if (!trigger) expect.fail(`no trigger for AADSTS${code} on ${surface}`);
        expectSurface(surface, code, await trigger(m));
      });
    }
  }

  it('names no code or surface that the catalog does not list', () => {
    const stray: string[] = [];
    for (const [key, bySurface] of Object.entries(TRIGGERS)) {
      const code = Number(key) as AadstsCode;
      const entry = (CATALOG as Partial<Record<number, (typeof CATALOG)[AadstsCode]>>)[code];
      for (const surface of Object.keys(bySurface) as Surface[]) {
        if (!entry?.surfaces.includes(surface)) stray.push(`AADSTS${key} on ${surface}`);
      }
    }
    expect(stray).toEqual([]);
  });

  // Found while writing the triggers: a blank scope named no resource and was answered with 28000
  // ("contains more than one resource").
  it('answers a blank client-credentials scope as a missing parameter (AADSTS900144)', async () => {
    const res = await m.form(tokenAt(), { grant_type: 'client_credentials', client_id: INGESTION.appId, client_secret: INGESTION.secret, scope: ' ' });
    expectTokenError(900144, { res, params: { name: 'scope' } });
  });
});
