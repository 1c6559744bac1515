/**
 * @fileoverview The Qwen login `qwen-oauth` uses: Qwen Code's own credentials file
 * (`~/.qwen/oauth_creds.json`, or `backends.qwen-oauth.credentials_file`), shared with Qwen Code.
 * Writes keep the file's other keys and hold Qwen Code's lock file.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { optionalConfigString, optionalConfigUrl } from '@llmproxy/connector-sdk';
import type { AccountSummary, AccountsEnvironment } from '@llmproxy/connector-sdk';
import { homeDirectory } from '../configuration/home-directory.js';
import { readCredentialsFile, updateCredentialsFile, type CredentialsRecord } from '../credentials/credentials-file.js';
import { withLockFile } from '../credentials/lock-file.js';
import { QWEN_OAUTH_BASE_URL } from '../qwen-oauth/qwen-oauth-client.js';
import { loginWithQwenDeviceCode } from '../qwen-oauth/qwen-device-login.js';
import { accountNotFound, invalidAccountFile } from './account-errors.js';
import { describeTokenStatus } from './describe-token-status.js';
import { deviceCodePrompt, withLoginProgress } from './login-progress.js';

const CONNECTOR_ID = 'qwen-oauth';
/** Qwen keeps one login; this is its name in listings. */
const ACCOUNT_NAME = 'default';

function credentialsFile(environment: AccountsEnvironment): string {
  const configured = optionalConfigString(environment.backendConfig(CONNECTOR_ID), 'credentials_file', CONNECTOR_ID);
  return configured === undefined ? path.join(homeDirectory(environment.env), '.qwen', 'oauth_creds.json') : path.resolve(environment.cwd, configured);
}

async function store(environment: AccountsEnvironment, record: CredentialsRecord): Promise<AccountSummary> {
  const file = credentialsFile(environment);
  const lock = path.join(path.dirname(file), 'oauth_creds.lock');
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const merged = await withLockFile(lock, () => updateCredentialsFile(file, record));
  return summarize(file, merged);
}

export async function importQwenAccount(environment: AccountsEnvironment, sourceFile: string): Promise<AccountSummary> {
  const source = path.resolve(environment.cwd, sourceFile);
  const record = await readCredentialsFile(source);
  if (record === undefined) throw invalidAccountFile(source, 'the file does not exist');
  for (const field of ['access_token', 'refresh_token'] as const) {
    if (typeof record[field] !== 'string' || record[field] === '') throw invalidAccountFile(source, `it has no ${field}`);
  }
  return store(environment, record);
}

export async function addQwenAccount(environment: AccountsEnvironment): Promise<AccountSummary> {
  const config = environment.backendConfig(CONNECTOR_ID);
  const record = await withLoginProgress(environment, (waiting) =>
    loginWithQwenDeviceCode({
      http: environment.http,
      oauthBaseUrl: optionalConfigUrl(config, 'oauth_base_url', CONNECTOR_ID) ?? QWEN_OAUTH_BASE_URL,
      prompt: deviceCodePrompt(environment, 'Qwen', waiting),
    }),
  );
  return store(environment, record);
}

export async function listQwenAccounts(environment: AccountsEnvironment): Promise<AccountSummary[]> {
  const file = credentialsFile(environment);
  const record = await readCredentialsFile(file);
  return record === undefined ? [] : [summarize(file, record)];
}

export async function removeQwenAccount(environment: AccountsEnvironment, name: string): Promise<AccountSummary> {
  const file = credentialsFile(environment);
  const record = await readCredentialsFile(file);
  if (record === undefined || name !== ACCOUNT_NAME) throw accountNotFound('qwen', name, record === undefined ? [] : [ACCOUNT_NAME]);
  await rm(file);
  return summarize(file, record);
}

function summarize(file: string, record: CredentialsRecord): AccountSummary {
  return {
    provider: 'qwen',
    name: ACCOUNT_NAME,
    file,
    status: `${describeTokenStatus(record)}${typeof record['resource_url'] === 'string' ? `, API ${record['resource_url']}` : ''}`,
  };
}
