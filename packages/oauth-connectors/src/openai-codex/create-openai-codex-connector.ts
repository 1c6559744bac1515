/**
 * @fileoverview The `openai-codex` connector: a ChatGPT plan through the ChatGPT backend's Codex
 * Responses endpoint, with the Codex CLI's login (`~/.codex/auth.json`, watched for changes)
 * plus a managed pool of further logins (`var/openai_codex_accounts/`, one auth.json-shaped file
 * per account, re-read on every request).
 *
 * Each request tries the usable accounts in the order of `selection_strategy`. An account that
 * fails for a reason of its own is set aside and the request moves on to the next one, which is
 * possible because nothing reached the client yet (a stream is handed on only after its first
 * output):
 *
 * - 429 `usage_limit_reached`: parked until `resets_at`, with a desktop notification;
 * - any other 429: a short cooldown (`retry-after`, else `rate_limit_cooldown_seconds`);
 * - `usage_not_included`: the plan lacks Codex; left out (said so, never retried with it);
 * - a login that can no longer be refreshed: left out until its file changes, with a
 *   notification.
 *
 * Tokens are refreshed once for all concurrent requests; each refresh stores the new one-time
 * refresh token and id token at once (atomically, mode 0600, keeping the file's other keys,
 * updating `last_refresh`). The rate-limit headers of every answer are read, and a window past
 * `quota_warning_percent` sends one notification per window.
 */
import { access } from 'node:fs/promises';
import { LlmProxyError, readUpstreamErrorBody, UpstreamError } from '@llmproxy/connector-sdk';
import type { ChatRequest, ChatResult, Connector, ConnectorContext, ModelInfo, OpenAIResponsesWireCodec, UpstreamResponse } from '@llmproxy/connector-sdk';
import type { Unavailability } from '../account-pool/account-availability.js';
import { listAccountFiles, type AccountFile } from '../account-pool/account-directory.js';
import { AccountOrder } from '../account-pool/account-order.js';
import { AccountPool, type AccountAttempt } from '../account-pool/account-pool.js';
import { conversationKey } from '../account-pool/conversation-key.js';
import { peekStreamStart } from '../account-pool/peek-stream-start.js';
import { requireCodecs } from '../configuration/require-codecs.js';
import { OAuthTokenStore, type StoredTokens } from '../credentials/oauth-token-store.js';
import { watchCredentialsFile } from '../credentials/watch-credentials-file.js';
import { codexAccountIdMissing, codexCredentialsMissing, codexUsageNotIncluded } from './codex-errors.js';
import { CODEX_CLI_ACCOUNT, CODEX_TOKEN_FIELDS, codexAccountId } from './codex-auth-file.js';
import { CODEX_REFRESH_MARGIN_MS, codexLoginRequired, refreshCodexTokens } from './codex-oauth.js';
import { CodexQuotaNotices } from './codex-quota-notices.js';
import { readCodexRateLimits } from './codex-rate-limits.js';
import { codexHeaders, codexRequestBody, codexResponsesUrl } from './codex-responses-request.js';
import { CODEX_PASSED_ON_HEADERS, codexFailureOfStreamError, readCodexFailure, type CodexAccountLevelFailure } from './read-codex-failure.js';
import { resolveCodexSettings } from './resolve-codex-settings.js';

interface CodexAccount {
  name: string;
  file: string;
  label: string;
  loginHint: string;
  tokens: OAuthTokenStore;
}

/** Why an account could not serve a request (the request moves on to the next account). */
type AccountFailure =
  | { kind: 'usage-limit'; until: number; error: LlmProxyError }
  | { kind: 'rate-limited'; until: number; error: LlmProxyError }
  | { kind: 'login-required'; error: LlmProxyError }
  | { kind: 'not-included'; error: LlmProxyError };

type Attempt = AccountAttempt<AccountFailure>;

export interface OpenAICodexConnectorOptions {
  /** Replaces `Date.now` (quota parking and token expiry) in tests. */
  now?: () => number;
  /** Resolves a relative accounts directory; the process's working directory by default. */
  cwd?: string;
}

export async function createOpenAICodexConnector(context: ConnectorContext, options: OpenAICodexConnectorOptions = {}): Promise<Connector> {
  const { backendName, http, logger, notifier } = context;
  const now = options.now ?? Date.now;
  const codec = responsesCodec(context);
  const settings = resolveCodexSettings(context.config, backendName, context.env, { cwd: options.cwd ?? process.cwd(), dataDirectory: context.dataDirectory });
  const notices = new CodexQuotaNotices({ notifier, logger, backendName, warningPercent: settings.quotaWarningPercent });
  const cliLoginHint = `run \`codex login\`, which rewrites ${settings.authFile}`;

  function createAccount({ name, file }: AccountFile): CodexAccount {
    const label = name === CODEX_CLI_ACCOUNT ? file : `"${name}" (${file})`;
    const loginHint =
      file === settings.authFile
        ? cliLoginHint
        : `run \`llm-proxy accounts add codex --name ${name}\`, or import a fresh Codex CLI login with \`llm-proxy accounts import codex <auth.json> --name ${name}\``;
    return {
      name,
      file,
      label,
      loginHint,
      tokens: new OAuthTokenStore({
        file,
        fields: CODEX_TOKEN_FIELDS,
        refreshMarginMs: CODEX_REFRESH_MARGIN_MS,
        refresh: (record) => refreshCodexTokens(record, { http, tokenUrl: settings.tokenUrl, accountLabel: label, loginHint, backendName, now }),
        missingFileError: () => codexCredentialsMissing(backendName, file, settings.accountsDirectory),
        loginRequiredError: (reason) => codexLoginRequired({ accountLabel: label, loginHint, backendName }, reason),
        now,
      }),
    };
  }

  const pool = new AccountPool<CodexAccount, AccountFailure>({
    backendName,
    now,
    arrangement: new AccountOrder(settings.selectionStrategy),
    wording: {
      accountNoun: 'ChatGPT account',
      accountsProvider: 'codex',
      exhausted: { code: 'CODEX_ACCOUNTS_EXHAUSTED', state: 'has reached its Codex usage limit or is rate limited' },
      noUsableAccount: { code: 'CODEX_NO_USABLE_ACCOUNT' },
    },
    createAccount,
    unavailability,
    announce,
    emptyPoolError: () => codexCredentialsMissing(backendName, settings.authFile, settings.accountsDirectory),
    soleAccountAnswersWithItsError: true,
  });
  const { availability } = pool;

  /** The login files as they are now: the Codex CLI's login (when it exists), then the pool. */
  async function currentFiles(): Promise<AccountFile[]> {
    const files = await listAccountFiles(settings.accountsDirectory);
    return (await exists(settings.authFile)) ? [{ name: CODEX_CLI_ACCOUNT, file: settings.authFile }, ...files] : files;
  }

  // A new login in the Codex CLI (or a refresh it did) ends what was concluded about the old one;
  // a usage limit stays, since it belongs to the ChatGPT account, not to the login.
  const watcher = watchCredentialsFile(settings.authFile, () => {
    const blocked = availability.of(settings.authFile);
    if (blocked !== undefined && !blocked.cooling) {
      logger.info(`${settings.authFile} changed; backend ${backendName} uses its login again`, { backend: backendName });
      availability.clear(settings.authFile);
    }
    notices.loginChanged(CODEX_CLI_ACCOUNT);
  });

  if (!(await exists(settings.authFile))) {
    logger.warn(
      `Backend ${backendName}: the Codex CLI login file ${settings.authFile} does not exist (the Codex CLI may keep its login in the OS keyring); only accounts in ${settings.accountsDirectory} are used`,
      { backend: backendName },
    );
  }

  async function tokensOf(entry: CodexAccount, rejectedToken?: string): Promise<StoredTokens | AccountFailure> {
    try {
      return await entry.tokens.tokens(rejectedToken === undefined ? {} : { rejectedToken });
    } catch (error) {
      if (LlmProxyError.is(error) && (error.details['loginRequired'] === true || error.code === 'CODEX_CREDENTIALS_MISSING')) {
        return { kind: 'login-required', error };
      }
      throw error;
    }
  }

  function send(tokens: StoredTokens, accountId: string, body: Record<string, unknown>, sessionId: string, signal: AbortSignal): Promise<UpstreamResponse> {
    return http.send({
      method: 'POST',
      url: codexResponsesUrl(settings.baseUrl),
      headers: codexHeaders({ accessToken: tokens.accessToken, accountId, sessionId, clientVersion: settings.clientVersion }),
      json: body,
      signal,
    });
  }

  async function attempt(entry: CodexAccount, body: Record<string, unknown>, sessionId: string, signal: AbortSignal): Promise<Attempt> {
    let tokens = await tokensOf(entry);
    if ('kind' in tokens) return { ok: false, failure: tokens };
    let accountId = codexAccountId(tokens.record);
    if (accountId === undefined) return { ok: false, failure: { kind: 'login-required', error: codexAccountIdMissing(backendName, entry.label, entry.loginHint) } };
    let response = await send(tokens, accountId, body, sessionId, signal);
    if (response.status === 401) {
      // A token refused before its expiry: get a fresh one once.
      response.discard();
      tokens = await tokensOf(entry, tokens.accessToken);
      if ('kind' in tokens) return { ok: false, failure: tokens };
      accountId = codexAccountId(tokens.record) ?? accountId;
      response = await send(tokens, accountId, body, sessionId, signal);
    }

    if (response.status >= 200 && response.status < 300) {
      notices.observe(entry.name, readCodexRateLimits(response.headers));
      const contentType = String(response.headers['content-type'] ?? '');
      if (!contentType.includes('text/event-stream') && contentType.includes('json')) {
        return { ok: true, result: { type: 'response', response: codec.fromResponse(await response.json(), backendName) } };
      }
      try {
        return { ok: true, result: { type: 'stream', events: await peekStreamStart(codec.readStream(response.events(), backendName)) } };
      } catch (error) {
        // A quota error as the stream's first event: nothing reached the client yet.
        const failure = UpstreamError.is(error) ? codexFailureOfStreamError(error, response.headers) : undefined;
        if (failure === undefined) throw error;
        return { ok: false, failure: accountFailure(entry, failure) };
      }
    }

    const answer = await readUpstreamErrorBody(response, { passOnHeaders: CODEX_PASSED_ON_HEADERS });
    const failure = readCodexFailure(answer, response.headers, backendName, now());
    if (failure.kind === 'other') throw failure.error;
    if (failure.kind === 'unauthorized') {
      const reason = `the ChatGPT backend refused a freshly refreshed token (${failure.error.upstreamError.message})`;
      return { ok: false, failure: { kind: 'login-required', error: codexLoginRequired({ accountLabel: entry.label, loginHint: entry.loginHint, backendName }, reason) } };
    }
    return { ok: false, failure: accountFailure(entry, failure) };
  }

  function accountFailure(entry: CodexAccount, failure: CodexAccountLevelFailure): AccountFailure {
    switch (failure.kind) {
      case 'usage-limit':
        return { kind: 'usage-limit', until: failure.resetsAtMs ?? now() + settings.usageLimitFallbackSeconds * 1000, error: failure.error };
      case 'rate-limited':
        return { kind: 'rate-limited', until: now() + (failure.retryAfterSeconds ?? settings.rateLimitCooldownSeconds) * 1000, error: failure.error };
      case 'usage-not-included':
        return { kind: 'not-included', error: codexUsageNotIncluded(backendName, entry.label, failure.planType, failure.error.upstreamError.message) };
    }
  }

  function unavailability(failure: AccountFailure): Unavailability {
    const blockedUntil = now() + settings.blockedRecheckSeconds * 1000;
    switch (failure.kind) {
      case 'usage-limit':
        return { until: failure.until, cooling: true, reason: `usage limit reached until ${new Date(failure.until).toISOString()}` };
      case 'rate-limited':
        return { until: failure.until, cooling: true, reason: `rate limited until ${new Date(failure.until).toISOString()}` };
      case 'login-required':
        return { until: blockedUntil, cooling: false, reason: `${failure.error.summary}. ${failure.error.fix ?? ''}`.trim() };
      case 'not-included':
        return { until: blockedUntil, cooling: false, reason: failure.error.summary };
    }
  }

  function announce(entry: CodexAccount, failure: AccountFailure, remaining: { usable: number; total: number }): void {
    switch (failure.kind) {
      case 'usage-limit':
        notices.quotaReached(entry.name, failure.until, remaining);
        return;
      case 'rate-limited':
        logger.info(`ChatGPT account ${entry.name} of backend ${backendName} is rate limited until ${new Date(failure.until).toISOString()}`, { backend: backendName });
        return;
      case 'login-required':
        if (failure.error.code === 'CODEX_CREDENTIALS_MISSING') logger.warn(failure.error.summary, { backend: backendName });
        else notices.tokenInvalidated(entry.name, failure.error.summary, failure.error.fix);
        return;
      case 'not-included':
        logger.warn(failure.error.summary, { backend: backendName, code: failure.error.code });
        return;
    }
  }

  async function chat(request: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    const { body, sessionId } = codexRequestBody(codec, request, { backendName, instructions: settings.instructions });
    return pool.serve(await currentFiles(), conversationKey(request), signal, (entry) => attempt(entry, body, sessionId, signal));
  }

  return {
    async listModels(): Promise<ModelInfo[]> {
      return [...settings.models];
    },
    chat: (request, chatOptions) => chat(request, chatOptions.signal),
    async close() {
      watcher.close();
    },
  };
}

function responsesCodec(context: ConnectorContext): OpenAIResponsesWireCodec {
  const codec = requireCodecs(context).openaiResponses;
  if (codec !== undefined) return codec;
  throw new LlmProxyError({
    code: 'CONNECTOR_HOST_TOO_OLD',
    message: `Backend ${context.backendName} needs the OpenAI Responses codec that @llmproxy/core provides to connectors, and this host provides none`,
    fix: 'Update @llmproxy/core to a version that provides the Responses codec (the same release line as @llmproxy/oauth-connectors)',
  });
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

