import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Reporter, TestCase, TestModule, TestRunEndReason } from 'vitest/node';

type SerializedError = Parameters<NonNullable<Reporter['onTestRunEnd']>>[1][number];
import { describeRequest } from '../explain.js';
import type { ScenarioMeta } from '../vitest/meta.js';
import { reportDirOf } from '../vitest/run-settings.js';
import '../vitest/provided-context.js';

/**
 * The HTML report of a scenario run: one self-contained file (screenshots embedded as base64
 * PNG) with, per scenario, its title, what it reproduces, the steps and what each did, the
 * expected vs actual outcome, the AADSTS codes seen, the tenant's request log as the mock
 * recorded it, and the screenshots (every page on failure, the final page on success).
 *
 * @example
 * // vitest.config.ts: reporters: ['default', new HtmlReporter({ outputFile: 'reports/scenarios/index.html' })]
 */
export interface HtmlReporterOptions {
  /** Default `reports/scenarios/index.html`. */
  outputFile?: string;
  /** Called with the path once written (the CLI prints it). */
  onWritten?: (file: string) => void;
  /**
   * Write the report even when no scenario ran (default false: a run of other tests only, e.g.
   * `npx vitest run mock-idp/test/…` with this reporter configured, leaves the last report alone).
   */
  always?: boolean;
}

export interface Row {
  name: string;
  module: string;
  /** The vitest project. */
  project: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  durationMs: number;
  errors: string[];
  scenario: ScenarioMeta | undefined;
}

export class HtmlReporter implements Reporter {
  private readonly outputFile: string;

  constructor(private readonly options: HtmlReporterOptions = {}) {
    this.outputFile = resolve(options.outputFile ?? join(reportDirOf(undefined), 'index.html'));
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const rows: Row[] = [];
    for (const m of testModules) {
      for (const t of m.children.allTests()) rows.push(row(t, m));
    }
    if (!this.options.always && !rows.some((r) => r.scenario)) return;
    const html = renderHtmlReport(rows, { reason, unhandled: unhandledErrors.map((e) => e.stack ?? e.message ?? String(e)), generatedAt: new Date() });
    mkdirSync(dirname(this.outputFile), { recursive: true });
    writeFileSync(this.outputFile, html);
    this.options.onWritten?.(this.outputFile);
  }
}

function row(t: TestCase, m: TestModule): Row {
  const r = t.result();
  const d = t.diagnostic();
  return {
    name: t.fullName,
    module: m.moduleId,
    project: t.project.name,
    state: r.state,
    durationMs: Math.round(d?.duration ?? 0),
    errors: (r.errors ?? []).map((e) => e.message ?? String(e)),
    scenario: t.meta().scenario,
  };
}

const esc = (s: unknown): string =>
  String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

function png(file: string): string | undefined {
  try {
    return readFileSync(file).toString('base64');
  } catch {
    return undefined;
  }
}

const STYLE = `body{font:14px/1.45 system-ui,"Segoe UI",Arial,sans-serif;margin:0;background:#f5f6f8;color:#1b1b1b}
header{background:#0067b8;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0}
main{padding:16px 24px;max-width:1400px}details.scenario{background:#fff;border:1px solid #ddd;border-left:6px solid #888;margin:10px 0;border-radius:4px}
details.passed{border-left-color:#107c10}details.failed{border-left-color:#d13438}details.skipped{border-left-color:#aaa}
summary{cursor:pointer;padding:10px 14px;font-size:15px}summary .id{font-family:ui-monospace,Consolas,monospace;font-weight:600}
.badge{display:inline-block;min-width:52px;text-align:center;border-radius:3px;padding:1px 6px;color:#fff;font-size:12px;margin-right:8px}
.badge.passed{background:#107c10}.badge.failed{background:#d13438}.badge.skipped,.badge.pending{background:#888}
.body{padding:4px 16px 16px}table{border-collapse:collapse;width:100%;margin:6px 0 12px}th,td{border:1px solid #e3e3e3;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#fafafa;font-weight:600}td.url{font-family:ui-monospace,Consolas,monospace;font-size:12px;word-break:break-all}
tr.bad td{background:#fde7e9}tr.good td.mark{color:#107c10}tr.bad td.mark{color:#d13438}.mark{font-weight:700;text-align:center;width:22px}
pre{background:#1e1e1e;color:#eee;padding:10px;overflow:auto;white-space:pre-wrap;font-size:12px;border-radius:3px}
figure{display:inline-block;margin:6px 10px 6px 0;vertical-align:top;max-width:460px}figure img{max-width:100%;border:1px solid #ccc}
figcaption{font-size:12px;color:#555;word-break:break-all}h3{font-size:14px;margin:14px 0 4px}.muted{color:#666}
.totals span{margin-right:14px}`;

export function renderHtmlReport(rows: Row[], o: { reason: string; unhandled: string[]; generatedAt: Date }): string {
  const scenarios = rows.filter((r) => r.scenario || r.project === 'scenarios');
  // Of the other tests (a whole `npm test`), only failures are worth a line here.
  const others = rows.filter((r) => !scenarios.includes(r) && r.state === 'failed');
  const count = (s: Row['state']) => scenarios.filter((r) => r.state === s).length;
  const order = (r: Row) => (r.state === 'failed' ? 0 : r.state === 'passed' ? 1 : 2);
  scenarios.sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name));
  const parts: string[] = [];
  parts.push(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>mock-entra scenarios</title><meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head><body>`,
  );
  parts.push(
    `<header><h1>mock-entra scenarios</h1><p class="totals"><span>${scenarios.length} scenario(s)</span><span>✓ ${count('passed')} passed</span><span>✗ ${count('failed')} failed</span>${count('skipped') ? `<span>${count('skipped')} skipped</span>` : ''}<span>run ${esc(o.reason)}</span><span>${esc(o.generatedAt.toISOString())}</span></p></header><main>`,
  );
  for (const r of scenarios) parts.push(renderScenario(r));
  if (others.length) {
    parts.push(`<h2>Other tests</h2><table><tr><th></th><th>test</th><th>ms</th><th>error</th></tr>`);
    for (const r of others)
      parts.push(
        `<tr class="${r.state === 'failed' ? 'bad' : 'good'}"><td class="mark">${mark(r.state)}</td><td>${esc(r.name)}</td><td>${r.durationMs}</td><td><pre>${esc(r.errors.join('\n'))}</pre></td></tr>`,
      );
    parts.push('</table>');
  }
  if (o.unhandled.length) parts.push(`<h2>Unhandled errors</h2><pre>${esc(o.unhandled.join('\n\n'))}</pre>`);
  parts.push('</main></body></html>');
  return parts.join('\n');
}

const mark = (state: string): string => (state === 'passed' ? '✓' : state === 'failed' ? '✗' : '–');

function renderScenario(r: Row): string {
  const s = r.scenario;
  const title = s ? `<span class="id">${esc(s.flow ? `${s.flow}/` : '')}${esc(s.id)}</span> — ${esc(s.title)}` : esc(r.name);
  const out: string[] = [
    `<details class="scenario ${r.state}" id="${esc(s?.id ?? r.name)}"${r.state === 'failed' ? ' open' : ''}><summary><span class="badge ${r.state}">${r.state}</span>${title} <span class="muted">${r.durationMs} ms</span></summary><div class="body">`,
  ];
  if (!s) {
    if (r.errors.length) out.push(`<pre>${esc(r.errors.join('\n\n'))}</pre>`);
    out.push('</div></details>');
    return out.join('');
  }
  // Conformance mode: the verdict on the target, and why (harness/src/conform/verdict.ts).
  if (s.verdict && s.target)
    out.push(
      `<p class="verdict ${esc(s.verdict.kind)}"><b>Verdict on ${esc(s.target.name)} (${esc(s.target.mode)}): ${esc(s.verdict.text)}</b><br>${esc(s.verdict.reason)}</p>${s.target.output ? `<h3>What ${esc(s.target.name)} printed</h3><pre>${esc(s.target.output)}</pre>` : ''}`,
    );
  out.push(
    `<p><b>Reproduces:</b> ${esc(s.reproduces)}<br><span class="muted">${esc(s.file)}${s.tenant ? ` · tenant ${esc(s.tenant.id)} (${esc(s.tenant.domain)})` : ''} · started ${esc(s.startedAt)}</span></p>`,
  );
  if (!s.ok && s.failure) out.push(`<h3>Why it failed</h3><pre>${esc(s.failure)}</pre>`);
  out.push('<h3>Steps</h3><table><tr><th></th><th>#</th><th>step</th><th>what happened</th><th>ms</th></tr>');
  for (const st of s.steps) {
    out.push(
      `<tr class="${st.ok ? 'good' : 'bad'}"><td class="mark">${st.ok ? '✓' : '✗'}</td><td>${st.index + 1}</td><td>${esc(st.label)}</td><td>${esc(st.ok ? st.summary : st.error)}</td><td>${st.durationMs}</td></tr>`,
    );
  }
  out.push('</table>');
  out.push('<h3>Expected vs actual</h3><table><tr><th></th><th>expectation</th><th>expected</th><th>actual</th></tr>');
  for (const c of s.checks)
    out.push(
      `<tr class="${c.ok ? 'good' : 'bad'}"><td class="mark">${c.ok ? '✓' : '✗'}</td><td>${esc(c.kind)}</td><td>${esc(c.expected)}</td><td>${esc(c.actual)}</td></tr>`,
    );
  if (s.checks.length === 0)
    out.push(`<tr class="bad"><td class="mark">✗</td><td colspan="3">not checked: ${esc(s.error ?? 'the run stopped before the expectations')}</td></tr>`);
  out.push('</table>');
  if (s.aadstsSeen.length) {
    out.push('<h3>AADSTS seen</h3><table><tr><th>code</th><th>error</th><th>where</th><th>message</th></tr>');
    for (const a of s.aadstsSeen) out.push(`<tr><td>AADSTS${a.code}</td><td>${esc(a.error ?? '')}</td><td>${esc(a.where)}</td><td>${esc(a.message)}</td></tr>`);
    out.push('</table>');
  }
  out.push(
    `<h3>Request log (${s.requests.length + (s.requestsOmitted ?? 0)}${s.requestsOmitted ? `, ${s.requestsOmitted} in the middle left out` : ''})</h3><table><tr><th>time</th><th>request</th><th>status</th><th>endpoint</th><th>flow</th><th>client</th><th>error</th><th>ms</th></tr>`,
  );
  for (const e of s.requests) {
    out.push(
      `<tr class="${e.status >= 400 ? 'bad' : 'good'}"><td>${esc(e.time.slice(11, 23))}</td><td class="url">${esc(e.method)} ${esc(e.url)}</td><td>${e.status}</td><td>${esc(e.endpoint)}</td><td>${esc(e.flow ?? '')}</td><td class="url">${esc(e.clientId ?? '')}</td><td>${e.aadsts !== undefined ? `AADSTS${e.aadsts}` : ''}${e.error ? ` ${esc(e.error)}` : ''}</td><td>${Math.round(e.durationMs)}</td></tr>`,
    );
  }
  out.push('</table>');
  if (s.requests.length) out.push(`<p class="muted">Last request: <code>${esc(describeRequest(s.requests[s.requests.length - 1]!))}</code></p>`);
  if (s.screenshots.length) {
    out.push(`<h3>Screenshots${s.ok ? ' (final page)' : ' (every page)'}</h3>`);
    for (const shot of s.screenshots) {
      const data = png(shot.file);
      out.push(
        `<figure>${data ? `<img alt="${esc(shot.label)}" src="data:image/png;base64,${data}">` : `<p class="muted">(missing ${esc(shot.file)})</p>`}<figcaption>step ${shot.step + 1} · ${esc(shot.label)} · ${esc(shot.url)}</figcaption></figure>`,
      );
    }
  }
  out.push('</div></details>');
  return out.join('');
}
