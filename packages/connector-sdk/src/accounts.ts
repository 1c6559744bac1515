/**
 * @fileoverview The contract of `llm-proxy accounts add|import|list|remove`: core's command
 * parses the command line and hands the work to a package's `./accounts` export (today
 * `@llmproxy/oauth-connectors/accounts`), which names its own providers. Both sides build
 * against these types, so the provider list and the call shapes are written down once.
 */
import type { UpstreamHttpClient } from './upstream-http-client.js';

/** One provider the accounts module manages, e.g. `gemini`, with one line for the user. */
export interface AccountProvider {
  /** What the user types after `llm-proxy accounts add`. */
  name: string;
  /** One line: what logging in does and where the login is kept. */
  description: string;
}

/** What core hands the accounts module for one command. Tokens are never printed. */
export interface AccountsEnvironment {
  /** Core's upstream client (timeouts, proxies), for the login and token endpoints. */
  http: UpstreamHttpClient;
  env: Readonly<Record<string, string | undefined>>;
  /** Relative account directories are resolved against this directory. */
  cwd: string;
  /**
   * The operator's data directory (absolute; `data_dir`), where account pools live unless the
   * backend's settings place them. Undefined from an older host: use `var` in {@link cwd}.
   */
  dataDirectory?: string;
  /** `backends.<connector id>` from the config (empty when absent), for directories and URLs. */
  backendConfig(connectorId: string): Record<string, unknown>;
  /** One line for the user (stdout). */
  print(line: string): void;
  /** Tries to open `url` in the user's browser; the URL is printed either way. */
  openBrowser?(url: string): void;
  /**
   * Shows that the command is waiting (a spinner on a terminal, an occasional line otherwise)
   * until the returned handle is stopped. `message` says what for, e.g. "Waiting for approval";
   * `expiresAt` (epoch milliseconds), when given, is shown as the time left. Hosts without it
   * show nothing: call it optionally.
   */
  showProgress?(message: string, options?: { expiresAt?: number }): ProgressIndicator;
}

/** A running progress display, from {@link AccountsEnvironment.showProgress}. */
export interface ProgressIndicator {
  /** Ends the display and clears it; safe to call more than once. */
  stop(): void;
}

/** One stored login, as `llm-proxy accounts list` shows it (never with tokens). */
export interface AccountSummary {
  /** An {@link AccountProvider} name. */
  provider: string;
  name: string;
  file: string;
  /** e.g. `token valid until 2026-05-01T10:00:00.000Z` or `token expired (refreshed on next use)`. */
  status: string;
  email?: string;
  project?: string;
}

export interface AccountOptions {
  /** The account's name in its pool (`--name`); each provider has its own default. */
  name?: string;
}

/** The `./accounts` export of a package that manages personal logins. */
export interface AccountsModule {
  /** The providers this module manages, in the order `accounts list` shows them. */
  readonly providers: readonly AccountProvider[];
  addAccount(environment: AccountsEnvironment, provider: string, options?: AccountOptions): Promise<AccountSummary>;
  importAccount(environment: AccountsEnvironment, provider: string, file: string, options?: AccountOptions): Promise<AccountSummary>;
  /** Every provider's logins, or one provider's. */
  listAccounts(environment: AccountsEnvironment, provider?: string): Promise<AccountSummary[]>;
  removeAccount(environment: AccountsEnvironment, provider: string, name: string): Promise<AccountSummary>;
}
