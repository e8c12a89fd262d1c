import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { ImpersonationAuthority } from '../keys/impersonation-ca.js';
import { IMPERSONATED_HOSTS } from './clouds.js';
import { inHostScope } from './request-urls.js';

/**
 * The mock's HTTPS server while impersonating. By SNI, a Microsoft host name gets its certificate
 * from the name-constrained impersonation CA (made on first use, then kept); every other name —
 * the mock's own — gets the local CA's certificate, as without impersonation. Each request is
 * answered in the scope of its Host header (request-urls.ts), which decides its URLs.
 */
export function impersonatingServerFactory(
  own: { key: string; cert: string },
  authority: ImpersonationAuthority,
): (handler: (req: IncomingMessage, res: ServerResponse) => void) => Server {
  const contexts = new Map<string, SecureContext>();
  const SNICallback = (servername: string, cb: (error: Error | null, context?: SecureContext) => void): void => {
    const name = servername.toLowerCase();
    if (!IMPERSONATED_HOSTS.has(name)) return cb(null, undefined);
    const known = contexts.get(name);
    if (known) return cb(null, known);
    authority.certificateFor(name).then(
      (pair) => {
        const context = createSecureContext(pair);
        contexts.set(name, context);
        cb(null, context);
      },
      (error: Error) => cb(error),
    );
  };
  return (handler) => createServer({ ...own, SNICallback }, (req, res) => inHostScope(req.headers.host, () => handler(req, res)));
}
