import { html, page, raw } from './html.js';
import { hiddenInputs } from './login-page.js';

/**
 * "Permissions requested": Accept grants the listed delegated permissions for this user;
 * Cancel sends the app AADSTS65004. When a permission needs an administrator, the page says
 * "Need admin approval" and can only go back to the app (AADSTS90094). Button ids are Entra's.
 */

export interface ConsentPageModel {
  action: string;
  hidden: Array<[string, string]>;
  appName: string;
  userName: string;
  permissions: Array<{ value: string; resource: string; description: string }>;
  needsAdmin: boolean;
  /** Admin consent (/adminconsent): the administrator accepts for everyone in the organization. */
  forOrganization?: boolean;
}

export function renderConsentPage(m: ConsentPageModel): string {
  const items = m.permissions.map((p) => html`<li data-scope="${p.value}"><b>${p.description}</b><br /><small>${p.resource}: ${p.value}</small></li>`);
  const hidden = hiddenInputs(m.hidden);
  if (m.needsAdmin) {
    return page(
      'Need admin approval',
      html`<h1>Need admin approval</h1>
        <p>${m.userName}</p>
        <p>
          <b id="app-name">${m.appName}</b> needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant
          permission to this app before you can use it.
        </p>
        <ul id="permissions">
          ${items}
        </ul>
        <form method="post" action="${m.action}">
          ${hidden}<button type="submit" id="idBtn_Back" name="consent" value="admin_required">Return to the application without granting consent</button>
        </form>`,
    );
  }
  return page(
    'Permissions requested',
    html`<h1>Permissions requested</h1>
      <p>${m.userName}</p>
      ${m.forOrganization ? html`<h2 id="for-organization">Accept for your organization</h2>` : raw('')}
      <p><b id="app-name">${m.appName}</b> would like to:</p>
      <ul id="permissions">
        ${items}
      </ul>
      ${
        m.forOrganization
          ? html`<p>
              If you accept, this app will get access to the specified resources for all users in your organization. No one else will be prompted to review
              these permissions.
            </p>`
          : raw('')
      }
      <form method="post" action="${m.action}">
        ${hidden}
        <button type="submit" id="idBtn_Back" class="secondary" name="consent" value="cancel">Cancel</button>
        <button type="submit" id="idSIButton9" name="consent" value="accept">Accept</button>
      </form>
      ${raw('')}`,
  );
}
