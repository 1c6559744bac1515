/**
 * @fileoverview `llm-proxy tokens list` and `llm-proxy tokens revoke`: the operator's view of
 * the personal proxy tokens issued after SSO sign-in, read from the same database the server
 * uses (`sso.database_file`). Works whether or not the server is running, and whether or not
 * SSO is currently enabled, so tokens can be revoked after SSO was turned off. Binds no port.
 */
import fs from 'node:fs';

import { LlmProxyError } from '@llmproxy/connector-sdk';

import type { CommandLineArguments } from '../config/define-setting.js';
import { resolveSettings } from '../config/resolve-settings.js';
import { openSqliteSsoStore } from '../sso/sqlite-sso-store.js';
import { describeDatabaseUrl } from '../storage/postgres-database.js';
import { ssoOptionsOf } from '../sso/sso-options.js';
import type { ProxyTokenRecord, SsoStore } from '../sso/sso-store.js';
import type { CommandEnvironment } from './command-environment.js';
import { formatStartupErrors } from './format-startup-errors.js';
import { formatTokenList } from './format-token-list.js';

export interface TokensListOptions {
  /** A user id (`provider:subject`) or an email address. */
  user?: string | undefined;
  /** Include expired and revoked tokens. */
  all?: boolean | undefined;
}

export interface TokensRevokeOptions {
  tokenIds: readonly string[];
  /** Revoke every active token of this user (id or email). */
  user?: string | undefined;
}

export async function tokensListCommand(
  environment: CommandEnvironment,
  commandLine: CommandLineArguments,
  options: TokensListOptions,
): Promise<number> {
  return withStore(environment, commandLine, { mustExist: false }, async (store, databaseFile) => {
    if (store === undefined) {
      environment.stdout.write(`No SSO tokens: the SSO database ${databaseFile} does not exist yet (it is created when llm-proxy starts with SSO enabled).\n`);
      return 0;
    }
    const now = Date.now();
    const tokens = (await store.listTokens({ includeInactive: options.all === true, now })).filter((token) => matchesUser(token, options.user));
    environment.stdout.write(formatTokenList(tokens, now));
    return 0;
  });
}

export async function tokensRevokeCommand(
  environment: CommandEnvironment,
  commandLine: CommandLineArguments,
  options: TokensRevokeOptions,
): Promise<number> {
  if (options.tokenIds.length === 0 && options.user === undefined) {
    environment.stderr.write(
      formatStartupErrors(
        new LlmProxyError({
          code: 'CLI_ARGUMENT_INVALID',
          message: 'Name the tokens to revoke',
          fix: 'Run llm-proxy tokens revoke <token-id>... (ids from llm-proxy tokens list), or llm-proxy tokens revoke --user <user id or email>',
        }),
      ),
    );
    return 1;
  }
  return withStore(environment, commandLine, { mustExist: true }, async (store) => {
    if (store === undefined) throw new Error('the store must exist here');
    const now = Date.now();
    const problems: LlmProxyError[] = [];
    for (const tokenId of options.tokenIds) {
      const token = await store.findToken(tokenId);
      if (token === undefined || !(await store.revokeToken(tokenId, now))) {
        problems.push(
          new LlmProxyError({
            code: 'SSO_TOKEN_NOT_FOUND',
            message: token === undefined ? `No SSO token has the id ${tokenId}` : `SSO token ${tokenId} is already revoked`,
            fix: 'Run llm-proxy tokens list --all to see the token ids',
          }),
        );
        continue;
      }
      environment.stdout.write(`Revoked token ${token.id} of ${describeOwner(token)}\n`);
    }
    if (options.user !== undefined) {
      const owned = (await store.listTokens({ now })).filter((token) => matchesUser(token, options.user));
      const userIds = [...new Set(owned.map((token) => token.user.id))];
      if (userIds.length === 0) {
        problems.push(
          new LlmProxyError({
            code: 'SSO_TOKEN_NOT_FOUND',
            message: `No active SSO token belongs to ${options.user}`,
            fix: 'Run llm-proxy tokens list to see the users with active tokens',
          }),
        );
      }
      for (const userId of userIds) {
        const count = await store.revokeUserTokens(userId, now);
        environment.stdout.write(`Revoked ${count} token${count === 1 ? '' : 's'} of ${userId}\n`);
      }
    }
    if (problems.length > 0) {
      environment.stderr.write(formatStartupErrors(problems.length === 1 ? problems[0] : new AggregateError(problems)));
      return 1;
    }
    return 0;
  });
}

async function withStore(
  environment: CommandEnvironment,
  commandLine: CommandLineArguments,
  options: { mustExist: boolean },
  use: (store: SsoStore | undefined, databaseFile: string) => Promise<number>,
): Promise<number> {
  let store: SsoStore | undefined;
  try {
    const settings = await resolveSettings({ commandLine, env: environment.env, cwd: environment.cwd });
    const { databaseUrl } = settings.values.storage;
    if (databaseUrl !== undefined) {
      const { openPostgresSsoStore } = await import('../sso/postgres-sso-store.js');
      store = await openPostgresSsoStore(databaseUrl);
      return await use(store, `the PostgreSQL database at ${describeDatabaseUrl(databaseUrl)}`);
    }
    const { databaseFile } = ssoOptionsOf(settings.values.sso, environment.cwd);
    if (fs.existsSync(databaseFile) || options.mustExist) store = openSqliteSsoStore({ file: databaseFile, mustExist: true });
    return await use(store, databaseFile);
  } catch (error) {
    environment.stderr.write(formatStartupErrors(error));
    return 1;
  } finally {
    await store?.close();
  }
}

function matchesUser(token: ProxyTokenRecord, user: string | undefined): boolean {
  if (user === undefined) return true;
  return token.user.id === user || (token.user.email !== undefined && token.user.email === user.toLowerCase());
}

function describeOwner(token: ProxyTokenRecord): string {
  return token.user.email === undefined ? token.user.id : `${token.user.id} (${token.user.email})`;
}
