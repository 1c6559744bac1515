/**
 * @fileoverview Client authentication: one early middleware in front of every route. A request
 * must carry one of the configured API keys or, with SSO on, a personal proxy token or a token
 * issued by a configured identity provider; except `/internal/health`, which answers its basic
 * fields to anyone and its details only to a valid credential. Each authenticated request is
 * attributed to a user id (never the credential). Repeated wrong credentials from one client
 * address are refused with 429 for a while, so keys cannot be guessed at network speed.
 *
 * The limiter only ever refuses failed attempts: a request with a valid credential is never
 * refused or counted, so wrong guesses from the same address (another local process, a web page
 * firing requests at 127.0.0.1, everyone behind one reverse proxy) cannot lock the owner out. A
 * request with no credential at all is a plain 401 and does not count either: it guesses
 * nothing, and it is exactly what a cross-site `<img>` or form sends, so counting it would let
 * any web page lock the local user out. The client address is the socket's peer, or with
 * `server.trust_proxy` the right-most untrusted `X-Forwarded-For` entry (client-address.ts).
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit, type Store } from 'express-rate-limit';
import type { ProxySettings } from '../config/proxy-settings.js';
import type { AppLogger } from '../logging/app-logger.js';
import type { SsoService } from '../sso/sso-service.js';
import { createApiKeyVerifier } from './api-key-verifier.js';
import { clientAddressResolver, type ClientAddressOf } from './client-address.js';
import { presentedApiKey, type PresentedApiKey } from './presented-api-key.js';
import { sendErrorResponse } from './render-error-response.js';
import { findRequestContext, requestContextOf } from './request-context.js';

/** The path whose basic fields need no key. */
export const HEALTH_PATH = '/internal/health';

/** Failed attempts allowed per client address within one window before it gets 429. */
export const DEFAULT_FAILED_ATTEMPT_LIMIT = 10;
export const DEFAULT_FAILED_ATTEMPT_WINDOW_MS = 60_000;

export interface ClientAuthenticationOptions {
  settings: Readonly<ProxySettings>;
  logger: AppLogger;
  /** With SSO on: checks credentials that are not static keys. */
  sso?: Pick<SsoService, 'authenticateBearer'> | undefined;
  failedAttemptLimit?: number;
  failedAttemptWindowMs?: number;
  /** Where failed attempts are counted; default this process's memory (a shared Redis across replicas). */
  failedAttemptStore?: Store | undefined;
}

export interface ClientAuthentication {
  middleware: RequestHandler;
  /** Stops the failure counter's timer. */
  close(): void;
}

type Verdict =
  | { kind: 'valid'; userId: string; groups?: readonly string[] }
  | { kind: 'missing' }
  | { kind: 'invalid'; presented: PresentedApiKey }
  /** An SSO credential that is expired, revoked, forged or of a user not allowed. */
  | { kind: 'refused'; presented: PresentedApiKey; error: LlmProxyError };

export function createClientAuthentication(options: ClientAuthenticationOptions): ClientAuthentication {
  const { settings, logger, sso } = options;
  if (settings.auth.disabled) {
    return {
      middleware: (_request, response, next) => {
        requestContextOf(response).authenticated = true;
        next();
      },
      close: () => undefined,
    };
  }

  const verifyApiKey = createApiKeyVerifier(settings.auth.apiKeys);
  const judge = async (presented: PresentedApiKey): Promise<Verdict> => {
    const keyIndex = verifyApiKey(presented.key);
    if (keyIndex !== undefined) return { kind: 'valid', userId: `api-key#${keyIndex + 1}` };
    const ssoVerdict = sso === undefined ? undefined : await sso.authenticateBearer(presented.key);
    if (ssoVerdict?.kind === 'user') return { kind: 'valid', userId: ssoVerdict.user.id, groups: ssoVerdict.user.groups };
    if (ssoVerdict?.kind === 'refused') return { kind: 'refused', presented, error: ssoVerdict.error };
    return { kind: 'invalid', presented };
  };
  const limit = options.failedAttemptLimit ?? DEFAULT_FAILED_ATTEMPT_LIMIT;
  const windowMs = options.failedAttemptWindowMs ?? DEFAULT_FAILED_ATTEMPT_WINDOW_MS;
  const memoryStore = options.failedAttemptStore === undefined ? new MemoryStore() : undefined;
  const failureStore: Store = options.failedAttemptStore ?? (memoryStore as MemoryStore);
  const clientAddress = clientAddressResolver(settings.server.trustProxy);
  const clientKey = (request: Request): string => ipKeyGenerator(clientAddress(request), 56);

  // Counts and refuses failed attempts only (a wrong key, or an SSO credential refused); valid
  // and missing credentials never reach it (see the middleware below).
  const failedAttemptLimiter = rateLimit({
    windowMs,
    limit,
    store: failureStore,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: clientKey,
    // The client address is resolved above from server.trust_proxy, not from Express's own
    // `trust proxy`, so the library's checks of that setting do not apply.
    validate: { xForwardedForHeader: false, forwardedHeader: false, ip: false, trustProxy: false },
    handler: (request, response) => {
      const retryAfterSeconds = Number(response.getHeader('retry-after') ?? Math.ceil(windowMs / 1000));
      logger.warn('Too many failed authentication attempts; refusing client', {
        requestId: findRequestContext(response)?.requestId,
        client: clientAddress(request),
        method: request.method,
        path: request.path,
        retryAfterSeconds,
      });
      sendErrorResponse(
        response,
        new LlmProxyError({
          code: 'AUTH_RATE_LIMITED',
          message: 'Too many failed authentication attempts from this client address',
          currentValue: `more than ${limit} failures within ${Math.ceil(windowMs / 1000)} seconds`,
          fix: `Wait ${retryAfterSeconds} seconds, then retry with one of the keys configured in auth.api_keys`,
          httpStatus: 429,
          details: { retryAfterSeconds },
        }),
        requestContextOf(response).family,
      );
    },
  });

  const middleware: RequestHandler = async (request, response, next) => {
    const context = requestContextOf(response);
    const presented = presentedApiKey(request, context.family);
    if (presented === undefined && request.path === HEALTH_PATH) {
      next();
      return;
    }
    const verdict: Verdict = presented === undefined ? { kind: 'missing' } : await judge(presented);
    if (verdict.kind === 'valid') {
      context.authenticated = true;
      context.userId = verdict.userId;
      if (verdict.groups !== undefined) context.callerGroups = verdict.groups;
      next();
      return;
    }
    if (verdict.kind === 'missing') {
      refuse(request, response, verdict, logger, sso !== undefined, clientAddress);
      return;
    }
    void failedAttemptLimiter(request, response, (error?: unknown) => {
      if (error !== undefined) {
        next(error);
        return;
      }
      refuse(request, response, verdict, logger, sso !== undefined, clientAddress);
    });
  };

  return { middleware, close: () => memoryStore?.shutdown() };
}

function refuse(
  request: Request,
  response: Response,
  verdict: Exclude<Verdict, { kind: 'valid' }>,
  logger: AppLogger,
  ssoEnabled: boolean,
  clientAddress: ClientAddressOf,
): void {
  const ssoHint = ssoEnabled ? ', or a personal token from /auth/login' : '';
  const error =
    verdict.kind === 'refused'
      ? verdict.error
      : verdict.kind === 'invalid'
      ? new LlmProxyError({
          code: 'AUTH_KEY_INVALID',
          message: `Invalid API key: the key sent in the ${verdict.presented.source} is not one of the proxy's keys`,
          fix: `Send one of the keys configured in auth.api_keys (--api-keys, LLM_PROXY_API_KEYS)${ssoHint}`,
          httpStatus: 401,
        })
      : new LlmProxyError({
          code: 'AUTH_KEY_MISSING',
          message: 'Missing API key: the request carries no key',
          fix:
            `Send one of the keys configured in auth.api_keys (--api-keys, LLM_PROXY_API_KEYS)${ssoHint} as ` +
            '"Authorization: Bearer <key>", "x-api-key: <key>" or "x-goog-api-key: <key>"',
          httpStatus: 401,
        });
  logger.warn('Client authentication failed', {
    requestId: findRequestContext(response)?.requestId,
    client: clientAddress(request),
    method: request.method,
    path: request.path,
    reason: verdict.kind,
    ...(verdict.kind === 'missing' ? {} : { keySource: verdict.presented.source }),
    ...(verdict.kind === 'refused' ? { code: verdict.error.code } : {}),
  });
  sendErrorResponse(response, error, requestContextOf(response).family);
}
