/**
 * @fileoverview Errors of the `openai-codex` connector about its logins and accounts.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';

/** The Codex CLI's auth.json does not exist and the pool is empty. */
export function codexCredentialsMissing(backendName: string, file: string, accountsDirectory: string): LlmProxyError {
  return new LlmProxyError({
    code: 'CODEX_CREDENTIALS_MISSING',
    message:
      `Backend ${backendName} has no ChatGPT login: the Codex CLI login file ${file} does not exist ` +
      `(the Codex CLI may keep its login in the OS keyring instead of this file), and ${accountsDirectory} holds no accounts`,
    fix:
      `Log in with the Codex CLI storing the login in a file (set cli_auth_credentials_store = "file" in ~/.codex/config.toml, then run \`codex login\`) so that it writes ${file}, ` +
      'or add a login to the pool with `llm-proxy accounts add codex` (browser login) or `llm-proxy accounts import codex <auth.json>`',
    httpStatus: 401,
    details: { backend: backendName },
  });
}

/** A login without a ChatGPT account id (neither `tokens.account_id` nor the id token's claim). */
export function codexAccountIdMissing(backendName: string, accountLabel: string, loginHint: string): LlmProxyError {
  return new LlmProxyError({
    code: 'CODEX_ACCOUNT_ID_MISSING',
    message: `The ChatGPT login of ${accountLabel} (backend ${backendName}) names no ChatGPT account: tokens.account_id is empty and the id token carries no chatgpt_account_id`,
    fix: `Log in again: ${loginHint}`,
    httpStatus: 401,
    details: { backend: backendName, loginRequired: true },
  });
}

/** The ChatGPT plan of the account does not include Codex (`usage_not_included`). */
export function codexUsageNotIncluded(backendName: string, accountLabel: string, planType: string | undefined, upstreamMessage: string): LlmProxyError {
  return new LlmProxyError({
    code: 'CODEX_USAGE_NOT_INCLUDED',
    message: `The ChatGPT plan of ${accountLabel}${planType === undefined ? '' : ` (${planType})`} does not include Codex, so backend ${backendName} cannot use it (OpenAI: ${upstreamMessage})`,
    fix: 'Use a ChatGPT plan that includes Codex (Plus, Pro, Business, Enterprise, Edu) or the openai backend with OPENAI_API_KEY; retrying does not help',
    httpStatus: 403,
    details: { backend: backendName },
  });
}
