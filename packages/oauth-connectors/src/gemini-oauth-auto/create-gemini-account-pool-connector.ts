/**
 * @fileoverview The `gemini-oauth-auto` connector: Gemini Code Assist over a pool of Google
 * logins, one JSON file each in `accounts_directory` (default `var/gemini_oauth_accounts/`,
 * re-read on every request so accounts added while the proxy runs are used at once).
 *
 * A request tries the usable accounts in the order of `selection_strategy` (see account-order.ts).
 * An account that fails for a reason of its own is set aside and the request moves on to the
 * next one, which is possible because nothing was sent to the client yet; once a stream has
 * begun, nothing is retried. A quota error cools the account down for Google's reset hint
 * (`RetryInfo.retryDelay`, `quotaResetDelay`, `quotaResetTimeStamp`), or by default
 * `rate_limit_cooldown_seconds` (per-minute `RATE_LIMIT_EXCEEDED`, 10), `quota_cooldown_seconds`
 * (daily `QUOTA_EXHAUSTED`, 3600) or `default_cooldown_seconds` (a bare 429, 60). An account that
 * needs verification, has no project, is not eligible or must log in again is blocked for
 * `blocked_recheck_seconds` (600); verification and a missing project send a desktop
 * notification naming how many accounts remain. With no account left the client gets 429 saying
 * when the earliest account frees up (or, when none is merely cooling down, 503 with each
 * account's reason).
 */
import path from 'node:path';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ChatRequest, ChatResult, Connector, ConnectorContext, ModelInfo } from '@llmproxy/connector-sdk';
import { optionalChoice, optionalPositiveNumber, optionalString } from '../configuration/read-backend-config.js';
import { requireCodecs } from '../configuration/require-codecs.js';
import { OAuthTokenStore } from '../credentials/oauth-token-store.js';
import type { AccountFailure } from '../gemini-code-assist/account-outcome.js';
import { CodeAssistAccount } from '../gemini-code-assist/code-assist-account.js';
import { CodeAssistApi } from '../gemini-code-assist/code-assist-api.js';
import { credentialsMissingError } from '../gemini-code-assist/create-gemini-cli-login-connector.js';
import { GOOGLE_REFRESH_MARGIN_MS, googleLoginRequired, refreshGoogleToken } from '../gemini-code-assist/google-oauth.js';
import { notifyAccountFailure } from '../gemini-code-assist/notify-account-failure.js';
import { resolveCodeAssistSettings } from '../gemini-code-assist/resolve-code-assist-settings.js';
import { DEFAULT_GEMINI_ACCOUNTS_DIRECTORY, listAccountFiles } from './account-directory.js';
import { AccountOrder, SELECTION_STRATEGIES } from './account-order.js';
import { conversationKey } from './conversation-key.js';

interface PoolEntry {
  name: string;
  file: string;
  account: CodeAssistAccount;
  /** Set while the account may not be used: until when, and why. */
  unavailable?: { until: number; cooling: boolean; reason: string };
}

export interface AccountPoolOptions {
  /** Replaces `Date.now` in tests of cooldowns. */
  now?: () => number;
}

export function createGeminiAccountPoolConnector(context: ConnectorContext, options: AccountPoolOptions = {}): Connector {
  const { backendName, config, http, logger, notifier } = context;
  const now = options.now ?? Date.now;
  const codec = requireCodecs(context).gemini;
  const settings = resolveCodeAssistSettings(context);
  const directory = path.resolve(optionalString(config, 'accounts_directory', backendName) ?? DEFAULT_GEMINI_ACCOUNTS_DIRECTORY);
  const order = new AccountOrder(optionalChoice(config, 'selection_strategy', backendName, SELECTION_STRATEGIES) ?? 'session-affinity');
  const seconds = (key: string, fallback: number): number => optionalPositiveNumber(config, key, backendName) ?? fallback;
  const cooldowns = {
    'rate-limit': seconds('rate_limit_cooldown_seconds', 10),
    'daily-quota': seconds('quota_cooldown_seconds', 3600),
    unspecified: seconds('default_cooldown_seconds', 60),
  };
  const blockedSeconds = seconds('blocked_recheck_seconds', 600);
  const api = new CodeAssistApi(http, settings.endpoint);
  const entries = new Map<string, PoolEntry>();

  function createEntry(name: string, file: string): PoolEntry {
    const accountLabel = `"${name}" (${file})`;
    const loginHint = `run \`llm-proxy accounts add gemini --name ${name}\`, or import a fresh Gemini CLI login with \`llm-proxy accounts import gemini <oauth_creds.json> --name ${name}\``;
    const tokens = new OAuthTokenStore({
      file,
      refreshMarginMs: GOOGLE_REFRESH_MARGIN_MS,
      refresh: (record) => refreshGoogleToken(record, { http, tokenUrl: settings.tokenUrl, accountLabel, loginHint, backendName, now }),
      missingFileError: () => credentialsMissingError(backendName, file),
      loginRequiredError: (reason) => googleLoginRequired({ accountLabel, loginHint, backendName }, reason),
      now,
    });
    const account = new CodeAssistAccount({
      accountLabel,
      backendName,
      projectHint: `Add "project_id": "<project>" to ${file}, or set GOOGLE_CLOUD_PROJECT (or backends.${backendName}.project) for every account`,
      api,
      codec,
      tokens,
      logger,
      userProject: async () => {
        const projectId = (await tokens.record())['project_id'];
        return typeof projectId === 'string' && projectId !== '' ? projectId : settings.configuredProject;
      },
      onboardPollIntervalMs: settings.onboardPollIntervalMs,
      maxOnboardPolls: settings.maxOnboardPolls,
    });
    return { name, file, account };
  }

  /** The pool as the directory holds it now; accounts keep their state while their file stays. */
  async function currentEntries(): Promise<PoolEntry[]> {
    const files = await listAccountFiles(directory);
    const seen = new Set<string>();
    const current = files.map(({ name, file }) => {
      seen.add(file);
      let entry = entries.get(file);
      if (entry === undefined) {
        entry = createEntry(name, file);
        entries.set(file, entry);
      }
      return entry;
    });
    for (const file of entries.keys()) if (!seen.has(file)) entries.delete(file);
    return current;
  }

  function isUsable(entry: PoolEntry): boolean {
    if (entry.unavailable !== undefined && entry.unavailable.until <= now()) delete entry.unavailable;
    return entry.unavailable === undefined;
  }

  function setAside(entry: PoolEntry, failure: AccountFailure, pool: readonly PoolEntry[]): void {
    if (failure.kind === 'quota') {
      const wait = failure.resetSeconds ?? cooldowns[failure.quota];
      entry.unavailable = { until: now() + wait * 1000, cooling: true, reason: `${failure.quota} quota: ${failure.error.summary}` };
    } else {
      entry.unavailable = { until: now() + blockedSeconds * 1000, cooling: false, reason: `${failure.error.summary}. ${failure.error.fix ?? ''}`.trim() };
    }
    const usable = pool.filter(isUsable).length;
    notifyAccountFailure({ notifier, logger, backendName, accountLabel: entry.name, failure, remaining: { usable, total: pool.length } });
  }

  function exhausted(pool: readonly PoolEntry[], last: AccountFailure | undefined): LlmProxyError {
    if (pool.length === 0) {
      return new LlmProxyError({
        code: 'GEMINI_ACCOUNTS_MISSING',
        message: `Backend ${backendName} has no Gemini accounts: ${directory} holds no account files`,
        fix: 'Add one with `llm-proxy accounts add gemini` (browser login) or `llm-proxy accounts import gemini ~/.gemini/oauth_creds.json`',
        httpStatus: 503,
        details: { backend: backendName },
      });
    }
    const cooling = pool.filter((entry) => entry.unavailable?.cooling === true).sort((a, b) => a.unavailable!.until - b.unavailable!.until);
    const reasons = pool.map((entry) => `${entry.name}: ${entry.unavailable?.reason ?? 'unavailable'}`);
    const earliest = cooling[0];
    if (earliest !== undefined) {
      const retryAfterSeconds = Math.max(1, Math.ceil((earliest.unavailable!.until - now()) / 1000));
      const at = new Date(earliest.unavailable!.until).toISOString();
      return new LlmProxyError({
        code: 'GEMINI_ACCOUNTS_EXHAUSTED',
        message: `Every Gemini account of backend ${backendName} is out of quota or blocked; the earliest, "${earliest.name}", frees up at ${at} (in ${retryAfterSeconds} s). Accounts: ${reasons.join('; ')}`,
        fix: `Retry after ${at}, or add accounts with \`llm-proxy accounts add gemini\``,
        httpStatus: 429,
        details: { backend: backendName, retryAfterSeconds, resetsAt: at },
      });
    }
    return new LlmProxyError({
      code: 'GEMINI_NO_USABLE_ACCOUNT',
      message: `No Gemini account of backend ${backendName} can serve requests: ${reasons.join('; ')}`,
      fix: last?.error.fix ?? 'Fix the accounts as each reason says, or add accounts with `llm-proxy accounts add gemini`',
      httpStatus: 503,
      details: { backend: backendName },
    });
  }

  async function chat(request: ChatRequest, signal: AbortSignal): Promise<ChatResult> {
    const pool = await currentEntries();
    const conversation = conversationKey(request);
    let last: AccountFailure | undefined;
    for (const entry of order.arrange(pool.filter(isUsable), conversation)) {
      signal.throwIfAborted();
      // Nothing has reached the client yet, so a failed account can hand the request on.
      const outcome = await entry.account.chat(request, signal);
      if (outcome.ok) {
        order.served(conversation, entry.name);
        return outcome.result;
      }
      last = outcome.failure;
      setAside(entry, outcome.failure, pool);
    }
    throw exhausted(pool, last);
  }

  return {
    async listModels(): Promise<ModelInfo[]> {
      return [...settings.models];
    },
    chat: (request, chatOptions) => chat(request, chatOptions.signal),
  };
}
