// The app's settings, kept apart from app.js so that the app runs unchanged against any tenant:
// the authority is the tenant's v2.0 issuer base (oidc-client-ts appends
// /.well-known/openid-configuration), client_id the SPA app registration's application id.
// These values are the mock's default tenant (Contoso) and its OpenMetadata UI app on
// `npx mock-entra` at https://localhost:8443; serve your own config.js to change them.
window.SPA_CONFIG = {
  authority: 'https://localhost:8443/8bfd947c-c312-4845-9b33-df79185f9499/v2.0',
  client_id: '91e7eb8b-873b-4d06-bb0a-a7dc41634609',
};
