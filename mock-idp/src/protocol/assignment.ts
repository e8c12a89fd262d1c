import type { Application, User } from '../directory/model.js';
import type { TenantDirectory } from '../directory/tenant-directory.js';
import { EntraError } from '../errors/entra-error.js';

/**
 * "Assignment required?" on the enterprise application: only users assigned to the app, directly
 * or as a direct member of an assigned group, may sign in (AADSTS50105).
 * https://learn.microsoft.com/entra/identity/enterprise-apps/assign-user-or-group-access-portal
 */
export function checkAssignment(dir: TenantDirectory, client: Application, user: User): void {
  const sp = dir.servicePrincipals.get(client.appId.toLowerCase());
  if (!sp?.appRoleAssignmentRequired) return;
  if (dir.userAppRoleAssignments(user.id, client.appId).length > 0) return;
  throw new EntraError(50105, { appName: client.displayName, clientId: client.appId, upn: user.userPrincipalName });
}
