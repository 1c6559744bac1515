/**
 * @fileoverview Parses the command line's flags with yargs, from the settings table. Unknown flags
 * are errors that name them, so a misspelt flag never goes unnoticed. Positional words (the
 * subcommand) are left to the CLI.
 */
import yargs from 'yargs';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import { commandLineOptions, type CommandLineArguments } from './settings-table.js';

/**
 * Parser settings shared with the CLI: flags are exactly as documented (no camelCase twins, no
 * `--no-` negations), and a repeated flag keeps its last value.
 */
export const PARSER_CONFIGURATION = {
  'camel-case-expansion': false,
  'boolean-negation': false,
  'duplicate-arguments-array': false,
} as const;

export async function parseCommandLine(argv: readonly string[]): Promise<CommandLineArguments> {
  return yargs([...argv])
    .options(commandLineOptions())
    .parserConfiguration(PARSER_CONFIGURATION)
    .strictOptions()
    .help(false)
    .version(false)
    .exitProcess(false)
    .fail((message, error) => {
      throw error !== undefined && error.name !== 'YError' ? error : commandLineFailure(message ?? error.message, argv);
    })
    .parseAsync();
}

/**
 * Turns a yargs failure message into an error that names the unknown flag(s) or word(s) and how
 * to find the right one. `argv` tells flags (`--name`) from stray words.
 */
export function commandLineFailure(message: string, argv: readonly string[]): LlmProxyError {
  const unknown = /^Unknown arguments?: (.+)$/.exec(message.trim());
  if (unknown?.[1] !== undefined) {
    const names = unknown[1].split(', ').map((name) => asTyped(name, argv));
    return new LlmProxyError({
      code: 'CLI_ARGUMENT_INVALID',
      message: `Unknown ${names.every((name) => name.startsWith('-')) ? 'flag' : 'argument'}${names.length === 1 ? '' : 's'}: ${names.join(', ')}`,
      fix: 'Run llm-proxy --help to see the commands and flags',
      details: { arguments: names },
    });
  }
  const missingValue = /^Not enough arguments following: (.+)$/.exec(message.trim());
  if (missingValue?.[1] !== undefined) {
    const flag = asTyped(missingValue[1], argv);
    return new LlmProxyError({
      code: 'CLI_ARGUMENT_INVALID',
      message: `${flag} needs a value`,
      fix: `Write ${flag} <value> or ${flag}=<value>; run llm-proxy --help to see the flags`,
      details: { arguments: [flag] },
    });
  }
  return new LlmProxyError({
    code: 'CLI_ARGUMENT_INVALID',
    message: message.trim(),
    fix: 'Run llm-proxy --help to see the commands and flags',
  });
}

/** The name as the user typed it: `--name` / `-n` when it was a flag, else the bare word. */
function asTyped(name: string, argv: readonly string[]): string {
  const flag = name.length === 1 ? `-${name}` : `--${name}`;
  return argv.some((argument) => argument === flag || argument.startsWith(`${flag}=`)) ? flag : name;
}
