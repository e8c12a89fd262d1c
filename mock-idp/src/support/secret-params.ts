/**
 * The one list of request parameters whose values are secrets, and the masks built on it. Every
 * place that writes a request down — the per-tenant request log (runtime/request-log.ts) and
 * Fastify's logger behind `--log` (support/masked-logger.ts) — masks from here, so a parameter
 * added to the list is masked everywhere at once.
 *
 * In it: client credentials, codes, tokens and passwords, under the names Entra's endpoints use
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow,
 * …/v2-oauth2-client-creds-grant-flow, …/v2-oauth2-device-code, …/v2-oauth2-on-behalf-of-flow,
 * …/v2-oauth-ropc), the fields of the sign-in page (`passwd`, Entra's own name, and the
 * one-time `flowToken` of each page), and the mock's `mock_password`. Not in it: user names
 * (`login_hint`, `loginfmt`, `username`), `state`, `nonce`, `client_id`, `mock_sid` — identifiers,
 * not credentials, and what a reader of the log needs to follow a flow.
 */
export const SECRET_PARAMS = [
  'client_secret',
  'client_assertion',
  'assertion',
  'code',
  'code_verifier',
  'device_code',
  'refresh_token',
  'access_token',
  'id_token',
  'id_token_hint',
  'subject_token',
  'actor_token',
  'password',
  'passwd',
  'mock_password',
  'flowToken',
] as const;

export const MASK = '***';

const SECRET = new Set<string>(SECRET_PARAMS.map((p) => p.toLowerCase()));

/** Whether a parameter (by its decoded name, any case) carries a secret. */
export function isSecretParam(name: string): boolean {
  return SECRET.has(name.toLowerCase());
}

/** A parameter name as the query parser reads it: `+` is a space, %XX decoded (`client%5Fsecret` is client_secret). */
function decodeName(raw: string): string {
  const spaced = raw.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** `a=1&client_secret=s` → `a=1&client_secret=***`; everything else byte for byte. */
function maskParamList(list: string): string {
  return list
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq > 0 && isSecretParam(decodeName(part.slice(0, eq))) ? `${part.slice(0, eq + 1)}${MASK}` : part;
    })
    .join('&');
}

/** A path with its query (and fragment, as implicit-flow redirects carry tokens there), secret values masked. */
export function maskUrl(url: string): string {
  const hash = url.indexOf('#');
  const beforeHash = hash < 0 ? url : url.slice(0, hash);
  const fragment = hash < 0 ? '' : `#${maskParamList(url.slice(hash + 1))}`;
  const q = beforeHash.indexOf('?');
  if (q < 0) return beforeHash + fragment;
  return `${beforeHash.slice(0, q + 1)}${maskParamList(beforeHash.slice(q + 1))}${fragment}`;
}

/** A `name=value` after `?`, `&` or `#` anywhere in a text (a log line); the value ends at a delimiter, a quote or a space. */
const PARAM_IN_TEXT = /([?&#])([^=&#?\s"'\\]+)=([^&#\s"'\\]*)/g;

/**
 * Masks secret parameters wherever they appear in free text — a log message that quotes a URL,
 * an error's message — as a net under the structured masks.
 */
export function maskSecretsInText(text: string): string {
  return text.replace(PARAM_IN_TEXT, (whole, lead: string, name: string) => (isSecretParam(decodeName(name)) ? `${lead}${name}=${MASK}` : whole));
}
