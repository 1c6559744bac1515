/**
 * @fileoverview What `llm-proxy accounts` hands this package's account management: core's
 * upstream client, the process environment and working directory, the relevant backend's YAML
 * slice, and where to print. Tokens are never printed.
 */
import type { UpstreamHttpClient } from '@llmproxy/connector-sdk';

export interface AccountsEnvironment {
  http: UpstreamHttpClient;
  env: Readonly<Record<string, string | undefined>>;
  /** Relative account directories are resolved against this directory. */
  cwd: string;
  /** `backends.<connector id>` from the config (empty when absent), for directories and URLs. */
  backendConfig(connectorId: string): Record<string, unknown>;
  /** One line for the user (stdout). */
  print(line: string): void;
  /** Tries to open `url` in the user's browser; the URL is printed either way. */
  openBrowser?(url: string): void;
}

/** One stored login, as `llm-proxy accounts list` shows it. */
export interface AccountSummary {
  provider: 'gemini' | 'qwen' | 'codex' | 'kiro';
  name: string;
  file: string;
  /** e.g. `token valid until 2026-05-01T10:00:00.000Z` or `token expired (refreshed on next use)`. */
  status: string;
  email?: string;
  project?: string;
}
