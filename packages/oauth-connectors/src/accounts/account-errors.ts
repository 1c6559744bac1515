/**
 * @fileoverview Errors of account management (`llm-proxy accounts ...`).
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import { ACCOUNT_NAME_PATTERN } from '../account-pool/account-directory.js';

export function invalidAccountFile(file: string, problem: string): LlmProxyError {
  return new LlmProxyError({
    code: 'ACCOUNT_FILE_INVALID',
    message: `${file} cannot be imported as an account: ${problem}`,
    fix: 'Import the credentials file the vendor CLI wrote after logging in (Gemini CLI: ~/.gemini/oauth_creds.json; Qwen Code: ~/.qwen/oauth_creds.json; Codex CLI: ~/.codex/auth.json; Kiro: ~/.aws/sso/cache/kiro-auth-token.json)',
    httpStatus: 400,
  });
}

export function checkedAccountName(name: string): string {
  if (ACCOUNT_NAME_PATTERN.test(name)) return name;
  throw new LlmProxyError({
    code: 'ACCOUNT_NAME_INVALID',
    message: `"${name}" cannot name an account`,
    fix: 'Use letters, digits and . _ @ + - (starting with a letter or digit), at most 128 characters',
    httpStatus: 400,
  });
}

export function accountNotFound(provider: string, name: string, known: readonly string[]): LlmProxyError {
  return new LlmProxyError({
    code: 'ACCOUNT_NOT_FOUND',
    message: `There is no ${provider} account named "${name}"`,
    currentValue: known.length === 0 ? 'no accounts' : `accounts: ${known.join(', ')}`,
    fix: 'Run `llm-proxy accounts list` to see the accounts',
    httpStatus: 404,
  });
}
