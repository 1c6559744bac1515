/**
 * @fileoverview Account management for `llm-proxy accounts add|import|list|remove`, imported by
 * core only in Single User Mode and only when that command runs.
 *
 * - `gemini`: the pool of `gemini-oauth-auto` (one file per Google login).
 * - `qwen`: Qwen Code's login file, used by `qwen-oauth` (one login, named `default`).
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { AccountSummary, AccountsEnvironment } from './accounts-environment.js';
import { addGeminiAccount, importGeminiAccount, listGeminiAccounts, removeGeminiAccount } from './gemini-accounts.js';
import { addQwenAccount, importQwenAccount, listQwenAccounts, removeQwenAccount } from './qwen-accounts.js';

export type { AccountSummary, AccountsEnvironment } from './accounts-environment.js';

export const ACCOUNT_PROVIDERS = ['gemini', 'qwen'] as const;
export type AccountProvider = (typeof ACCOUNT_PROVIDERS)[number];

export function addAccount(environment: AccountsEnvironment, provider: string, options: { name?: string } = {}): Promise<AccountSummary> {
  return checkedProvider(provider) === 'gemini' ? addGeminiAccount(environment, options.name) : addQwenAccount(environment);
}

export function importAccount(environment: AccountsEnvironment, provider: string, sourceFile: string, options: { name?: string } = {}): Promise<AccountSummary> {
  return checkedProvider(provider) === 'gemini' ? importGeminiAccount(environment, sourceFile, options.name) : importQwenAccount(environment, sourceFile);
}

export async function listAccounts(environment: AccountsEnvironment, provider?: string): Promise<AccountSummary[]> {
  const providers = provider === undefined ? ACCOUNT_PROVIDERS : [checkedProvider(provider)];
  const lists = await Promise.all(providers.map((name) => (name === 'gemini' ? listGeminiAccounts(environment) : listQwenAccounts(environment))));
  return lists.flat();
}

export function removeAccount(environment: AccountsEnvironment, provider: string, name: string): Promise<AccountSummary> {
  return checkedProvider(provider) === 'gemini' ? removeGeminiAccount(environment, name) : removeQwenAccount(environment, name);
}

function checkedProvider(provider: string): AccountProvider {
  if ((ACCOUNT_PROVIDERS as readonly string[]).includes(provider)) return provider as AccountProvider;
  throw new LlmProxyError({
    code: 'ACCOUNT_PROVIDER_UNKNOWN',
    message: `"${provider}" is not an account provider`,
    fix: `Name one of: ${ACCOUNT_PROVIDERS.join(', ')}`,
    httpStatus: 400,
  });
}
