import { html, page } from './html.js';

/** Shown after logout when there is no (registered) post_logout_redirect_uri. */
export function renderSignedOutPage(): string {
  return page(
    'Sign out',
    html`<h1 id="signed-out">You signed out of your account</h1>
      <p>It's a good idea to close all browser windows.</p>`,
  );
}
