/**
 * @fileoverview The one "all accounts exhausted" error of the account pools. When some account
 * is merely cooling down (a quota or rate limit that ends by itself) the client gets 429 with
 * `retry-after` naming the account that frees up first; when every account is blocked for a
 * reason only its owner can fix, 503 with each account's reason. The codes stay per vendor
 * (`GEMINI_…`, `CODEX_…`, `KIRO_…`), as clients and docs/errors.md know them.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';

/** What a pool's errors call its accounts and its states. */
export interface PoolWording {
  /** e.g. `Gemini account`. */
  accountNoun: string;
  /** The `llm-proxy accounts` provider that adds accounts to this pool, e.g. `gemini`. */
  accountsProvider: string;
  /** 429: some account is cooling down; `state` says what befell them all, e.g. `is out of quota or blocked`. */
  exhausted: { code: string; state: string };
  /** 503: every account is blocked. */
  noUsableAccount: { code: string };
}

export interface PoolState {
  backendName: string;
  /** Every account of the pool, with why it cannot serve right now. */
  accounts: ReadonlyArray<{ name: string; reason: string }>;
  /** The cooling account that frees up first (epoch milliseconds), if any is cooling. */
  earliest: { name: string; until: number } | undefined;
  now: number;
}

export function accountsExhaustedError(wording: PoolWording, state: PoolState): LlmProxyError {
  const { backendName, earliest } = state;
  const reasons = state.accounts.map((account) => `${account.name}: ${account.reason}`).join('; ');
  const addAccounts = `add accounts with \`llm-proxy accounts add ${wording.accountsProvider}\``;
  if (earliest !== undefined) {
    const retryAfterSeconds = Math.max(1, Math.ceil((earliest.until - state.now) / 1000));
    const at = new Date(earliest.until).toISOString();
    return new LlmProxyError({
      code: wording.exhausted.code,
      message: `Every ${wording.accountNoun} of backend ${backendName} ${wording.exhausted.state}; the earliest, "${earliest.name}", frees up at ${at} (in ${retryAfterSeconds} s). Accounts: ${reasons}`,
      fix: `Retry after ${at}, or ${addAccounts}`,
      httpStatus: 429,
      details: { backend: backendName, retryAfterSeconds, resetsAt: at },
    });
  }
  return new LlmProxyError({
    code: wording.noUsableAccount.code,
    message: `No ${wording.accountNoun} of backend ${backendName} can serve requests: ${reasons}`,
    fix: `Fix the accounts as each reason says, or ${addAccounts}`,
    httpStatus: 503,
    details: { backend: backendName },
  });
}
