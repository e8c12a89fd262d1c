/**
 * `login_hint` at /authorize and `logout_hint` at logout name an account. Microsoft recommends
 * the value of the ID token's `login_hint` optional claim for both ("an opaque, reliable login
 * hint claim … the best value to use for the login_hint OAuth parameter"; MSAL.js sends it as
 * `logout_hint`): https://learn.microsoft.com/entra/identity-platform/optional-claims-reference
 * The mock's claim value is base64url JSON naming the UPN (tokens/claims.ts; UNCONFIRMED format:
 * Entra's is opaque). A UPN, mail or object id is taken as it is.
 */
export function hintedLogin(hint: string | undefined): string | undefined {
  if (hint === undefined || !/^[A-Za-z0-9_-]+$/.test(hint)) return hint;
  try {
    const decoded = JSON.parse(Buffer.from(hint, 'base64url').toString('utf8')) as unknown;
    if (typeof decoded === 'object' && decoded !== null && 'upn' in decoded && typeof decoded.upn === 'string') return decoded.upn;
  } catch {
    // Not a claim value: a login name.
  }
  return hint;
}
