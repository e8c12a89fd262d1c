import type { LoggedToken } from '../../runtime/logged-tokens.js';
import type { RequestLogEntry } from '../../runtime/request-log.js';
import { html, raw, type Raw } from './console-page.js';

/**
 * The live request log of one tenant: newest first, one row per request — endpoint, flow,
 * client, user, status; for a refusal the AADSTS code with what produces it and the setting to
 * change; the tokens decoded with a validator's warnings; the mutation or console switch that
 * shaped the answer. The search finds a request by what a customer's error screenshot shows:
 * Trace ID, Correlation ID or Timestamp (and any text of the row).
 */

export interface LogRow {
  entry: RequestLogEntry;
  help?: { explanation: string; setting?: string } | undefined;
}

export function logView(tenantId: string, displayName: string, rows: readonly LogRow[], query: string, lastSeq: number): Raw {
  const feed = `/_mock/ui/tenants/${tenantId}/log/feed${query ? `?q=${encodeURIComponent(query)}` : ''}`;
  return html`<h1>Request log — ${displayName}</h1>
    <section aria-labelledby="search-h">
      <h2 id="search-h">Find a request</h2>
      <form method="get" action="/_mock/ui/tenants/${tenantId}/log" class="row" role="search">
        <label>Trace ID, Correlation ID, Timestamp or any text <input name="q" value="${query}" size="50" placeholder="e.g. 2026-12-05 10:15:42Z" /></label>
        <button type="submit">Search</button>${query ? html` <a href="/_mock/ui/tenants/${tenantId}/log">Show all</a>` : html``}
      </form>
      <p class="muted">
        Entra's error pages and error bodies show a Trace ID (the page calls it Request Id), a Correlation ID and a Timestamp: paste any of them. The log keeps
        this tenant's last 5,000 requests; it updates every second.
      </p>
      <form data-action method="post" action="/_mock/ui/tenants/${tenantId}/log/clear" class="inline">
        <button type="submit" class="secondary">Clear the log</button>
      </form>
    </section>
    <section aria-labelledby="log-h">
      <h2 id="log-h">Requests (<span id="log-count">${rows.length}</span> shown)</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Time (tenant)</th>
            <th scope="col">Request</th>
            <th scope="col">Flow</th>
            <th scope="col">Client</th>
            <th scope="col">User</th>
            <th scope="col">Status</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody id="log-rows" data-since="${lastSeq}" data-feed="${feed}">
          ${logRows(rows)}
        </tbody>
      </table>
    </section>`;
}

/** Rows newest first (the feed's fragment, and the page's first rows). */
export function logRows(rows: readonly LogRow[]): Raw {
  return raw(
    [...rows]
      .reverse()
      .map((r) => logRow(r).__raw)
      .join(''),
  );
}

function logRow({ entry: e, help }: LogRow): Raw {
  const bad = e.status >= 400 || (e.status >= 300 && e.aadsts !== undefined);
  const warnings = (e.tokens ?? []).flatMap((t) => t.warnings.map((w) => `${t.name}: ${w}`));
  return html`<tr data-seq="${e.seq}" class="entry">
    <td><time datetime="${e.time}">${e.time.slice(0, 19).replace('T', ' ')}</time></td>
    <td><code>${e.method}</code> ${e.endpoint}<br /><code class="muted">${e.url.length > 160 ? `${e.url.slice(0, 160)}…` : e.url}</code></td>
    <td>${e.flow ?? ''}</td>
    <td><code>${e.clientId ?? ''}</code></td>
    <td>${e.user ?? ''}</td>
    <td><span class="badge ${bad ? 'bad' : 'ok'}">${e.status}</span></td>
    <td>
      ${e.aadsts !== undefined ? refusal(e, help) : e.error ? html`<span class="bad">${e.error}</span>` : html``}
      ${e.note ? html`<div><span class="badge warn">console</span> ${e.note}</div>` : html``}
      ${e.mutation ? html`<div><span class="badge warn">mutated</span> ${e.mutation.map((m) => `${m.target}: ${m.kind}`).join(', ')}</div>` : html``}
      ${warnings.map((w) => html`<div class="warn">⚠ ${w}</div>`)}
      ${e.traceId ? html`<div class="muted">Trace ID <code>${e.traceId}</code> · Correlation ID <code>${e.correlationId ?? ''}</code> · Timestamp <code>${e.timestamp ?? ''}</code></div>` : html``}
      ${(e.tokens ?? []).map((t) => tokenDetails(t))}
    </td>
  </tr>`;
}

function refusal(e: RequestLogEntry, help: LogRow['help']): Raw {
  return html`<div><strong class="bad">AADSTS${e.aadsts ?? ''}</strong>${e.error ? html` <code>${e.error}</code>` : html``}</div>
    ${
      help
        ? html`<div>${help.explanation}</div>
            ${help.setting ? html`<div><strong>Setting to change:</strong> ${help.setting}</div>` : html``}`
        : html``
    }`;
}

function tokenDetails(t: LoggedToken): Raw {
  const groups = t.groups === undefined ? '' : 'count' in t.groups ? ` · ${t.groups.count} groups` : ` · groups overage → ${t.groups.overage}`;
  return html`<details>
    <summary>${t.role} ${t.name}${t.version ? ` v${t.version}` : ''}${groups}</summary>
    <div>Header</div>
    <pre>${JSON.stringify(t.header, null, 2)}</pre>
    <div>Claims</div>
    <pre>${JSON.stringify(t.claims, null, 2)}</pre>
  </details>`;
}
