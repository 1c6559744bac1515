/**
 * @fileoverview The one yargs parser of the command line, with every setting's flag from the
 * settings table. The CLI adds its commands to it and parses once; each command hands the parsed
 * result to the settings resolver. Unknown flags are errors that name them, so a misspelt flag
 * never goes unnoticed.
 */
import yargs, { type Argv } from 'yargs';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import type { SettingDefinition } from '../config/define-setting.js';
import { commandLineOptions, SETTING_DEFINITIONS } from '../config/settings-table.js';

/**
 * Flags are exactly as documented (no camelCase twins, no `--no-` negations), and a repeated flag
 * keeps its last value.
 */
export const PARSER_CONFIGURATION = {
  'camel-case-expansion': false,
  'boolean-negation': false,
  'duplicate-arguments-array': false,
} as const;

/**
 * A parser of `argv` that knows the flags of the settings table (or of the rows given); it throws
 * (never exits) on a failure.
 */
export function createCommandLineParser(
  argv: readonly string[],
  definitions: readonly SettingDefinition<unknown>[] = SETTING_DEFINITIONS,
): Argv {
  return yargs([...argv])
    .options(commandLineOptions(definitions))
    .parserConfiguration(PARSER_CONFIGURATION)
    .exitProcess(false)
    .fail((message, error) => {
      // Throwing stops yargs from running the default command after a parse failure.
      throw error !== undefined && error.name !== 'YError' ? error : commandLineFailure(message ?? error.message, argv);
    });
}

/**
 * Turns a yargs failure message into an error that names the unknown flag(s) or word(s) and how
 * to find the right one. `argv` tells flags (`--name`) from stray words.
 */
function commandLineFailure(message: string, argv: readonly string[]): LlmProxyError {
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
