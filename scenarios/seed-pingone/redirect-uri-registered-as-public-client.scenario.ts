import { browserLogin, changeTenant, defineScenario, expectAadsts, expectNoBridgeUser, expectRpRejects } from '../../harness/src/index.js';

export default defineScenario({
  title: "The relying party's redirect URI was added as Mobile and desktop (public client): the code redemption with the secret fails with AADSTS700025",
  reproduces: 'PingOne "Connect to Azure" step 15.1: "Add a new Redirect URI of type Web" — the Mobile and desktop applications tile picked instead',
  steps: [
    // The app's Web redirect URIs (the bridge's, or a target's) move to the Mobile and desktop platform.
    // Against a target: only one registered as a Web app has Web redirect URIs to move (an SPA's are under spa).
    {
      ...changeTenant((t) => {
        const app = t.applications?.[0];
        if (!app) throw new Error('the tenant has no application');
        app.publicClient = { redirectUris: [...(app.web?.redirectUris ?? [])] };
        app.web = { ...app.web, redirectUris: [] };
      }, 'the redirect URI is registered as Mobile and desktop, not Web'),
      conform: { needs: ['webRedirectUris'] },
    },
    browserLogin({ app: 'bridge', user: 'AdeleV@contoso.onmicrosoft.com' }),
  ],
  expect: [expectAadsts(700025, { surface: 'json' }), expectRpRejects({ phase: 'token', error: 'invalid_client' }), expectNoBridgeUser()],
});
