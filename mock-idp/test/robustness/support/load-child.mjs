// The load generator of load.test.ts, run as its own process (never in the server's): autocannon
// cycling through a sign-in's requests — discovery, authorize (mock_login=auto), code redemption,
// refresh, client credentials, JWKS — and counting every answer whose status is not the one that
// request must get. Prints one JSON line: { requests, cycles, rps, unexpected, errors, timeouts, sample }.
//
//   node load-child.mjs '<json: { base, tenant, bridge: {appId, secret, redirectUri}, ingestion: {appId, secret}, apiScope, upn, connections, duration, rate? }>'
import autocannon from 'autocannon';

const spec = JSON.parse(process.argv[2]);
const T = spec.tenant;
let unexpected = 0;
let cycles = 0;
const samples = [];
const expect = (what, want) => (status, body) => {
  if (status !== want) {
    unexpected++;
    if (samples.length < 5) samples.push(`${what}: ${status} ${String(body).slice(0, 300)}`);
    return false;
  }
  return true;
};
const form = (fields) => new URLSearchParams(fields).toString();
const authorizeQuery = new URLSearchParams({
  client_id: spec.bridge.appId,
  redirect_uri: spec.bridge.redirectUri,
  response_type: 'code',
  scope: 'openid profile offline_access User.Read',
  mock_login: 'auto',
  login_hint: spec.upn,
  state: 'load',
}).toString();
const tokenHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

const requests = [
  { method: 'GET', path: `/${T}/v2.0/.well-known/openid-configuration`, onResponse: expect('discovery', 200) },
  {
    method: 'GET',
    path: `/${T}/oauth2/v2.0/authorize?${authorizeQuery}`,
    onResponse: (status, body, context, headers) => {
      context.code = 'none';
      if (!expect('authorize', 302)(status, body)) return;
      const location = headers.location ?? '';
      context.code = new URL(location).searchParams.get('code') ?? 'none';
    },
  },
  {
    method: 'POST',
    path: `/${T}/oauth2/v2.0/token`,
    headers: tokenHeaders,
    setupRequest: (req, context) => ({
      ...req,
      body: form({
        grant_type: 'authorization_code',
        client_id: spec.bridge.appId,
        client_secret: spec.bridge.secret,
        code: context.code,
        redirect_uri: spec.bridge.redirectUri,
      }),
    }),
    onResponse: (status, body, context) => {
      context.rt = 'none';
      if (!expect('code redemption', 200)(status, body)) return;
      context.rt = JSON.parse(body).refresh_token;
    },
  },
  {
    method: 'POST',
    path: `/${T}/oauth2/v2.0/token`,
    headers: tokenHeaders,
    setupRequest: (req, context) => ({
      ...req,
      body: form({ grant_type: 'refresh_token', client_id: spec.bridge.appId, client_secret: spec.bridge.secret, refresh_token: context.rt }),
    }),
    onResponse: expect('refresh', 200),
  },
  {
    method: 'POST',
    path: `/${T}/oauth2/v2.0/token`,
    headers: tokenHeaders,
    body: form({ grant_type: 'client_credentials', client_id: spec.ingestion.appId, client_secret: spec.ingestion.secret, scope: spec.apiScope }),
    onResponse: expect('client credentials', 200),
  },
  {
    method: 'GET',
    path: `/${T}/discovery/v2.0/keys`,
    onResponse: (status, body) => {
      if (expect('jwks', 200)(status, body)) cycles++;
    },
  },
];

const result = await autocannon({
  url: spec.base,
  connections: spec.connections,
  duration: spec.duration,
  requests,
  timeout: 10,
  ...(spec.rate ? { overallRate: spec.rate } : {}),
});
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    cycles,
    unexpected,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyP99: result.latency.p99,
    duration: result.duration,
    sample: samples,
  })}\n`,
);
