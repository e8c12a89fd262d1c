/**
 * The `${VAR}` variables of a target file (README "Conformance mode", variables table): what the
 * harness knows about the mock, the scenario's tenant and the app's instance. Replaced in every
 * string of the target before it is used; an unknown name is a validation error, never left as is.
 */

export const TARGET_VARIABLES = [
  'MOCK_ENTRA_URL',
  'MOCK_ENTRA_TENANT_ID',
  'MOCK_ENTRA_DOMAIN',
  'MOCK_ENTRA_AUTHORITY',
  'MOCK_ENTRA_DISCOVERY_URL',
  'MOCK_ENTRA_ISSUER',
  'MOCK_ENTRA_CLIENT_ID',
  'MOCK_ENTRA_CLIENT_SECRET',
  'MOCK_ENTRA_CA_FILE',
  'PORT',
  'TARGET_URL',
  'TARGET_DIR',
  'RUN_DIR',
] as const;

export type TargetVariable = (typeof TARGET_VARIABLES)[number];
export type TargetVariables = Record<TargetVariable, string>;

const REFERENCE = /\$\{([^}]*)\}/g;

/** The names in `${…}` that are not variables. */
export function unknownVariables(s: string): string[] {
  return [...s.matchAll(REFERENCE)].map((m) => m[1] ?? '').filter((n) => !(TARGET_VARIABLES as readonly string[]).includes(n));
}

/** Replaces every `${VAR}` in a string. */
export function substitute(s: string, vars: Partial<TargetVariables>): string {
  return s.replace(REFERENCE, (whole, name: string) => (name in vars ? (vars[name as TargetVariable] ?? '') : whole));
}

/** Replaces variables in every string of a value (deeply). */
export function substituteDeep<T>(value: T, vars: Partial<TargetVariables>): T {
  if (typeof value === 'string') return substitute(value, vars) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => substituteDeep(v, vars)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, vars)])) as T;
  return value;
}
