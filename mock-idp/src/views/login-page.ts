import { html, page, raw, type Raw } from './html.js';
import type { User } from '../directory/model.js';

/**
 * The sign-in page: pick an account of the tenant, or type a sign-in name (and a password when
 * the user has one). Field names and button ids are Entra's (`loginfmt`, `passwd`,
 * `#idSIButton9`), so browser automation written for the real page works here too.
 */

export interface LoginPageModel {
  action: string;
  hidden: Array<[string, string]>;
  tenantName: string;
  appName: string;
  users: User[];
  /** More users exist than are listed (large tenants): type the name instead. */
  more: number;
  loginHint?: string | undefined;
  /** Second step: the account is known and needs its password. */
  passwordFor?: string | undefined;
  error?: string | undefined;
}

export function renderLoginPage(m: LoginPageModel): string {
  const hidden = hiddenInputs(m.hidden);
  if (m.passwordFor) {
    return page(
      'Sign in to your account',
      html`<h1>Enter password</h1>
        <p>${m.passwordFor}</p>
        ${m.error ? html`<p class="error" id="passwordError" role="alert">${m.error}</p>` : raw('')}
        <form method="post" action="${m.action}">
          ${hidden}<input type="hidden" name="loginfmt" value="${m.passwordFor}" />
          <input type="password" name="passwd" id="i0118" placeholder="Password" autofocus />
          <button type="submit" id="idSIButton9">Sign in</button>
        </form>`,
    );
  }
  const accounts = m.users.map(
    (u) =>
      html`<button class="account" type="submit" name="loginfmt" value="${u.userPrincipalName}" data-test-id="${u.userPrincipalName}">
        ${u.displayName}<small>${u.userPrincipalName}</small>
      </button>`,
  );
  return page(
    'Sign in to your account',
    html`<h1>Pick an account</h1>
      <p>to continue to <b id="app-name">${m.appName}</b> — ${m.tenantName}</p>
      ${m.error ? html`<p class="error" id="usernameError" role="alert">${m.error}</p>` : raw('')}
      <form method="post" action="${m.action}">
        ${hidden}
        <div id="accounts">${accounts}</div>
      </form>
      ${m.more > 0 ? html`<p><small>${m.more} more accounts are not listed; type the sign-in name.</small></p>` : raw('')}
      <form method="post" action="${m.action}">
        ${hidden}
        <input type="text" name="loginfmt" id="i0116" placeholder="Email, phone, or Skype" value="${m.loginHint ?? ''}" />
        <input type="password" name="passwd" id="i0118" placeholder="Password (only for accounts that have one)" />
        <button type="submit" id="idSIButton9">Next</button>
      </form>`,
  );
}

export function hiddenInputs(fields: Array<[string, string]>): Raw {
  return html`${fields.map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`)}`;
}
