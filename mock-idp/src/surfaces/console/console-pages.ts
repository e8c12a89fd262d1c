import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../../context.js';
import { fixtureJsonChunks } from '../../directory/fixture-json.js';
import type { TenantRuntime } from '../../runtime/tenant-runtime.js';
import { consolePage } from '../../views/console/console-page.js';
import { logRows, logView, type LogRow } from '../../views/console/log-view.js';
import { tenantView } from '../../views/console/tenant-view.js';
import { tenantsView } from '../../views/console/tenants-view.js';
import { ControlError } from '../control/control-reply.js';
import type { AppliedSwitches } from './applied-switches.js';
import type { ConsoleSecrets } from './console-session.js';
import { logMatcher } from './log-search.js';
import { refusalHelp } from './refusal-help.js';
import { tenantModel } from './tenant-model.js';
import type { RequestLogEntry } from '../../runtime/request-log.js';

/** The console's pages and feeds (GET): what the tenants hold, and the live log. */

/** Rows a log page starts with; the feed adds the newer ones. */
const LOG_PAGE_ROWS = 500;

interface TenantRoute {
  Params: { id: string };
  Querystring: Record<string, string | undefined>;
}

export function registerConsolePages(ui: FastifyInstance, ctx: MockContext, secrets: ConsoleSecrets, applied: AppliedSwitches): void {
  const page = (request: FastifyRequest, reply: FastifyReply, title: string, body: Parameters<typeof consolePage>[1], crumbs?: Array<[string, string]>) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .send(consolePage({ title, pageToken: secrets.pageToken(request), ...(crumbs ? { crumbs } : {}) }, body));

  ui.get('/', async (request, reply) =>
    page(
      request,
      reply,
      'Tenants',
      tenantsView(
        ctx.tenants.all().map((t) => ({
          id: t.id,
          displayName: t.directory.displayName,
          domains: t.directory.domains,
          applications: t.directory.fixture.applications?.length ?? 0,
          users: t.directory.fixture.users?.length ?? 0,
          groups: t.directory.fixture.groups?.length ?? 0,
        })),
      ),
    ),
  );

  ui.get<TenantRoute>('/tenants/:id', async (request, reply) => {
    const t = tenantOf(ctx, request.params.id);
    const userSkip = skipOf(request.query.users);
    const groupSkip = skipOf(request.query.groups);
    const model = tenantModel(ctx, t, applied.list(t), userSkip, groupSkip);
    return page(request, reply, t.directory.displayName, tenantView(model, model.users.skip, model.groups.skip), [
      [t.directory.displayName, `/_mock/ui/tenants/${t.id}`],
    ]);
  });

  ui.get<TenantRoute>('/tenants/:id/export', async (request, reply) => {
    const t = tenantOf(ctx, request.params.id);
    // A fixture document with this one tenant as it is now: `mock-entra -f <file>` loads it back.
    // Written as `fixtureToJson` writes fixtures (a user or group per line) and streamed a few
    // thousand at a time, yielding between pieces: a 100,000-user tenant is ~70 MB, and the mock
    // goes on answering sign-ins while it downloads. The directory's own fixture is read, never
    // copied; a change made meanwhile replaces the directory, not this object.
    const fixture = t.directory.fixture;
    const name = `${(t.directory.domains[0] ?? t.id).replace(/[^\w.-]/g, '_')}.fixture.json`;
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(Readable.from(yieldingEach(fixtureJsonChunks({ tenants: [fixture] }))));
  });

  ui.get<TenantRoute>('/tenants/:id/log', async (request, reply) => {
    const t = tenantOf(ctx, request.params.id);
    const q = (request.query.q ?? '').slice(0, 200);
    const all = t.log.list();
    const rows = all.filter(logMatcher(q)).slice(-LOG_PAGE_ROWS).map(withHelp);
    const lastSeq = all[all.length - 1]?.seq ?? 0;
    return page(request, reply, `Request log — ${t.directory.displayName}`, logView(t.id, t.directory.displayName, rows, q, lastSeq), [
      [t.directory.displayName, `/_mock/ui/tenants/${t.id}`],
      ['Request log', `/_mock/ui/tenants/${t.id}/log`],
    ]);
  });

  ui.get<TenantRoute>('/tenants/:id/log/feed', async (request, reply) => {
    const t = tenantOf(ctx, request.params.id);
    const since = skipOf(request.query.since);
    const fresh = t.log.since(since);
    const rows = fresh.filter(logMatcher((request.query.q ?? '').slice(0, 200))).map(withHelp);
    const seq = fresh[fresh.length - 1]?.seq ?? since;
    return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ seq, count: rows.length, html: logRows(rows).__raw }));
  });
}

function withHelp(entry: RequestLogEntry): LogRow {
  return { entry, help: entry.aadsts === undefined ? undefined : refusalHelp(entry.aadsts) };
}

export function tenantOf(ctx: MockContext, id: string): TenantRuntime {
  const t = ctx.tenants.get(id) ?? ctx.tenants.byDomainName(id);
  if (!t) throw new ControlError(404, 'NotFound', `No tenant ${id.slice(0, 100)}.`);
  return t;
}

function skipOf(value: string | undefined): number {
  const n = Number(value ?? 0);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/** The pieces, with a turn of the event loop before each: other requests are answered between them. */
async function* yieldingEach(pieces: Iterable<string>): AsyncGenerator<string> {
  for (const piece of pieces) {
    await nextTurn();
    yield piece;
  }
}
