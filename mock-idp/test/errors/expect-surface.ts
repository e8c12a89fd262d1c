import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { CATALOG, formatMessage, type AadstsCode, type Surface } from '../../src/errors/catalog.js';
import { ORIGIN, type TestMock } from '../support/mock-app.js';

/**
 * What a trigger produced: the response, and what the refusal must say — the catalog message's
 * placeholders as this request fills them, and for the redirect surface where it must go back to.
 */
export interface Triggered {
  res: LightMyRequestResponse;
  params?: Record<string, string>;
  /** redirect surface: the redirect URI the request named, and the state it sent. */
  redirectUri?: string;
  state?: string;
  /** The client-request-id the client sent, which correlation_id must echo. */
  correlationId?: string;
}

export type Trigger = (m: TestMock) => Promise<Triggered>;

const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/;
const TOKEN_FIELDS = ['error', 'error_description', 'error_codes', 'timestamp', 'trace_id', 'correlation_id', 'error_uri'];

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

import { dotnetUrlEncode } from '../../src/errors/render.js';
export { dotnetUrlEncode };

/**
 * `AADSTSnnnnn: <message>\r\nTrace ID: <guid>\r\nCorrelation ID: <guid>\r\nTimestamp: yyyy-MM-dd HH:mm:ssZ`.
 * Returns the three ids for comparison with the body's own fields.
 */
export function expectDescription(description: unknown, code: AadstsCode, message: string): { traceId: string; correlationId: string; timestamp: string } {
  expect(typeof description).toBe('string');
  const lines = String(description).split('\r\n');
  expect(lines).toHaveLength(4);
  expect(lines[0]).toBe(`AADSTS${code}: ${message}`);
  expect(lines[1]).toMatch(new RegExp(`^Trace ID: ${GUID}$`));
  expect(lines[2]).toMatch(new RegExp(`^Correlation ID: ${GUID}$`));
  expect(lines[3]).toMatch(/^Timestamp: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
  return {
    traceId: lines[1]!.slice('Trace ID: '.length),
    correlationId: lines[2]!.slice('Correlation ID: '.length),
    timestamp: lines[3]!.slice('Timestamp: '.length),
  };
}

export function expectTokenError(code: AadstsCode, t: Triggered): void {
  const entry = CATALOG[code];
  const { res } = t;
  expect(res.statusCode, res.body).toBe(entry.status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.headers['cache-control']).toBe('no-store, no-cache');
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(entry.suberror ? [...TOKEN_FIELDS, 'suberror'] : TOKEN_FIELDS);
  expect(body.error).toBe(entry.error);
  expect(body.error_codes).toEqual([code]);
  const ids = expectDescription(body.error_description, code, formatMessage(code, t.params ?? {}));
  expect(body.timestamp).toMatch(TIMESTAMP);
  expect(body.timestamp).toBe(ids.timestamp);
  expect(body.trace_id).toBe(ids.traceId);
  expect(body.correlation_id).toBe(ids.correlationId);
  if (t.correlationId) expect(body.correlation_id).toBe(t.correlationId);
  expect(body.error_uri).toBe(`${ORIGIN}/error?code=${code}`);
  if (entry.suberror) expect(body.suberror).toBe(entry.suberror);
}

/** Pairs posted by Entra's form_post page (auto-submitting form to the redirect URI). */
function formPostFields(html: string, redirectUri: string): Array<[string, string]> {
  const form = /<form method="POST" name="hiddenform" action="([^"]*)">([\s\S]*?)<noscript>/.exec(html);
  expect(form, 'form_post page').not.toBeNull();
  expect(form![1]).toBe(escapeHtml(redirectUri));
  const unescape = (s: string): string =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  return [...form![2]!.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)" \/>/g)].map((x) => [unescape(x[1]!), unescape(x[2]!)]);
}

export function expectRedirectError(code: AadstsCode, t: Triggered): void {
  const entry = CATALOG[code];
  const { res, redirectUri, state } = t;
  if (redirectUri === undefined || state === undefined) throw new Error('a redirect trigger must name its redirectUri and state');
  let fields: Array<[string, string]>;
  if (res.statusCode === 200) {
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers.location).toBeUndefined();
    fields = formPostFields(res.body, redirectUri);
  } else {
    expect(res.statusCode, res.body.slice(0, 500)).toBe(302);
    const location = String(res.headers.location);
    expect(location.startsWith(`${redirectUri}?`), location).toBe(true);
    const query = location.slice(redirectUri.length + 1);
    expect(query).toContain(`error_description=AADSTS${code}%3a+`);
    fields = [...new URLSearchParams(query)];
    // Exactly .NET's encoding of the decoded values: '+' for spaces, lowercase %xx.
    expect(query).toBe(fields.map(([k, v]) => `${k}=${dotnetUrlEncode(v)}`).join('&'));
  }
  expect(fields.map(([k]) => k)).toEqual(['error', 'error_description', 'error_uri', 'state']);
  const get = (k: string): string => fields.find(([n]) => n === k)![1];
  expect(get('error')).toBe(entry.redirectError ?? entry.error);
  expectDescription(get('error_description'), code, formatMessage(code, t.params ?? {}));
  expect(get('error_uri')).toBe(`${ORIGIN}/error?code=${code}`);
  expect(get('state')).toBe(state);
}

export function expectErrorPage(code: AadstsCode, t: Triggered): void {
  const { res } = t;
  expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(res.headers.location).toBeUndefined();
  expect(res.headers['x-ms-ests-error']).toBe(String(code));
  // The whole message, up to the end of its element (so a longer text does not pass as a prefix).
  expect(res.body).toContain(`AADSTS${code}: ${escapeHtml(formatMessage(code, t.params ?? {}))}<`);
}

export function expectSurface(surface: Surface, code: AadstsCode, t: Triggered): void {
  if (surface === 'token') expectTokenError(code, t);
  else if (surface === 'redirect') expectRedirectError(code, t);
  else expectErrorPage(code, t);
}
