import { EntraError } from '../errors/entra-error.js';

/**
 * Protocol parameters from a query string or a form body, read the way Entra reads them:
 * a parameter sent twice is refused (AADSTS9000411), an oversized one too (AADSTS90100), and a
 * missing required one names itself (AADSTS900144). Parameters nobody reads are ignored, as
 * Entra ignores MSAL's telemetry parameters.
 */

const MAX_VALUE = 8 * 1024;
const MAX_TOKEN_VALUE = 16 * 1024;
const LONG_PARAMS = new Set(['client_assertion', 'assertion', 'refresh_token', 'code', 'id_token_hint', 'claims', 'request']);

export class Params {
  constructor(private readonly values: ReadonlyMap<string, readonly string[]>) {}

  static from(search: URLSearchParams): Params {
    const m = new Map<string, string[]>();
    for (const [k, v] of search) {
      const list = m.get(k);
      if (list) list.push(v);
      else m.set(k, [v]);
    }
    return new Params(m);
  }

  static empty(): Params {
    return new Params(new Map());
  }

  /** The value, or undefined when absent, empty or blank (Entra treats `x=` and `x=%20` as missing). */
  get(name: string): string | undefined {
    const list = this.values.get(name);
    if (!list || list.length === 0) return undefined;
    if (list.length > 1) throw new EntraError(9000411, { name });
    const v = list[0]!;
    if (v.length > (LONG_PARAMS.has(name) ? MAX_TOKEN_VALUE : MAX_VALUE)) throw new EntraError(90100, { name });
    return v.trim() === '' ? undefined : v;
  }

  require(name: string): string {
    const v = this.get(name);
    if (v === undefined) throw new EntraError(900144, { name });
    return v;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** Every parameter, first value each (for re-posting an authorize request through the login page). */
  entries(): Array<[string, string]> {
    return [...this.values].map(([k, v]) => [k, v[0] ?? '']);
  }
}
