/**
 * @fileoverview The `/auth` pages: the provider list, the sign-in redirect (authorization code
 * with PKCE, state and nonce), the callback that issues a personal proxy token, and token
 * management for the signed-in user. Every form post must carry the session's CSRF token and,
 * when the browser sends one, this site's Origin.
 *
 * A sign-in attempt is stored under the digest of its `state` and bound to the browser by a
 * cookie, so a callback completes only once, only in the browser that started it, and only
 * with the nonce and PKCE verifier created for it.
 */
import { timingSafeEqual } from 'node:crypto';

import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, type Router } from 'express';
import * as openid from 'openid-client';

import type { AppLogger } from '../logging/app-logger.js';
import { decideAllowedUser, userFromClaims } from './allowed-users.js';
import type { IdentityProvider } from './discover-identity-provider.js';
import { renderLoginPage } from './pages/login-page.js';
import { renderMessagePage, type MessagePageOptions } from './pages/message-page.js';
import { renderTokenIssuedPage } from './pages/token-issued-page.js';
import { renderTokensPage } from './pages/tokens-page.js';
import { hashSecret, randomSecret } from './proxy-token.js';
import { BINDING_COOKIE, clearCookie, pageAddress, readCookie, SESSION_COOKIE, setCookie, type PageAddress } from './sso-cookies.js';
import type { SsoOptions } from './sso-options.js';
import { pageNonce, ssoPageSecurity } from './sso-page-security.js';
import type { BrowserSessionRecord, SsoStore } from './sso-store.js';
import type { SsoUser } from './sso-user.js';
import type { UsageSummaryReader } from './usage-summary.js';

/** How long a started sign-in may take at the provider. */
const LOGIN_ATTEMPT_TTL_MS = 10 * 60 * 1000;
/** How long the token pages stay signed in. */
const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const TOKEN_LABEL_MAX_LENGTH = 100;

export interface SsoRouterOptions {
  providers: ReadonlyMap<string, IdentityProvider>;
  store: SsoStore;
  options: SsoOptions;
  logger: AppLogger;
  now: () => number;
  issueToken(user: SsoUser, label: string): Promise<{ token: string; id: string; expiresAt: number }>;
  /** The user's own usage and budgets for the token page. */
  usageSummary?: UsageSummaryReader | undefined;
}

export function createSsoRouter(routerOptions: SsoRouterOptions): Router {
  const { providers, store, options, logger, now, issueToken } = routerOptions;
  /** The router's logger with the request's id (the `x-request-id` the app set on the response). */
  const logFor = (response: Response): AppLogger => {
    const requestId = response.getHeader('x-request-id');
    return typeof requestId === 'string' ? logger.child({ requestId }) : logger;
  };
  const router = express.Router();
  const formBody = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
  const providerList = [...providers.values()].map((provider) => ({ id: provider.settings.id, displayName: provider.settings.displayName }));

  const address = (request: Request): PageAddress => pageAddress(request, options.publicUrl);

  const sendMessage = (response: Response, request: Request, status: number, page: Omit<MessagePageOptions, 'nonce' | 'base'>): void => {
    response.status(status).type('html').send(renderMessagePage({ ...page, nonce: pageNonce(response), base: address(request).base }));
  };

  const currentSession = async (request: Request): Promise<BrowserSessionRecord | undefined> => {
    const sessionId = readCookie(request, SESSION_COOKIE);
    if (sessionId === undefined) return undefined;
    const session = await store.findSession(hashSecret(sessionId));
    return session !== undefined && session.expiresAt > now() ? session : undefined;
  };

  /** Form posts: a live session, its CSRF token in `_csrf`, and no foreign Origin. */
  const requireFormSession: RequestHandler = async (request, response, next) => {
    const session = await currentSession(request);
    const origin = request.headers.origin;
    const expectedOrigin = new URL(address(request).base).origin;
    const submitted = typeof request.body?._csrf === 'string' ? (request.body._csrf as string) : '';
    if (session === undefined) {
      sendMessage(response, request, 401, {
        title: 'Signed out',
        message: 'Your session has ended, so the form was not processed.',
        advice: 'Sign in again, then repeat what you were doing.',
      });
      return;
    }
    if ((origin !== undefined && origin !== expectedOrigin) || !sameSecret(submitted, session.csrfToken)) {
      logFor(response).warn('SSO form post refused: CSRF check failed', { user: session.user.id, path: request.path });
      sendMessage(response, request, 403, {
        title: 'Form refused',
        message: 'This form did not come from this site, or it is out of date, so it was not processed.',
        advice: 'Open your tokens page again and use the form there.',
      });
      return;
    }
    response.locals['session'] = session;
    next();
  };

  router.use(ssoPageSecurity());

  router.get('/', (request, response) => {
    response.redirect(303, `${address(request).base}/auth/login`);
  });

  router.get('/login', async (request, response) => {
    const session = await currentSession(request);
    response.type('html').send(
      renderLoginPage({ nonce: pageNonce(response), base: address(request).base, providers: providerList, user: session?.user }),
    );
  });

  router.get('/login/:providerId', async (request, response) => {
    const provider = providers.get(String(request.params['providerId']));
    if (provider === undefined) {
      sendMessage(response, request, 404, {
        title: 'Unknown provider',
        message: 'There is no sign-in provider with this name.',
        advice: 'Choose one of the providers on the sign-in page.',
      });
      return;
    }
    const pageAt = address(request);
    const at = now();
    await store.deleteExpired(at, 0);
    // One binding per browser, reused, so sign-ins started in two tabs both complete.
    const binding = readCookie(request, BINDING_COOKIE) ?? randomSecret();
    setCookie(response, pageAt, BINDING_COOKIE, binding, LOGIN_ATTEMPT_TTL_MS);
    const state = openid.randomState();
    const nonce = openid.randomNonce();
    const codeVerifier = openid.randomPKCECodeVerifier();
    const redirectUri = `${pageAt.base}/auth/callback`;
    await store.insertLoginAttempt({
      stateHash: hashSecret(state),
      bindingHash: hashSecret(binding),
      providerId: provider.settings.id,
      nonce,
      codeVerifier,
      redirectUri,
      createdAt: at,
      expiresAt: at + LOGIN_ATTEMPT_TTL_MS,
    });
    const authorizationUrl = openid.buildAuthorizationUrl(provider.configuration, {
      redirect_uri: redirectUri,
      scope: provider.settings.scopes.join(' '),
      code_challenge: await openid.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    response.redirect(303, authorizationUrl.href);
  });

  router.get('/callback', async (request, response) => {
    const state = typeof request.query['state'] === 'string' ? request.query['state'] : undefined;
    const attempt = state === undefined ? undefined : await store.takeLoginAttempt(hashSecret(state));
    if (state === undefined || attempt === undefined || attempt.expiresAt <= now()) {
      logFor(response).warn('SSO callback refused: unknown, used or expired state', { statePresent: state !== undefined });
      sendMessage(response, request, 400, {
        title: 'Sign-in not completed',
        message: 'This sign-in response does not belong to a sign-in in progress: it is unknown, expired, or was already used.',
        advice: 'Start the sign-in again from the sign-in page.',
      });
      return;
    }
    const binding = readCookie(request, BINDING_COOKIE);
    if (binding === undefined || !sameSecret(hashSecret(binding), attempt.bindingHash)) {
      logFor(response).warn('SSO callback refused: sign-in started in another browser', { provider: attempt.providerId });
      sendMessage(response, request, 400, {
        title: 'Sign-in not completed',
        message: 'This sign-in was started in another browser (or your browser does not keep cookies for this site).',
        advice: 'Start the sign-in again in this browser, and allow cookies for this site.',
      });
      return;
    }
    const provider = providers.get(attempt.providerId);
    if (provider === undefined) {
      sendMessage(response, request, 400, {
        title: 'Sign-in not completed',
        message: 'The provider this sign-in started with is no longer configured.',
        advice: 'Start the sign-in again from the sign-in page.',
      });
      return;
    }

    const callbackUrl = new URL(attempt.redirectUri);
    callbackUrl.search = new URL(request.originalUrl, 'http://callback.invalid').search;
    let claims: Record<string, unknown>;
    try {
      const tokens = await openid.authorizationCodeGrant(provider.configuration, callbackUrl, {
        pkceCodeVerifier: attempt.codeVerifier,
        expectedState: state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
      });
      const idTokenClaims = tokens.claims() ?? {};
      claims = { ...(await userInfoClaims(provider, tokens.access_token, idTokenClaims, logFor(response))), ...idTokenClaims };
    } catch (error) {
      respondToSignInFailure(error, provider, request, response);
      return;
    }

    const described = userFromClaims(provider.settings, claims);
    if ('problem' in described) {
      sendMessage(response, request, 502, {
        title: 'Sign-in not completed',
        message: `The identity provider's answer cannot be used: ${described.problem}.`,
      });
      return;
    }
    const { user } = described;
    const decision = decideAllowedUser(user, provider.settings.allowedUsers);
    if (!decision.allowed) {
      logFor(response).warn('SSO sign-in refused: user not allowed', { user: user.id, provider: provider.settings.id, reason: decision.reason });
      sendMessage(response, request, 403, {
        title: 'Access denied',
        message: `Your account ${user.email ?? user.name ?? user.subject} is not allowed to use this proxy.`,
        details: [decision.reason],
        advice:
          'If you have several accounts, sign out at the identity provider and sign in with your work account. ' +
          'Otherwise ask the operator of this proxy to allow your account, email domain or group.',
      });
      return;
    }

    const pageAt = address(request);
    const sessionId = randomSecret();
    const at = now();
    await store.insertSession({ sessionHash: hashSecret(sessionId), user, csrfToken: randomSecret(), createdAt: at, expiresAt: at + SESSION_TTL_MS });
    setCookie(response, pageAt, SESSION_COOKIE, sessionId, SESSION_TTL_MS);
    logFor(response).info('SSO sign-in', { user: user.id, provider: provider.settings.id });
    const issued = await issueToken(user, 'sign-in');
    response.type('html').send(
      renderTokenIssuedPage({
        nonce: pageNonce(response),
        base: pageAt.base,
        user,
        providerName: provider.settings.displayName,
        token: issued.token,
        tokenId: issued.id,
        expiresAt: issued.expiresAt,
      }),
    );
  });

  router.get('/tokens', async (request, response) => {
    const session = await currentSession(request);
    const base = address(request).base;
    if (session === undefined) {
      response.status(401).type('html').send(
        renderLoginPage({ nonce: pageNonce(response), base, providers: providerList, notice: 'Sign in to see and manage your proxy tokens.' }),
      );
      return;
    }
    const revoked = typeof request.query['revoked'] === 'string' ? request.query['revoked'] : undefined;
    const at = now();
    response.type('html').send(
      renderTokensPage({
        nonce: pageNonce(response),
        base,
        user: session.user,
        tokens: await store.listTokens({ userId: session.user.id, includeInactive: true, now: at }),
        csrfToken: session.csrfToken,
        now: at,
        notice: revoked === undefined ? undefined : `Token ${revoked} has been revoked.`,
        usage: await routerOptions.usageSummary?.(session.user),
      }),
    );
  });

  router.post('/tokens', formBody, requireFormSession, async (request, response) => {
    const session = response.locals['session'] as BrowserSessionRecord;
    const given = typeof request.body?.label === 'string' ? (request.body.label as string).trim().slice(0, TOKEN_LABEL_MAX_LENGTH) : '';
    const issued = await issueToken(session.user, given === '' ? 'created on the tokens page' : given);
    const provider = providers.get(session.user.providerId);
    response.type('html').send(
      renderTokenIssuedPage({
        nonce: pageNonce(response),
        base: address(request).base,
        user: session.user,
        providerName: provider?.settings.displayName ?? session.user.providerId,
        token: issued.token,
        tokenId: issued.id,
        expiresAt: issued.expiresAt,
      }),
    );
  });

  router.post('/tokens/:tokenId/revoke', formBody, requireFormSession, async (request, response) => {
    const session = response.locals['session'] as BrowserSessionRecord;
    const tokenId = String(request.params['tokenId']);
    if (!(await store.revokeToken(tokenId, now(), session.user.id))) {
      sendMessage(response, request, 404, {
        title: 'Token not found',
        message: 'You have no active token with this id.',
        advice: 'Go back to your tokens page; the token may already be revoked.',
      });
      return;
    }
    logFor(response).info('Revoked SSO proxy token', { user: session.user.id, tokenId, by: 'owner' });
    response.redirect(303, `${address(request).base}/auth/tokens?revoked=${encodeURIComponent(tokenId)}`);
  });

  router.post('/logout', formBody, requireFormSession, async (request, response) => {
    const session = response.locals['session'] as BrowserSessionRecord;
    await store.deleteSession(session.sessionHash);
    const pageAt = address(request);
    clearCookie(response, pageAt, SESSION_COOKIE);
    logFor(response).info('SSO sign-out', { user: session.user.id });
    response.type('html').send(
      renderLoginPage({ nonce: pageNonce(response), base: pageAt.base, providers: providerList, notice: 'You have signed out. Your tokens keep working until they expire or you revoke them.' }),
    );
  });

  router.use((request, response) => {
    sendMessage(response, request, 404, { title: 'Page not found', message: 'There is no sign-in page at this address.' });
  });

  const pageErrors: ErrorRequestHandler = (error: unknown, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const status = typeof (error as { status?: unknown }).status === 'number' ? ((error as { status: number }).status) : 500;
    if (status >= 500) logFor(response).error('SSO page failed', { path: request.path, error: error instanceof Error ? error.message : String(error) });
    sendMessage(response, request, status >= 400 && status < 600 ? status : 500, {
      title: status === 413 ? 'Form too large' : 'Something went wrong',
      message: status >= 500 ? 'The proxy could not complete this request.' : 'The request could not be processed.',
      advice: 'Try again from the sign-in page. If this keeps happening, tell the operator of this proxy.',
    });
  };
  router.use(pageErrors);

  function respondToSignInFailure(error: unknown, provider: IdentityProvider, request: Request, response: Response): void {
    const providerName = provider.settings.displayName;
    if (error instanceof openid.AuthorizationResponseError) {
      logFor(response).warn('SSO sign-in failed at the provider', { provider: provider.settings.id, error: error.error });
      sendMessage(response, request, 400, {
        title: 'Sign-in not completed',
        message: `${providerName} did not sign you in: ${error.error_description ?? error.error}.`,
        advice: 'Start the sign-in again if this was a mistake.',
      });
      return;
    }
    if (error instanceof openid.ResponseBodyError) {
      logFor(response).warn('SSO token exchange refused by the provider', { provider: provider.settings.id, error: error.error });
      sendMessage(response, request, 502, {
        title: 'Sign-in not completed',
        message: `${providerName} refused to complete the sign-in (${error.error}${error.error_description === undefined ? '' : `: ${error.error_description}`}).`,
        advice: 'Start the sign-in again. If this keeps happening, the proxy’s client settings at the provider may be wrong: tell the operator.',
      });
      return;
    }
    const reason = error instanceof Error ? error.message : String(error);
    logFor(response).warn('SSO sign-in response refused', { provider: provider.settings.id, reason });
    sendMessage(response, request, 400, {
      title: 'Sign-in not completed',
      message: 'The sign-in response failed the security checks and was refused.',
      details: [reason],
      advice: 'Start the sign-in again from the sign-in page.',
    });
  }

  return router;
}

/** Claims from the userinfo endpoint, for providers that keep email or groups out of the ID token. */
async function userInfoClaims(
  provider: IdentityProvider,
  accessToken: string,
  idTokenClaims: Record<string, unknown>,
  logger: AppLogger,
): Promise<Record<string, unknown>> {
  const subject = idTokenClaims['sub'];
  if (!provider.hasUserInfo || typeof subject !== 'string') return {};
  try {
    return { ...(await openid.fetchUserInfo(provider.configuration, accessToken, subject)) };
  } catch (error) {
    logger.warn('SSO userinfo request failed; using the ID token claims alone', {
      provider: provider.settings.id,
      reason: error instanceof Error ? error.message : String(error),
    });
    return {};
  }
}

function sameSecret(left: string, right: string): boolean {
  const leftBuffer = Buffer.from(hashSecret(left));
  const rightBuffer = Buffer.from(hashSecret(right));
  return timingSafeEqual(leftBuffer, rightBuffer);
}
