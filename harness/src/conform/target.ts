import type { Application } from '../../../mock-idp/src/index.js';

/**
 * A conformance target: a relying party — your application — described so the harness can run
 * the scenario catalog against it instead of the reference bridge. The same shape is written as
 * YAML or JSON (validated by fixtures/target.schema.json) or, in TypeScript, with
 * {@link defineTarget}. README "Conformance mode" documents every field.
 */

/** A command: an argv array (run without a shell) or a string (run with `/bin/sh -c`). */
export type TargetCommand = string | string[];

export interface TargetDefinition {
  /** `[a-z0-9-]`, shown in every verdict and report. */
  name: string;
  description?: string;
  /** The library under test, e.g. `mod_auth_openidc 2.4` (shown in verdicts). */
  library?: string;
  /** The app registration exactly as a fixture application (fixtures/schema.json). */
  app: Application;
  /** Who signs in (default `AdeleV@contoso.onmicrosoft.com`; the default tenant's domain is mapped). */
  user?: string;
  /** The app already runs, configured once with this tenant. */
  attached?: {
    url: string;
    tenantId: string;
    /** Default `<name>.onmicrosoft.com`. */
    domain?: string;
    /** Run before a scenario that needs a relying party without cached discovery or keys. */
    restart?: { command: TargetCommand };
  };
  /** The harness starts the app itself, once per scenario, on a free port. */
  managed?: {
    command: TargetCommand;
    /** Relative to the target file (default: its folder). */
    cwd?: string;
    env?: Record<string, string>;
    /** Default `http://localhost:${PORT}`. */
    url?: string;
  };
  /** The app is up when `path` answers with a status < 500 (default: a TCP connect to the url's port). */
  ready?: { path?: string; timeoutSeconds?: number };
  signIn: { path: string; click?: string };
  /** How the signed-in state shows; all given must hold (at least one). */
  signedIn: { url?: string; selector?: string; text?: string; identity?: { path: string } };
  refusal?: { serverErrorIsRefusal?: string };
  api?: { path: string };
  groupSync?: { path: string; method?: string };
  logout?: { path: string };
}

/**
 * Declares a target in TypeScript (a `.ts`/`.js`/`.mjs` target file default-exports it). The
 * object is checked like a YAML or JSON target file when `mock-entra conform` loads it.
 *
 * @example
 * // my-app.target.ts
 * import { defineTarget } from 'mock-entra/harness';
 * export default defineTarget({
 *   name: 'my-app',
 *   app: { appId: '3c3ae0a4-5c4b-4b5e-9a43-0d6f5d0a6b11', displayName: 'My app', web: { redirectUris: ['http://localhost:3000/callback'] } },
 *   managed: { command: ['node', 'server.js'], env: { OIDC_ISSUER: '${MOCK_ENTRA_ISSUER}' } },
 *   signIn: { path: '/login' },
 *   signedIn: { selector: '#me' },
 * });
 */
export function defineTarget(target: TargetDefinition): TargetDefinition {
  return target;
}
