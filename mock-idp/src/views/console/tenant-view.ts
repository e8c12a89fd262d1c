import { html, type Raw } from './console-page.js';

/**
 * One tenant in the console: its applications as the app registration pages show them
 * (platforms and redirect URIs, secrets and certificates with their expiry state by the tenant's
 * clock, requested permissions and their consent, group claims and token version), the clock,
 * the signing keys, the one-click misconfigurations with what they have changed, and the users
 * and groups a page at a time. The data comes ready from surfaces/console/tenant-model.ts.
 */

export interface CredentialView {
  name: string;
  keyId: string;
  end: string;
  state: 'valid' | 'expired' | 'not yet valid';
}

export interface PermissionView {
  resource: string;
  value: string;
  type: 'Delegated' | 'Application';
  consent: string;
}

export interface AppView {
  displayName: string;
  appId: string;
  audience: string;
  platforms: Array<{ name: string; uris: readonly string[] }>;
  implicitIdTokens: boolean;
  implicitAccessTokens: boolean;
  publicClientFlows: boolean;
  secrets: CredentialView[];
  certificates: CredentialView[];
  permissions: PermissionView[];
  groupMembershipClaims: string | null;
  accessTokenVersion: 1 | 2;
  assignmentRequired: boolean;
}

export interface KeyView {
  kid: string;
  active: boolean;
  until?: string;
}

export interface SwitchView {
  scenario: string;
  label: string;
  effect: string;
  needsApp: boolean;
  input?: { label: string; kind: 'redirect-uri' | 'seconds' | 'mutation'; default?: string };
}

export interface TenantViewModel {
  id: string;
  displayName: string;
  domains: readonly string[];
  authority: string;
  now: string;
  offsetSeconds: number;
  keys: KeyView[];
  apps: AppView[];
  users: { skip: number; total: number; rows: Array<{ id: string; upn: string; name: string; mail: string; enabled: boolean; groups: number }> };
  groups: { skip: number; total: number; rows: Array<{ id: string; name: string; kind: string; members: number }> };
  switches: SwitchView[];
  mutationScenarios: string[];
  applied: Array<{ id: string; scenario: string; summary: string; at: string }>;
}

export function tenantView(m: TenantViewModel, userSkip: number, groupSkip: number): Raw {
  const base = `/_mock/ui/tenants/${m.id}`;
  return html`<h1>${m.displayName}</h1>
    <section aria-labelledby="overview-h">
      <h2 id="overview-h">Overview</h2>
      <table>
        <tbody>
          <tr>
            <th scope="row">Tenant id</th>
            <td><code>${m.id}</code></td>
          </tr>
          <tr>
            <th scope="row">Verified domains</th>
            <td>${m.domains.join(', ')}</td>
          </tr>
          <tr>
            <th scope="row">Issuer (v2.0)</th>
            <td><code>${m.authority}</code></td>
          </tr>
        </tbody>
      </table>
      <p><a href="${base}/log">Request log (live)</a> · <a href="${base}/export" download>Export fixture</a></p>
      <form data-action method="post" action="${base}/reset" class="inline"><button type="submit" class="secondary">Reset tenant</button></form>
      <form data-action method="post" action="${base}/delete" class="inline"><button type="submit" class="danger">Delete tenant</button></form>
    </section>
    <section aria-labelledby="clock-h">
      <h2 id="clock-h">Clock and signing keys</h2>
      <p>
        Tenant time:
        <time id="tenant-now" datetime="${m.now}">${m.now}</time
        >${m.offsetSeconds !== 0 ? html` <span class="badge warn">${m.offsetSeconds > 0 ? '+' : ''}${m.offsetSeconds} s from real time</span>` : html` <span class="badge ok">real time</span>`}
      </p>
      <table aria-label="Published signing keys">
        <thead>
          <tr>
            <th scope="col">kid</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          ${m.keys.map(
            (k) =>
              html`<tr>
                <td><code>${k.kid}</code></td>
                <td>${k.active ? html`<span class="badge ok">signs</span>` : html`published${k.until ? ` until ${k.until}` : ''}`}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
    ${misconfigurationsView(m, base)}
    <section aria-labelledby="apps-h">
      <h2 id="apps-h">Applications (${m.apps.length})</h2>
      ${m.apps.map((a) => appSection(a))}
    </section>
    ${usersView(m, base, groupSkip)} ${groupsView(m, base, userSkip)}`;
}

function appSection(a: AppView): Raw {
  const slug = a.appId.toLowerCase();
  return html`<article aria-labelledby="app-${slug}" class="switch">
    <h3 id="app-${slug}">${a.displayName} <code>${a.appId}</code></h3>
    <table>
      <tbody>
        <tr>
          <th scope="row">Supported accounts</th>
          <td>${a.audience}</td>
        </tr>
        <tr>
          <th scope="row">Redirect URIs</th>
          <td>
            ${a.platforms.length === 0 ? html`<span class="bad">none on any platform</span>` : a.platforms.map((p) => html`<div><strong>${p.name}</strong>: ${p.uris.length === 0 ? html`<span class="bad">none</span>` : html`${p.uris.map((u) => html`<code>${u}</code> `)}`}</div>`)}
          </td>
        </tr>
        <tr>
          <th scope="row">Implicit grant</th>
          <td>ID tokens ${onOff(a.implicitIdTokens)} · access tokens ${onOff(a.implicitAccessTokens)} · public client flows ${onOff(a.publicClientFlows)}</td>
        </tr>
        <tr>
          <th scope="row">Client secrets</th>
          <td>${a.secrets.length === 0 ? 'none' : a.secrets.map((s) => credential(s))}</td>
        </tr>
        <tr>
          <th scope="row">Certificates</th>
          <td>${a.certificates.length === 0 ? 'none' : a.certificates.map((s) => credential(s))}</td>
        </tr>
        <tr>
          <th scope="row">API permissions</th>
          <td>
            ${
              a.permissions.length === 0
                ? 'none'
                : html`<ul>
                    ${a.permissions.map((p) => html`<li>${p.resource}: <code>${p.value}</code> (${p.type}) — <span class="${p.consent === 'not consented' ? 'bad' : 'ok'}">${p.consent}</span></li>`)}
                  </ul>`
            }
          </td>
        </tr>
        <tr>
          <th scope="row">groupMembershipClaims</th>
          <td>${a.groupMembershipClaims === null ? html`<code>null</code> (no groups claim)` : html`<code>${a.groupMembershipClaims}</code>`}</td>
        </tr>
        <tr>
          <th scope="row">Access token version</th>
          <td>v${a.accessTokenVersion} (requestedAccessTokenVersion)</td>
        </tr>
        <tr>
          <th scope="row">Assignment required</th>
          <td>${a.assignmentRequired ? 'yes' : 'no'}</td>
        </tr>
      </tbody>
    </table>
  </article>`;
}

const onOff = (on: boolean): Raw => (on ? html`<span class="badge ok">on</span>` : html`<span class="badge">off</span>`);

function credential(c: CredentialView): Raw {
  const cls = c.state === 'valid' ? 'ok' : 'bad';
  return html`<div>${c.name || '(unnamed)'} <code>${c.keyId}</code> — <span class="badge ${cls}">${c.state}</span>${c.end ? ` (ends ${c.end})` : ''}</div>`;
}

function misconfigurationsView(m: TenantViewModel, base: string): Raw {
  const appOptions = m.apps.map((a) => html`<option value="${a.appId}">${a.displayName}</option>`);
  const forms = m.switches.map((s, i) => {
    const inputId = `switch-${i}-value`;
    const input = s.input
      ? s.input.kind === 'mutation'
        ? html`<label for="${inputId}">${s.input.label}</label
            ><select id="${inputId}" name="value">
              ${m.mutationScenarios.map((name) => html`<option${name === s.input?.default ? html` selected` : ''}>${name}</option>`)}
            </select>`
        : html`<label for="${inputId}">${s.input.label}</label
            ><input
              id="${inputId}"
              name="value"
              ${s.input.kind === 'seconds' ? html`type="number" step="1"` : html`type="url"`}
              value="${s.input.default ?? ''}"
            />`
      : html``;
    return html`<form data-action method="post" action="${base}/misconfigure" class="switch">
      <input type="hidden" name="scenario" value="${s.scenario}" />
      <div>
        <strong>${s.label}</strong> <span class="muted">— as the scenario <code>${s.scenario}</code>: ${s.effect}</span>
      </div>
      <div class="controls">
        ${
          s.needsApp
            ? html`<label for="switch-${i}-app">Application</label
                ><select id="switch-${i}-app" name="appId">
                  ${appOptions}
                </select>`
            : html``
        }
        ${input}
        <button type="submit" aria-label="${s.label}: apply">Apply</button>
      </div>
    </form>`;
  });
  return html`<section aria-labelledby="switches-h">
    <h2 id="switches-h">One-click misconfigurations</h2>
    ${
      m.applied.length === 0
        ? html`<p class="muted">None applied.</p>`
        : html`<table aria-label="Applied misconfigurations">
            <thead>
              <tr>
                <th scope="col">Applied (tenant time)</th>
                <th scope="col">Scenario</th>
                <th scope="col">Change</th>
                <th scope="col">Undo</th>
              </tr>
            </thead>
            <tbody>
              ${m.applied.map(
                (a) =>
                  html`<tr>
                    <td>${a.at}</td>
                    <td><code>${a.scenario}</code></td>
                    <td>${a.summary}</td>
                    <td>
                      <form data-action method="post" action="${base}/undo" class="inline">
                        <input type="hidden" name="id" value="${a.id}" /><button type="submit" class="secondary" aria-label="Undo ${a.summary}">Undo</button>
                      </form>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    ${forms}
  </section>`;
}

function pager(what: string, skip: number, total: number, href: (skip: number) => string): Raw {
  const last = Math.max(0, Math.floor((total - 1) / 50) * 50);
  const to = Math.min(total, skip + 50);
  return html`<nav class="pager" aria-label="${what} pages">
    <span>${total === 0 ? 'none' : `${(skip + 1).toLocaleString('en-US')}–${to.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`}</span>
    ${skip > 0 ? html`<a href="${href(0)}">First</a> <a href="${href(Math.max(0, skip - 50))}" rel="prev">Previous</a>` : html``}
    ${to < total ? html`<a href="${href(skip + 50)}" rel="next">Next</a> <a href="${href(last)}">Last</a>` : html``}
  </nav>`;
}

function usersView(m: TenantViewModel, base: string, groupSkip: number): Raw {
  const href = (s: number) => `${base}?users=${s}&groups=${groupSkip}#users-h`;
  return html`<section aria-labelledby="users-h">
    <h2 id="users-h">Users</h2>
    ${pager('Users', m.users.skip, m.users.total, href)}
    <table>
      <thead>
        <tr>
          <th scope="col">User principal name</th>
          <th scope="col">Display name</th>
          <th scope="col">Mail</th>
          <th scope="col">Direct groups</th>
          <th scope="col">Object id</th>
        </tr>
      </thead>
      <tbody>
        ${m.users.rows.map(
          (u) =>
            html`<tr>
              <td>${u.upn}${u.enabled ? '' : html` <span class="badge bad">disabled</span>`}</td>
              <td>${u.name}</td>
              <td>${u.mail}</td>
              <td class="num">${u.groups}</td>
              <td><code>${u.id}</code></td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function groupsView(m: TenantViewModel, base: string, userSkip: number): Raw {
  const href = (s: number) => `${base}?users=${userSkip}&groups=${s}#groups-h`;
  return html`<section aria-labelledby="groups-h">
    <h2 id="groups-h">Groups</h2>
    ${pager('Groups', m.groups.skip, m.groups.total, href)}
    <table>
      <thead>
        <tr>
          <th scope="col">Display name</th>
          <th scope="col">Type</th>
          <th scope="col">Direct members</th>
          <th scope="col">Object id</th>
        </tr>
      </thead>
      <tbody>
        ${m.groups.rows.map(
          (g) =>
            html`<tr>
              <td>${g.name}</td>
              <td>${g.kind}</td>
              <td class="num">${g.members}</td>
              <td><code>${g.id}</code></td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}
