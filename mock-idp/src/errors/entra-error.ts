import { CATALOG, formatMessage, type AadstsCode, type CatalogEntry } from './catalog.js';

/**
 * A refusal Entra would give. Protocol checks throw it; `errors/render.ts` turns it into the
 * wire answer for the endpoint at hand (JSON, authorize redirect, or error page).
 */
export class EntraError extends Error {
  readonly entry: CatalogEntry;
  constructor(
    readonly code: AadstsCode,
    readonly params: Record<string, string> = {},
  ) {
    super(`AADSTS${code}: ${formatMessage(code, params)}`);
    this.name = 'EntraError';
    this.entry = CATALOG[code];
  }

  /** The text after "AADSTSnnnnn: ". */
  get detail(): string {
    return formatMessage(this.code, this.params);
  }
}

export const isEntraError = (e: unknown): e is EntraError => e instanceof EntraError;
