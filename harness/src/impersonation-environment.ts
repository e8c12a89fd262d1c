import { createHash } from 'node:crypto';
import { connect } from 'node:tls';
import type { Browser } from 'playwright-core';
import type * as Undici from 'undici';
import { IMPERSONATED_HOSTS, startMockEntra } from '../../mock-idp/src/index.js';
import { trustingFetch, type FetchInit, type FetchLike } from '../../mock-idp/src/testing.js';
import { launchChromium, verifiedSpki } from './drivers/browser.js';

/**
 * What a scenario declared with `impersonation: true` runs against: a mock of its own started in
 * impersonation mode (README: Unmodified apps) — it answers as login.microsoftonline.com,
 * login.microsoftonline.us, graph.microsoft.com… with certificates of its name-constrained CA —
 * and a Chromium of its own that resolves those names to the mock and accepts exactly the
 * certificate Node verified against that CA (`--host-resolver-rules`, `--ignore-certificate-errors-spki-list`).
 * The bridge reaches Microsoft's names through {@link ImpersonationServices.microsoftFetch}: a
 * fetch of its own, so no global dispatcher of a worker that runs other scenarios is touched.
 * Started by the worker on the first such scenario (the shared mock is left as it is).
 */

export interface ImpersonationServices {
  /** The impersonating mock's own URL (its test-control API), e.g. `https://localhost:41234`. */
  idpUrl: string;
  /** The CA of the mock's own URL. */
  caPem: string;
  /** A fetch that sends Microsoft's names to the mock (SNI and Host the Microsoft name, the impersonation CA trusted); other URLs trust `caPem`. */
  microsoftFetch: FetchLike;
  /** Chromium for these names (own cookies per context). */
  browser: Browser;
  close(): Promise<void>;
}

export async function startImpersonationServices(): Promise<ImpersonationServices> {
  const mock = await startMockEntra({ port: 0, tls: true, impersonate: true });
  const agents: Undici.Agent[] = [];
  try {
    const ca = mock.caPem;
    const impersonationCa = mock.impersonation?.caPem;
    if (ca === undefined || impersonationCa === undefined) throw new Error('the mock did not start in impersonation mode over HTTPS');
    const address = { host: new URL(mock.url).hostname.replace(/^\[|\]$/g, ''), port: Number(new URL(mock.url).port) };
    const undici = (await import('undici')) as typeof Undici;
    const connector = undici.buildConnector({ ca: impersonationCa });
    const agent = new undici.Agent({
      connect: (options, callback) => connector({ ...options, hostname: address.host, port: String(address.port), servername: options.hostname }, callback),
    });
    agents.push(agent);
    const hosts = [...IMPERSONATED_HOSTS.keys()];
    const pins = new Set([await verifiedSpki(mock.url, ca), ...(await Promise.all(hosts.map((h) => pinOf(address, h, impersonationCa))))]);
    const browser = await launchChromium({
      pinnedSpki: [...pins],
      hostResolverRules: hosts.map((h) => `MAP ${h}:443 ${address.host}:${address.port}`).join(', '),
    });
    return {
      idpUrl: mock.url,
      caPem: ca,
      microsoftFetch: routedFetch(undici, agent, trustingFetch(ca)),
      browser,
      async close() {
        await Promise.allSettled([browser.close(), agent.close(), mock.close()]);
      },
    };
  } catch (e) {
    await Promise.allSettled([...agents.map((a) => a.close()), mock.close()]);
    throw e;
  }
}

/** The SPKI hash (base64 SHA-256) of the certificate the mock presents for `host`, verified against the impersonation CA. */
function pinOf(address: { host: string; port: number }, host: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.host, port: address.port, servername: host, ca }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      if (cert.pubkey) resolve(createHash('sha256').update(cert.pubkey).digest('base64'));
      else reject(new Error(`${host}: the mock presented no certificate`));
    });
    socket.once('error', reject);
  });
}

/** Statuses whose Response must be built with a null body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** https on the default port to one of Microsoft's names the mock answers as. */
const isMicrosoftUrl = (u: URL): boolean => u.protocol === 'https:' && (u.port === '' || u.port === '443') && IMPERSONATED_HOSTS.has(u.hostname.toLowerCase());

/** Microsoft's names through `agent` (undici's own fetch: the agent belongs to that undici), the rest through `others`. */
function routedFetch(undici: typeof Undici, agent: Undici.Agent, others: FetchLike): FetchLike {
  return async (input: string | URL, init?: FetchInit) => {
    const url = new URL(String(input));
    if (!isMicrosoftUrl(url)) return others(input, init);
    const res = await undici.fetch(url, { ...init, redirect: init?.redirect ?? 'manual', dispatcher: agent } as unknown as Undici.RequestInit);
    const headers = new Headers();
    res.headers.forEach((v, k) => {
      if (k !== 'set-cookie') headers.append(k, v);
    });
    for (const c of res.headers.getSetCookie()) headers.append('set-cookie', c);
    return new Response(NULL_BODY.has(res.status) ? null : new Uint8Array(await res.arrayBuffer()), {
      status: res.status,
      statusText: res.statusText,
      headers,
    });
  };
}
