/**
 * @fileoverview The `llm-proxy` command line: the commands, the flags (from the settings table),
 * `--help` and `--version`. Unknown commands and flags are errors that name them.
 */
import yargs from 'yargs';

import { commandLineFailure, PARSER_CONFIGURATION } from '../config/parse-command-line.js';
import { commandLineOptions } from '../config/settings-table.js';
import type { CommandEnvironment } from './command-environment.js';
import { configExplainCommand } from './config-explain-command.js';
import { connectorsListCommand } from './connectors-list-command.js';
import { readCoreVersion } from './core-version.js';
import { formatStartupErrors } from './format-startup-errors.js';
import { serveCommand } from './serve-command.js';

/** Runs one command; resolves with the process exit code. */
export async function runCli(environment: CommandEnvironment): Promise<number> {
  let exitCode = 0;
  const run = (command: (environment: CommandEnvironment) => Promise<number>) => async () => {
    exitCode = await command(environment);
  };

  const parser = yargs([...environment.argv])
    .scriptName('llm-proxy')
    .usage('$0 [command] [flags]\n\nAn LLM proxy between LLM clients and many LLM backends.')
    .options(commandLineOptions())
    .parserConfiguration(PARSER_CONFIGURATION)
    .command(['serve', '$0'], 'Start the proxy (the default command)', {}, run(serveCommand))
    .command('connectors', 'Connector plugins', (connectors) =>
      connectors
        .command('list', 'List the connector packages found, loaded and skipped, and why', {}, run(connectorsListCommand))
        .demandCommand(1, 'Name a connectors command: list'),
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
    .wrap(Math.min(120, process.stdout.columns ?? 120))
    .exitProcess(false)
    .fail((message, error) => {
      // Throwing stops yargs from running the default command after a parse failure.
      throw error !== undefined && error.name !== 'YError' ? error : commandLineFailure(message ?? error.message, environment.argv);
    });

  try {
    await parser.parseAsync();
  } catch (error) {
    environment.stderr.write(formatStartupErrors(error));
    return 1;
  }
  return exitCode;
}
