/**
 * @fileoverview The `gemini-oauth-auto` connector: Gemini Code Assist over a pool of Google
 * logins, one JSON file each in `accounts_directory` (default `var/gemini_oauth_accounts/`,
 * re-read on every request so accounts added while the proxy runs are used at once).
 *
 * A request tries the usable accounts in the order of `selection_strategy` (see
 * ../account-pool/account-order.ts), through the pool loop of ../account-pool/account-pool.ts.
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
import { LlmProxyError, optionalConfigChoice, optionalConfigNumber } from '@llmproxy/connector-sdk';
import type { Connector, ConnectorContext, ModelInfo } from '@llmproxy/connector-sdk';
import { AccountPool } from '../account-pool/account-pool.js';
import { listAccountFiles } from '../account-pool/account-directory.js';
import { AccountOrder, SELECTION_STRATEGIES } from '../account-pool/account-order.js';
import { conversationKey } from '../account-pool/conversation-key.js';
import { resolveAccountsDirectory } from '../configuration/accounts-directory.js';
import { requireCodecs } from '../configuration/require-codecs.js';
import { OAuthTokenStore } from '../credentials/oauth-token-store.js';
import type { AccountFailure } from '../gemini-code-assist/account-outcome.js';
import { CodeAssistAccount } from '../gemini-code-assist/code-assist-account.js';
import { CodeAssistApi } from '../gemini-code-assist/code-assist-api.js';
import { credentialsMissingError } from '../gemini-code-assist/create-gemini-cli-login-connector.js';
import { GOOGLE_REFRESH_MARGIN_MS, googleLoginRequired, refreshGoogleToken } from '../gemini-code-assist/google-oauth.js';
import { notifyAccountFailure } from '../gemini-code-assist/notify-account-failure.js';
import { resolveCodeAssistSettings } from '../gemini-code-assist/resolve-code-assist-settings.js';

/** Relative to the working directory of llm-proxy. */
/** The pool's directory in the data directory when `accounts_directory` is not set. */
export const GEMINI_ACCOUNTS_DIRECTORY_NAME = 'gemini_oauth_accounts';

interface GeminiPoolAccount {
  name: string;
  file: string;
  account: CodeAssistAccount;
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
  const directory = resolveAccountsDirectory(config, backendName, { cwd: process.cwd(), dataDirectory: context.dataDirectory }, GEMINI_ACCOUNTS_DIRECTORY_NAME);
  const seconds = (key: string, fallback: number): number => optionalConfigNumber(config, key, backendName) ?? fallback;
  const cooldowns = {
    'rate-limit': seconds('rate_limit_cooldown_seconds', 10),
    'daily-quota': seconds('quota_cooldown_seconds', 3600),
    unspecified: seconds('default_cooldown_seconds', 60),
  };
  const blockedSeconds = seconds('blocked_recheck_seconds', 600);
  const api = new CodeAssistApi(http, settings.endpoint);

  function createAccount(name: string, file: string): GeminiPoolAccount {
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

  const pool = new AccountPool<GeminiPoolAccount, AccountFailure>({
    backendName,
    now,
    arrangement: new AccountOrder(optionalConfigChoice(config, 'selection_strategy', backendName, SELECTION_STRATEGIES) ?? 'session-affinity'),
    wording: {
      accountNoun: 'Gemini account',
      accountsProvider: 'gemini',
      exhausted: { code: 'GEMINI_ACCOUNTS_EXHAUSTED', state: 'is out of quota or blocked' },
      noUsableAccount: { code: 'GEMINI_NO_USABLE_ACCOUNT' },
    },
    createAccount: ({ name, file }) => createAccount(name, file),
    unavailability: (failure) =>
      failure.kind === 'quota'
        ? { until: now() + (failure.resetSeconds ?? cooldowns[failure.quota]) * 1000, cooling: true, reason: `${failure.quota} quota: ${failure.error.summary}` }
        : { until: now() + blockedSeconds * 1000, cooling: false, reason: `${failure.error.summary}. ${failure.error.fix ?? ''}`.trim() },
    announce: (entry, failure, remaining) => notifyAccountFailure({ notifier, logger, backendName, accountLabel: entry.name, failure, remaining }),
    emptyPoolError: () =>
      new LlmProxyError({
        code: 'GEMINI_ACCOUNTS_MISSING',
        message: `Backend ${backendName} has no Gemini accounts: ${directory} holds no account files`,
        fix: 'Add one with `llm-proxy accounts add gemini` (browser login) or `llm-proxy accounts import gemini ~/.gemini/oauth_creds.json`',
        httpStatus: 503,
        details: { backend: backendName },
      }),
    soleAccountAnswersWithItsError: false,
  });

  return {
    async listModels(): Promise<ModelInfo[]> {
      return [...settings.models];
    },
    chat: async (request, chatOptions) =>
      pool.serve(await listAccountFiles(directory), conversationKey(request), chatOptions.signal, (entry) => entry.account.chat(request, chatOptions.signal)),
  };
}
