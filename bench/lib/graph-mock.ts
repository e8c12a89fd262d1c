import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../mock-idp/src/context.js';

/** The mock serving a fixture on loopback HTTP, with a Graph token for the scale tenant. */
export interface GraphMock {
  origin: string;
  ctx: MockContext;
  app: FastifyInstance;
  /** `Bearer …`: the Identity Bridge's app-only Graph token (Group.Read.All, admin-consented in Contoso). */
  authorization: string;
  /** Closes the app and the state store. */
  close(): Promise<void>;
}

/**
 * Starts the mock from sources on a free loopback port (plain HTTP) with `fixture`, and asks it
 * for the bridge's client-credentials token for Graph in the scale tenant (generate-spec.ts) —
 * the set-up every Graph bench shares. The mock's modules are imported here, not at the top, so
 * a bench's client processes never load them.
 */
export async function serveWithGraphToken(fixture: string, stateDir: string): Promise<GraphMock> {
  const { SCALE_EXAMPLE_TENANT } = await import('../../mock-idp/src/directory/generate-spec.js');
  const { CONTOSO } = await import('../../mock-idp/src/contoso.js');
  const { createContext } = await import('../../mock-idp/src/server.js');
  const { buildApp } = await import('../../mock-idp/src/app.js');
  const { freePort } = await import('./proc.js');
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const ctx = await createContext({ fixtures: [fixture], stateDir, tls: false, publicUrl: origin, port }, port);
  const app = buildApp(ctx);
  const close = async (): Promise<void> => {
    ctx.store.close();
    await app.close();
  };
  try {
    await app.listen({ host: '127.0.0.1', port });
    const answer = await fetch(`${origin}/${SCALE_EXAMPLE_TENANT.id}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: CONTOSO.bridge.appId,
        client_secret: CONTOSO.bridge.secret,
        scope: 'https://graph.microsoft.com/.default',
      }),
    });
    if (answer.status !== 200) throw new Error(`token: ${answer.status} ${await answer.text()}`);
    return { origin, ctx, app, authorization: `Bearer ${((await answer.json()) as { access_token: string }).access_token}`, close };
  } catch (error) {
    await close();
    throw error;
  }
}
