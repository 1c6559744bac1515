/**
 * @fileoverview The `llm-proxy` command line: the commands, the flags (from the settings table),
 * `--help` and `--version`. Unknown commands and flags are errors that name them. The command line
 * is parsed once, here; each command receives the parsed flags and resolves its settings from them.
 */
import type { CommandLineArguments } from '../config/define-setting.js';
import type { CommandEnvironment } from './command-environment.js';
import { configExplainCommand } from './config-explain-command.js';
import { connectorsListCommand } from './connectors-list-command.js';
import { connectorsLockCommand } from './connectors-lock-command.js';
import { readCoreVersion } from './core-version.js';
import { createCommandLineParser, PARSER_CONFIGURATION } from './create-command-line-parser.js';
import { formatStartupErrors } from './format-startup-errors.js';
import { serveCommand } from './serve-command.js';
import { tokensListCommand, tokensRevokeCommand } from './tokens-command.js';
import { USAGE_FORMATS, usageCommand } from './usage-command.js';
import { accountsCommand } from './accounts-command.js';

// The providers belong to the installed @llmproxy/oauth-connectors; the accounts command checks
// the name once that package is loaded (never in Multi User Mode), so the parser cannot list them.
const ACCOUNT_PROVIDER_DESCRIPTION = 'An account provider of the installed @llmproxy/oauth-connectors (a name it does not manage is refused with the list it does)';

/** Runs one command; resolves with the process exit code. */
export async function runCli(environment: CommandEnvironment): Promise<number> {
  let exitCode = 0;
  const run = (command: (environment: CommandEnvironment, commandLine: CommandLineArguments) => Promise<number>) =>
    async (commandLine: CommandLineArguments) => {
      exitCode = await command(environment, commandLine);
    };

  const parser = createCommandLineParser(environment.argv)
    .scriptName('llm-proxy')
    .usage('$0 [command] [flags]\n\nAn LLM proxy between LLM clients and many LLM backends.')
    .command(['serve', '$0'], 'Start the proxy (the default command)', {}, run(serveCommand))
    .command('connectors', 'Connector plugins', (connectors) =>
      connectors
        .command('list', 'List the connector packages found, loaded and skipped, and why', {}, run(connectorsListCommand))
        .command(
          'lock',
          'Record the installed third-party connector packages in llm-proxy.connectors.lock (Multi User Mode loads only those)',
          {},
          run(connectorsLockCommand),
        )
        .demandCommand(1, 'Name a connectors command: list, lock'),
    )
    .command('config', 'Configuration', (config) =>
      config
        .command(
          'explain',
          'Show every effective setting with its source and the access-mode rule verdicts (binds no port)',
          {},
          run(configExplainCommand),
        )
        .demandCommand(1, 'Name a config command: explain'),
    )
    .command(
      'usage',
      'Usage totals (requests, tokens, cost) by caller, model or day, read from usage.database_file (binds no port)',
      (usage) =>
        usage
          .option('by', { type: 'string', requiresArg: true, choices: ['caller', 'model', 'day'], description: 'Group by caller, model or day (default caller)' })
          .option('from', { type: 'string', requiresArg: true, description: 'First UTC day (2026-03-01) or ISO time included' })
          .option('to', { type: 'string', requiresArg: true, description: 'Last UTC day included, or an ISO time excluded' })
          .option('caller', { type: 'string', requiresArg: true, description: 'Only this caller (api-key#<n> or <provider>:<subject>)' })
          .option('format', { type: 'string', requiresArg: true, choices: [...USAGE_FORMATS], description: 'Output format (default table)' }),
      async (argv) => {
        exitCode = await usageCommand(environment, argv, {
          by: optionalText(argv['by']),
          from: optionalText(argv['from']),
          to: optionalText(argv['to']),
          caller: optionalText(argv['caller']),
          format: optionalText(argv['format']),
        });
      },
    )
    .command('tokens', 'Personal proxy tokens issued after SSO sign-in (read from sso.database_file)', (tokens) =>
      tokens
        .command(
          'list',
          'List the active SSO tokens: id, user, label, times (--all adds expired and revoked ones)',
          (list) =>
            list
              .option('user', { type: 'string', requiresArg: true, description: 'Only the tokens of this user (user id or email)' })
              .option('all', { type: 'boolean', description: 'Include expired and revoked tokens' }),
          async (argv) => {
            exitCode = await tokensListCommand(environment, argv, { user: optionalText(argv['user']), all: argv['all'] === true });
          },
        )
        .command(
          'revoke [token-ids..]',
          'Revoke SSO tokens by id, or every active token of a user with --user',
          (revoke) =>
            revoke
              // Several ids are several values of one positional, not a repeated flag whose last value wins.
              // Ids after `--` are ids too: one made before ids were hex may start with '-'.
              .parserConfiguration({ ...PARSER_CONFIGURATION, 'duplicate-arguments-array': true, 'populate--': true })
              .positional('token-ids', { type: 'string', array: true, description: 'Token ids from llm-proxy tokens list' })
              .option('user', { type: 'string', requiresArg: true, description: 'Revoke every active token of this user (user id or email)' }),
          async (argv) => {
            const tokenIds = [...((argv['token-ids'] as unknown[] | undefined) ?? []), ...((argv['--'] as unknown[] | undefined) ?? [])].map(String);
            exitCode = await tokensRevokeCommand(environment, argv, { tokenIds, user: optionalText(argv['user']) });
          },
        )
        .demandCommand(1, 'Name a tokens command: list, revoke'),
    )
    .command('accounts', 'Personal logins of the OAuth connectors (@llmproxy/oauth-connectors; Single User Mode only)', (accounts) =>
      accounts
        .command(
          'add <provider>',
          'Log in and store the account (a browser or device-code login, as the provider does it)',
          (add) =>
            add
              .positional('provider', { type: 'string', description: ACCOUNT_PROVIDER_DESCRIPTION })
              .option('name', { type: 'string', requiresArg: true, description: 'Name of the pool account (default: its email, or a name the provider picks)' }),
          async (argv) => {
            exitCode = await accountsCommand(environment, argv, { action: 'add', provider: String(argv['provider']), name: optionalText(argv['name']) });
          },
        )
        .command(
          'import <provider> <file>',
          'Import a login file written by the vendor CLI (e.g. ~/.gemini/oauth_creds.json, ~/.codex/auth.json)',
          (importCommand) =>
            importCommand
              .positional('provider', { type: 'string', description: ACCOUNT_PROVIDER_DESCRIPTION })
              .positional('file', { type: 'string' })
              .option('name', { type: 'string', requiresArg: true, description: 'Name of the pool account (default: its email, or the file name)' }),
          async (argv) => {
            exitCode = await accountsCommand(environment, argv, {
              action: 'import',
              provider: String(argv['provider']),
              file: String(argv['file']),
              name: optionalText(argv['name']),
            });
          },
        )
        .command(
          'list [provider]',
          'List the stored logins and their state (never their tokens)',
          (list) => list.positional('provider', { type: 'string', description: ACCOUNT_PROVIDER_DESCRIPTION }),
          async (argv) => {
            exitCode = await accountsCommand(environment, argv, { action: 'list', provider: optionalText(argv['provider']) });
          },
        )
        .command(
          'remove <provider> <name>',
          'Delete a stored login, named as `llm-proxy accounts list` shows it',
          (remove) => remove.positional('provider', { type: 'string', description: ACCOUNT_PROVIDER_DESCRIPTION }).positional('name', { type: 'string' }),
          async (argv) => {
            exitCode = await accountsCommand(environment, argv, { action: 'remove', provider: String(argv['provider']), name: String(argv['name']) });
          },
        )
        .demandCommand(1, 'Name an accounts command: add, import, list, remove'),
    )
    .epilog(
      'Every setting can also come from an LLM_PROXY_* environment variable or the YAML file ' +
        '(llm-proxy.yaml, llm-proxy.yml, .llm-proxy.yaml or config/config.yaml in the working directory, or --config); ' +
        'the command line wins over the environment, which wins over the file. ' +
        'Run `llm-proxy config explain` to see where each effective value comes from.',
    )
    .strict()
    .version(readCoreVersion())
    .help()
    .alias('help', 'h')
    .wrap(Math.min(120, process.stdout.columns ?? 120));

  try {
    await parser.parseAsync();
  } catch (error) {
    environment.stderr.write(formatStartupErrors(error));
    return 1;
  }
  return exitCode;
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
