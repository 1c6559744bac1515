/**
 * @fileoverview Single sign-on with OpenID Connect, assembled: reads each provider's client
 * secret and discovery document (before the server binds, so a bad setting stops startup),
 * opens the store, and offers the `/auth` pages plus bearer-token authentication for the
 * proxy's client authentication.
 *
 * A bearer credential is one of: a personal proxy token (`llmproxy-sso-…`, looked up by its
 * digest on every request so revocation is immediate), a JWT issued by a configured provider
 * (checked against its JWKS), or something else, which is left to the static API keys.
 */
import type { Router } from 'express';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import type { ProxySettings } from '../config/proxy-settings.js';
import { throwStartupErrors } from '../config/startup-errors.js';
import type { AppLogger } from '../logging/app-logger.js';
import { decideAllowedUser } from './allowed-users.js';
import { discoverIdentityProvider, type IdentityProvider } from './discover-identity-provider.js';
import { createIdentityProviderTokenVerifier } from './identity-provider-token-verifier.js';
import { generateProxyToken, hashSecret, isProxyTokenShape } from './proxy-token.js';
import { readClientSecret } from './read-client-secret.js';
import { loadSqliteDriver } from '../storage/load-sqlite-driver.js';
import { openSqliteSsoStore } from './sqlite-sso-store.js';
import { ssoOptionsOf, type SsoOptions } from './sso-options.js';
import { createSsoRouter } from './sso-router.js';
import type { UsageSummaryReader } from './usage-summary.js';
import type { SsoStore } from './sso-store.js';
import type { SsoUser } from './sso-user.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Ended tokens stay listed (as expired or revoked) this long before they are deleted. */
const ENDED_TOKEN_RETENTION_MS = 30 * DAY_MS;
/** Last-used times are written at most this often per token, so requests do not all write. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** How a bearer credential fared. */
export type SsoBearerVerdict =
  | { kind: 'user'; user: SsoUser; credential: 'proxy-token' | 'identity-provider-token' }
  /** An SSO credential that is not (or no longer) acceptable; `error` says why, without the token. */
  | { kind: 'refused'; error: LlmProxyError }
  /** Not an SSO credential: leave it to the other checks. */
  | { kind: 'not-recognized' };

export interface SsoService {
  /** The sign-in pages; mount at `/auth`. */
  readonly router: Router;
  /** Checks a credential sent as `Authorization: Bearer`, `x-api-key` or `x-goog-api-key`. */
  authenticateBearer(token: string): Promise<SsoBearerVerdict>;
  /** Issues a personal proxy token (the sign-in pages use this; so can tests and tools). */
  issueToken(user: SsoUser, label: string): Promise<{ token: string; id: string; expiresAt: number }>;
  readonly providers: readonly IdentityProvider[];
  readonly store: SsoStore;
  close(): Promise<void>;
}

export interface CreateSsoServiceOptions {
  settings: Readonly<ProxySettings>;
  env: Readonly<Record<string, string | undefined>>;
  /** Where relative paths start. */
  cwd: string;
  logger: AppLogger;
  /** The clock, in milliseconds since the epoch. */
  now?: () => number;
  /** Minimum time between two JWKS fetches triggered by unknown key ids. */
  jwksCooldownMs?: number;
  /** Defaults to the SQLite store at `sso.database_file`. */
  store?: SsoStore;
  /** Each user's own usage and budgets for the token page; none when usage recording is off. */
  usageSummary?: UsageSummaryReader | undefined;
}

/** Throws `LlmProxyError`s (several as an AggregateError) when a provider cannot be used. */
export async function createSsoService(options: CreateSsoServiceOptions): Promise<SsoService> {
  const ssoOptions = ssoOptionsOf(options.settings.sso, options.cwd);
  const now = options.now ?? Date.now;
  const logger = options.logger;
  if (ssoOptions.providers.length === 0) {
    throw new LlmProxyError({
      code: 'SSO_NO_PROVIDERS',
      message: 'SSO is enabled but no OpenID Connect provider is configured',
      fix: 'Add a provider under sso.providers in the YAML file (see docs/sso.md)',
    });
  }

  // A missing SQLite driver is found before the providers are contacted: it is the cheaper fix.
  if (options.store === undefined) loadSqliteDriver();
  const providers = await discoverAll(ssoOptions, options.env);
  const store = options.store ?? openSqliteSsoStore({ file: ssoOptions.databaseFile });
  await store.deleteExpired(now(), now() - ENDED_TOKEN_RETENTION_MS);
  warnAboutPlainHttp(ssoOptions, options.settings, logger);

  const providersById = new Map(providers.map((provider) => [provider.settings.id, provider]));
  const verifyIdentityProviderToken = createIdentityProviderTokenVerifier({
    providers,
    now,
    ...(options.jwksCooldownMs === undefined ? {} : { jwksCooldownMs: options.jwksCooldownMs }),
  });

  const issueToken: SsoService['issueToken'] = async (user, label) => {
    const created = generateProxyToken();
    const createdAt = now();
    const expiresAt = createdAt + ssoOptions.tokenLifetimeDays * DAY_MS;
    await store.insertToken({
      id: created.id,
      tokenHash: created.tokenHash,
      user,
      label,
      createdAt,
      expiresAt,
      revokedAt: undefined,
      lastUsedAt: undefined,
    });
    logger.info('Issued SSO proxy token', { user: user.id, tokenId: created.id, expiresAt: new Date(expiresAt).toISOString() });
    return { token: created.token, id: created.id, expiresAt };
  };

  const authenticateProxyToken = async (token: string): Promise<SsoBearerVerdict> => {
    const record = await store.findTokenByHash(hashSecret(token));
    const at = now();
    if (record === undefined) {
      return refused({ code: 'SSO_TOKEN_INVALID', message: 'Invalid SSO token: this proxy never issued it, or it was deleted' });
    }
    if (record.revokedAt !== undefined) {
      return refused({ code: 'SSO_TOKEN_REVOKED', message: `SSO token ${record.id} has been revoked`, currentValue: `revoked ${new Date(record.revokedAt).toISOString()}` });
    }
    if (record.expiresAt <= at) {
      return refused({ code: 'SSO_TOKEN_EXPIRED', message: `SSO token ${record.id} has expired`, currentValue: `expired ${new Date(record.expiresAt).toISOString()}` });
    }
    const provider = providersById.get(record.user.providerId);
    const decision =
      provider === undefined
        ? { allowed: false as const, reason: `provider ${record.user.providerId} is no longer configured` }
        : decideAllowedUser(record.user, provider.settings.allowedUsers);
    if (!decision.allowed) {
      return {
        kind: 'refused',
        error: new LlmProxyError({
          code: 'SSO_USER_NOT_ALLOWED',
          message: `The user ${record.user.id} is not allowed to use this proxy`,
          currentValue: decision.reason,
          fix: `Ask the proxy operator to allow this account in sso.providers.${record.user.providerId}.allowed_users`,
          httpStatus: 403,
        }),
      };
    }
    if (record.lastUsedAt === undefined || at - record.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
      // Bookkeeping must not fail or slow the request it describes.
      store.recordTokenUse(record.id, at).catch((error: unknown) => logger.warn('Could not record SSO token use', { error }));
    }
    return { kind: 'user', user: record.user, credential: 'proxy-token' };
  };

  const router = createSsoRouter({ providers: providersById, store, options: ssoOptions, logger, now, issueToken, usageSummary: options.usageSummary });

  return {
    router,
    providers,
    store,
    issueToken,
    async authenticateBearer(token) {
      if (isProxyTokenShape(token)) return authenticateProxyToken(token);
      const verdict = await verifyIdentityProviderToken(token);
      return verdict.kind === 'user' ? { ...verdict, credential: 'identity-provider-token' } : verdict;
    },
    close: () => store.close(),
  };
}

/** A personal proxy token that cannot be used (any more); the remedy is always a new one. */
function refused(problem: { code: string; message: string; currentValue?: string }): SsoBearerVerdict {
  return {
    kind: 'refused',
    error: new LlmProxyError({
      ...problem,
      fix: 'Sign in at /auth/login for a new personal proxy token, and configure your client with it',
      httpStatus: 401,
    }),
  };
}

async function discoverAll(options: SsoOptions, env: Readonly<Record<string, string | undefined>>): Promise<IdentityProvider[]> {
  const errors: LlmProxyError[] = [];
  const secrets = options.providers.map((provider) => {
    try {
      return readClientSecret(provider, env);
    } catch (error) {
      if (!LlmProxyError.is(error)) throw error;
      errors.push(error);
      return undefined;
    }
  });
  const discovered = await Promise.all(
    options.providers.map(async (provider, index) => {
      const clientSecret = secrets[index];
      if (clientSecret === undefined) return undefined;
      try {
        return await discoverIdentityProvider({ provider, clientSecret });
      } catch (error) {
        if (!LlmProxyError.is(error)) throw error;
        errors.push(error);
        return undefined;
      }
    }),
  );
  throwStartupErrors(errors);
  return discovered.filter((provider): provider is IdentityProvider => provider !== undefined);
}

function warnAboutPlainHttp(options: SsoOptions, settings: Readonly<ProxySettings>, logger: AppLogger): void {
  if (options.publicUrl?.startsWith('http:') === true && settings.accessMode === 'multi_user') {
    logger.warn('sso.public_url uses plain http: session cookies are not marked Secure and tokens cross the network unencrypted', {
      publicUrl: options.publicUrl,
    });
  }
}
