import { html, type Raw } from './console-page.js';

/**
 * The console's login page, shown to a caller beyond loopback: the control credential is typed
 * once and exchanged for the session cookie (surfaces/console/console-session.ts). The form is
 * sent by the page's script as JSON, like every console action.
 */
export function loginView(reason: string): Raw {
  return html`<h1>Sign in to the console</h1>
    <section>
      <p>${reason}</p>
      <form data-action method="post" action="/_mock/ui/login" class="row">
        <label>Control credential <input type="password" name="token" autocomplete="current-password" required /></label>
        <button type="submit">Open the console</button>
      </form>
      <p class="muted">
        The mock printed it at start, or it was started with <code>--control-token</code> (<code>MOCK_ENTRA_CONTROL_TOKEN</code>). It is kept in an HttpOnly
        cookie for this console's pages only; it never authorises the JSON API.
      </p>
    </section>`;
}
