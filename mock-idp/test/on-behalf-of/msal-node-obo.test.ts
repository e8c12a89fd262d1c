import { randomUUID } from 'node:crypto';
import { ConfidentialClientApplication, InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_APP_ID } from '../../src/directory/microsoft-graph.js';
import { CONTOSO, startMockEntra, type RunningMockEntra } from '../../src/index.js';
import { msalNetworkClient } from '../../src/testing.js';
import { cloneContoso, decodeJwtPart, trustingFetch, type ClonedTenant } from '../support/real-clients.js';
import { addOboApps, API_SCOPE, OBO } from './obo-tenant.js';

/**
 * @azure/msal-node, unmodified: a web app signs the user in (auth code; the mock's `mock_login=auto`
 * stands in for the browser) and calls the Todo API with the token it got; the Todo API — a
 * ConfidentialClientApplication of its own — calls `acquireTokenOnBehalfOf` with that token and
 * calls Microsoft Graph `/v1.0/me` with the result. Authorities are the mock's tenant URL with
 * `knownAuthorities` (no instance discovery); trust is MSAL's documented `system.networkClient`.
 */

let mock: RunningMockEntra;
let clone: ClonedTenant;
let tenant: string;
let noConsentTenant: string;
/** Adele in the clones: Contoso's UPN under the clone's domain (the same in both clones: only the domain differs). */
let adeleUpn: string;
const adeleUpnIn = (c: ClonedTenant): string => CONTOSO.users.adele.upn.replace(CONTOSO.domain, c.domain);
let noConsentClone: ClonedTenant;

beforeAll(async () => {
  mock = await startMockEntra({ port: 0 });
  clone = await cloneContoso(mock.control, (f) => addOboApps(f));
  tenant = clone.tenantId;
  adeleUpn = adeleUpnIn(clone);
  noConsentClone = await cloneContoso(mock.control, (f) => {
    addOboApps(f);
    f.oauth2PermissionGrants = f.oauth2PermissionGrants!.filter((g) => !(g.clientId === OBO.apiId && g.resourceId === GRAPH_APP_ID));
  });
  noConsentTenant = noConsentClone.tenantId;
});
afterAll(() => mock?.close());

function app(tid: string, clientId: string, clientSecret: string): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: { clientId, clientSecret, authority: `${mock.url}/${tid}`, knownAuthorities: [new URL(mock.url).host] },
    system: { networkClient: msalNetworkClient(trustingFetch(mock.caPem!)) },
  });
}

/** The web app's sign-in: MSAL's auth code URL, the mock signs in the user without a page, MSAL redeems the code. */
async function userTokenForTodoApi(tid: string, loginHint: string = adeleUpn): Promise<string> {
  const web = app(tid, OBO.webId, OBO.webSecret);
  const state = randomUUID();
  const url = await web.getAuthCodeUrl({
    scopes: [API_SCOPE],
    redirectUri: OBO.webRedirect,
    state,
    loginHint,
    extraQueryParameters: { mock_login: 'auto' },
  });
  const response = await trustingFetch(mock.caPem!)(url);
  expect(response.status).toBe(302);
  const code = new URL(response.headers.get('location')!).searchParams.get('code')!;
  const result = await web.acquireTokenByCode({ code, scopes: [API_SCOPE], redirectUri: OBO.webRedirect, state }, { code, state });
  return result.accessToken;
}

describe('msal-node acquireTokenOnBehalfOf', () => {
  it('trades the user token sent to the Todo API for a Graph token that /v1.0/me accepts', async () => {
    const userToken = await userTokenForTodoApi(tenant);
    expect(decodeJwtPart(userToken, 1)).toMatchObject({ aud: OBO.apiId, azp: OBO.webId, scp: 'access_as_user' });

    const api = app(tenant, OBO.apiId, OBO.apiSecret);
    const result = await api.acquireTokenOnBehalfOf({ oboAssertion: userToken, scopes: ['https://graph.microsoft.com/User.Read'] });
    expect(result?.tokenType).toBe('Bearer');
    expect(result?.account?.username).toBe(adeleUpn);
    expect(result?.scopes).toContain('User.Read');
    const at = decodeJwtPart(result!.accessToken, 1);
    expect(at).toMatchObject({ aud: 'https://graph.microsoft.com', appid: OBO.apiId, oid: clone.ids.adele, tid: tenant, upn: adeleUpn });
    expect(String(at.scp).split(' ')).toContain('User.Read');

    const me = await trustingFetch(mock.caPem!)(`${mock.url}/v1.0/me`, { headers: { authorization: `Bearer ${result!.accessToken}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: clone.ids.adele, userPrincipalName: adeleUpn, displayName: 'Adele Vance' });

    // MSAL caches by the assertion and the scopes the response echoes (`User.Read`): asked so,
    // the same call is answered from its cache, with the same token.
    const again = await api.acquireTokenOnBehalfOf({ oboAssertion: userToken, scopes: ['User.Read'] });
    expect(again?.accessToken).toBe(result!.accessToken);
    expect(again?.fromCache).toBe(true);
  });

  it('surfaces a Graph token sent as the assertion as invalid_grant AADSTS50013 (a ServerError: MSAL asks no interaction for it)', async () => {
    const web = app(tenant, OBO.webId, OBO.webSecret);
    const state = randomUUID();
    const url = await web.getAuthCodeUrl({
      scopes: ['User.Read'],
      redirectUri: OBO.webRedirect,
      state,
      loginHint: adeleUpn,
      extraQueryParameters: { mock_login: 'auto' },
    });
    const code = new URL((await trustingFetch(mock.caPem!)(url)).headers.get('location')!).searchParams.get('code')!;
    const graphToken = (await web.acquireTokenByCode({ code, scopes: ['User.Read'], redirectUri: OBO.webRedirect, state }, { code, state })).accessToken;
    const error = await app(tenant, OBO.apiId, OBO.apiSecret)
      .acquireTokenOnBehalfOf({ oboAssertion: graphToken, scopes: ['https://graph.microsoft.com/User.Read'] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ServerError);
    expect(error).not.toBeInstanceOf(InteractionRequiredAuthError);
    expect(error).toMatchObject({ errorCode: 'invalid_grant' });
    expect((error as { errorMessage: string }).errorMessage).toContain(
      'AADSTS50013: Assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.',
    );
  });

  it('surfaces missing consent for the middle tier as InteractionRequiredAuthError consent_required (AADSTS65001)', async () => {
    const userToken = await userTokenForTodoApi(noConsentTenant, adeleUpnIn(noConsentClone));
    const error = await app(noConsentTenant, OBO.apiId, OBO.apiSecret)
      .acquireTokenOnBehalfOf({ oboAssertion: userToken, scopes: ['https://graph.microsoft.com/User.Read'] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(InteractionRequiredAuthError);
    expect(error).toMatchObject({ errorCode: 'invalid_grant', subError: 'consent_required' });
    expect((error as { errorMessage: string }).errorMessage).toContain(
      `AADSTS65001: The user or administrator has not consented to use the application with ID '${OBO.apiId}' named 'Todo API'.`,
    );
  });
});
