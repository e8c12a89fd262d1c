import { CONTOSO, defineScenario, expectAadsts, spaLogin } from '../../harness/src/index.js';

export default defineScenario({
  title: "OpenMetadata's redirect URI registered as Web instead of Single-page application: the browser's code redemption fails with AADSTS9002326",
  reproduces: 'OpenMetadata "Azure SSO" step 2: "Provide a redirect URL as a Single Page Application" — the Web platform picked instead',
  tenant: {
    patch: [
      { op: 'remove', path: '/applications/1/spa' },
      { op: 'add', path: '/applications/1/web/redirectUris', value: [CONTOSO.openMetadataUi.redirectUri] },
    ],
  },
  steps: [spaLogin({ user: 'AdeleV@contoso.onmicrosoft.com' })],
  expect: [expectAadsts(9002326, { surface: 'json' })],
});
