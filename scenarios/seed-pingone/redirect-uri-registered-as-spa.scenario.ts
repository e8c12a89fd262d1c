import { browserLogin, changeTenant, defineScenario, expectAadsts, expectNoBridgeUser, expectRpRejects } from '../../harness/src/index.js';

export default defineScenario({
  title:
    "The relying party's redirect URI was added as a Single-page application: the sign-in comes back, the server-side code redemption fails with AADSTS9002327",
  reproduces: 'PingOne "Connect to Azure" step 15.1: "Add a new Redirect URI of type Web" — the Single-page application tile picked instead',
  steps: [
    // The app's Web redirect URIs (the bridge's, or a target's) move to the Single-page application platform.
    // Against a target: only one registered as a Web app has Web redirect URIs to move (an SPA's are under spa).
    {
      ...changeTenant((t) => {
        const app = t.applications?.[0];
        if (!app) throw new Error('the tenant has no application');
        app.spa = { redirectUris: [...(app.web?.redirectUris ?? [])] };
        app.web = { ...app.web, redirectUris: [] };
      }, 'the redirect URI is registered as Single-page application, not Web'),
      conform: { needs: ['webRedirectUris'] },
    },
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: [expectAadsts(9002327, { surface: 'json' }), expectRpRejects({ phase: 'token', error: 'invalid_request' }), expectNoBridgeUser()],
});
