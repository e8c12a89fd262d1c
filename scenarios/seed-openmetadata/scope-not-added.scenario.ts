import { CONTOSO, defineScenario, expectAadsts, spaLogin } from '../../harness/src/index.js';

export default defineScenario({
  title: "OpenMetadata's custom scope never added: the SPA asks for it and Entra sends it back AADSTS650053 (scope doesn't exist on the resource)",
  reproduces: 'OpenMetadata "Azure SSO" "Step 3: Add a Scope" skipped: the app asks for api://{appId}/access_as_user, which the API does not expose',
  tenant: {
    // The scope, and everything that referred to it: the apps' required permissions and the consent grants.
    patch: [
      { op: 'replace', path: '/applications/1/api/oauth2PermissionScopes', value: [] },
      { op: 'remove', path: '/applications/1/requiredResourceAccess/1' },
      { op: 'remove', path: '/applications/2/requiredResourceAccess' },
      { op: 'remove', path: '/oauth2PermissionGrants/3' },
      { op: 'remove', path: '/oauth2PermissionGrants/2' },
    ],
  },
  steps: [spaLogin({ user: 'AdeleV@contoso.onmicrosoft.com', scopes: ['openid', 'profile', CONTOSO.openMetadataUi.scope] })],
  expect: [expectAadsts(650053, { surface: 'redirect' })],
});
