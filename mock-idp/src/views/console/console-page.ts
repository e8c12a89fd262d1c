import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { escapeHtml, html, raw, type Raw } from '../html.js';

/**
 * The console's page frame: server-rendered HTML, one inline style sheet and one inline script,
 * both allowed by their hashes in a strict Content-Security-Policy — nothing loaded from
 * anywhere, no framework. Chosen over a bundled client library because every view is a table
 * or a form the server already has the data for: the script only sends the forms as JSON with
 * the page token (surfaces/console/console-session.ts) and polls the live log, ~50 lines that
 * need no build step and work the same in the container image and from a git checkout.
 */

const STYLE = `:root{color-scheme:light}body{font-family:"Segoe UI","Helvetica Neue",Arial,sans-serif;margin:0;background:#f5f5f5;color:#1b1b1b;font-size:14px}
header{background:#0067b8;color:#fff;padding:10px 20px;display:flex;gap:20px;align-items:center}header a{color:#fff}header .brand{font-weight:600;font-size:16px}
main{padding:16px 20px;max-width:1400px}h1{font-size:22px;margin:8px 0 12px}h2{font-size:17px;margin:20px 0 8px}h3{font-size:15px;margin:14px 0 6px}
section{background:#fff;border:1px solid #ddd;padding:12px 16px;margin:0 0 16px}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e5e5e5;vertical-align:top}
th{background:#fafafa;font-weight:600}code,pre{font-family:Consolas,"Courier New",monospace;font-size:12px}pre{white-space:pre-wrap;word-break:break-all;background:#f8f8f8;padding:6px;margin:4px 0}
button{background:#0067b8;color:#fff;border:1px solid #0067b8;padding:4px 12px;font-size:13px;cursor:pointer}button.secondary{background:#fff;color:#0067b8}button.danger{background:#a4262c;border-color:#a4262c}
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid #ffb900;outline-offset:1px}
form.inline{display:inline}form.row{display:flex;gap:8px;flex-wrap:wrap;align-items:end;margin:6px 0}label{display:flex;flex-direction:column;gap:2px;font-size:12px;color:#333}
input,select{font-size:13px;padding:3px 6px;border:1px solid #8a8886}.ok{color:#107c10}.bad{color:#a4262c}.warn{color:#8a5300}.muted{color:#595959}
#status{min-height:1.4em;font-weight:600}.pager{display:flex;gap:12px;align-items:center;margin:6px 0}.switch{border-top:1px solid #eee;padding:8px 0}.controls{display:flex;gap:8px;align-items:end;flex-wrap:wrap;margin-top:4px}
.badge{display:inline-block;padding:0 6px;border-radius:3px;background:#e5e5e5;font-size:12px}.badge.bad{background:#fde7e9}.badge.ok{background:#dff6dd}.badge.warn{background:#fff4ce}
details>summary{cursor:pointer}td.num{text-align:right}.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}`;

/**
 * The client script. Forms marked `data-action` are sent with fetch as JSON (a file input as its
 * text) and the page token in X-Console-Token; the answer's message is shown after the reload.
 * The live log polls its feed every second and adds the new rows it is given (rendered and
 * escaped by the server).
 */
const SCRIPT = `(() => {
  const token = document.querySelector('meta[name="console-token"]').content;
  const status = document.getElementById('status');
  const say = (text, bad) => { status.textContent = text; status.className = bad ? 'bad' : 'ok'; };
  const kept = sessionStorage.getItem('console-status');
  if (kept) { sessionStorage.removeItem('console-status'); say(kept, false); }
  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.dataset.action === undefined) return;
    event.preventDefault();
    const body = {};
    for (const [name, value] of new FormData(form)) body[name] = typeof value === 'string' ? value : await value.text();
    say('Working…', false);
    let answer = {};
    try {
      const response = await fetch(form.action, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-console-token': token }, body: JSON.stringify(body) });
      try { answer = await response.json(); } catch { answer = {}; }
      if (!response.ok) { say((answer.error && answer.error.message) || 'Failed: HTTP ' + response.status, true); return; }
    } catch (e) { say('The mock did not answer: ' + e, true); return; }
    if (answer.message) sessionStorage.setItem('console-status', answer.message);
    if (answer.location) location.assign(answer.location); else location.reload();
  });
  const rows = document.getElementById('log-rows');
  if (rows) {
    let since = Number(rows.dataset.since);
    const count = document.getElementById('log-count');
    const tick = async () => {
      try {
        const url = new URL(rows.dataset.feed, location.href);
        url.searchParams.set('since', String(since));
        const response = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
        if (response.ok) {
          const feed = await response.json();
          if (feed.html) rows.insertAdjacentHTML('afterbegin', feed.html);
          since = feed.seq;
          while (rows.children.length > 500) rows.lastElementChild.remove();
          if (count) count.textContent = String(rows.children.length);
        }
      } catch { /* the mock restarted or is gone: try again */ }
      setTimeout(tick, 1000);
    };
    setTimeout(tick, 1000);
  }
})();`;

const hashOf = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Nothing but this page's own style and script; fetch to this origin only; never framed; forms post nowhere (the script sends them). */
export const CONSOLE_CSP = `default-src 'none'; script-src ${hashOf(SCRIPT)}; style-src ${hashOf(STYLE)}; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

/** The headers of every console answer (pages, feeds, errors). */
export function consoleHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store');
}

export interface PageFrame {
  title: string;
  /** The page token for the script to send with actions. */
  pageToken: string;
  /** Breadcrumbs after "Tenants", as [text, href] pairs. */
  crumbs?: Array<[string, string]>;
}

export function consolePage(frame: PageFrame, body: Raw): string {
  const crumbs = (frame.crumbs ?? []).map(([text, href]) => html` › <a href="${href}">${text}</a>`);
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(frame.title)} · mock-entra console</title><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="console-token" content="${escapeHtml(frame.pageToken)}"><style>${STYLE}</style></head><body>${
    html`<header>
        <span class="brand">mock-entra console</span>
        <nav aria-label="Breadcrumb"><a href="/_mock/ui">Tenants</a>${crumbs}</nav>
      </header>
      <main>
        <p id="status" role="status" aria-live="polite"></p>
        ${body}
      </main>`.__raw
  }<script>${SCRIPT}</script></body></html>`;
}

/** A page that is only a message (a refusal of the console's guard, an unknown path). */
export function messagePage(title: string, message: string): string {
  return consolePage(
    { title, pageToken: '' },
    html`<h1>${title}</h1>
      <p class="bad">${message}</p>`,
  );
}

export { html, raw, type Raw };
