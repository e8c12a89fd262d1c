// The app itself: oidc-client-ts's UserManager set up for the authorization code flow with PKCE
// (response_type 'code'; oidc-client-ts adds code_challenge S256 by itself), as its
// documentation sets one up. "Sign in" calls signinRedirect; back on /callback the page calls
// signinRedirectCallback, which redeems the code with a cross-origin fetch to the token endpoint
// and validates the response (oidc-client-ts's ResponseValidator), then shows the user's claims —
// or the error message oidc-client-ts reports.
//
// The nonce: oidc-client-ts sends one only when the app passes `nonce` to signinRedirect (its
// SigninRequest.create appends it only then), and compares it in
// ResponseValidator._validateIdTokenAttributes only when the sign-in state holds one. PKCE
// already binds the code to this browser; the app sends a nonce anyway so that the ID token is
// bound to this sign-in too (OIDC Core 3.1.2.1, 3.1.3.7 (11)).

/* global oidc */
(function () {
  'use strict';

  var config = window.SPA_CONFIG;
  var userManager = new oidc.UserManager({
    authority: config.authority,
    client_id: config.client_id,
    redirect_uri: window.location.origin + '/callback',
    post_logout_redirect_uri: window.location.origin + '/',
    response_type: 'code',
    scope: 'openid profile email',
  });
  // For whoever inspects the page (a test reads the stored user's raw ID token through it).
  window.spa = { userManager: userManager };

  var signIn = document.getElementById('sign-in');
  var error = document.getElementById('error');
  var claims = document.getElementById('claims');

  function showClaims(profile) {
    Object.keys(profile).forEach(function (name) {
      var term = document.createElement('dt');
      term.textContent = name;
      var value = document.createElement('dd');
      value.id = 'claim-' + name;
      value.textContent = typeof profile[name] === 'string' ? profile[name] : JSON.stringify(profile[name]);
      claims.append(term, value);
    });
  }

  function showOutcome(outcome) {
    document.title = outcome;
    document.body.dataset.outcome = outcome;
  }

  signIn.addEventListener('click', function () {
    userManager.signinRedirect({ nonce: crypto.randomUUID() }).catch(function (e) {
      error.hidden = false;
      error.textContent = e.message;
      showOutcome('Sign-in failed');
    });
  });

  if (window.location.pathname === '/callback') {
    signIn.hidden = true;
    userManager
      .signinRedirectCallback()
      .then(function (user) {
        showClaims(user.profile);
        showOutcome('Signed in');
      })
      .catch(function (e) {
        error.hidden = false;
        error.textContent = e.message;
        showOutcome('Sign-in failed');
      });
  }
})();
