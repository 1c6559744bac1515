/**
 * @fileoverview The loop every account pool runs for one request: arrange the usable accounts,
 * attempt each in turn, set aside one that failed for a reason of its own and move on (possible
 * because nothing reached the client yet; a stream is handed on only after its first output),
 * and when none is left, the one "all accounts exhausted" error. The vendor's factory supplies
 * only what is its own: how to attempt a request with one account, how long a failure keeps the
 * account out, and what to tell its owner.
 */
import type { ChatResult, LlmProxyError } from '@llmproxy/connector-sdk';
import { AccountAvailability, type Unavailability } from './account-availability.js';
import type { AccountFile } from './account-directory.js';
import { accountsExhaustedError, type PoolWording } from './accounts-exhausted-error.js';

/** An account of a pool, known by its login file. */
export interface PooledAccount {
  name: string;
  file: string;
}

/** Why an account could not serve a request; the request moves on to the next account. */
export interface PooledAccountFailure {
  error: LlmProxyError;
}

export type AccountAttempt<Failure> = { ok: true; result: ChatResult } | { ok: false; failure: Failure };

/** The order in which one request tries the usable accounts, and what that order learns. */
export interface AccountArrangement {
  /** `usable` (in name order) arranged for one request of `conversation`. */
  arrange<T extends { name: string }>(usable: readonly T[], conversation: string): T[];
  served(conversation: string, accountName: string): void;
  setAside?(accountName: string, unavailability: Unavailability): void;
  /** Forgets accounts that are no longer in the pool. */
  retain?(accountNames: ReadonlySet<string>): void;
}

export interface AccountPoolOptions<Account extends PooledAccount, Failure extends PooledAccountFailure> {
  backendName: string;
  now: () => number;
  arrangement: AccountArrangement;
  wording: PoolWording;
  /** The account of a login file newly in the pool; it keeps its state while its file stays. */
  createAccount(file: AccountFile): Account;
  /** How long, and why, `failure` keeps `account` out. */
  unavailability(failure: Failure, account: Account): Unavailability;
  /** Tells the owner (log line, desktop notification); called after the account was set aside. */
  announce(account: Account, failure: Failure, remaining: { usable: number; total: number }): void;
  served?(account: Account): void;
  /** What a request gets when the pool has no account at all. */
  emptyPoolError(): LlmProxyError;
  /**
   * A pool of one answers with its account's own error (the clearest answer) rather than the
   * pool's. gemini-oauth-auto has always answered with the pool's 503, and clients may rely on it.
   */
  soleAccountAnswersWithItsError: boolean;
}

export class AccountPool<Account extends PooledAccount, Failure extends PooledAccountFailure> {
  readonly availability: AccountAvailability;
  private readonly accounts = new Map<string, Account>();
  /** Per login file, the error that set it aside last (a pool of one may answer with it later). */
  private readonly lastFailures = new Map<string, LlmProxyError>();

  constructor(private readonly options: AccountPoolOptions<Account, Failure>) {
    this.availability = new AccountAvailability(options.now);
  }

  /** Serves one request with the accounts of `files` (as the directory holds them now). */
  async serve(
    files: readonly AccountFile[],
    conversation: string,
    signal: AbortSignal,
    attempt: (account: Account) => Promise<AccountAttempt<Failure>>,
  ): Promise<ChatResult> {
    const pool = this.accountsOf(files);
    if (pool.length === 0) throw this.options.emptyPoolError();
    const { arrangement } = this.options;
    const failures = new Map<string, Failure>();
    for (const account of arrangement.arrange(pool.filter((candidate) => this.availability.isUsable(candidate.file)), conversation)) {
      signal.throwIfAborted();
      const outcome = await attempt(account);
      if (outcome.ok) {
        arrangement.served(conversation, account.name);
        this.options.served?.(account);
        return outcome.result;
      }
      failures.set(account.file, outcome.failure);
      this.lastFailures.set(account.file, outcome.failure.error);
      const unavailability = this.options.unavailability(outcome.failure, account);
      this.availability.setAside(account.file, unavailability);
      arrangement.setAside?.(account.name, unavailability);
      const usable = pool.filter((candidate) => this.availability.isUsable(candidate.file)).length;
      this.options.announce(account, outcome.failure, { usable, total: pool.length });
    }
    throw this.exhausted(pool, failures);
  }

  private accountsOf(files: readonly AccountFile[]): Account[] {
    const current = files.map((file) => {
      let account = this.accounts.get(file.file);
      if (account === undefined) {
        account = this.options.createAccount(file);
        this.accounts.set(file.file, account);
      }
      return account;
    });
    const kept = new Set(files.map((file) => file.file));
    this.availability.retain(kept);
    this.options.arrangement.retain?.(new Set(current.map((account) => account.name)));
    for (const file of this.accounts.keys()) {
      if (kept.has(file)) continue;
      this.accounts.delete(file);
      this.lastFailures.delete(file);
    }
    return current;
  }

  private exhausted(pool: readonly Account[], failures: ReadonlyMap<string, Failure>): LlmProxyError {
    const earliest = this.availability.earliestCooling(pool.map((account) => account.file));
    if (earliest === undefined && this.options.soleAccountAnswersWithItsError && pool.length === 1) {
      const only = failures.get(pool[0]!.file)?.error ?? this.lastFailures.get(pool[0]!.file);
      if (only !== undefined) return only;
    }
    return accountsExhaustedError(this.options.wording, {
      backendName: this.options.backendName,
      accounts: pool.map((account) => ({
        name: account.name,
        reason: this.availability.of(account.file)?.reason ?? failures.get(account.file)?.error.summary ?? 'unavailable',
      })),
      earliest: earliest === undefined ? undefined : { name: pool.find((account) => account.file === earliest.account)?.name ?? earliest.account, until: earliest.until },
      now: this.options.now(),
    });
  }
}
