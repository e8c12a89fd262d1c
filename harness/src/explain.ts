import type { RequestLogEntry } from '../../mock-idp/src/index.js';
import type { ScenarioReport } from './report.js';

/**
 * Turning a run into words: what failed (expected vs actual), the AADSTS codes and messages
 * seen, the last request to the mock. Kept free of the engine's imports so reporters can use it.
 */

/** One line for a request of the mock's log. */
export function describeRequest(e: RequestLogEntry): string {
  const extra = [e.endpoint, e.flow, e.clientId ? `client ${e.clientId}` : undefined].filter(Boolean).join(', ');
  return `${e.method} ${e.url} → ${e.status}${e.aadsts !== undefined ? ` AADSTS${e.aadsts}` : ''}${e.error ? ` ${e.error}` : ''} (${extra})`;
}

/**
 * The failure, explained: which expectation (expected vs actual), or which step; the AADSTS codes
 * and messages seen; the last request to the mock (and the last refused one, when different).
 */
export function explainFailure(r: ScenarioReport): string {
  const lines: string[] = [`Scenario ${r.flow ? `${r.flow}/` : ''}${r.id} failed — ${r.title}`, `  reproduces: ${r.reproduces}`];
  if (r.tenant) lines.push(`  tenant: ${r.tenant.id} (${r.tenant.domain})`);
  if (r.error) lines.push(`  ✗ ${r.error}`);
  for (const c of r.checks.filter((x) => !x.ok)) {
    lines.push(`  ✗ ${c.kind}: ${c.label}`, `      expected: ${c.expected}`, `      actual:   ${c.actual}`);
  }
  const passed = r.checks.filter((x) => x.ok);
  if (passed.length) lines.push(`  ✓ held: ${passed.map((c) => c.label).join(' · ')}`);
  lines.push('  steps:');
  for (const s of r.steps) lines.push(`    ${s.index + 1}. ${s.ok ? '✓' : '✗'} ${s.label} — ${s.ok ? s.summary : s.error} (${s.durationMs} ms)`);
  if (r.aadstsSeen.length) {
    lines.push('  AADSTS seen:');
    for (const a of r.aadstsSeen) lines.push(`    AADSTS${a.code}${a.error ? ` (${a.error})` : ''} in ${a.where}: ${a.message.split(/\r?\n/)[0]}`);
  } else lines.push('  AADSTS seen: none');
  const last = r.requests.at(-1);
  lines.push(`  last request to the mock: ${last ? describeRequest(last) : 'none'}`);
  const lastRefused = r.requests.findLast((e) => e.status >= 400 || e.aadsts !== undefined);
  if (lastRefused && lastRefused !== last) lines.push(`  last refused request:      ${describeRequest(lastRefused)}`);
  lines.push(`  (${r.requests.length + (r.requestsOmitted ?? 0)} request(s) in the tenant's log; ${r.screenshots.length} screenshot(s))`);
  return lines.join('\n');
}
