import { describe, expect, it } from 'vitest';
import { parseConnectTarget } from '../../src/proxy/connect-target.js';
import { decide, isPassThroughPattern } from '../../src/proxy/proxy-policy.js';

/** The proxy's decisions and its reading of CONNECT targets, value by value. */

const policy = (passThrough: string[]) => ({ impersonated: new Set(['login.microsoftonline.com', 'graph.microsoft.com']), passThrough });

describe('parseConnectTarget', () => {
  it.each([
    ['login.microsoftonline.com:443', { host: 'login.microsoftonline.com', port: 443 }],
    ['LOGIN.MicrosoftOnline.com.:443', { host: 'login.microsoftonline.com', port: 443 }],
    ['[::1]:8443', { host: '::1', port: 8443 }],
    ['10.0.0.1:22', { host: '10.0.0.1', port: 22 }],
    ['login.microsoftonline.com', { invalid: 'the CONNECT target must be host:port' }],
    ['login.microsoftonline.com:443/x', { invalid: 'the CONNECT target must be host:port' }],
    ['a..b:443', { invalid: 'the CONNECT target host is not a valid host name' }],
    [`${'a'.repeat(64)}.example:443`, { invalid: 'the CONNECT target host is not a valid host name' }],
    ['-a.example:443', { invalid: 'the CONNECT target host is not a valid host name' }],
    ['[1.2.3.4]:443', { invalid: 'the CONNECT target is not a valid IPv6 address' }],
    ['', { invalid: 'CONNECT needs a target host:port' }],
  ])('%j → %j', (authority, expected) => {
    expect(parseConnectTarget(authority)).toEqual(expected);
  });
});

describe('decide', () => {
  it('sends an impersonated name on 443 into the mock, and refuses it on another port', () => {
    expect(decide({ host: 'graph.microsoft.com', port: 443 }, policy([]))).toEqual({ kind: 'mock' });
    expect(decide({ host: 'graph.microsoft.com', port: 80 }, policy(['*']))).toEqual({
      kind: 'refuse',
      reason: 'graph.microsoft.com is served by the mock on port 443 only, not 80',
    });
  });

  it('refuses every other host unless a pattern allows it', () => {
    expect(decide({ host: 'api.example.com', port: 443 }, policy([]))).toEqual({
      kind: 'refuse',
      reason:
        'api.example.com:443 is not a Microsoft host this mock impersonates; other hosts are refused unless allowed with --proxy-pass-through (MOCK_ENTRA_PROXY_PASS_THROUGH)',
    });
    expect(decide({ host: 'api.example.com', port: 443 }, policy(['api.example.com'])).kind).toBe('pass-through');
    expect(decide({ host: 'api.example.com', port: 443 }, policy(['API.Example.com.'])).kind).toBe('pass-through');
    expect(decide({ host: 'a.b.example.com', port: 443 }, policy(['*.example.com'])).kind).toBe('pass-through');
    expect(decide({ host: 'example.com', port: 443 }, policy(['*.example.com'])).kind).toBe('refuse');
    expect(decide({ host: 'badexample.com', port: 443 }, policy(['*.example.com'])).kind).toBe('refuse');
    expect(decide({ host: '::1', port: 22 }, policy(['[::1]'])).kind).toBe('pass-through');
    expect(decide({ host: '169.254.169.254', port: 80 }, policy(['*'])).kind).toBe('pass-through');
    expect(decide({ host: 'login.microsoftonline.com.evil.example', port: 443 }, policy([])).kind).toBe('refuse');
  });
});

describe('isPassThroughPattern', () => {
  it.each([
    ['*', true],
    ['*.example.com', true],
    ['api.example.com', true],
    ['10.0.0.1', true],
    ['[::1]', true],
    ['a b', false],
    ['http://example.com', false],
    ['example.com:443', false],
    ['*example.com', false],
  ])('%j → %s', (pattern, ok) => {
    expect(isPassThroughPattern(pattern)).toBe(ok);
  });
});
