/**
 * mock-entra/testing: helpers for the client side of a test against the mock — an HTTP function
 * that trusts the mock's CA (for openid-client, jose and MSAL Node, without restarting Node), and
 * the Chromium a test launches to drive the sign-in pages. Apart from `mock-entra` (the mock
 * itself): an application's tests import these, the mock never does.
 *
 * @example
 * import { startMockEntra, CONTOSO } from 'mock-entra';
 * import { trustingFetch, msalNetworkClient } from 'mock-entra/testing';
 * const mock = await startMockEntra({ port: 0 });
 * const networkClient = msalNetworkClient(trustingFetch(mock.caPem)); // MSAL Node's system.networkClient
 */

export { trustingFetch, msalNetworkClient, type FetchLike, type FetchInit } from './testing/trusting-fetch.js';
export { findChromium, CHROMIUM_ARGS } from './testing/chromium.js';
export { verifiedSpki } from './testing/certificate-pin.js';
