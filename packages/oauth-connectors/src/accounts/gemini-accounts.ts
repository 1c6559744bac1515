/**
 * @fileoverview The Gemini account pool of `gemini-oauth-auto` (one file per account in
 * `backends.gemini-oauth-auto.accounts_directory`, default `gemini_oauth_accounts/` in the data directory):
 * import a Gemini CLI login file, add one by logging in in the browser, list, remove.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { optionalConfigUrl } from '@llmproxy/connector-sdk';
import type { AccountSummary, AccountsEnvironment } from '@llmproxy/connector-sdk';
import { readCredentialsFile, writeCredentialsFile, type CredentialsRecord } from '../credentials/credentials-file.js';
import { loginWithGoogleInBrowser } from '../gemini-code-assist/google-browser-login.js';
import { GOOGLE_AUTHORIZATION_URL, GOOGLE_TOKEN_URL } from '../gemini-code-assist/google-oauth.js';
import { GEMINI_ACCOUNTS_DIRECTORY_NAME } from '../gemini-oauth-auto/create-gemini-account-pool-connector.js';
import { resolveAccountsDirectory } from '../configuration/accounts-directory.js';
import { accountFilePath, listAccountFiles } from '../account-pool/account-directory.js';
import { accountNotFound, checkedAccountName, invalidAccountFile } from './account-errors.js';
import { withLoginProgress } from './login-progress.js';
import { describeTokenStatus } from './describe-token-status.js';

const CONNECTOR_ID = 'gemini-oauth-auto';

function accountsDirectory(environment: AccountsEnvironment): string {
  return resolveAccountsDirectory(environment.backendConfig(CONNECTOR_ID), CONNECTOR_ID, environment, GEMINI_ACCOUNTS_DIRECTORY_NAME);
}

/** Copies the login in `sourceFile` (Gemini CLI format) into the pool. */
export async function importGeminiAccount(environment: AccountsEnvironment, sourceFile: string, name: string | undefined): Promise<AccountSummary> {
  const source = path.resolve(environment.cwd, sourceFile);
  const record = await readCredentialsFile(source);
  if (record === undefined) throw invalidAccountFile(source, 'the file does not exist');
  if (typeof record['refresh_token'] !== 'string' || record['refresh_token'] === '') throw invalidAccountFile(source, 'it has no refresh_token');
  const email = typeof record['email'] === 'string' ? record['email'] : emailOfIdToken(record['id_token']);
  const accountName = checkedAccountName(name ?? email ?? path.basename(source, '.json').replace(/^oauth_creds$/, 'gemini-account'));
  return store(environment, accountName, { ...record, ...(email === undefined ? {} : { email }) });
}

/** Logs a Google account in through the browser and adds it to the pool. */
export async function addGeminiAccount(environment: AccountsEnvironment, name: string | undefined): Promise<AccountSummary> {
  const config = environment.backendConfig(CONNECTOR_ID);
  if (name !== undefined) checkedAccountName(name);
  const login = await withLoginProgress(environment, (waiting) =>
    loginWithGoogleInBrowser({
      http: environment.http,
      authorizationUrl: optionalConfigUrl(config, 'oauth_authorization_url', CONNECTOR_ID) ?? GOOGLE_AUTHORIZATION_URL,
      tokenUrl: optionalConfigUrl(config, 'oauth_token_url', CONNECTOR_ID) ?? GOOGLE_TOKEN_URL,
      prompt: (url) => {
        environment.print(`Open this URL in a browser to log in to Google (waiting for the login to finish):\n${url}`);
        environment.openBrowser?.(url);
        waiting('Waiting for the browser login to finish');
      },
    }),
  );
  const accountName = checkedAccountName(name ?? login.email ?? `gemini-${Date.now()}`);
  return store(environment, accountName, { ...login.record, ...(login.email === undefined ? {} : { email: login.email }) });
}

export async function listGeminiAccounts(environment: AccountsEnvironment): Promise<AccountSummary[]> {
  const summaries: AccountSummary[] = [];
  for (const { name, file } of await listAccountFiles(accountsDirectory(environment))) {
    let record: CredentialsRecord | undefined;
    try {
      record = await readCredentialsFile(file);
    } catch (error) {
      summaries.push({ provider: 'gemini', name, file, status: `unreadable: ${(error as Error).message}` });
      continue;
    }
    summaries.push(summarize(name, file, record ?? {}));
  }
  return summaries;
}

export async function removeGeminiAccount(environment: AccountsEnvironment, name: string): Promise<AccountSummary> {
  const files = await listAccountFiles(accountsDirectory(environment));
  const account = files.find((candidate) => candidate.name === name);
  if (account === undefined) throw accountNotFound('gemini', name, files.map((candidate) => candidate.name));
  const summary = summarize(account.name, account.file, (await readCredentialsFile(account.file)) ?? {});
  await rm(account.file);
  return summary;
}

async function store(environment: AccountsEnvironment, name: string, record: CredentialsRecord): Promise<AccountSummary> {
  const file = accountFilePath(accountsDirectory(environment), name);
  await writeCredentialsFile(file, record);
  return summarize(name, file, record);
}

function summarize(name: string, file: string, record: CredentialsRecord): AccountSummary {
  return {
    provider: 'gemini',
    name,
    file,
    status: describeTokenStatus(record),
    ...(typeof record['email'] === 'string' ? { email: record['email'] } : {}),
    ...(typeof record['project_id'] === 'string' ? { project: record['project_id'] } : {}),
  };
}

function emailOfIdToken(idToken: unknown): string | undefined {
  if (typeof idToken !== 'string') return undefined;
  try {
    const claims = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { email?: unknown };
    return typeof claims.email === 'string' ? claims.email : undefined;
  } catch {
    return undefined;
  }
}
