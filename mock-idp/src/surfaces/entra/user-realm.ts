import type { FastifyInstance } from 'fastify';
import type { MockContext } from '../../context.js';
import { METADATA_HEADERS } from './tenant-route.js';

/**
 * Home realm discovery, `/common/userrealm/{username}?api-version=1.0`: MSAL for Python and
 * MSAL.NET ask it before ROPC, and send the password to a federation server instead when the
 * answer is `Federated`. Every tenant of the mock is cloud-only, so a domain it holds is `Managed`
 * and any other `Unknown` (the client then uses the token endpoint as usual).
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc — UNCONFIRMED: the fields
 * beyond `account_type` (those MSAL reads: msal/authority.py user_realm_discovery,
 * msal/application.py acquire_token_by_username_password).
 */
export function registerUserRealmRoute(app: FastifyInstance, ctx: MockContext): void {
  app.get<{ Params: { username: string } }>('/common/userrealm/:username', async (request, reply) => {
    request.notes.endpoint = 'userrealm';
    const login = request.params.username;
    const at = login.lastIndexOf('@');
    const domain = at < 0 ? '' : login.slice(at + 1).toLowerCase();
    const known = domain !== '' && ctx.tenants.byDomainName(domain) !== undefined;
    const body = known
      ? {
          ver: '1.0',
          account_type: 'Managed',
          domain_name: domain,
          cloud_instance_name: 'microsoftonline.com',
          cloud_audience_urn: 'urn:federation:MicrosoftOnline',
        }
      : { ver: '1.0', account_type: 'Unknown', cloud_instance_name: 'microsoftonline.com', cloud_audience_urn: 'urn:federation:MicrosoftOnline' };
    return reply.headers(METADATA_HEADERS).send(JSON.stringify(body));
  });
}
