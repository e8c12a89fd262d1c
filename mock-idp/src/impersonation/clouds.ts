/**
 * The Entra cloud instances the mock can answer as (impersonation mode), and what each one's
 * discovery documents say about it. Host names: https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud
 * and https://learn.microsoft.com/graph/deployments (Entra and Microsoft Graph endpoints per
 * national cloud); instance aliases: the instance discovery answer MSAL caches
 * (https://login.microsoftonline.com/common/discovery/instance?api-version=1.1).
 */

export type CloudName = 'AzurePublic' | 'AzureUSGovernment' | 'AzureChina';

export const CLOUD_NAMES: readonly CloudName[] = ['AzurePublic', 'AzureUSGovernment', 'AzureChina'];

export interface Cloud {
  name: CloudName;
  /** Where the Entra endpoints are (`https://{login}/{tenant}/oauth2/v2.0/token`). */
  login: string;
  /** Other names Entra answers the same endpoints under (instance discovery's `aliases`). */
  loginAliases: readonly string[];
  /** Origin host of v1 issuers (`https://{v1Issuer}/{tid}/`). */
  v1Issuer: string;
  /** Microsoft Graph. */
  graph: string;
  /** Azure AD Graph (the groups-overage `getMemberObjects` pointer). */
  aadGraph: string;
  /** Discovery's `cloud_instance_name`. */
  cloudInstanceName: string;
  /** Discovery's `cloud_graph_host_name`. */
  cloudGraphHostName: string;
  /** Discovery's `tenant_region_scope` for a tenant of this cloud (null in the common documents). */
  tenantRegionScope: string;
}

export const CLOUDS: Readonly<Record<CloudName, Cloud>> = {
  // docs/entra-wire.md §1 (captured documents).
  AzurePublic: {
    name: 'AzurePublic',
    login: 'login.microsoftonline.com',
    loginAliases: ['login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
    v1Issuer: 'sts.windows.net',
    graph: 'graph.microsoft.com',
    aadGraph: 'graph.windows.net',
    cloudInstanceName: 'microsoftonline.com',
    cloudGraphHostName: 'graph.windows.net',
    tenantRegionScope: 'WW',
  },
  // Hosts: the national-cloud pages above. `tenant_region_scope` "USGov" (B2B-capable Azure
  // Government tenants; "USG" the others): https://learn.microsoft.com/entra/external-id/b2b-government-national-clouds
  // UNCONFIRMED: the v1 issuer host (login.microsoftonline.us is assumed, as sts.windows.net is
  // the public cloud's own) and `cloud_graph_host_name` (Azure AD Graph's US Government host,
  // graph.microsoftazure.us, is assumed).
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    login: 'login.microsoftonline.us',
    loginAliases: ['login.usgovcloudapi.net'],
    v1Issuer: 'login.microsoftonline.us',
    graph: 'graph.microsoft.us',
    aadGraph: 'graph.microsoftazure.us',
    cloudInstanceName: 'microsoftonline.us',
    cloudGraphHostName: 'graph.microsoftazure.us',
    tenantRegionScope: 'USGov',
  },
  // Hosts: the national-cloud pages above (login.partner.microsoftonline.cn, alias
  // login.chinacloudapi.cn; Graph microsoftgraph.chinacloudapi.cn; Azure AD Graph
  // graph.chinacloudapi.cn). UNCONFIRMED: the v1 issuer host (sts.chinacloudapi.cn),
  // `cloud_instance_name` "partner.microsoftonline.cn" and `tenant_region_scope` "AS".
  AzureChina: {
    name: 'AzureChina',
    login: 'login.partner.microsoftonline.cn',
    loginAliases: ['login.chinacloudapi.cn'],
    v1Issuer: 'sts.chinacloudapi.cn',
    graph: 'microsoftgraph.chinacloudapi.cn',
    aadGraph: 'graph.chinacloudapi.cn',
    cloudInstanceName: 'partner.microsoftonline.cn',
    cloudGraphHostName: 'graph.chinacloudapi.cn',
    tenantRegionScope: 'AS',
  },
};

/** Which surface a host name answers as: Entra's endpoints, Microsoft Graph, or Azure AD Graph. */
export type HostRole = 'login' | 'graph' | 'aad-graph';

export interface ImpersonatedHost {
  cloud: Cloud;
  role: HostRole;
}

/** Every Microsoft host name the mock answers as, lower case, with its cloud and role. */
export const IMPERSONATED_HOSTS: ReadonlyMap<string, ImpersonatedHost> = new Map(
  Object.values(CLOUDS).flatMap((cloud): Array<[string, ImpersonatedHost]> => [
    ...[cloud.login, ...cloud.loginAliases, cloud.v1Issuer].map((h): [string, ImpersonatedHost] => [h, { cloud, role: 'login' }]),
    [cloud.graph, { cloud, role: 'graph' }],
    [cloud.aadGraph, { cloud, role: 'aad-graph' }],
  ]),
);

/** A request's host name without its port, lower case: `Login.MicrosoftOnline.com:443` → `login.microsoftonline.com`. */
export function hostNameOf(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  const h = hostHeader.toLowerCase();
  return h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.replace(/:\d+$/, '');
}
