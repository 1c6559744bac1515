/**
 * @fileoverview Reads one setting's candidate value from each source: the parsed command line,
 * the environment and the YAML file. They work on any row of the settings table, which is what
 * makes one row enough to add a setting; the resolver then picks by precedence.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';

import type { CommandLineArguments, SettingDefinition } from './define-setting.js';
import type { LoadedConfigFile } from './load-config-file.js';
import type { SettingSource } from './proxy-settings.js';

/** A value for a setting, where it came from, and that place in words (for `config explain`). */
export interface Candidate<Value> {
  value: Value;
  source: SettingSource;
  origin: string;
}

/** Throws `LlmProxyError` for a flag value that is not allowed. */
export function commandLineCandidate<Value>(
  definition: SettingDefinition<Value>,
  commandLine: CommandLineArguments,
): Candidate<Value> | undefined {
  const given = definition.readCommandLine(commandLine);
  return given === undefined ? undefined : { value: given.value, source: 'cli', origin: given.flags.join(' ') };
}

/** Throws `LlmProxyError` for an environment value that is not allowed. */
export function environmentCandidate<Value>(definition: SettingDefinition<Value>, env: NodeJS.ProcessEnv): Candidate<Value> | undefined {
  if (definition.envVar === undefined || definition.parse === undefined) return undefined;
  const text = env[definition.envVar];
  // An empty variable is how shells and compose files say "unset".
  if (text === undefined || text.trim() === '') return undefined;
  const value = definition.parse(text);
  if (value === undefined) {
    throw new LlmProxyError({
      code: 'ENV_VALUE_INVALID',
      message: `Environment variable ${definition.envVar} has a value that is not allowed`,
      currentValue: definition.secret ? '(hidden)' : JSON.stringify(text),
      fix: `Allowed: ${definition.allowed}. Set an allowed value or unset ${definition.envVar}`,
      details: { variable: definition.envVar },
    });
  }
  return { value, source: 'env', origin: definition.envVar };
}

/** Throws `LlmProxyError` for a YAML value the schema let through but the setting does not allow. */
export function yamlCandidate<Value>(definition: SettingDefinition<Value>, loaded: LoadedConfigFile): Candidate<Value> | undefined {
  const value = definition.readYaml(loaded.config, loaded.filepath);
  return value === undefined ? undefined : { value, source: 'yaml', origin: `${definition.yamlKey} in ${loaded.filepath}` };
}
