import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { optionHint } from '../../config/options.js';
import type { MockContext } from '../../context.js';
import { importManifest } from '../../directory/import-manifest.js';
import type { TenantFixture } from '../../directory/model.js';
import { controlBodyProblem } from '../control/control-body.js';
import type { ControlGuard } from '../control/control-guard.js';
import { ControlError, jsonBody } from '../control/control-reply.js';
import { tenantFromBody } from '../control/tenant-body.js';
import type { AppliedSwitches } from './applied-switches.js';
import { withAuthorization, type ConsoleSecrets } from './console-session.js';
import { tenantOf } from './console-pages.js';
import { MISCONFIGURATIONS, SwitchError } from './misconfigurations.js';

/**
 * The console's actions: POSTs sent by the page's script as JSON with the page token (checked
 * by the plugin's guard hook, index.ts). Each answers `{"message"[,"location"]}`, or a refusal
 * in the control API's shape. The ones that change a tenant are attributed to it, so they show
 * in its request log (endpoint `console`) between the requests they affect.
 */

interface TenantRoute {
  Params: { id: string };
}

export function registerConsoleActions(ui: FastifyInstance, ctx: MockContext, secrets: ConsoleSecrets, applied: AppliedSwitches, guard: ControlGuard): void {
  ui.post('/login', async (request, reply) => {
    const token = field(request, 'token');
    if (token === '') throw new ControlError(400, 'BadRequest', 'Type the control credential.');
    // The typed credential goes through the API's own guard: the same comparison, the same Host, Origin and site checks.
    const refusal = guard(withAuthorization(request, `Bearer ${token}`));
    if (refusal) throw new ControlError(refusal.status, refusal.code, refusal.message);
    return answer(reply.header('set-cookie', secrets.sessionCookie()), 'Signed in to the console.', '/_mock/ui');
  });

  ui.post('/logout', async (_request, reply) => answer(reply.header('set-cookie', secrets.clearedCookie()), 'Signed out.', '/_mock/ui'));

  ui.post('/tenants', async (request, reply) => {
    const max = ctx.options.maxTenants;
    if (ctx.tenants.all().length >= max) {
      throw new ControlError(
        409,
        'LimitExceeded',
        `This mock holds ${max} tenants, its limit: delete one, or start the mock with ${optionHint('maxTenants')}.`,
      );
    }
    const fixture = field(request, 'source') === 'file' ? await fromFile(ctx, field(request, 'file')) : await fromBase(ctx, request);
    if (ctx.tenants.get(fixture.id)) throw new ControlError(409, 'Conflict', `Tenant ${fixture.id} exists already.`);
    const taken = fixture.verifiedDomains.find((d) => ctx.tenants.byDomainName(d));
    if (taken) throw new ControlError(409, 'Conflict', `Domain ${taken} belongs to another tenant.`);
    const t = ctx.tenants.add(fixture);
    request.notes.tenant = t;
    request.notes.note = 'tenant created in the console';
    return answer(reply.code(201), `Created ${t.directory.displayName} (${t.id}).`, `/_mock/ui/tenants/${t.id}`);
  });

  ui.post<TenantRoute>('/tenants/:id/reset', async (request, reply) => {
    const t = tenantOf(ctx, request.params.id);
    t.reset();
    ctx.tenants.reindex(t);
    applied.clear(t);
    request.notes.tenant = t;
    request.notes.note = 'tenant reset: its fixture, real time, the machine key, no fault or mutation';
    return answer(reply, `Reset ${t.directory.displayName}.`);
  });

  ui.post<TenantRoute>('/tenants/:id/delete', async (request, reply) => {
    const t = tenantOf(ctx, request.params.id);
    ctx.tenants.remove(t.id);
    applied.clear(t);
    return answer(reply, `Deleted ${t.directory.displayName} (${t.id}).`, '/_mock/ui');
  });

  ui.post<TenantRoute>('/tenants/:id/log/clear', async (request, reply) => {
    tenantOf(ctx, request.params.id).log.clear();
    return answer(reply, 'The log is empty.');
  });

  ui.post<TenantRoute>('/tenants/:id/misconfigure', async (request, reply) => {
    const t = tenantOf(ctx, request.params.id);
    const scenario = field(request, 'scenario');
    const m = MISCONFIGURATIONS.find((x) => x.scenario === scenario);
    if (!m) throw new ControlError(400, 'BadRequest', `No misconfiguration ${scenario.slice(0, 100)}: the tenant page lists them.`);
    const appId = field(request, 'appId');
    const value = field(request, 'value');
    let outcome;
    try {
      outcome = await m.apply(ctx, t, { ...(appId ? { appId } : {}), ...(value ? { value } : {}) });
    } catch (e) {
      if (e instanceof SwitchError) throw new ControlError(400, 'BadRequest', e.message);
      throw e;
    }
    applied.add(t, m.scenario, outcome.summary, outcome.undo);
    request.notes.tenant = t;
    request.notes.flow = m.scenario;
    request.notes.note = `applied ${m.scenario}: ${outcome.summary}`;
    return answer(reply, `${m.label}: ${outcome.summary}. Expect: ${m.effect}.`);
  });

  ui.post<TenantRoute>('/tenants/:id/undo', async (request, reply) => {
    const t = tenantOf(ctx, request.params.id);
    const one = applied.take(t, field(request, 'id'));
    if (!one) throw new ControlError(404, 'NotFound', 'That change is no longer applied (undone already, or the tenant was reset).');
    try {
      await one.undo();
    } catch (e) {
      applied.restore(t, one);
      if (e instanceof SwitchError) throw new ControlError(409, 'Conflict', e.message);
      throw e;
    }
    request.notes.tenant = t;
    request.notes.flow = one.scenario;
    request.notes.note = `undone ${one.scenario}: ${one.summary}`;
    return answer(reply, `Undone: ${one.summary}.`);
  });
}

function answer(reply: FastifyReply, message: string, location?: string): FastifyReply {
  return reply.header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ message, ...(location ? { location } : {}) }));
}

/** A string field of the action's JSON body ('' when absent). */
function field(request: FastifyRequest, name: string): string {
  const body = jsonBody(request.body);
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, name)) return '';
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

/** A copy of the base tenant (Contoso: its apps, secrets and consents) under a new id and domain. */
async function fromBase(ctx: MockContext, request: FastifyRequest): Promise<TenantFixture> {
  const domain = field(request, 'domain').trim();
  if (domain === '') throw new ControlError(400, 'BadRequest', 'Give the new tenant a verified domain (for example copy.contoso.test).');
  const id = field(request, 'id').trim() || randomUUID();
  const displayName = field(request, 'displayName').trim() || 'Contoso copy';
  return tenantFromBody(ctx, { json: { extends: 'contoso', id, displayName, verifiedDomains: [domain] } });
}

/** An uploaded fixture (YAML or JSON: one tenant, or a document with one) or an app registration manifest (JSON). */
async function fromFile(ctx: MockContext, text: string): Promise<TenantFixture> {
  if (text.trim() === '') throw new ControlError(400, 'BadRequest', 'Choose a fixture file (YAML or JSON) or an app registration manifest (JSON).');
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new ControlError(400, 'InvalidFixture', `The file is neither YAML nor JSON: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
  }
  const problem = controlBodyProblem(doc);
  if (problem) throw new ControlError(400, 'BadRequest', problem.replace('The body', 'The file'));
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc) && Object.hasOwn(doc, 'appId') && !Object.hasOwn(doc, 'tenants')) {
    const imported = importManifest(doc, { file: '(uploaded manifest)' });
    if (imported.issues.length > 0) {
      throw new ControlError(400, 'InvalidFixture', imported.issues.map((i) => `${i.path}: ${i.message}`).join(' '), imported.issues);
    }
    return tenantFromBody(ctx, { json: imported.fixture });
  }
  return tenantFromBody(ctx, { json: doc });
}
