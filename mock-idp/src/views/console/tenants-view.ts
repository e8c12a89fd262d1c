import { html, type Raw } from './console-page.js';

/** The console's first page: every tenant, what each action does, and the two ways to make one. */

export interface TenantRow {
  id: string;
  displayName: string;
  domains: readonly string[];
  applications: number;
  users: number;
  groups: number;
}

export function tenantsView(tenants: readonly TenantRow[]): Raw {
  const rows = tenants.map(
    (t) =>
      html`<tr>
        <td><a href="/_mock/ui/tenants/${t.id}">${t.displayName}</a><br /><code>${t.id}</code></td>
        <td>${t.domains.join(', ')}</td>
        <td class="num">${t.applications}</td>
        <td class="num">${t.users.toLocaleString('en-US')}</td>
        <td class="num">${t.groups.toLocaleString('en-US')}</td>
        <td>
          <a href="/_mock/ui/tenants/${t.id}/log">Request log</a> ·
          <a href="/_mock/ui/tenants/${t.id}/export" download>Export fixture</a>
          <form data-action method="post" action="/_mock/ui/tenants/${t.id}/reset" class="inline">
            <button type="submit" class="secondary" aria-label="Reset ${t.displayName}">Reset</button>
          </form>
          <form data-action method="post" action="/_mock/ui/tenants/${t.id}/delete" class="inline">
            <button type="submit" class="danger" aria-label="Delete ${t.displayName}">Delete</button>
          </form>
        </td>
      </tr>`,
  );
  return html`<h1>Tenants</h1>
    <section aria-labelledby="tenants-h">
      <h2 id="tenants-h">${tenants.length} tenant${tenants.length === 1 ? '' : 's'}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Tenant</th>
            <th scope="col">Verified domains</th>
            <th scope="col">Applications</th>
            <th scope="col">Users</th>
            <th scope="col">Groups</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
      <p class="muted">
        Reset: back to the tenant's fixture, real time, the machine's keys, an empty log. Export: the tenant as it is now, as a fixture file that
        <code>mock-entra -f</code> loads.
      </p>
    </section>
    <section aria-labelledby="create-h">
      <h2 id="create-h">Create a tenant</h2>
      <h3>From the base tenant (Contoso)</h3>
      <form data-action method="post" action="/_mock/ui/tenants" class="row">
        <input type="hidden" name="source" value="base" />
        <label>Display name <input name="displayName" required value="Contoso copy" /></label>
        <label>Verified domain <input name="domain" required placeholder="copy.contoso.test" /></label>
        <label>Tenant id (blank: a new GUID) <input name="id" pattern="[0-9a-fA-F-]{36}" /></label>
        <button type="submit">Create</button>
      </form>
      <h3>From a fixture file or an app registration manifest</h3>
      <form data-action method="post" action="/_mock/ui/tenants" class="row">
        <input type="hidden" name="source" value="file" />
        <label>Fixture (YAML or JSON, one tenant) or manifest (JSON) <input type="file" name="file" accept=".yaml,.yml,.json" required /></label>
        <button type="submit">Upload and create</button>
      </form>
    </section>`;
}
