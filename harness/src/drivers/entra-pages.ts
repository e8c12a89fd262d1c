import type { Page } from 'playwright-core';

/**
 * Drives Entra's sign-in pages the way browser automation written for the real ones does: the
 * sign-in name box `loginfmt` (#i0116) with #idSIButton9, the password box `passwd` (#i0118),
 * the consent page's Accept (#idSIButton9) / Cancel (#idBtn_Back), and recognises Microsoft's
 * error page by its "AADSTS<code>: <message>" line.
 */

export type EntraPageKind = 'login-page' | 'password-page' | 'consent-page' | 'admin-approval-page' | 'error-page' | 'other';

export interface EntraPage {
  kind: EntraPageKind;
  /** On the error page: the AADSTS code, the OAuth error (when the page names it) and the message line. */
  aadsts?: number | undefined;
  error?: string | undefined;
  message?: string | undefined;
}

/**
 * Runs in the page. A string, not a function: transpilers (tsx, esbuild's keepNames) decorate
 * functions with helpers that do not exist in the page.
 */
const READ_PAGE = `(() => {
  const text = (document.body ? document.body.innerText : '').replace(/\\s+/g, ' ');
  const q = (s) => document.querySelector(s);
  const messageEl = q('#error-message');
  const codeMatch = /AADSTS(\\d+)/.exec(messageEl ? messageEl.textContent : '') || (/trouble signing you in|Sorry, but we/i.test(text) ? /AADSTS(\\d+)/.exec(text) : null);
  if (codeMatch) {
    const line = ((messageEl ? messageEl.textContent : (/AADSTS\\d+:[^]*?(?= Troubleshooting details|$)/.exec(text) || [''])[0]) || '').trim();
    return { kind: 'error-page', aadsts: Number(codeMatch[1]), error: messageEl ? messageEl.getAttribute('data-error') || undefined : undefined, message: line };
  }
  if (/Need admin approval/i.test(document.title + ' ' + text)) return { kind: 'admin-approval-page' };
  if (q('button[name="consent"][value="accept"]')) return { kind: 'consent-page' };
  const loginfmt = q('input[name="loginfmt"]:not([type="hidden"])');
  const passwd = q('input[name="passwd"]');
  if (!loginfmt && passwd) return { kind: 'password-page' };
  if (loginfmt) return { kind: 'login-page' };
  return { kind: 'other' };
})()`;

/** Reads what kind of Entra page is showing. */
export async function readEntraPage(page: Page): Promise<EntraPage> {
  return (await page.evaluate(READ_PAGE)) as EntraPage;
}

export interface SignInOptions {
  /** The sign-in name (UPN). */
  user: string;
  password?: string | undefined;
  /** On a consent page: accept (default) or cancel. */
  consent?: 'accept' | 'cancel' | undefined;
  /** True once the browser is back at the application. */
  isDone: (url: URL) => boolean;
  /** Called with every page the journey shows, before acting on it (screenshots). */
  onPage?: (page: Page, kind: EntraPageKind | 'app') => Promise<void>;
  timeoutMs?: number;
}

export interface SignInResult {
  /** Where it ended. */
  kind: EntraPageKind | 'app';
  page: EntraPage | undefined;
}

/**
 * Walks the journey from the current page: picks the account (typing the sign-in name, which
 * works for any tenant size), gives the password when asked, answers the consent page, and
 * stops back at the application, on the error page, or on a page it does not know.
 */
export async function signInThroughEntra(page: Page, o: SignInOptions): Promise<SignInResult> {
  const timeout = o.timeoutMs ?? 20_000;
  let passwordTried = false;
  for (let hop = 0; hop < 10; hop++) {
    await page.waitForLoadState('load', { timeout });
    if (o.isDone(new URL(page.url()))) {
      await o.onPage?.(page, 'app');
      return { kind: 'app', page: undefined };
    }
    const seen = await readEntraPage(page);
    await o.onPage?.(page, seen.kind);
    switch (seen.kind) {
      case 'login-page':
        await submit(
          page,
          async () => {
            await page.fill('input[name="loginfmt"]:not([type="hidden"])', o.user);
            if (o.password !== undefined && (await page.locator('input[name="passwd"]').count()) > 0) await page.fill('input[name="passwd"]', o.password);
            await page.click('#idSIButton9');
          },
          timeout,
        );
        break;
      case 'password-page':
        if (passwordTried || o.password === undefined) return { kind: seen.kind, page: seen };
        passwordTried = true;
        await submit(
          page,
          async () => {
            await page.fill('input[name="passwd"]', o.password ?? '');
            await page.click('#idSIButton9');
          },
          timeout,
        );
        break;
      case 'consent-page':
        await submit(page, () => page.click(o.consent === 'cancel' ? '#idBtn_Back' : '#idSIButton9'), timeout);
        break;
      case 'admin-approval-page':
        await submit(page, () => page.click('#idBtn_Back'), timeout);
        break;
      default:
        return { kind: seen.kind, page: seen };
    }
  }
  const last = await readEntraPage(page);
  return { kind: last.kind, page: last };
}

/** Performs an action that submits a form and waits for the resulting page. */
async function submit(page: Page, action: () => Promise<void>, timeout: number): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout }), action()]);
}
