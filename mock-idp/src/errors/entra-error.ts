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

/**
 * A time as Entra's messages print it: .NET's round-trip format, seven fractional digits
 * (`2024-05-01T10:00:00.1230000Z`), as AADSTS700024, 700082 and 50173 print them.
 */
export const dotnetTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');

export const isEntraError = (e: unknown): e is EntraError => e instanceof EntraError;
