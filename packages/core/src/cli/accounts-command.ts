/**
 * @fileoverview `llm-proxy accounts add|import|list|remove`: manages the personal logins of the
 * OAuth connectors. The work, and the list of providers, belong to
 * `@llmproxy/oauth-connectors/accounts` (the SDK's accounts contract), found where plugin
 * discovery finds the package (the project, then beside core) and imported only in Single User
 * Mode: in Multi User Mode the command refuses before any OAuth code is loaded. Binds no port.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isRecord, LlmProxyError } from '@llmproxy/connector-sdk';
import type { AccountProvider, AccountSummary, AccountsEnvironment, AccountsModule } from '@llmproxy/connector-sdk';
import { exports as resolveExportsTarget } from 'resolve.exports';
import { OAUTH_CONNECTORS_PACKAGE } from '../config/oauth-connector-ids.js';
import type { CommandLineArguments } from '../config/define-setting.js';
import { resolveSettings } from '../config/resolve-settings.js';
import { createLogger } from '../logging/create-logger.js';
import { resolvePluginPackage } from '../plugins/resolve-plugin-package.js';
import type { CommandEnvironment } from './command-environment.js';
import { formatStartupErrors } from './format-startup-errors.js';
import { startProgressIndicator } from './progress-indicator.js';

export type AccountsAction =
  | { action: 'add'; provider: string; name?: string | undefined }
  | { action: 'import'; provider: string; file: string; name?: string | undefined }
  | { action: 'list'; provider?: string | undefined }
  | { action: 'remove'; provider: string; name: string };

/** This package's directory (two levels above this module, in src/ and in dist/ alike). */
const CORE_DIRECTORY = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));

export async function accountsCommand(
  environment: CommandEnvironment,
  commandLine: CommandLineArguments,
  request: AccountsAction,
): Promise<number> {
  try {
    const settings = await resolveSettings({ commandLine, env: environment.env, cwd: environment.cwd });
    if (settings.values.accessMode === 'multi_user') throw notAllowedInMultiUserMode();
    const accounts = await importAccountsModule(environment.cwd);
    if (request.provider !== undefined) checkProvider(accounts.providers, request.provider);
    const logger = createLogger({ ...settings.values, logLevel: 'warn' }, { writeLogFile: false, env: environment.env });
    const { createUpstreamHttpClient, upstreamClientSettings } = await import('../upstream/create-upstream-http-client.js');
    const http = createUpstreamHttpClient({ ...upstreamClientSettings(settings.values.server), logger, knownSecrets: logger.knownSecrets });
    const print = (line: string): void => void environment.stdout.write(`${line}\n`);
    const accountsEnvironment: AccountsEnvironment = {
      http,
      env: environment.env,
      cwd: environment.cwd,
      ...(settings.values.dataDirectory === undefined ? {} : { dataDirectory: settings.values.dataDirectory }),
      backendConfig: (connectorId) => backendSliceOf(settings.values.backends, connectorId),
      print,
      showProgress: (message, options) => startProgressIndicator(environment.stderr, message, { expiresAt: options?.expiresAt, env: environment.env }),
    };
    try {
      await run(accounts, accountsEnvironment, request, print);
    } finally {
      http.close();
      await logger.close();
    }
    return 0;
  } catch (error) {
    environment.stderr.write(formatStartupErrors(error));
    return 1;
  }
}

async function run(accounts: AccountsModule, environment: AccountsEnvironment, request: AccountsAction, print: (line: string) => void): Promise<void> {
  const options = 'name' in request && request.name !== undefined ? { name: request.name } : {};
  switch (request.action) {
    case 'add': {
      const added = await accounts.addAccount(environment, request.provider, options);
      print(`Added ${describe(added)}`);
      return;
    }
    case 'import': {
      const imported = await accounts.importAccount(environment, request.provider, request.file, options);
      print(`Imported ${describe(imported)}`);
      return;
    }
    case 'list': {
      const listed = await accounts.listAccounts(environment, request.provider);
      if (listed.length === 0) {
        const names = accounts.providers.map((provider) => provider.name).join('|');
        print(`No accounts. Add one with \`llm-proxy accounts add ${names}\` or \`llm-proxy accounts import ${names} <file>\`.`);
        return;
      }
      for (const account of listed) print(describe(account));
      return;
    }
    case 'remove': {
      const removed = await accounts.removeAccount(environment, request.provider, request.name);
      print(`Removed ${describe(removed)}`);
      return;
    }
  }
}

function describe(account: AccountSummary): string {
  const extras = [account.email === undefined ? '' : `email ${account.email}`, account.project === undefined ? '' : `project ${account.project}`].filter(
    (extra) => extra !== '',
  );
  return `${account.provider} account "${account.name}": ${account.status}${extras.length === 0 ? '' : ` (${extras.join(', ')})`}, file ${account.file}`;
}

/** `backends.<connector id>` without `type`, or the slice of the first backend whose type is that connector. */
function backendSliceOf(backends: Readonly<Record<string, Record<string, unknown>>>, connectorId: string): Record<string, unknown> {
  const entry = backends[connectorId] ?? Object.values(backends).find((backend) => backend['type'] === connectorId);
  if (entry === undefined) return {};
  const { type: _type, ...slice } = entry;
  return slice;
}

async function importAccountsModule(cwd: string): Promise<AccountsModule> {
  const resolution = resolvePluginPackage(OAUTH_CONNECTORS_PACKAGE, [cwd, CORE_DIRECTORY]);
  if (resolution.status !== 'found') {
    throw new LlmProxyError({
      code: 'OAUTH_CONNECTORS_NOT_INSTALLED',
      message: `Managing OAuth accounts needs ${OAUTH_CONNECTORS_PACKAGE}, which is not installed (looked from ${cwd} and beside @llmproxy/core)`,
      fix: `Run npm install ${OAUTH_CONNECTORS_PACKAGE}`,
    });
  }
  const targets = resolveExportsTarget(resolution.packageJson, './accounts', { conditions: ['import'] }) ?? [];
  const target = targets[0];
  if (target === undefined) throw brokenPackage(resolution.directory, 'it does not export ./accounts');
  const loaded = (await import(pathToFileURL(path.join(resolution.directory, target)).href)) as Partial<Record<keyof AccountsModule, unknown>>;
  for (const name of ['addAccount', 'importAccount', 'listAccounts', 'removeAccount'] as const) {
    if (typeof loaded[name] !== 'function') throw brokenPackage(resolution.directory, `its ./accounts export has no ${name}()`);
  }
  if (!isProviderList(loaded.providers)) throw brokenPackage(resolution.directory, 'its ./accounts export has no providers list (name and description of each)');
  return loaded as AccountsModule;
}

function isProviderList(value: unknown): value is readonly AccountProvider[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((entry: unknown) => isRecord(entry) && typeof entry['name'] === 'string' && typeof entry['description'] === 'string')
  );
}

/** Refused here rather than by the argument parser, which cannot know what the installed package manages. */
function checkProvider(providers: readonly AccountProvider[], provider: string): void {
  if (providers.some((candidate) => candidate.name === provider)) return;
  throw new LlmProxyError({
    code: 'ACCOUNT_PROVIDER_UNKNOWN',
    message: `"${provider}" is not an account provider of the installed ${OAUTH_CONNECTORS_PACKAGE}`,
    fix: `Name one of its providers:\n${providers.map((candidate) => `  ${candidate.name}: ${candidate.description}`).join('\n')}`,
  });
}

function brokenPackage(directory: string, problem: string): LlmProxyError {
  return new LlmProxyError({
    code: 'OAUTH_CONNECTORS_INCOMPATIBLE',
    message: `${OAUTH_CONNECTORS_PACKAGE} at ${directory} cannot manage accounts: ${problem}`,
    fix: `Install a version of ${OAUTH_CONNECTORS_PACKAGE} from the same release as @llmproxy/core`,
  });
}

function notAllowedInMultiUserMode(): LlmProxyError {
  return new LlmProxyError({
    code: 'OAUTH_ACCOUNTS_NOT_ALLOWED',
    message: 'OAuth accounts are not available in Multi User Mode (OAuth not allowed in production); the OAuth connectors were not loaded',
    fix: 'Manage personal accounts in Single User Mode (without --multi-user-mode or access_mode.mode: multi_user), or use static-credential backends: gemini with GEMINI_API_KEY, qwen with DASHSCOPE_API_KEY',
  });
}
