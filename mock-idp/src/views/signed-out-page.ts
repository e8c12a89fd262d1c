import { html, page, raw } from './html.js';

/**
 * Microsoft's "You signed out" page. It loads each signed-in app's front-channel logout URL in a
 * hidden iframe (its `iss` and `sid` already in the URL), as Entra's page does
 * (https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#single-sign-out), and,
 * when the sign-out returns to the app, goes on to `continueTo` after a moment — by a meta
 * refresh, as the page runs no scripts (views/page-headers.ts), so the frames have started
 * loading first. UNCONFIRMED: how long Entra's page waits for the frames.
 */
export interface SignedOutPageModel {
  frontChannelUrls?: string[];
  continueTo?: string | undefined;
}

const CONTINUE_AFTER_S = 1;

export function renderSignedOutPage(m: SignedOutPageModel = {}): string {
  const frames = (m.frontChannelUrls ?? []).map((url) => html`<iframe hidden class="front-channel-logout" title="Sign out of an app" src="${url}"></iframe>`);
  const onward = m.continueTo === undefined ? raw('') : html`<meta http-equiv="refresh" content="${CONTINUE_AFTER_S};url=${m.continueTo}" />`;
  return page(
    'Sign out',
    html`<h1 id="signed-out">You signed out of your account</h1>
      <p>It's a good idea to close all browser windows.</p>
      ${frames}${onward}`,
  );
}
