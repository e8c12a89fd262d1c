/** A scenario run's own tenant in the mock — a leaf module, so that the run context and the tenant factory (tenant.ts) can both name it without importing each other. */
export interface ScenarioTenant {
  id: string;
  domain: string;
  displayName: string;
  /** `${idpUrl}/${id}` */
  authority: string;
  /** `${authority}/v2.0/.well-known/openid-configuration` */
  discoveryUrl: string;
  issuer: string;
}
