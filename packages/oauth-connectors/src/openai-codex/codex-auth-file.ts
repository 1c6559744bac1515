/**
 * @fileoverview The Codex CLI's login file, `auth.json` (in `$CODEX_HOME`, default `~/.codex`):
 *
 * ```json
 * { "OPENAI_API_KEY": null,
 *   "tokens": { "id_token": "...", "access_token": "...", "refresh_token": "...", "account_id": "..." },
 *   "last_refresh": "2026-01-01T00:00:00Z" }
 * ```
 *
 * Pool accounts of `openai-codex` are stored in the same shape. The access token is a JWT whose
 * `exp` says when it expires; `account_id` may be null, in which case the ChatGPT account id is
 * the `chatgpt_account_id` of the id token's OpenAI auth claim.
 */
import path from 'node:path';
import { isRecord } from '@llmproxy/connector-sdk';
import { homeDirectory } from '../configuration/home-directory.js';
import type { CredentialsRecord } from '../credentials/credentials-file.js';
import { jwtClaims, jwtExpiryMs } from '../credentials/jwt-claims.js';
import type { TokenRecordFields } from '../credentials/oauth-token-store.js';

/** The name the Codex CLI's own login has among an `openai-codex` backend's accounts. */
export const CODEX_CLI_ACCOUNT = 'codex-cli';

/** The claim of OpenAI's id and access tokens that carries the ChatGPT account. */
export const OPENAI_AUTH_CLAIM = 'https://api.openai.com/auth';

/** The Codex CLI refreshes a login this long after its last refresh when it cannot read an expiry. */
const CODEX_REFRESH_INTERVAL_MS = 8 * 24 * 3_600_000;

/** The Codex CLI's login file: `$CODEX_HOME/auth.json`, else `~/.codex/auth.json`. */
export function defaultCodexAuthFile(env: Readonly<Record<string, string | undefined>>): string {
  const codexHome = env['CODEX_HOME'];
  return path.join(codexHome !== undefined && codexHome !== '' ? codexHome : path.join(homeDirectory(env), '.codex'), 'auth.json');
}

/** The `tokens` object of an auth.json record (empty when absent). */
export function codexTokensOf(record: CredentialsRecord): Record<string, unknown> {
  const tokens = record['tokens'];
  return isRecord(tokens) ? tokens : {};
}

export const CODEX_TOKEN_FIELDS: TokenRecordFields = Object.freeze({
  accessToken: (record: CredentialsRecord) => nonEmpty(codexTokensOf(record)['access_token']),
  refreshToken: (record: CredentialsRecord) => nonEmpty(codexTokensOf(record)['refresh_token']),
  expiresAtMs: (record: CredentialsRecord) => {
    const fromToken = jwtExpiryMs(codexTokensOf(record)['access_token']);
    if (fromToken !== undefined) return fromToken;
    const lastRefresh = Date.parse(String(record['last_refresh'] ?? ''));
    return Number.isFinite(lastRefresh) ? lastRefresh + CODEX_REFRESH_INTERVAL_MS : undefined;
  },
  tokenType: () => 'Bearer',
});

/** The OpenAI auth claim of the login's id token (or, failing that, of its access token). */
function openaiAuthClaim(record: CredentialsRecord): Record<string, unknown> {
  const tokens = codexTokensOf(record);
  for (const token of [tokens['id_token'], tokens['access_token']]) {
    const claim = jwtClaims(token)?.[OPENAI_AUTH_CLAIM];
    if (isRecord(claim)) return claim;
  }
  return {};
}

/** The ChatGPT account id: `tokens.account_id`, else the id token's `chatgpt_account_id`. */
export function codexAccountId(record: CredentialsRecord): string | undefined {
  return nonEmpty(codexTokensOf(record)['account_id']) ?? nonEmpty(openaiAuthClaim(record)['chatgpt_account_id']);
}

/** The ChatGPT plan (`plus`, `pro`, `team`, ...) the id token names. */
export function codexPlanType(record: CredentialsRecord): string | undefined {
  return nonEmpty(openaiAuthClaim(record)['chatgpt_plan_type']);
}

/** The email of the id token. */
export function codexEmail(record: CredentialsRecord): string | undefined {
  return nonEmpty(jwtClaims(codexTokensOf(record)['id_token'])?.['email']);
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
