import type { BridgeError } from './bridge-error.js';
import type { BridgeStatus, BridgeUser } from './bridge-types.js';

/**
 * The bridge's pages: plain HTML, no script, every value escaped. Element ids are stable so a
 * person can read them and a browser test can find them: #config, #verify-result, #last-sync,
 * #last-error (data-aadsts), #users, #groups, #bridge-error (data-aadsts), #signed-in.
 */

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
.error{color:#a00;background:#fee;padding:.5rem;border:1px solid #e99}.error p{white-space:pre-line}.ok{color:#070}code{font-size:.9em}form{display:inline}`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

function errorBlock(id: string, e: BridgeError): string {
  const extra = [e.graphCode ? `Graph code ${e.graphCode}` : '', e.status ? `HTTP ${e.status}` : ''].filter(Boolean).join(', ');
  return `<div id="${id}" class="error" data-phase="${escapeHtml(e.phase)}" data-aadsts="${escapeHtml(e.aadsts ?? '')}" data-graph-code="${escapeHtml(e.graphCode ?? '')}">
<strong>${escapeHtml(e.aadsts !== undefined ? `AADSTS${e.aadsts}` : e.error)}</strong> (${escapeHtml(e.phase)}: <code>${escapeHtml(e.error)}</code>${extra ? `, ${escapeHtml(extra)}` : ''})
<p>${escapeHtml(e.description)}</p><small>${escapeHtml(e.at)}</small></div>`;
}

function userRow(u: BridgeUser): string {
  const attrs = Object.entries(u.attributes)
    .map(([k, v]) => `${escapeHtml(k)} = ${v === null ? '<em>null</em>' : escapeHtml(v)}`)
    .join('<br>');
  return `<tr data-subject="${escapeHtml(u.subject)}"><td><code>${escapeHtml(u.subject)}</code></td><td>${attrs}</td><td>${u.groups.map((g) => `<code>${escapeHtml(g)}</code>`).join('<br>')}</td><td>${escapeHtml(u.groupSource)}</td><td>${escapeHtml(u.provisionedAt)}</td><td>${escapeHtml(u.lastLoginAt)}</td></tr>`;
}

export function statusPage(s: BridgeStatus): string {
  const c = s.config;
  const configRows: Array<[string, string]> = [
    ['Discovery endpoint', c.discoveryUrl],
    ['Client ID', c.clientId],
    ['Client secret', '(hidden)'],
    ['Scopes', (c.scopes ?? []).join(' ')],
    ['Requested scopes', s.requestedScopes.join(' ')],
    ['Verification code', c.verificationCode],
    ['Redirect URI (register it in Azure as a Web redirect URI)', c.redirectUri ?? ''],
    [
      'Attribute mapping (bridge ← Entra claim)',
      Object.entries(c.attributeMapping ?? {})
        .map(([k, v]) => `${k} ← ${v}`)
        .join(', '),
    ],
    ['Group sync', c.groupSync ? 'on' : 'off'],
  ];
  const verify =
    s.verified === undefined
      ? '<p id="verify-result">Not verified yet.</p>'
      : s.verified.ok
        ? `<p id="verify-result" class="ok" data-ok="true">Verified: issuer <code>${escapeHtml(s.verified.issuer)}</code>; scopes supported: ${s.verified.scopesSupported.map((x) => `<code>${escapeHtml(x)}</code>`).join(' ')}</p>`
        : `<div id="verify-result" data-ok="false">${errorBlock('verify-error', s.verified.error)}</div>`;
  const sync = s.lastSync
    ? `<p id="last-sync" data-ok="${s.lastSync.ok}">Last sync ${escapeHtml(s.lastSync.at)}: ${s.lastSync.ok ? 'ok' : 'failed'}, ${s.lastSync.groups} groups, ${s.lastSync.pages} page(s) of groups, ${s.lastSync.retries} retries after throttling.</p>`
    : '<p id="last-sync">Groups not synchronized yet.</p>';
  const body = `<h1>Identity bridge — Microsoft Entra ID</h1>
<h2>Configuration</h2>
<table id="config">${configRows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td><code>${escapeHtml(v)}</code></td></tr>`).join('')}</table>
<form method="post" action="/verify"><button id="verify" type="submit">Verify</button></form>
${verify}
<p><a id="login" href="/login">Sign in with Microsoft (SSO test)</a></p>
<h2>User groups</h2>
<form method="post" action="/sync"><button id="sync" type="submit">Synchronize Groups</button></form>
${sync}
<table id="groups"><tr><th>Azure group id</th><th>Name</th><th>Members</th></tr>${s.groups
    .map(
      (g) =>
        `<tr data-id="${escapeHtml(g.id)}"><td><code>${escapeHtml(g.id)}</code></td><td>${escapeHtml(g.displayName)}</td><td>${g.members.length}</td></tr>`,
    )
    .join('')}</table>
<h2>Users (just-in-time provisioned)</h2>
<table id="users"><tr><th>Subject</th><th>Attributes</th><th>Groups</th><th>Group source</th><th>Provisioned</th><th>Last sign-in</th></tr>${s.users.map(userRow).join('')}</table>
<h2>Last error</h2>
${s.lastError ? errorBlock('last-error', s.lastError) : '<p id="last-error">None.</p>'}`;
  return layout('Identity bridge', body);
}

export function signedInPage(u: BridgeUser): string {
  return layout(
    'Signed in — identity bridge',
    `<h1 id="signed-in" data-subject="${escapeHtml(u.subject)}">Signed in</h1>
<table id="users"><tr><th>Subject</th><th>Attributes</th><th>Groups</th><th>Group source</th><th>Provisioned</th><th>Last sign-in</th></tr>${userRow(u)}</table>
<p><a href="/">Back to the bridge</a></p>`,
  );
}

export function errorPage(e: BridgeError): string {
  return layout('Sign-in failed — identity bridge', `<h1>Sign-in failed</h1>${errorBlock('bridge-error', e)}<p><a href="/">Back to the bridge</a></p>`);
}
