/**
 * Every AADSTS error the mock produces, in one place: code → OAuth `error`, HTTP status, message
 * template, and where Entra reports it. Texts are the wire texts of real responses
 * (docs/entra-wire.md §5–§6); the codes and names are those of
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 *
 * `surfaces` says where the mock can raise the entry:
 * - `token`: JSON body from the token endpoint (or discovery/devicecode), with `status`;
 * - `redirect`: back to the client's redirect URI through its response_mode (authorize);
 * - `page`: Microsoft's "Sorry, but we're having trouble signing you in" page, never a redirect.
 * A test generated from this catalog triggers every entry on every surface it lists.
 */

export type Surface = 'token' | 'redirect' | 'page';

export interface CatalogEntry {
  /** OAuth 2.0 `error` value. `redirectError` overrides it on the authorize redirect. */
  readonly error: string;
  readonly redirectError?: string;
  /** HTTP status of the JSON answer. */
  readonly status: 400 | 401 | 404 | 503;
  readonly surfaces: readonly Surface[];
  readonly suberror?: string;
  /** The message after `AADSTSnnnnn: `; `{name}` placeholders are filled from the error's params. */
  readonly message: string;
  /** What produces it, for people reading the catalog and for the README. */
  readonly trigger: string;
}

const entries = {
  50011: {
    error: 'invalid_grant',
    // UNCONFIRMED: the token endpoint's answer to a redirect_uri that differs from the authorize
    // request. invalid_grant is what docs/entra-wire.md §6 records as most likely.
    status: 400,
    surfaces: ['page', 'token'],
    message:
      "The redirect URI '{redirectUri}' specified in the request does not match the redirect URIs configured for the application '{clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.",
    trigger: 'redirect_uri not registered for the app (authorize: error page, never a redirect), or different from the one used at authorize (token).',
  },
  500113: {
    error: 'invalid_request',
    status: 400,
    surfaces: ['page'],
    message: 'No reply address is registered for the application.',
    trigger: 'authorize for an app that has no redirect URI on any platform.',
  },
  700016: {
    error: 'unauthorized_client',
    status: 400,
    surfaces: ['page', 'token'],
    message:
      "Application with identifier '{clientId}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
    trigger: 'client_id that is no application in the tenant.',
  },
  90002: {
    error: 'invalid_tenant',
    status: 400,
    surfaces: ['page', 'token'],
    message:
      "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.",
    trigger: 'a tenant GUID or domain that no tenant has (discovery, JWKS, authorize, token).',
  },
  900023: {
    error: 'invalid_request',
    status: 400,
    surfaces: ['page', 'token'],
    message: "Specified tenant identifier '{tenant}' is neither a valid DNS name, nor a valid external domain.",
    trigger: 'a tenant segment that is neither a GUID nor a DNS name.',
  },
  900144: {
    error: 'invalid_request',
    status: 400,
    surfaces: ['page', 'token'],
    message: "The request body must contain the following parameter: '{name}'.",
    trigger: 'a required parameter is missing (grant_type, client_id, code, scope, response_type…); also any token request that is not form-encoded.',
  },
  70011: {
    error: 'invalid_scope',
    status: 400,
    surfaces: ['redirect', 'token'],
    message: "The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid.",
    trigger: 'a scope Entra cannot read: an empty value (`api://x/`), or `.default` next to another value of the same resource.',
  },
  650053: {
    error: 'invalid_client',
    status: 400,
    // Back to the app (OpenIdConnectHandler: "Message contains error: 'invalid_client',
    // error_description: 'AADSTS650053: …'" — damienbod/AspNetCoreMicrosoftGraph#1,
    // Azure-Samples/active-directory-aspnetcore-webapp-openidconnect-v2#554, MicrosoftDocs/azure-docs#67211).
    // UNCONFIRMED: the token surface (a refresh asking for such a scope) and its status.
    surfaces: ['redirect', 'token'],
    message: "The application '{appName}' asked for scope '{scopeValue}' that doesn't exist on the resource '{resourceId}'. Contact the app vendor.",
    trigger: 'a scope value its resource does not expose (e.g. access_as_admin on an API that exposes access_as_user only).',
  },
  1002012: {
    error: 'invalid_scope',
    status: 400,
    surfaces: ['token'],
    message:
      'The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).',
    trigger: 'client_credentials with a scope that is not {resource}/.default.',
  },
  500011: {
    error: 'invalid_resource',
    status: 400,
    surfaces: ['redirect', 'token'],
    message:
      'The resource principal named {resource} was not found in the tenant named {tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.',
    trigger: 'a scope whose resource (App ID URI or appId) is no application in the tenant.',
  },
  7000215: {
    error: 'invalid_client',
    status: 401,
    surfaces: ['token'],
    message:
      "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{clientId}'.",
    trigger: 'a client_secret that is none of the app’s secrets (e.g. the client ID pasted as the secret).',
  },
  7000222: {
    error: 'invalid_client',
    status: 401,
    surfaces: ['token'],
    message:
      "The provided client secret keys for app '{clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.",
    trigger: 'a client_secret whose passwordCredential has passed its endDateTime.',
  },
  7000218: {
    error: 'invalid_client',
    status: 401,
    surfaces: ['token'],
    message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    trigger: 'a confidential client (web redirect URI, or client_credentials) that sends no credential.',
  },
  700025: {
    error: 'invalid_client',
    status: 401,
    surfaces: ['token'],
    message: "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
    trigger: 'a credential sent while redeeming a code issued to a spa or publicClient redirect URI.',
  },
  700027: {
    error: 'invalid_client',
    status: 401,
    surfaces: ['token'],
    message: "Client assertion contains an invalid signature. [Reason - {reason}, Thumbprint of key used by client: '{thumbprint}'{detail}]",
    trigger: 'private_key_jwt signed by an unregistered certificate, an expired one, or with a bad signature.',
  },
  700024: {
    error: 'invalid_client',
    status: 401,
    surfaces: ['token'],
    message:
      'Client assertion is not within its valid time range. Current time: {now}, assertion valid from {nbf}, expiry time of assertion {exp}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .',
    trigger: 'a client assertion that is expired or not yet valid by the tenant clock.',
  },
  700023: {
    error: 'invalid_client',
    status: 401,
    surfaces: ['token'],
    // UNCONFIRMED wording; Entra's symbolic name is InvalidClientAssertionAudience.
    message:
      'Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .',
    trigger: 'a client assertion whose aud is not this tenant’s token endpoint.',
  },
  50027: {
    error: 'invalid_client',
    status: 401,
    surfaces: ['token'],
    message: 'JWT token is invalid or malformed.',
    trigger: 'a client_assertion that is not a JWT, or whose iss/sub is not the client_id.',
  },
  50148: {
    error: 'invalid_grant',
    status: 400,
    surfaces: ['token'],
    message: 'The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.',
    trigger: 'a code_verifier that does not hash to the code_challenge (or none sent when one was).',
  },
  54005: {
    error: 'invalid_grant',
    status: 400,
    surfaces: ['token'],
    message: 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
    trigger: 'an authorization code redeemed a second time.',
  },
  70008: {
    error: 'invalid_grant',
    status: 400,
    surfaces: ['token'],
    message:
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
    trigger: 'an authorization code older than 10 minutes (tenant clock).',
  },
  700082: {
    error: 'invalid_grant',
    status: 400,
    surfaces: ['token'],
    message: 'The refresh token has expired due to inactivity. The token was issued on {issuedOn} and was inactive for 90.00:00:00.',
    trigger: 'a refresh token unused for 90 days (tenant clock).',
  },
  700084: {
    error: 'invalid_grant',
    status: 400,
    surfaces: ['token'],
    message:
      'The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on {issuedOn}.',
    trigger: 'a refresh token issued through a spa redirect URI, used after 24 hours.',
  },
  50173: {
    error: 'invalid_grant',
    status: 400,
    surfaces: ['token'],
    // The message Entra gives for a refresh token whose grant was revoked (revokeSignInSessions).
    message:
      "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{issuedOn}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{validFrom}'.",
    trigger: 'a refresh token issued before its user’s sessions were revoked through the test-control API.',
  },
  9002313: {
    error: 'invalid_grant',
    status: 400,
    surfaces: ['token'],
    suberror: 'bad_token',
    message: 'Invalid request. Request is malformed or invalid.',
    trigger: 'a code or refresh token the mock never issued (garbage, truncated, or from another tenant).',
  },
  70000: {
    error: 'invalid_grant',
    status: 400,
    surfaces: ['token'],
    // UNCONFIRMED which code Entra uses for a code issued to another client; 70000 is its
    // "InvalidGrant" family and the text below is its usual wording.
    message: "The provided value for the '{name}' parameter is not valid.",
    trigger: 'an authorization code (or refresh token) redeemed by a different client_id than it was issued to.',
  },
  9002326: {
    error: 'invalid_request',
    status: 400,
    surfaces: ['token'],
    message: "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '{origin}'.",
    trigger: 'a code issued to a web/publicClient redirect URI redeemed with an Origin header (from a browser).',
  },
  9002327: {
    error: 'invalid_request',
    status: 400,
    surfaces: ['token'],
    message: "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
    trigger: 'a code issued to a spa redirect URI redeemed without an Origin header.',
  },
  9002325: {
    error: 'invalid_request',
    status: 400,
    surfaces: ['token'],
    message: 'Proof Key for Code Exchange is required for cross-origin authorization code redemption.',
    trigger: 'a spa code requested without code_challenge, redeemed cross-origin.',
  },
  65001: {
    error: 'invalid_grant',
    redirectError: 'consent_required',
    status: 400,
    surfaces: ['redirect', 'token'],
    suberror: 'consent_required',
    message:
      "The user or administrator has not consented to use the application with ID '{clientId}' named '{appName}'. Send an interactive authorization request for this user and resource.",
    trigger: 'delegated scopes not consented: prompt=none at authorize, or a refresh/OBO asking for more.',
  },
  65004: {
    // The device-code flow's answer to a user who cancels is `authorization_declined`
    // (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code#expected-errors);
    // its AADSTS number is not documented: UNCONFIRMED that it is 65004, UserDeclinedConsent.
    error: 'authorization_declined',
    redirectError: 'access_denied',
    status: 400,
    surfaces: ['redirect', 'token'],
    message: 'User declined to consent to access the app.',
    trigger: 'the user clicks Cancel on the consent page (authorize: back to the app; device code: the next poll at the token endpoint).',
  },
  90094: {
    error: 'access_denied',
    status: 400,
    surfaces: ['redirect'],
    // UNCONFIRMED wire sentence (docs/entra-wire.md §6): Entra's page says "Need admin approval".
    message: 'The grant requires admin permission.',
    trigger: 'a user asked to consent to an Admin-type scope (e.g. Group.Read.All) that no admin granted.',
  },
  50105: {
    error: 'access_denied',
    status: 400,
    // UNCONFIRMED surface: the reference lists the error page; MSAL users report it as a
    // redirected `access_denied` ("ServerError: access_denied: AADSTS50105"), which is what we do
    // once the redirect URI is trusted.
    surfaces: ['redirect'],
    message:
      "Your administrator has configured the application {appName} ('{clientId}') to block users unless they are specifically granted ('assigned') access to the application. The signed in user '{upn}' is blocked because they are not a direct member of a group with access, nor had access directly assigned by an administrator. Please contact your administrator to assign access to this application.",
    trigger: 'sign-in by a user without an app role assignment when the service principal has appRoleAssignmentRequired.',
  },
  50058: {
    error: 'login_required',
    redirectError: 'login_required',
    status: 400,
    surfaces: ['redirect'],
    message: 'A silent sign-in request was sent but no user is signed in.',
    trigger: 'prompt=none without an SSO session for the tenant.',
  },
  700054: {
    error: 'unsupported_response_type',
    status: 400,
    // Back to a registered redirect URI (fragment for implicit response types: react-aad #158,
    // AppModelv2-WebApp-OpenIDConnect-nodejs #36); the page only when the redirect URI is not
    // registered (microsoft-teams-faqplusplus-app #103). docs/entra-wire.md §12.
    surfaces: ['redirect', 'page'],
    message: "response_type 'id_token' is not enabled for the application.",
    trigger:
      'response_type with id_token when the app does not enable ID tokens for implicit/hybrid flows (redirect URI registered: back to it; not registered: the error page).',
  },
  700051: {
    error: 'unsupported_response_type',
    status: 400,
    // The code on today's wire (microsoft-authentication-library-for-js #766). The error reference
    // still lists AADSTS70005 with the same text; nothing triggers that older code any more.
    surfaces: ['redirect', 'page'],
    message: "response_type 'token' is not enabled for the application.",
    trigger:
      'response_type with token when the app does not enable access tokens for the implicit flow (redirect URI registered: back to it; not registered: the error page).',
  },
  900061: {
    error: 'invalid_request',
    status: 400,
    surfaces: ['page'],
    // UNCONFIRMED code for an unknown response_type value; the text is Entra's documented wording.
    message:
      "The provided value for the input parameter 'response_type' is not valid. Expected values are the following: 'code', 'id_token', 'code id_token', 'id_token token', 'token'.",
    trigger: 'a response_type Entra does not know.',
  },
  50194: {
    error: 'invalid_request',
    status: 400,
    // Back to the app as invalid_request (aspnetcore-connect-sample #65, react-aad #250) once its
    // redirect URI is trusted, and as JSON from the token endpoint. UNCONFIRMED: that it comes
    // before sign-in, and that /organizations answers the same (docs/entra-wire.md §12).
    surfaces: ['redirect', 'token'],
    // Wire wording ("is not", "multi-tenant"); the docs paraphrase it with contractions.
    message:
      "Application '{clientId}'({appName}) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant.",
    trigger: 'a single-tenant (AzureADMyOrg) app used on /common or /organizations.',
  },
  70016: {
    error: 'authorization_pending',
    status: 400,
    // MSAL's test fixture AUTHORIZATION_PENDING_RESPONSE (microsoft-authentication-library-for-js).
    surfaces: ['token'],
    message: 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
    trigger: 'polling the token endpoint with a device code whose user has not finished signing in.',
  },
  70020: {
    error: 'expired_token',
    status: 400,
    // Azure/azure-cli #22251, MicrosoftDocs/azure-docs #92366 (the wire text).
    surfaces: ['token'],
    message: "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
    trigger: 'polling with a device code past its expires_in (15 minutes, tenant clock), or one the per-tenant cap dropped.',
  },
  70018: {
    error: 'bad_verification_code',
    status: 400,
    // `bad_verification_code` is the documented error for a device code the token endpoint does
    // not recognize (v2-oauth2-device-code#expected-errors). UNCONFIRMED: the number (the error
    // code reference's BadVerificationCode) and the message, which is the doc's description.
    surfaces: ['token'],
    message: "The device_code sent to the /token endpoint wasn't recognized.",
    trigger: "polling with a device_code this tenant never issued (or another client's).",
  },
  50196: {
    error: 'invalid_grant',
    status: 400,
    // Entra's answer to a user flow repeated too often (MSAL.NET's throttling documentation,
    // https://learn.microsoft.com/entra/msal/dotnet/advanced/client-and-server-throttling); the
    // wire text of Azure/azure-sdk-for-net #23324 and pnp/powershell #2995 (the docs keep an
    // older "…encountered a loop while processing a request"). The mock raises it only when a
    // test asks for it (an Entra fault), never by counting requests.
    surfaces: ['token', 'page'],
    message: 'The server terminated an operation because it encountered a client request loop. Please contact your app vendor.',
    trigger: "an Entra fault with answer 'request_loop' (test-control API) on the token endpoint or authorize.",
  },
  90033: {
    error: 'temporarily_unavailable',
    status: 503,
    // HTTP 503 with this body: Azure/azure-sdk-for-python #14241 (ADAL's log of the wire).
    surfaces: ['token', 'page'],
    message: 'A transient error has occurred. Please try again.',
    trigger: "an Entra fault with answer 'temporarily_unavailable' (test-control API).",
  },
  70003: {
    error: 'unsupported_grant_type',
    status: 400,
    surfaces: ['token'],
    message: "The app requested an unsupported grant type '{grantType}'.",
    trigger: 'a grant_type the token endpoint does not support.',
  },

  501491: {
    error: 'invalid_request',
    status: 400,
    surfaces: ['redirect'],
    message: 'Invalid size of Code_Challenge parameter.',
    trigger: 'a code_challenge shorter than 43 or longer than 128 characters.',
  },
  50149: {
    error: 'invalid_request',
    status: 400,
    surfaces: ['redirect'],
    message: 'Invalid Code_Challenge_method parameter.',
    trigger: 'a code_challenge_method other than S256 or plain.',
  },

  50059: {
    error: 'invalid_request',
    status: 400,
    surfaces: ['token'],
    // UNCONFIRMED surface; docs/entra-wire.md §6 quotes the text for tenant-less app-only requests.
    message: 'No tenant-identifying information found in either the request or implied by any provided credentials.',
    trigger: 'client_credentials on /common or /organizations.',
  },
  9000411: {
    error: 'invalid_request',
    status: 400,
    surfaces: ['page', 'token'],
    message: "The request is not properly formatted. The parameter '{name}' is duplicated.",
    trigger: 'a protocol parameter sent twice (query or body).',
  },
  900561: {
    error: 'invalid_request',
    status: 400,
    // page: UNCONFIRMED — the sign-in and consent forms post to Entra's own POST-only endpoints;
    // the mock's post back to /authorize, so a GET carrying a form's `mock_action` gets this text.
    surfaces: ['token', 'page'],
    message: 'The endpoint only accepts POST, OPTIONS requests. Received a {method} request.',
    trigger: 'GET (or another method) on the token endpoint; a GET /authorize carrying the sign-in or consent form’s mock_action (the forms are POST only).',
  },
  90100: {
    error: 'invalid_request',
    status: 400,
    surfaces: ['page', 'token'],
    // UNCONFIRMED code for oversized or undecodable parameters; Entra's InvalidRequestParameter text.
    message: '{name} parameter is empty or not valid.',
    trigger: 'a parameter over 8 KiB (16 KiB for assertions and tokens), a body over 1 MiB, or a body that cannot be decoded.',
  },
  28000: {
    error: 'invalid_scope',
    status: 400,
    surfaces: ['token'],
    message: 'Provided value for the input parameter scope is not valid because it contains more than one resource. Scope {scope} is not valid.',
    trigger: 'a token request whose scope names two resources (e.g. Graph and a custom API).',
  },
  50089: {
    error: 'invalid_request',
    status: 400,
    surfaces: ['page'],
    // UNCONFIRMED: the error field, and that Entra answers every stale or forged form this way;
    // the code and text are those users report for a sign-in form posted after its flow token expired.
    message: 'Flow token expired - Authentication Failed. Have the user try signing-in again with username -password.',
    trigger:
      'the sign-in, password or consent form posted without its one-time page token, with one already used or expired (15 minutes, tenant clock), or forged from another site.',
  },
  50126: {
    error: 'invalid_grant',
    status: 400,
    // The text of Entra's InvalidUserNameOrPassword (ROPC answers it as invalid_grant). On the
    // page: what `mock_login=auto` gets for a wrong `mock_password`, as it has no page to redo.
    surfaces: ['page', 'token'],
    message: 'Error validating credentials due to invalid username or password.',
    trigger: 'mock_login=auto for a user with a fixture password and a wrong mock_password; ROPC (grant_type=password) with a wrong password.',
  },
  50020: {
    error: 'invalid_request',
    status: 400,
    // Shown on Microsoft's page after the user names their account (MicrosoftDocs/azure-docs
    // #118443, OfficeDev/O365-ASPNETMVC-Start #42); the identity provider of a work account of
    // another tenant is its issuer https://sts.windows.net/{tid}/ (Microsoft's AADSTS50020
    // troubleshooting article). UNCONFIRMED: the `error` field, never shown on the page.
    surfaces: ['page'],
    message:
      "User account '{upn}' from identity provider '{idp}' does not exist in tenant '{tenantName}' and cannot access the application '{clientId}'({appName}) in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Azure Active Directory user account.",
    trigger: "a user of another tenant signs in to a single-tenant app, or on a tenant's own endpoint to an app of that tenant.",
  },
  50034: {
    error: 'invalid_grant',
    status: 400,
    surfaces: ['token'],
    // Entra scrubs the name from the message: `{EmailHidden}` is literal on the wire
    // (Microsoft365DSC/Microsoft365DSC #801, s-KaiNet/spsave #61; invalid_grant in both).
    message:
      'The user account {EmailHidden} does not exist in the {tenant} directory. To sign into this application, the account must be added to the directory.',
    trigger: 'ROPC (grant_type=password) for a username that is no user of the tenant.',
  },
  50056: {
    error: 'invalid_grant',
    status: 400,
    surfaces: ['token'],
    // ROPC's answer, full JSON in MicrosoftDocs/azure-docs #49763 (InvalidPasswordOrPasswordNotExist).
    message: 'Invalid or missing password: password does not exist in the directory for this user.',
    trigger: 'ROPC (grant_type=password) for a user whose fixture has no password.',
  },
  50076: {
    error: 'invalid_grant',
    status: 400,
    surfaces: ['token'],
    // MFA required by policy: invalid_grant with suberror basic_action (MSAL treats it as
    // interaction required: lib/msal-common/src/error/InteractionRequiredAuthError.ts). Text:
    // Azure-Samples/active-directory-dotnetcore-console-up-v2 #44, merrycodes/Office-E5 #11 ('{resource}' is the API's appId).
    suberror: 'basic_action',
    message:
      "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{resource}'.",
    trigger: 'ROPC (grant_type=password) for a user whose fixture says perUserMfaState: enabled or enforced.',
  },
  9001023: {
    error: 'invalid_request',
    status: 400,
    surfaces: ['token'],
    // AzureAD/microsoft-authentication-library-for-dotnet #1572 (AcquireTokenByUsernamePassword on
    // /common), Microsoft365DSC/MSCloudLoginAssistant #100. UNCONFIRMED error field.
    message: 'The grant type is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.',
    trigger: 'ROPC (grant_type=password) on /common or /consumers.',
  },
  50057: {
    error: 'invalid_grant',
    status: 400,
    surfaces: ['page', 'token'],
    message: 'The user account is disabled.',
    trigger: 'sign-in (page or ROPC) as a user whose accountEnabled is false.',
  },
  9010010: {
    error: 'invalid_target',
    status: 400,
    // Reports from 2026 (microsoft/vscode #321249, microsoft/azure-devops-mcp #1511, #1601): a v2
    // `resource` (RFC 8707) is accepted when it names the scopes' resource, refused otherwise.
    // The older answer to any `resource` on v2 was AADSTS901002 (docs/entra-wire.md §12).
    surfaces: ['redirect', 'token'],
    message: "The resource parameter provided in the request doesn't match with the requested scopes.",
    trigger: 'a v2 authorize or token request whose resource parameter is not the resource its scopes name (e.g. an MCP server URL beside Graph scopes).',
  },
  500013: {
    error: 'invalid_resource',
    status: 400,
    // MicrosoftDocs/powerapps-docs #1161 (token endpoint), Xamarin.Auth #407 (redirect of an
    // implicit request); AADSTS50001 with this text in older captures (docs/entra-wire.md §12).
    surfaces: ['redirect', 'token'],
    message: 'Resource identifier is not provided.',
    trigger:
      'the v1 token endpoint without resource (client credentials, or a code whose authorize request named none); v1 authorize asking for an access token without resource.',
  },
  90056: {
    error: 'invalid_request',
    status: 404,
    // UNCONFIRMED: what Entra answers for a path it has no endpoint for under a tenant. The mock
    // answers in the token endpoint's JSON (never an HTML 404 a client would try to parse:
    // MSAL Node's "Unexpected token '<'"), with BadResourceRequest, the reference's code for a
    // request sent to the wrong endpoint. The message is the mock's own wording.
    surfaces: ['token'],
    message: "The endpoint '{path}' does not exist.",
    trigger: 'a path under a tenant segment that no Entra endpoint answers (e.g. /{tenant}/oauth2/v2.0/nowhere).',
  },
  500131: {
    error: 'invalid_grant',
    status: 400,
    // The text users report (OfficeDev/microsoft-teams-apps-company-communicator #214,
    // microsoft/AzureTRE-Deployment #65); `invalid_grant` is UNCONFIRMED (no capture shows the field).
    surfaces: ['token'],
    message:
      "Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '{audience}' and the expected audience is '{clientId}' or one of the Application Uris of this application with App ID '{clientId}'({appName}). The downstream client must request a token for the expected audience (the application that made the OBO request) and this application should use that token as the assertion.",
    trigger: 'on-behalf-of with a user token issued for another app than the one presenting it (e.g. a token for the SPA itself, not for the API).',
  },
  50013: {
    error: 'invalid_grant',
    status: 400,
    // Captures: AzureAD/azure-activedirectory-library-for-dotnet #1234 (a Graph token as the
    // assertion), Azure/azure-sdk-for-java #25109, microsoft-authentication-library-for-dotnet #2604
    // ("The key was not found."). Graph's tokens cannot be verified by design: their header nonce
    // breaks the signature (https://learn.microsoft.com/entra/identity-platform/access-tokens).
    surfaces: ['token'],
    message: "Assertion failed signature validation. [Reason - {reason}, Thumbprint of key used by client: '{thumbprint}'{foundKey}].",
    trigger:
      'on-behalf-of with an assertion whose signature does not verify: a Microsoft Graph token, a tampered token, a key the tenant does not publish, or a token of another tenant.',
  },
  500133: {
    error: 'invalid_grant',
    status: 400,
    // The wire answer in microsoftgraph/msgraph-sdk-dotnet #2551 (OnBehalfOfCredential).
    surfaces: ['token'],
    message:
      'Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token. Current time: {now}, expiry time of assertion {exp}.',
    trigger: 'on-behalf-of with an expired user token (tenant clock).',
  },
  7000114: {
    error: 'unauthorized_client',
    status: 400,
    // AzureAD/microsoft-authentication-library-for-dotnet #2130, microsoft/mcp #2192. Which appId
    // the message names (the middle tier or the assertion's app) is UNCONFIRMED: the middle tier.
    surfaces: ['token'],
    message: "Application '{clientId}' is not allowed to make application on-behalf-of calls.",
    trigger: 'on-behalf-of with an app-only token (client credentials) as the assertion.',
  },
} as const satisfies Record<number, CatalogEntry>;

export type AadstsCode = keyof typeof entries;
export const CATALOG: Readonly<Record<AadstsCode, CatalogEntry>> = entries;
export const CATALOG_CODES = Object.keys(entries).map(Number) as AadstsCode[];

export function formatMessage(code: AadstsCode, params: Record<string, string>): string {
  return CATALOG[code].message.replace(/\{(\w+)\}/g, (_, k: string) => params[k] ?? `{${k}}`);
}
