/**
 * The load generator, always run as its own process (never inside a server's process): autocannon
 * for a fixed duration, one JSON line of results on stdout.
 *
 *   node bench/.build/load.js '<json LoadSpec>'
 */
import autocannon, { type AutocannonRequest } from 'autocannon';

export type LoadSpec =
  | {
      kind: 'fixed';
      url: string;
      method?: 'GET' | 'POST';
      headers?: Record<string, string>;
      body?: string;
      connections: number;
      duration: number;
    }
  | {
      /** authorize (mock_login=auto, no page) → 302 with a code → token: one flow. */
      kind: 'auth-code-flow';
      base: string;
      tenant: string;
      clientId: string;
      secret: string;
      redirectUri: string;
      loginHint: string;
      scope: string;
      connections: number;
      duration: number;
    };

export interface LoadResult {
  /** Responses with the expected status per second (2xx, or completed flows). */
  rate: number;
  ok: number;
  /** Responses with another status, connection errors and timeouts. */
  failures: number;
  duration: number;
  latencyP50: number;
  latencyP99: number;
  sampleFailure?: string;
}

async function main(spec: LoadSpec): Promise<LoadResult> {
  if (spec.kind === 'fixed') {
    const r = await autocannon({
      url: spec.url,
      method: spec.method ?? 'GET',
      ...(spec.headers ? { headers: spec.headers } : {}),
      ...(spec.body !== undefined ? { body: spec.body } : {}),
      connections: spec.connections,
      duration: spec.duration,
      timeout: 10,
    });
    const ok = r['2xx'];
    const failures = r.non2xx + r.errors + r.timeouts;
    return {
      rate: ok / r.duration,
      ok,
      failures,
      duration: r.duration,
      latencyP50: r.latency.p50,
      latencyP99: r.latency.p99,
      ...(failures > 0 ? { sampleFailure: `3xx ${r['3xx']}, 4xx ${r['4xx']}, 5xx ${r['5xx']}, connection errors ${r.errors}, timeouts ${r.timeouts}` } : {}),
    };
  }

  let flows = 0;
  let failures = 0;
  let sampleFailure: string | undefined;
  const fail = (what: string): void => {
    failures++;
    sampleFailure ??= what.slice(0, 300);
  };
  const query = new URLSearchParams({
    client_id: spec.clientId,
    response_type: 'code',
    redirect_uri: spec.redirectUri,
    scope: spec.scope,
    state: 'bench',
    mock_login: 'auto',
    login_hint: spec.loginHint,
  });
  const requests: AutocannonRequest[] = [
    {
      method: 'GET',
      path: `/${spec.tenant}/oauth2/v2.0/authorize?${query.toString()}`,
      onResponse: (status, body, context, headers) => {
        const location = headers.location ?? headers.Location;
        const code = status === 302 && location ? new URL(location).searchParams.get('code') : null;
        if (!code) fail(`authorize ${status} ${location ?? body}`);
        context.code = code ?? 'no-code';
      },
    },
    {
      method: 'POST',
      path: `/${spec.tenant}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      setupRequest: (req, context) => ({
        ...req,
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: spec.clientId,
          client_secret: spec.secret,
          code: String(context.code),
          redirect_uri: spec.redirectUri,
        }).toString(),
      }),
      onResponse: (status, body) => {
        if (status === 200) flows++;
        else fail(`token ${status} ${body}`);
      },
    },
  ];
  const r = await autocannon({ url: spec.base, connections: spec.connections, duration: spec.duration, requests, timeout: 10 });
  return {
    rate: flows / r.duration,
    ok: flows,
    failures: failures + r.errors + r.timeouts,
    duration: r.duration,
    latencyP50: r.latency.p50,
    latencyP99: r.latency.p99,
    ...(sampleFailure ? { sampleFailure } : {}),
  };
}

main(JSON.parse(process.argv[2] ?? '{}') as LoadSpec).then(
  (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
