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
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatRequest, ChatResult, Connector, ConnectorContext, ModelInfo, OpenAIResponsesWireCodec, UpstreamResponse } from '@llmproxy/connector-sdk';
import { AccountAvailability } from '../account-pool/account-availability.js';
import { asUpstreamError } from '../account-pool/as-upstream-error.js';
import { peekStreamStart } from '../account-pool/peek-stream-start.js';
import { requireCodecs } from '../configuration/require-codecs.js';
import { OAuthTokenStore, type StoredTokens } from '../credentials/oauth-token-store.js';
import { watchCredentialsFile } from '../credentials/watch-credentials-file.js';
import { bodyText } from '../gemini-code-assist/code-assist-api.js';
import { listAccountFiles } from '../gemini-oauth-auto/account-directory.js';
import { AccountOrder } from '../gemini-oauth-auto/account-order.js';
import { conversationKey } from '../gemini-oauth-auto/conversation-key.js';
import { codexAccountIdMissing, codexCredentialsMissing, codexUsageNotIncluded } from './codex-errors.js';
import { CODEX_CLI_ACCOUNT, CODEX_TOKEN_FIELDS, codexAccountId } from './codex-auth-file.js';
import { CODEX_REFRESH_MARGIN_MS, codexLoginRequired, refreshCodexTokens } from './codex-oauth.js';
import { CodexQuotaNotices } from './codex-quota-notices.js';
import { readCodexRateLimits } from './codex-rate-limits.js';
import { codexHeaders, codexRequestBody, codexResponsesUrl } from './codex-responses-request.js';
import { codexFailureOfStreamError, readCodexFailure, type CodexAccountLevelFailure } from './read-codex-failure.js';
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

type Attempt = { ok: true; result: ChatResult } | { ok: false; failure: AccountFailure };

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
  const settings = resolveCodexSettings(context.config, backendName, context.env, options.cwd ?? process.cwd());
  const availability = new AccountAvailability(now);
  const order = new AccountOrder(settings.selectionStrategy);
  const notices = new CodexQuotaNotices({ notifier, logger, backendName, warningPercent: settings.quotaWarningPercent });
  const accounts = new Map<string, CodexAccount>();
  /** Per account file, the error that set it aside last (for a pool of one, the clearest answer). */
  const lastFailures = new Map<string, LlmProxyError>();

  function account(name: string, file: string, loginHint: string): CodexAccount {
    const existing = accounts.get(file);
    if (existing !== undefined) return existing;
    const label = name === CODEX_CLI_ACCOUNT ? file : `"${name}" (${file})`;
    const created: CodexAccount = {
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
    accounts.set(file, created);
    return created;
  }

  const cliLoginHint = `run \`codex login\`, which rewrites ${settings.authFile}`;

  /** The accounts as the files are now: the Codex CLI's login (when it exists), then the pool. */
  async function currentAccounts(): Promise<CodexAccount[]> {
    const pool = (await listAccountFiles(settings.accountsDirectory)).map(({ name, file }) =>
      account(name, file, `run \`llm-proxy accounts add codex --name ${name}\`, or import a fresh Codex CLI login with \`llm-proxy accounts import codex <auth.json> --name ${name}\``),
    );
    const current = (await exists(settings.authFile)) ? [account(CODEX_CLI_ACCOUNT, settings.authFile, cliLoginHint), ...pool] : pool;
    if (current.length === 0) throw codexCredentialsMissing(backendName, settings.authFile, settings.accountsDirectory);
    const files = new Set(current.map((entry) => entry.file));
    availability.retain(files);
    for (const file of accounts.keys()) {
      if (files.has(file)) continue;
      accounts.delete(file);
      lastFailures.delete(file);
    }
    return current;
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
        const upstreamError = asUpstreamError(error);
        const failure = upstreamError === undefined ? undefined : codexFailureOfStreamError(upstreamError, response.headers);
        if (failure === undefined) throw error;
        return { ok: false, failure: accountFailure(entry, failure) };
      }
    }

    const failure = readCodexFailure(response.status, await bodyText(response), response.headers, backendName, now());
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

  function setAside(entry: CodexAccount, failure: AccountFailure, pool: readonly CodexAccount[]): void {
    switch (failure.kind) {
      case 'usage-limit': {
        availability.setAside(entry.file, { until: failure.until, cooling: true, reason: `usage limit reached until ${new Date(failure.until).toISOString()}` });
        const usable = pool.filter((candidate) => availability.isUsable(candidate.file)).length;
        notices.quotaReached(entry.name, failure.until, { usable, total: pool.length });
        return;
      }
      case 'rate-limited':
        availability.setAside(entry.file, { until: failure.until, cooling: true, reason: `rate limited until ${new Date(failure.until).toISOString()}` });
        logger.info(`ChatGPT account ${entry.name} of backend ${backendName} is rate limited until ${new Date(failure.until).toISOString()}`, { backend: backendName });
        return;
      case 'login-required':
        availability.setAside(entry.file, { until: now() + settings.blockedRecheckSeconds * 1000, cooling: false, reason: `${failure.error.summary}. ${failure.error.fix ?? ''}`.trim() });
        if (failure.error.code === 'CODEX_CREDENTIALS_MISSING') logger.warn(failure.error.summary, { backend: backendName });
        else notices.tokenInvalidated(entry.name, failure.error.summary, failure.error.fix);
        return;
      case 'not-included':
        availability.setAside(entry.file, { until: now() + settings.blockedRecheckSeconds * 1000, cooling: false, reason: failure.error.summary });
        logger.warn(failure.error.summary, { backend: backendName, code: failure.error.code });
        return;
    }
  }

  function exhausted(pool: readonly CodexAccount[], failures: ReadonlyMap<string, AccountFailure>): LlmProxyError {
    const files = pool.map((entry) => entry.file);
    const earliest = availability.earliestCooling(files);
    const reasons = pool.map((entry) => `${entry.name}: ${availability.of(entry.file)?.reason ?? failures.get(entry.file)?.error.summary ?? 'unavailable'}`);
    if (earliest !== undefined) {
      const name = pool.find((entry) => entry.file === earliest.account)?.name ?? earliest.account;
      const retryAfterSeconds = Math.max(1, Math.ceil((earliest.until - now()) / 1000));
      const at = new Date(earliest.until).toISOString();
      return new LlmProxyError({
        code: 'CODEX_ACCOUNTS_EXHAUSTED',
        message: `Every ChatGPT account of backend ${backendName} has reached its Codex usage limit or is rate limited; the earliest, "${name}", frees up at ${at} (in ${retryAfterSeconds} s). Accounts: ${reasons.join('; ')}`,
        fix: `Retry after ${at}, or add ChatGPT accounts with \`llm-proxy accounts add codex\``,
        httpStatus: 429,
        details: { backend: backendName, retryAfterSeconds, resetsAt: at },
      });
    }
    // One account, one reason: that reason is the clearest answer.
    const only = pool.length === 1 ? (failures.get(pool[0]!.file)?.error ?? lastFailures.get(pool[0]!.file)) : undefined;
    if (only !== undefined) return only;
    return new LlmProxyError({
      code: 'CODEX_NO_USABLE_ACCOUNT',
      message: `No ChatGPT account of backend ${backendName} can serve requests: ${reasons.join('; ')}`,
      fix: 'Fix the accounts as each reason says, or add accounts with `llm-proxy accounts add codex`',
      httpStatus: 503,
      details: { backend: backendName },
    });
  }

  async function chat(request: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    const { body, sessionId } = codexRequestBody(codec, request, { backendName, instructions: settings.instructions });
    const pool = await currentAccounts();
    const conversation = conversationKey(request);
    const failures = new Map<string, AccountFailure>();
    const usable = pool.filter((entry) => availability.isUsable(entry.file));
    for (const entry of order.arrange(usable, conversation)) {
      signal.throwIfAborted();
      const outcome = await attempt(entry, body, sessionId, signal);
      if (outcome.ok) {
        order.served(conversation, entry.name);
        return outcome.result;
      }
      failures.set(entry.file, outcome.failure);
      lastFailures.set(entry.file, outcome.failure.error);
      setAside(entry, outcome.failure, pool);
    }
    throw exhausted(pool, failures);
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

