/**
 * @fileoverview Account management for `llm-proxy accounts add|import|list|remove`, imported by
 * core only in Single User Mode and only when that command runs.
 *
 * - `gemini`: the pool of `gemini-oauth-auto` (one file per Google login).
 * - `qwen`: Qwen Code's login file, used by `qwen-oauth` (one login, named `default`).
 * - `codex`: the ChatGPT logins of `openai-codex` (a pool, plus the Codex CLI's own auth.json).
 * - `kiro`: the pool of Kiro logins of `kiro-oauth-auto` (AWS Builder ID, or imported).
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { AccountSummary, AccountsEnvironment } from './accounts-environment.js';
import { addCodexAccount, importCodexAccount, listCodexAccounts, removeCodexAccount } from './codex-accounts.js';
import { addGeminiAccount, importGeminiAccount, listGeminiAccounts, removeGeminiAccount } from './gemini-accounts.js';
import { addKiroAccount, importKiroAccount, listKiroAccounts, removeKiroAccount } from './kiro-accounts.js';
import { addQwenAccount, importQwenAccount, listQwenAccounts, removeQwenAccount } from './qwen-accounts.js';

export type { AccountSummary, AccountsEnvironment } from './accounts-environment.js';

export const ACCOUNT_PROVIDERS = ['gemini', 'qwen', 'codex', 'kiro'] as const;
export type AccountProvider = (typeof ACCOUNT_PROVIDERS)[number];

interface ProviderAccounts {
  add(environment: AccountsEnvironment, name: string | undefined): Promise<AccountSummary>;
  import(environment: AccountsEnvironment, sourceFile: string, name: string | undefined): Promise<AccountSummary>;
  list(environment: AccountsEnvironment): Promise<AccountSummary[]>;
  remove(environment: AccountsEnvironment, name: string): Promise<AccountSummary>;
}

const PROVIDERS: Readonly<Record<AccountProvider, ProviderAccounts>> = {
  gemini: { add: addGeminiAccount, import: importGeminiAccount, list: listGeminiAccounts, remove: removeGeminiAccount },
  // Qwen keeps one login, named by Qwen Code's file rather than by --name.
  qwen: { add: (environment) => addQwenAccount(environment), import: (environment, sourceFile) => importQwenAccount(environment, sourceFile), list: listQwenAccounts, remove: removeQwenAccount },
  codex: { add: addCodexAccount, import: importCodexAccount, list: listCodexAccounts, remove: removeCodexAccount },
  kiro: { add: addKiroAccount, import: importKiroAccount, list: listKiroAccounts, remove: removeKiroAccount },
};

export function addAccount(environment: AccountsEnvironment, provider: string, options: { name?: string } = {}): Promise<AccountSummary> {
  return PROVIDERS[checkedProvider(provider)].add(environment, options.name);
}

export function importAccount(environment: AccountsEnvironment, provider: string, sourceFile: string, options: { name?: string } = {}): Promise<AccountSummary> {
  return PROVIDERS[checkedProvider(provider)].import(environment, sourceFile, options.name);
}

export async function listAccounts(environment: AccountsEnvironment, provider?: string): Promise<AccountSummary[]> {
  const providers = provider === undefined ? ACCOUNT_PROVIDERS : [checkedProvider(provider)];
  const lists = await Promise.all(providers.map((name) => PROVIDERS[name].list(environment)));
  return lists.flat();
}

export function removeAccount(environment: AccountsEnvironment, provider: string, name: string): Promise<AccountSummary> {
  return PROVIDERS[checkedProvider(provider)].remove(environment, name);
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
