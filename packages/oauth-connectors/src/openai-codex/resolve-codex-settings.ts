/**
 * @fileoverview The settings of an `openai-codex` backend (`backends.<name>` in the config):
 *
 * | key | default | meaning |
 * | --- | --- | --- |
 * | `credentials_file` | `$CODEX_HOME/auth.json`, else `~/.codex/auth.json` | the Codex CLI's login |
 * | `accounts_directory` | `openai_codex_accounts` in the data directory (`var/` by default) | the pool of further ChatGPT logins |
 * | `base_url` | `https://chatgpt.com/backend-api` | the ChatGPT backend |
 * | `oauth_issuer` | `https://auth.openai.com` | OpenAI's OAuth server (login) |
 * | `oauth_token_url` | `{oauth_issuer}/oauth/token` | token endpoint (refresh) |
 * | `models` | see {@link DEFAULT_CODEX_MODELS} | the model list |
 * | `instructions` | "You are a helpful assistant." | sent when the client has no system prompt |
 * | `client_version` | a Codex CLI version | the `version` header and User-Agent |
 * | `selection_strategy` | `session-affinity` | how a request picks among the accounts |
 * | `rate_limit_cooldown_seconds` | 15 | a 429 that is not the usage limit, without `retry-after` |
 * | `usage_limit_fallback_seconds` | 3600 | parking after `usage_limit_reached` without a reset time |
 * | `blocked_recheck_seconds` | 600 | how long an account needing a new login (or without Codex) is left out |
 * | `quota_warning_percent` | 90 | used percent of a window that sends the "quota low" notification |
 * | `login_callback_port` | 1455 | port of the loopback callback for `llm-proxy accounts add codex` (0 = any) |
 */
import path from 'node:path';
import { optionalConfigChoice, optionalConfigNumber, optionalConfigString, optionalConfigUrl, optionalModelList } from '@llmproxy/connector-sdk';
import type { ModelInfo } from '@llmproxy/connector-sdk';
import { resolveAccountsDirectory, type PoolLocation } from '../configuration/accounts-directory.js';
import { SELECTION_STRATEGIES, type SelectionStrategy } from '../account-pool/account-order.js';
import { defaultCodexAuthFile } from './codex-auth-file.js';
import { OPENAI_AUTH_ISSUER, codexTokenUrl } from './codex-oauth.js';
import { CODEX_BASE_URL, DEFAULT_CODEX_CLIENT_VERSION, DEFAULT_CODEX_INSTRUCTIONS } from './codex-responses-request.js';

/** The pool's directory in the data directory when `accounts_directory` is not set. */
export const CODEX_ACCOUNTS_DIRECTORY_NAME = 'openai_codex_accounts';
export const DEFAULT_CODEX_MODELS: readonly string[] = Object.freeze(['gpt-5.1-codex', 'gpt-5.1-codex-mini', 'gpt-5.1', 'gpt-5-codex', 'gpt-5']);
export const DEFAULT_CODEX_LOGIN_CALLBACK_PORT = 1455;

export interface CodexSettings {
  authFile: string;
  accountsDirectory: string;
  baseUrl: string;
  oauthIssuer: string;
  tokenUrl: string;
  models: readonly ModelInfo[];
  instructions: string;
  clientVersion: string;
  selectionStrategy: SelectionStrategy;
  rateLimitCooldownSeconds: number;
  usageLimitFallbackSeconds: number;
  blockedRecheckSeconds: number;
  quotaWarningPercent: number;
  loginCallbackPort: number;
}

/** `location` places the pool: a relative `accounts_directory` starts at its `cwd`, the default is in its data directory. */
export function resolveCodexSettings(
  config: Record<string, unknown>,
  backendName: string,
  env: Readonly<Record<string, string | undefined>>,
  location: PoolLocation,
): CodexSettings {
  const oauthIssuer = optionalConfigUrl(config, 'oauth_issuer', backendName) ?? OPENAI_AUTH_ISSUER;
  const seconds = (key: string, fallback: number): number => optionalConfigNumber(config, key, backendName) ?? fallback;
  const credentialsFile = optionalConfigString(config, 'credentials_file', backendName);
  return {
    authFile: credentialsFile === undefined ? defaultCodexAuthFile(env) : path.resolve(location.cwd, credentialsFile),
    accountsDirectory: resolveAccountsDirectory(config, backendName, location, CODEX_ACCOUNTS_DIRECTORY_NAME),
    baseUrl: optionalConfigUrl(config, 'base_url', backendName) ?? CODEX_BASE_URL,
    oauthIssuer,
    tokenUrl: optionalConfigUrl(config, 'oauth_token_url', backendName) ?? codexTokenUrl(oauthIssuer),
    models: optionalModelList(config, backendName) ?? DEFAULT_CODEX_MODELS.map((id) => ({ id, ownedBy: 'openai' })),
    instructions: optionalConfigString(config, 'instructions', backendName) ?? DEFAULT_CODEX_INSTRUCTIONS,
    clientVersion: optionalConfigString(config, 'client_version', backendName) ?? DEFAULT_CODEX_CLIENT_VERSION,
    selectionStrategy: optionalConfigChoice(config, 'selection_strategy', backendName, SELECTION_STRATEGIES) ?? 'session-affinity',
    rateLimitCooldownSeconds: seconds('rate_limit_cooldown_seconds', 15),
    usageLimitFallbackSeconds: seconds('usage_limit_fallback_seconds', 3600),
    blockedRecheckSeconds: seconds('blocked_recheck_seconds', 600),
    quotaWarningPercent: seconds('quota_warning_percent', 90),
    loginCallbackPort: Math.floor(seconds('login_callback_port', DEFAULT_CODEX_LOGIN_CALLBACK_PORT)),
  };
}
