import { html, page, raw } from './html.js';
import { hiddenInputs } from './login-page.js';

/**
 * The device sign-in pages (Entra's /common/oauth2/deviceauth, behind microsoft.com/devicelogin):
 * "Enter code" with the code box, "Are you trying to sign in to …?", and the end pages. The
 * code box is named `otc` and the buttons carry Entra's ids (`#idSIButton9` goes on,
 * `#idBtn_Back` cancels), so automation written for the real page works here (UNCONFIRMED: the
 * field name as seen in Entra's page source; Microsoft documents none of it).
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code
 */

export const USER_CODE_FIELD = 'otc';

/** UNCONFIRMED: Entra's wording for a code it does not know (or no longer knows). */
export const UNKNOWN_CODE = "That code didn't work. Check the code and try again.";

export function renderEnterCodePage(m: { action: string; error?: string | undefined; code?: string | undefined }): string {
  return page(
    'Enter code',
    html`<h1>Enter code</h1>
      <p>Enter the code displayed on your app or device.</p>
      ${m.error ? html`<p class="error" id="otcError" role="alert">${m.error}</p>` : raw('')}
      <form method="post" action="${m.action}">
        <input type="text" name="${USER_CODE_FIELD}" id="otc" placeholder="Code" autocomplete="off" value="${m.code ?? ''}" autofocus />
        <button type="submit" id="idSIButton9">Next</button>
      </form>`,
  );
}

/**
 * Entra asks before it lets a device code sign in (a phishing guard): the app's name and a
 * warning. UNCONFIRMED: the exact wording of the warning.
 */
export function renderConfirmDevicePage(m: { action: string; hidden: Array<[string, string]>; appName: string; userName: string }): string {
  return page(
    'Continue sign-in',
    html`<h1>Are you trying to sign in to <span id="app-name">${m.appName}</span>?</h1>
      <p>${m.userName}</p>
      <p>Only continue if you downloaded the app from a store or website that you trust.</p>
      <form method="post" action="${m.action}">
        ${hiddenInputs(m.hidden)}
        <button type="submit" id="idBtn_Back" class="secondary" name="consent" value="cancel">Cancel</button>
        <button type="submit" id="idSIButton9" name="consent" value="accept">Continue</button>
      </form>`,
  );
}

/** Entra's closing text for the device-code sign-in. */
export function renderDeviceSignedInPage(appName: string): string {
  return page(
    appName,
    html`<h1 id="app-name">${appName}</h1>
      <p id="device-signed-in">You have signed in to ${appName} on your device. You may now close this window.</p>`,
  );
}

/** UNCONFIRMED: Entra's wording after the user cancels. */
export function renderDeviceDeclinedPage(appName: string): string {
  return page(
    appName,
    html`<h1 id="app-name">${appName}</h1>
      <p id="device-declined">You have cancelled signing in to ${appName} on your device. You may now close this window.</p>`,
  );
}
