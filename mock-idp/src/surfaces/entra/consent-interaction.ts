import type { MockContext } from '../../context.js';
import type { User } from '../../directory/model.js';
import { EntraError } from '../../errors/entra-error.js';
import { missingConsent, type MissingPermission } from '../../protocol/consent.js';
import { issuePageToken, PAGE_TOKEN_FIELD } from '../../protocol/page-token.js';
import { renderConsentPage } from '../../views/consent-page.js';
import { carriedFields, type AuthorizeRequest } from './authorize-request.js';
import type { SignedIn } from './sign-in-interaction.js';

/**
 * Consent for one authorize request, once the user is signed in: the consent page's answer is
 * recorded (accept), refused (cancel: AADSTS65004; admin-only permissions: AADSTS90094), or the
 * page is shown when a permission is missing or `prompt=consent` asks for it; `prompt=none`
 * cannot show it (AADSTS65001). It returns the page to show or that consent is there.
 * https://learn.microsoft.com/entra/identity-platform/permissions-consent-overview
 */

export type ConsentOutcome = { kind: 'page'; html: string } | { kind: 'granted' };

const GRANTED: ConsentOutcome = { kind: 'granted' };

export async function consent(ctx: MockContext, ar: AuthorizeRequest, signedIn: SignedIn): Promise<ConsentOutcome> {
  const { tenant, client } = ar;
  const { user, account } = signedIn;
  const dir = tenant.directory;
  const missing = missingConsent(dir, client, user, ar.scopes);
  // Users consent for themselves only where the tenant lets them, and never to admin-only permissions.
  const needsAdmin = missing.some((m) => m.adminOnly) || (missing.length > 0 && !dir.usersMayConsent());
  const answer = signedIn.consentAnswer;
  if (answer !== undefined) {
    if (answer === 'cancel') throw new EntraError(65004);
    if (answer === 'admin_required' || needsAdmin) throw new EntraError(90094);
    if (answer === 'accept') {
      // Another tenant's multi-tenant app gets its service principal here with the first consent.
      const home = ctx.tenants.homeOfApp(client.appId);
      if (home && home !== tenant) dir.recordServicePrincipal(client, home.id);
      for (const m of missing) dir.recordUserConsent(client.appId, m.resource.appId, user.id, [m.value]);
      return GRANTED;
    }
  }
  const forced = ar.prompt === 'consent';
  if (missing.length === 0 && !forced) return GRANTED;
  if (ar.prompt === 'none') throw new EntraError(65001, { clientId: client.appId, appName: client.displayName });
  const shown = missing.length > 0 ? missing : askedFor(ar);
  const token = await issuePageToken(ctx.store, tenant, { kind: 'consent', clientId: client.appId, sid: account.sid });
  const html = renderConsentPage({
    action: ar.path,
    hidden: [...carriedFields(ar), ['mock_action', 'consent'], ['mock_sid', account.sid], [PAGE_TOKEN_FIELD, token]],
    appName: client.displayName,
    userName: user.userPrincipalName,
    permissions: shown.map((m) => ({ value: m.value, resource: m.resource.displayName, description: m.description })),
    needsAdmin,
  });
  return { kind: 'page', html };
}

/** prompt=consent with everything granted already: list what was asked for. */
function askedFor(ar: AuthorizeRequest): MissingPermission[] {
  const nobody: User = { id: '00000000-0000-0000-0000-000000000000', userPrincipalName: '', displayName: '' };
  return missingConsent(ar.tenant.directory, ar.client, nobody, ar.scopes).map((m) => ({ ...m, adminOnly: false }));
}
