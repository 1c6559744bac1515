/**
 * @fileoverview Drives a complete sign-in over HTTP: from the proxy's `/auth/login/<provider>`
 * through the identity provider's sign-in and consent forms and back to the proxy's callback,
 * optionally tampering with the authorization request or the callback on the way. Also gets
 * tokens from the identity provider directly, as a machine client would.
 */
import * as openid from 'openid-client';

import { HttpBrowser, parseForms, type Page } from './http-browser.js';

export interface SignInOptions {
  proxyBase: string;
  providerId: string;
  /** A key of TEST_USERS. */
  login: string;
  /** Changes the authorization request on its way to the identity provider. */
  rewriteAuthorization?: (url: URL) => URL;
  /** Changes the redirect back to the proxy's callback. */
  rewriteCallback?: (url: URL) => URL;
}

/** Signs in and returns the proxy page the callback answered with. */
export async function signIn(browser: HttpBrowser, options: SignInOptions): Promise<Page> {
  const proxyOrigin = new URL(options.proxyBase).origin;
  let authorizationSeen = false;
  const rewrite = (target: URL): URL => {
    if (target.origin === proxyOrigin && target.pathname.endsWith('/auth/callback')) return options.rewriteCallback?.(target) ?? target;
    if (!authorizationSeen && target.origin !== proxyOrigin && target.searchParams.has('client_id')) {
      authorizationSeen = true;
      return options.rewriteAuthorization?.(target) ?? target;
    }
    return target;
  };
  const page = await browser.navigate(`${options.proxyBase}/auth/login/${options.providerId}`, { rewrite });
  return completeProviderForms(browser, page, options.login, (url) => new URL(url).origin !== proxyOrigin, rewrite);
}

/** Submits the provider's sign-in and consent forms while `atProvider(page.url)` holds. */
async function completeProviderForms(
  browser: HttpBrowser,
  start: Page,
  login: string,
  atProvider: (url: string) => boolean,
  rewrite: (target: URL) => URL | undefined,
): Promise<Page> {
  let page = start;
  for (let step = 0; step < 6 && atProvider(page.url) && page.status === 200; step += 1) {
    const form = parseForms(page)[0];
    if (form === undefined) break;
    page = await browser.submit(page, 'login' in form.fields ? { login, password: 'any password' } : {}, { rewrite });
  }
  return page;
}

export interface ClientTokens {
  idToken: string;
  accessToken: string;
}

/** Runs the authorization code flow at the provider as client `clientId` and returns its tokens. */
export async function obtainTokensAsClient(options: {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  login: string;
  /** Ask for a JWT access token for this resource. */
  resource?: string;
}): Promise<ClientTokens> {
  const configuration = await openid.discovery(
    new URL(options.issuer),
    options.clientId,
    options.clientSecret === undefined ? { token_endpoint_auth_method: 'none' } : options.clientSecret,
    options.clientSecret === undefined ? openid.None() : undefined,
    { execute: [openid.allowInsecureRequests] },
  );
  const codeVerifier = openid.randomPKCECodeVerifier();
  const state = openid.randomState();
  const nonce = openid.randomNonce();
  const authorizationUrl = openid.buildAuthorizationUrl(configuration, {
    redirect_uri: options.redirectUri,
    scope: 'openid email profile groups',
    code_challenge: await openid.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(options.resource === undefined ? {} : { resource: options.resource }),
  });
  const browser = new HttpBrowser();
  let callback: URL | undefined;
  const rewrite = (target: URL): URL | undefined => {
    if (target.href.startsWith(options.redirectUri)) {
      callback = target;
      return undefined;
    }
    return target;
  };
  const first = await browser.navigate(authorizationUrl.href, { rewrite });
  await completeProviderForms(browser, first, options.login, () => callback === undefined, rewrite);
  if (callback === undefined) throw new Error('the provider never redirected back to the client');
  const tokens = await openid.authorizationCodeGrant(
    configuration,
    callback,
    { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true },
    options.resource === undefined ? undefined : { resource: options.resource },
  );
  if (tokens.id_token === undefined) throw new Error('no ID token');
  return { idToken: tokens.id_token, accessToken: tokens.access_token };
}
