import { EntraError } from '../errors/entra-error.js';
import type { Params } from './params.js';
import type { RequestedScopes } from './scope.js';

/**
 * The v1 endpoints name the API with `resource`, and v1 ignores `scope` for it. Without one,
 * Entra answers `invalid_resource` AADSTS500013 "Resource identifier is not provided."
 * (MicrosoftDocs/powerapps-docs #1161; AADSTS50001 with the same text in older captures,
 * laardee/serverless-authentication #7). docs/entra-wire.md §12.
 *
 * Where: client credentials always need it. A v1 authorize request without it still signs the
 * user in and issues a code (the v1 docs call it "recommended" there; damienbod/dotnet-template-
 * angular #9 saw the error only "after logging in"), but redeeming that code needs `resource` —
 * UNCONFIRMED that a resource named at authorize is enough without repeating it at the token
 * endpoint (the mock accepts it). An access token from v1 /authorize (implicit) needs it at once:
 * Xamarin.Auth #407 saw the error on the redirect.
 */
export function requireV1Resource(params: Params): void {
  if (params.get('resource') === undefined) throw new EntraError(500013);
}

/** Redeeming a v1 code: `resource` in the request, or an API named by the authorize request the code came from. */
export function requireV1ResourceForCode(params: Params, fromCode: RequestedScopes): void {
  if (fromCode.resources.length === 0) requireV1Resource(params);
}
