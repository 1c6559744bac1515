/**
 * @fileoverview The ChatGPT logins of `openai-codex`: the pool in
 * `backends.openai-codex.accounts_directory` (default `openai_codex_accounts/` in the data directory, one file per
 * account in the Codex CLI's auth.json shape), filled by a browser login or by importing an
 * auth.json; and, listed but never removed here, the Codex CLI's own `~/.codex/auth.json`.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { AccountSummary, AccountsEnvironment } from '@llmproxy/connector-sdk';
import { readCredentialsFile, writeCredentialsFile, type CredentialsRecord } from '../credentials/credentials-file.js';
import { accountFilePath, listAccountFiles } from '../account-pool/account-directory.js';
import { CODEX_CLI_ACCOUNT, CODEX_TOKEN_FIELDS, codexAccountId, codexEmail, codexPlanType, codexTokensOf } from '../openai-codex/codex-auth-file.js';
import { loginWithChatGptInBrowser } from '../openai-codex/codex-browser-login.js';
import { resolveCodexSettings } from '../openai-codex/resolve-codex-settings.js';
import { accountNotFound, checkedAccountName, invalidAccountFile } from './account-errors.js';
import { withLoginProgress } from './login-progress.js';

const CONNECTOR_ID = 'openai-codex';

function settingsOf(environment: AccountsEnvironment) {
  return resolveCodexSettings(environment.backendConfig(CONNECTOR_ID), CONNECTOR_ID, environment.env, environment);
}

/** Copies a Codex CLI login (auth.json) into the pool. */
export async function importCodexAccount(environment: AccountsEnvironment, sourceFile: string, name: string | undefined): Promise<AccountSummary> {
  const source = path.resolve(environment.cwd, sourceFile);
  const record = await readCredentialsFile(source);
  if (record === undefined) throw invalidAccountFile(source, 'the file does not exist');
  for (const field of ['access_token', 'refresh_token'] as const) {
    const value = codexTokensOf(record)[field];
    if (typeof value !== 'string' || value === '') throw invalidAccountFile(source, `it has no tokens.${field} (is it the Codex CLI's auth.json after \`codex login\`?)`);
  }
  const email = codexEmail(record);
  const accountName = checkedAccountName(name ?? email ?? path.basename(source, '.json').replace(/^auth$/, 'codex-account'));
  return store(environment, accountName, record);
}

/** Logs a ChatGPT account in through the browser (PKCE, loopback callback) and adds it to the pool. */
export async function addCodexAccount(environment: AccountsEnvironment, name: string | undefined): Promise<AccountSummary> {
  if (name !== undefined) checkedAccountName(name);
  const settings = settingsOf(environment);
  const login = await withLoginProgress(environment, (waiting) =>
    loginWithChatGptInBrowser({
      http: environment.http,
      issuer: settings.oauthIssuer,
      tokenUrl: settings.tokenUrl,
      callbackPort: settings.loginCallbackPort,
      prompt: (url) => {
        environment.print(`Open this URL in a browser to log in to ChatGPT (waiting for the login to finish):\n${url}`);
        environment.openBrowser?.(url);
        waiting('Waiting for the browser login to finish');
      },
    }),
  );
  return store(environment, checkedAccountName(name ?? login.email ?? `codex-${Date.now()}`), login.record);
}

export async function listCodexAccounts(environment: AccountsEnvironment): Promise<AccountSummary[]> {
  const settings = settingsOf(environment);
  const summaries: AccountSummary[] = [];
  const cliLogin = await readCredentialsFile(settings.authFile).catch(() => undefined);
  if (cliLogin !== undefined) summaries.push(summarize(CODEX_CLI_ACCOUNT, settings.authFile, cliLogin, ' (the Codex CLI\'s own login)'));
  for (const { name, file } of await listAccountFiles(settings.accountsDirectory)) {
    try {
      summaries.push(summarize(name, file, (await readCredentialsFile(file)) ?? {}));
    } catch (error) {
      summaries.push({ provider: 'codex', name, file, status: `unreadable: ${(error as Error).message}` });
    }
  }
  return summaries;
}

export async function removeCodexAccount(environment: AccountsEnvironment, name: string): Promise<AccountSummary> {
  const settings = settingsOf(environment);
  const files = await listAccountFiles(settings.accountsDirectory);
  const account = files.find((candidate) => candidate.name === name);
  if (account === undefined) {
    if (name === CODEX_CLI_ACCOUNT) {
      throw new LlmProxyError({
        code: 'ACCOUNT_NOT_REMOVABLE',
        message: `"${CODEX_CLI_ACCOUNT}" is the Codex CLI's own login (${settings.authFile}), which llm-proxy uses but does not manage`,
        fix: 'Log out with `codex logout`, or point backends.openai-codex.credentials_file elsewhere',
        httpStatus: 400,
      });
    }
    throw accountNotFound('codex', name, files.map((candidate) => candidate.name));
  }
  const summary = summarize(account.name, account.file, (await readCredentialsFile(account.file)) ?? {});
  await rm(account.file);
  return summary;
}

async function store(environment: AccountsEnvironment, name: string, record: CredentialsRecord): Promise<AccountSummary> {
  const file = accountFilePath(settingsOf(environment).accountsDirectory, name);
  await writeCredentialsFile(file, record);
  return summarize(name, file, record);
}

function summarize(name: string, file: string, record: CredentialsRecord, note = ''): AccountSummary {
  const email = codexEmail(record);
  const plan = codexPlanType(record);
  const accountId = codexAccountId(record);
  const details = [plan === undefined ? '' : `plan ${plan}`, accountId === undefined ? 'no ChatGPT account id (log in again)' : `account ${accountId}`].filter((part) => part !== '');
  return {
    provider: 'codex',
    name,
    file,
    status: `${tokenStatus(record)}, ${details.join(', ')}${note}`,
    ...(email === undefined ? {} : { email }),
  };
}

function tokenStatus(record: CredentialsRecord): string {
  if (CODEX_TOKEN_FIELDS.refreshToken(record) === undefined) return 'no refresh token (log in again)';
  const expiry = CODEX_TOKEN_FIELDS.expiresAtMs(record);
  if (expiry === undefined || !Number.isFinite(expiry)) return 'token without expiry (refreshed when refused)';
  const at = new Date(expiry).toISOString();
  return expiry > Date.now() ? `token valid until ${at}` : `token expired at ${at} (refreshed on next use)`;
}
