/**
 * @fileoverview The `kiro-oauth-auto` connector: Kiro (Claude models through AWS) over a pool of
 * Kiro logins, one JSON file each in `accounts_directory` (default `var/kiro_oauth_accounts/`,
 * re-read on every request), added with `llm-proxy accounts add kiro` (AWS Builder ID) or
 * imported from Kiro's token file.
 *
 * Requests go to `generateAssistantResponse`, whose answer is an AWS binary event stream, decoded
 * frame by frame with its checksums and turned into canonical events. The accounts are tried in
 * order of fewest recent quota failures, then most recent success. An account that fails for a
 * reason of its own is set aside and the request moves on to the next one (nothing reached the
 * client yet; a stream is handed on only after its first output):
 *
 * - HTTP 402 with reason `MONTHLY_REQUEST_COUNT` / `OVERAGE_REQUEST_LIMIT_EXCEEDED`: parked until
 *   the quota resets (the usage-limits API's `nextDateReset`, else the first day of next month,
 *   UTC), with one desktop notification;
 * - HTTP 429 (or a throttling exception before any output): cooled down for `Retry-After`, else
 *   `rate_limit_cooldown_seconds`, without a notification;
 * - a login that can no longer be refreshed (refused refresh token, expired client
 *   registration): left out for `blocked_recheck_seconds`, with a desktop notification.
 */
import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import { LlmProxyError, readUpstreamErrorBody, UpstreamError } from '@llmproxy/connector-sdk';
import type { ChatRequest, ChatResult, Connector, ConnectorContext, ModelInfo, UpstreamResponse } from '@llmproxy/connector-sdk';
import type { Unavailability } from '../account-pool/account-availability.js';
import { listAccountFiles, type AccountFile } from '../account-pool/account-directory.js';
import { AccountPool, type AccountAttempt } from '../account-pool/account-pool.js';
import { conversationKey } from '../account-pool/conversation-key.js';
import { peekStreamStart } from '../account-pool/peek-stream-start.js';
import { OAuthTokenStore, type StoredTokens } from '../credentials/oauth-token-store.js';
import { decodeEventStream } from './decode-event-stream.js';
import { KiroAccountRanking } from './kiro-account-ranking.js';
import { KIRO_TOKEN_FIELDS, kiroProfileArn, kiroRegion } from './kiro-credentials.js';
import { kiroQuotaResetMs } from './kiro-usage-limits.js';
import { readKiroEvents } from './read-kiro-events.js';
import { KIRO_ERROR_HEADERS, readKiroFailure } from './read-kiro-failure.js';
import { KIRO_REFRESH_MARGIN_MS, kiroLoginRequired, refreshKiroToken } from './refresh-kiro-token.js';
import { resolveKiroSettings } from './resolve-kiro-settings.js';
import { toKiroRequest } from './to-kiro-request.js';

interface KiroAccount {
  name: string;
  file: string;
  label: string;
  loginHint: string;
  tokens: OAuthTokenStore;
}

type AccountFailure =
  | { kind: 'monthly-quota'; until: number; reason: string; error: LlmProxyError }
  | { kind: 'throttled'; until: number; error: LlmProxyError }
  | { kind: 'login-required'; error: LlmProxyError };

type Attempt = AccountAttempt<AccountFailure>;

export interface KiroConnectorOptions {
  /** Replaces `Date.now` (quota parking, cooldowns, token expiry) in tests. */
  now?: () => number;
  /** Resolves a relative accounts directory; the process's working directory by default. */
  cwd?: string;
}

export function createKiroAccountPoolConnector(context: ConnectorContext, options: KiroConnectorOptions = {}): Connector {
  const { backendName, http, logger, notifier } = context;
  const now = options.now ?? Date.now;
  const settings = resolveKiroSettings(context.config, backendName, { cwd: options.cwd ?? process.cwd(), dataDirectory: context.dataDirectory });
  /** Accounts already told about for their current quota period (one notification each). */
  const notifiedQuota = new Map<string, number>();
  const invalidatedNotified = new Set<string>();

  function createAccount({ name, file }: AccountFile): KiroAccount {
    const label = `"${name}" (${file})`;
    const loginHint = `run \`llm-proxy accounts add kiro --name ${name}\` (AWS Builder ID), or import a fresh Kiro login with \`llm-proxy accounts import kiro <kiro-auth-token.json> --name ${name}\``;
    return {
      name,
      file,
      label,
      loginHint,
      tokens: new OAuthTokenStore({
        file,
        fields: KIRO_TOKEN_FIELDS,
        refreshMarginMs: KIRO_REFRESH_MARGIN_MS,
        refresh: (record) =>
          refreshKiroToken(record, { http, oidcUrl: settings.oidcUrl, kiroAuthUrl: settings.kiroAuthUrl, accountLabel: label, loginHint, backendName, now }),
        missingFileError: () => kiroLoginRequired({ accountLabel: label, loginHint, backendName }, `${file} no longer exists`),
        loginRequiredError: (reason) => kiroLoginRequired({ accountLabel: label, loginHint, backendName }, reason),
        now,
      }),
    };
  }

  const pool = new AccountPool<KiroAccount, AccountFailure>({
    backendName,
    now,
    arrangement: new KiroAccountRanking(now, settings.recentFailureWindowSeconds * 1000),
    wording: {
      accountNoun: 'Kiro account',
      accountsProvider: 'kiro',
      exhausted: { code: 'KIRO_ACCOUNTS_EXHAUSTED', state: 'is out of quota or throttled' },
      noUsableAccount: { code: 'KIRO_NO_USABLE_ACCOUNT' },
    },
    createAccount,
    unavailability,
    announce,
    served: (entry) => invalidatedNotified.delete(entry.file),
    emptyPoolError: () =>
      new LlmProxyError({
        code: 'KIRO_ACCOUNTS_MISSING',
        message: `Backend ${backendName} has no Kiro accounts: ${settings.accountsDirectory} holds no account files`,
        fix: 'Add one with `llm-proxy accounts add kiro` (AWS Builder ID login) or `llm-proxy accounts import kiro ~/.aws/sso/cache/kiro-auth-token.json`',
        httpStatus: 503,
        details: { backend: backendName },
      }),
    soleAccountAnswersWithItsError: true,
  });

  async function tokensOf(entry: KiroAccount, rejectedToken?: string): Promise<StoredTokens | AccountFailure> {
    try {
      return await entry.tokens.tokens(rejectedToken === undefined ? {} : { rejectedToken });
    } catch (error) {
      if (LlmProxyError.is(error) && error.details['loginRequired'] === true) return { kind: 'login-required', error };
      throw error;
    }
  }

  function send(entry: KiroAccount, tokens: StoredTokens, body: Record<string, unknown>, signal: AbortSignal): Promise<UpstreamResponse> {
    const machineId = createHash('sha256').update(`llmproxy-kiro:${entry.name}`).digest('hex');
    const agent = `KiroIDE-${settings.kiroVersion}-${machineId}`;
    return http.send({
      method: 'POST',
      url: `${settings.apiBaseUrl(kiroRegion(tokens.record))}/generateAssistantResponse`,
      headers: {
        authorization: `Bearer ${tokens.accessToken}`,
        'x-amz-user-agent': `aws-sdk-js/1.0.0 ${agent}`,
        'user-agent': `aws-sdk-js/1.0.0 ua/2.1 os/${os.platform()}#${os.release()} lang/js md/nodejs#${process.versions.node} api/codewhispererstreaming#1.0.0 m/E ${agent}`,
        'amz-sdk-invocation-id': randomUUID(),
        'amz-sdk-request': 'attempt=1; max=1',
        'x-amzn-kiro-agent-mode': 'vibe',
      },
      json: body,
      signal,
    });
  }

  async function attempt(entry: KiroAccount, request: ChatRequest, conversationId: string, signal: AbortSignal): Promise<Attempt> {
    let tokens = await tokensOf(entry);
    if ('kind' in tokens) return { ok: false, failure: tokens };
    const bodyFor = (current: StoredTokens): Record<string, unknown> =>
      toKiroRequest(request, { backendName, conversationId, profileArn: kiroProfileArn(current.record) });
    let response = await send(entry, tokens, bodyFor(tokens), signal);
    if (response.status === 401 || response.status === 403) {
      // Kiro refuses an expired or revoked bearer token with 401 or 403: get a fresh one once.
      response.discard();
      tokens = await tokensOf(entry, tokens.accessToken);
      if ('kind' in tokens) return { ok: false, failure: tokens };
      response = await send(entry, tokens, bodyFor(tokens), signal);
    }

    if (response.status >= 200 && response.status < 300) {
      const events = readKiroEvents(decodeEventStream(response.bytes(), backendName), {
        backendName,
        model: request.model,
        responseId: `kiro-${randomUUID()}`,
        now,
      });
      try {
        return { ok: true, result: { type: 'stream', events: await peekStreamStart(events) } };
      } catch (error) {
        // Throttled before any output: the next account may still answer.
        if (UpstreamError.is(error) && error.upstreamStatus === 429) {
          return { ok: false, failure: { kind: 'throttled', until: now() + settings.rateLimitCooldownSeconds * 1000, error } };
        }
        throw error;
      }
    }

    const failure = readKiroFailure(await readUpstreamErrorBody(response, { passOnHeaders: KIRO_ERROR_HEADERS }), backendName, now());
    switch (failure.kind) {
      case 'monthly-quota': {
        const reset = await kiroQuotaResetMs({
          http,
          apiBaseUrl: settings.apiBaseUrl(kiroRegion(tokens.record)),
          accessToken: tokens.accessToken,
          profileArn: kiroProfileArn(tokens.record),
          logger,
          backendName,
          now: now(),
        });
        return { ok: false, failure: { kind: 'monthly-quota', until: reset.resetMs, reason: failure.reason, error: failure.error } };
      }
      case 'throttled':
        return { ok: false, failure: { kind: 'throttled', until: now() + (failure.retryAfterSeconds ?? settings.rateLimitCooldownSeconds) * 1000, error: failure.error } };
      case 'unauthorized':
        return {
          ok: false,
          failure: {
            kind: 'login-required',
            error: kiroLoginRequired({ accountLabel: entry.label, loginHint: entry.loginHint, backendName }, `Kiro refused a freshly refreshed token (HTTP ${failure.error.upstreamStatus}: ${failure.error.upstreamError.message})`),
          },
        };
      case 'other':
        throw failure.error;
    }
  }

  function unavailability(failure: AccountFailure): Unavailability {
    switch (failure.kind) {
      case 'monthly-quota':
        return { until: failure.until, cooling: true, reason: `monthly quota used up (${failure.reason}) until ${new Date(failure.until).toISOString()}` };
      case 'throttled':
        return { until: failure.until, cooling: true, reason: `throttled until ${new Date(failure.until).toISOString()}` };
      case 'login-required':
        return { until: now() + settings.blockedRecheckSeconds * 1000, cooling: false, reason: `${failure.error.summary}. ${failure.error.fix ?? ''}`.trim() };
    }
  }

  function announce(entry: KiroAccount, failure: AccountFailure, remaining: { usable: number; total: number }): void {
    switch (failure.kind) {
      case 'monthly-quota': {
        const at = new Date(failure.until).toISOString();
        const message = `Kiro account ${entry.name} of backend ${backendName} used up its monthly quota; it is parked until ${at}. ${remaining.usable} of ${remaining.total} account(s) remain usable.`;
        logger.warn(message, { backend: backendName, resetsAt: at });
        if (notifiedQuota.get(entry.file) !== failure.until) {
          notifiedQuota.set(entry.file, failure.until);
          notifier.notify({ title: 'Kiro monthly quota used up', message, dedupeKey: `kiro-quota:${backendName}:${entry.name}:${at}` });
        }
        return;
      }
      case 'throttled':
        logger.info(`Kiro account ${entry.name} of backend ${backendName} is throttled until ${new Date(failure.until).toISOString()}`, { backend: backendName });
        return;
      case 'login-required': {
        const message = `${failure.error.summary}. ${remaining.usable} of ${remaining.total} account(s) of backend ${backendName} remain usable. ${failure.error.fix ?? ''}`.trim();
        logger.warn(message, { backend: backendName, code: failure.error.code });
        if (!invalidatedNotified.has(entry.file)) {
          invalidatedNotified.add(entry.file);
          notifier.notify({ title: 'Kiro login needs renewal', message, dedupeKey: `kiro-login:${backendName}:${entry.name}` });
        }
        return;
      }
    }
  }

  async function chat(request: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    const conversationId = conversationUuid(conversationKey(request));
    return pool.serve(await listAccountFiles(settings.accountsDirectory), conversationId, signal, (entry) => attempt(entry, request, conversationId, signal));
  }

  return {
    async listModels(): Promise<ModelInfo[]> {
      return [...settings.models];
    },
    chat: (request, chatOptions) => chat(request, chatOptions.signal),
  };
}

/** A UUID-shaped conversation id derived from the conversation's opening. */
function conversationUuid(key: string): string {
  const hex = createHash('sha256').update(`kiro-conversation:${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
