import { GRAPH_APP_ID } from '../directory/microsoft-graph.js';
import type { TenantDirectory } from '../directory/tenant-directory.js';
import { EntraError } from '../errors/entra-error.js';
import type { Params } from './params.js';
import type { RequestedScopes } from './scope.js';

/**
 * `resource` on the v2 endpoints (an RFC 8707 resource indicator, as MCP clients send it). The
 * v2 endpoints name the API through the scopes; since 2026 Entra accepts a `resource` that names
 * the same API as the scopes (its App ID URI or appId) and refuses any other with `invalid_target`
 * AADSTS9010010 (microsoft/vscode #321249, microsoft/azure-devops-mcp #1511 and #1601). Scopes
 * that name no API (openid, profile…) stand for Microsoft Graph, whose token they get. The older
 * answer to any `resource` on v2, AADSTS901002, is no longer what clients see. docs/entra-wire.md §12.
 */
export function checkResourceParameter(dir: TenantDirectory, params: Params, scopes: RequestedScopes): void {
  const resource = params.get('resource');
  if (resource === undefined) return;
  const named = dir.resourceByIdentifier(resource);
  const targets = scopes.resources.length > 0 ? scopes.resources.map((r) => r.app.appId.toLowerCase()) : [GRAPH_APP_ID];
  if (!named || !targets.includes(named.appId.toLowerCase())) throw new EntraError(9010010);
}
