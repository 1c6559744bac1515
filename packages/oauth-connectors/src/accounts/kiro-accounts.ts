/**
 * @fileoverview The Kiro logins of `kiro-oauth-auto`: the pool in
 * `backends.kiro-oauth-auto.accounts_directory` (default `kiro_oauth_accounts/` in the data directory), filled by
 * an AWS Builder ID device login or by importing Kiro's own token file
 * (`~/.aws/sso/cache/kiro-auth-token.json`). Kiro keeps a Builder ID login's OIDC client
 * (`clientId`, `clientSecret`) in a second file beside it, named after its `clientIdHash`; an
 * import brings it along.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { AccountSummary, AccountsEnvironment } from '@llmproxy/connector-sdk';
import { readCredentialsFile, writeCredentialsFile, type CredentialsRecord } from '../credentials/credentials-file.js';
import { accountFilePath, listAccountFiles } from '../account-pool/account-directory.js';
import { loginWithBuilderId } from '../kiro-oauth-auto/builder-id-device-login.js';
import { KIRO_TOKEN_FIELDS, kiroAuthMethod, kiroRegion, text } from '../kiro-oauth-auto/kiro-credentials.js';
import { resolveKiroSettings } from '../kiro-oauth-auto/resolve-kiro-settings.js';
import { accountNotFound, checkedAccountName, invalidAccountFile } from './account-errors.js';
import { deviceCodePrompt, withLoginProgress } from './login-progress.js';

const CONNECTOR_ID = 'kiro-oauth-auto';

function settingsOf(environment: AccountsEnvironment) {
  return resolveKiroSettings(environment.backendConfig(CONNECTOR_ID), CONNECTOR_ID, environment);
}

/** Logs in with AWS Builder ID (device code) and adds the login to the pool. */
export async function addKiroAccount(environment: AccountsEnvironment, name: string | undefined): Promise<AccountSummary> {
  if (name !== undefined) checkedAccountName(name);
  const settings = settingsOf(environment);
  const record = await withLoginProgress(environment, (waiting) =>
    loginWithBuilderId({
      http: environment.http,
      oidcUrl: settings.oidcUrl(settings.region),
      startUrl: settings.builderIdStartUrl,
      region: settings.region,
      prompt: deviceCodePrompt(environment, 'AWS Builder ID', waiting),
    }),
  );
  return store(environment, checkedAccountName(name ?? `builder-id-${Date.now()}`), record);
}

/** Copies a Kiro login into the pool (with its OIDC client, for Builder ID logins). */
export async function importKiroAccount(environment: AccountsEnvironment, sourceFile: string, name: string | undefined): Promise<AccountSummary> {
  const source = path.resolve(environment.cwd, sourceFile);
  const record = await readCredentialsFile(source);
  if (record === undefined) throw invalidAccountFile(source, 'the file does not exist');
  if (text(record['refreshToken']) === undefined) throw invalidAccountFile(source, 'it has no refreshToken (is it Kiro\'s kiro-auth-token.json?)');
  const login: CredentialsRecord = { ...record };
  if (kiroAuthMethod(login) === 'social') {
    if (text(login['profileArn']) === undefined) throw invalidAccountFile(source, 'a Google or GitHub (social) Kiro login needs its profileArn');
  } else if (text(login['clientId']) === undefined || text(login['clientSecret']) === undefined) {
    const client = text(login['clientIdHash']) === undefined ? undefined : await readCredentialsFile(path.join(path.dirname(source), `${String(login['clientIdHash'])}.json`));
    if (text(client?.['clientId']) === undefined || text(client?.['clientSecret']) === undefined) {
      throw invalidAccountFile(
        source,
        'an AWS Builder ID login needs the clientId and clientSecret of its OIDC client (Kiro keeps them in <clientIdHash>.json beside kiro-auth-token.json; keep both files in the same directory)',
      );
    }
    login['clientId'] = client!['clientId'];
    login['clientSecret'] = client!['clientSecret'];
    const expiresAt = Date.parse(String(client!['expiresAt'] ?? ''));
    if (Number.isFinite(expiresAt)) login['clientSecretExpiresAt'] = Math.floor(expiresAt / 1000);
  }
  const accountName = checkedAccountName(name ?? path.basename(source, '.json').replace(/^kiro-auth-token$/, 'kiro'));
  return store(environment, accountName, login);
}

export async function listKiroAccounts(environment: AccountsEnvironment): Promise<AccountSummary[]> {
  const summaries: AccountSummary[] = [];
  for (const { name, file } of await listAccountFiles(settingsOf(environment).accountsDirectory)) {
    try {
      summaries.push(summarize(name, file, (await readCredentialsFile(file)) ?? {}));
    } catch (error) {
      summaries.push({ provider: 'kiro', name, file, status: `unreadable: ${(error as Error).message}` });
    }
  }
  return summaries;
}

export async function removeKiroAccount(environment: AccountsEnvironment, name: string): Promise<AccountSummary> {
  const files = await listAccountFiles(settingsOf(environment).accountsDirectory);
  const account = files.find((candidate) => candidate.name === name);
  if (account === undefined) throw accountNotFound('kiro', name, files.map((candidate) => candidate.name));
  const summary = summarize(account.name, account.file, (await readCredentialsFile(account.file)) ?? {});
  await rm(account.file);
  return summary;
}

async function store(environment: AccountsEnvironment, name: string, record: CredentialsRecord): Promise<AccountSummary> {
  const file = accountFilePath(settingsOf(environment).accountsDirectory, name);
  await writeCredentialsFile(file, record);
  return summarize(name, file, record);
}

function summarize(name: string, file: string, record: CredentialsRecord): AccountSummary {
  const method = kiroAuthMethod(record) === 'social' ? `${text(record['provider']) ?? 'social'} login` : 'AWS Builder ID login';
  const registration = Number(record['clientSecretExpiresAt']);
  const registrationNote =
    kiroAuthMethod(record) === 'social' || !Number.isFinite(registration) || registration <= 0
      ? ''
      : registration * 1000 > Date.now()
        ? `, client registration valid until ${new Date(registration * 1000).toISOString()}`
        : ', client registration expired (log in again)';
  return { provider: 'kiro', name, file, status: `${tokenStatus(record)}, ${method}, region ${kiroRegion(record)}${registrationNote}` };
}

function tokenStatus(record: CredentialsRecord): string {
  if (KIRO_TOKEN_FIELDS.refreshToken(record) === undefined) return 'no refresh token (log in again)';
  const expiry = KIRO_TOKEN_FIELDS.expiresAtMs(record);
  if (expiry === undefined || !Number.isFinite(expiry)) return 'token without expiry (refreshed when refused)';
  const at = new Date(expiry).toISOString();
  return expiry > Date.now() ? `token valid until ${at}` : `token expired at ${at} (refreshed on next use)`;
}
