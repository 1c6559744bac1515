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
import type { AccountProvider, AccountSummary, AccountsEnvironment, AccountsModule } from '@llmproxy/connector-sdk';
import { addCodexAccount, importCodexAccount, listCodexAccounts, removeCodexAccount } from './codex-accounts.js';
import { addGeminiAccount, importGeminiAccount, listGeminiAccounts, removeGeminiAccount } from './gemini-accounts.js';
import { addKiroAccount, importKiroAccount, listKiroAccounts, removeKiroAccount } from './kiro-accounts.js';
import { addQwenAccount, importQwenAccount, listQwenAccounts, removeQwenAccount } from './qwen-accounts.js';

interface ProviderAccounts extends AccountProvider {
  add(environment: AccountsEnvironment, name: string | undefined): Promise<AccountSummary>;
  import(environment: AccountsEnvironment, sourceFile: string, name: string | undefined): Promise<AccountSummary>;
  list(environment: AccountsEnvironment): Promise<AccountSummary[]>;
  remove(environment: AccountsEnvironment, name: string): Promise<AccountSummary>;
}

const PROVIDERS: readonly ProviderAccounts[] = [
  {
    name: 'gemini',
    description: 'Google logins of the gemini-oauth-auto pool (add: browser login; import: the Gemini CLI\'s ~/.gemini/oauth_creds.json)',
    add: addGeminiAccount,
    import: importGeminiAccount,
    list: listGeminiAccounts,
    remove: removeGeminiAccount,
  },
  {
    name: 'qwen',
    description: 'Qwen Code\'s one login in ~/.qwen/oauth_creds.json, used by qwen-oauth and named "default" (add: device-code login)',
    // Qwen keeps one login, named by Qwen Code's file rather than by --name.
    add: (environment) => addQwenAccount(environment),
    import: (environment, sourceFile) => importQwenAccount(environment, sourceFile),
    list: listQwenAccounts,
    remove: removeQwenAccount,
  },
  {
    name: 'codex',
    description: 'ChatGPT logins of openai-codex (add: browser login; import: the Codex CLI\'s ~/.codex/auth.json)',
    add: addCodexAccount,
    import: importCodexAccount,
    list: listCodexAccounts,
    remove: removeCodexAccount,
  },
  {
    name: 'kiro',
    description: 'Kiro logins of the kiro-oauth-auto pool (add: AWS Builder ID device login; import: Kiro\'s ~/.aws/sso/cache/kiro-auth-token.json)',
    add: addKiroAccount,
    import: importKiroAccount,
    list: listKiroAccounts,
    remove: removeKiroAccount,
  },
];

// Typed as the SDK's contract, so core and this package cannot drift apart again.
const accounts: AccountsModule = {
  providers: PROVIDERS.map(({ name, description }) => Object.freeze({ name, description })),
  addAccount: (environment, provider, options = {}) => checkedProvider(provider).add(environment, options.name),
  importAccount: (environment, provider, sourceFile, options = {}) => checkedProvider(provider).import(environment, sourceFile, options.name),
  async listAccounts(environment, provider) {
    const providers = provider === undefined ? PROVIDERS : [checkedProvider(provider)];
    const lists = await Promise.all(providers.map((entry) => entry.list(environment)));
    return lists.flat();
  },
  removeAccount: (environment, provider, name) => checkedProvider(provider).remove(environment, name),
};

export const { providers, addAccount, importAccount, listAccounts, removeAccount } = accounts;

function checkedProvider(provider: string): ProviderAccounts {
  const found = PROVIDERS.find((entry) => entry.name === provider);
  if (found !== undefined) return found;
  throw new LlmProxyError({
    code: 'ACCOUNT_PROVIDER_UNKNOWN',
    message: `"${provider}" is not an account provider`,
    fix: `Name one of: ${PROVIDERS.map((entry) => entry.name).join(', ')}`,
    httpStatus: 400,
  });
}
