/**
 * @fileoverview The settings of a `kiro-oauth-auto` backend (`backends.<name>` in the config):
 *
 * | key | default | meaning |
 * | --- | --- | --- |
 * | `accounts_directory` | `kiro_oauth_accounts` in the data directory (`var/` by default) | the pool, one JSON file per login |
 * | `api_base_url` | `https://q.{region}.amazonaws.com` | Kiro's API (generateAssistantResponse, getUsageLimits) |
 * | `sso_oidc_url` | `https://oidc.{region}.amazonaws.com` | AWS SSO OIDC (Builder ID login and refresh) |
 * | `kiro_auth_url` | `https://prod.{region}.auth.desktop.kiro.dev` | Kiro's refresh endpoint for social logins |
 * | `builder_id_start_url` | `https://view.awsapps.com/start` | AWS Builder ID |
 * | `region` | `us-east-1` | region of new logins (each account keeps its own) |
 * | `models` | see {@link DEFAULT_KIRO_MODELS} | the model list (ids as Kiro names them) |
 * | `rate_limit_cooldown_seconds` | 30 | a 429 without `Retry-After` |
 * | `blocked_recheck_seconds` | 600 | how long an account needing a new login is left out |
 * | `recent_failure_window_seconds` | 3600 | what "recent" means when ordering accounts by quota failures |
 * | `kiro_version` | a Kiro version | presented in the User-Agent |
 *
 * The `{region}` of a URL is the account's region; a configured URL is used for every account.
 */
import { optionalConfigNumber, optionalConfigString, optionalConfigUrl, optionalModelList } from '@llmproxy/connector-sdk';
import type { ConnectorContext, ModelInfo } from '@llmproxy/connector-sdk';
import { resolveAccountsDirectory, type PoolLocation } from '../configuration/accounts-directory.js';
import { DEFAULT_KIRO_REGION } from './kiro-credentials.js';
import { kiroAuthUrl } from './refresh-kiro-token.js';
import { BUILDER_ID_START_URL, ssoOidcUrl } from './sso-oidc-client.js';

/** The pool's directory in the data directory when `accounts_directory` is not set. */
export const KIRO_ACCOUNTS_DIRECTORY_NAME = 'kiro_oauth_accounts';
export const DEFAULT_KIRO_MODELS: readonly string[] = Object.freeze(['auto', 'claude-sonnet-4.5', 'claude-sonnet-4', 'claude-haiku-4.5', 'claude-opus-4.5']);
export const DEFAULT_KIRO_VERSION = '0.6.18';

export interface KiroSettings {
  accountsDirectory: string;
  apiBaseUrl(region: string): string;
  oidcUrl(region: string): string;
  kiroAuthUrl(region: string): string;
  builderIdStartUrl: string;
  region: string;
  models: readonly ModelInfo[];
  rateLimitCooldownSeconds: number;
  blockedRecheckSeconds: number;
  recentFailureWindowSeconds: number;
  kiroVersion: string;
}

export function resolveKiroSettings(config: ConnectorContext['config'], backendName: string, location: PoolLocation): KiroSettings {
  const apiBaseUrl = optionalConfigUrl(config, 'api_base_url', backendName);
  const oidcUrl = optionalConfigUrl(config, 'sso_oidc_url', backendName);
  const authUrl = optionalConfigUrl(config, 'kiro_auth_url', backendName);
  const seconds = (key: string, fallback: number): number => optionalConfigNumber(config, key, backendName) ?? fallback;
  return {
    accountsDirectory: resolveAccountsDirectory(config, backendName, location, KIRO_ACCOUNTS_DIRECTORY_NAME),
    apiBaseUrl: (region) => apiBaseUrl ?? `https://q.${region}.amazonaws.com`,
    oidcUrl: (region) => oidcUrl ?? ssoOidcUrl(region),
    kiroAuthUrl: (region) => authUrl ?? kiroAuthUrl(region),
    builderIdStartUrl: optionalConfigUrl(config, 'builder_id_start_url', backendName) ?? BUILDER_ID_START_URL,
    region: optionalConfigString(config, 'region', backendName) ?? DEFAULT_KIRO_REGION,
    models: optionalModelList(config, backendName) ?? DEFAULT_KIRO_MODELS.map((id) => ({ id, ownedBy: 'kiro' })),
    rateLimitCooldownSeconds: seconds('rate_limit_cooldown_seconds', 30),
    blockedRecheckSeconds: seconds('blocked_recheck_seconds', 600),
    recentFailureWindowSeconds: seconds('recent_failure_window_seconds', 3600),
    kiroVersion: optionalConfigString(config, 'kiro_version', backendName) ?? DEFAULT_KIRO_VERSION,
  };
}
