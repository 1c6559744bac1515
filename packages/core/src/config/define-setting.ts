/**
 * @fileoverview The shape of one row of the settings table, and `defineSetting`, which turns a
 * row as written into the definition the resolver, the yargs options, the config-file schema and
 * `config explain` read.
 *
 * A row carries everything about its setting: name, flag(s), environment variable, YAML schema
 * leaf (its YAML key is its name), default, description, and the one parser that its flag and its
 * environment variable share. The value type is written once, as the row's type argument; the
 * YAML leaf must validate to that type (or say how to convert), so the TypeScript type and the
 * JSON Schema cannot drift apart.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { Options } from 'yargs';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import type { ConfigFile } from './config-file-schema.js';
import type { ProxySettings } from './proxy-settings.js';

/** Flags as parsed by yargs, keyed by the flag name without dashes. */
export type CommandLineArguments = Readonly<Record<string, unknown>>;

/** A value read from the command line, with the flag(s) that gave it (for messages). */
export interface CommandLineValue<Value> {
  value: Value;
  flags: readonly string[];
}

/** One flag as written in a row: its name without dashes and its `--help` line. */
export interface FlagDeclaration {
  readonly name: string;
  readonly description: string;
}

/** A YAML leaf whose validated value is converted (or checked further) before it becomes the setting's value. */
export interface ConvertedYamlLeaf<Value> {
  readonly schema: TSchema;
  /**
   * May throw a `CONFIG_INVALID` `LlmProxyError` for a value the schema cannot rule out, and
   * returns undefined for a value that leaves the setting unset.
   */
  readonly convert: (value: never, filepath: string) => Value | undefined;
}

/**
 * The YAML leaf of a setting: a TypeBox schema whose validated type is the setting's value type
 * (`null` in YAML counts as unset), or a schema with a conversion ({@link convertedYaml}).
 */
export type YamlLeaf<Value> = (TSchema & { static: Value | null }) | ConvertedYamlLeaf<Value>;

/** A row of the settings table as written. */
export interface SettingRow<Value> {
  /** YAML key (dotted) where the setting has a YAML leaf; otherwise a snake_case name. */
  readonly name: string;
  /** One line for the docs. */
  readonly description: string;
  /** What is allowed, in words; quoted by flag and environment error messages. */
  readonly allowed: string;
  /** The `--help` section its flags are listed under (default `Server:`). */
  readonly helpGroup?: string;
  /** True for secrets: values are never shown, only counted. */
  readonly secret?: boolean;
  /** One text flag (`--port 80`, `--port=80`), read with {@link parse}. */
  readonly flag?: FlagDeclaration;
  /** One boolean switch (`--disable-auth`; `--disable-auth=false` turns it off). */
  readonly switchFlag?: Value extends boolean ? FlagDeclaration : never;
  /** Several flags read together, e.g. a pair of opposite switches that conflict when both are given. */
  readonly flags?: {
    readonly options: Readonly<Record<string, Options>>;
    read(args: CommandLineArguments): CommandLineValue<Value> | undefined;
  };
  readonly envVar?: string;
  /** The parser shared by the text flag and the environment variable; `undefined` for text that is not allowed. */
  readonly parse?: (text: string) => Value | undefined;
  /** The setting's leaf of the config-file schema, at the YAML key {@link name}. */
  readonly yaml?: YamlLeaf<Value>;
  /**
   * Instead of a leaf of its own: the row whose leaf declares this setting's YAML key too (as
   * `plugins:` does for `plugins.require_lock`, being a list or a mapping). The value at the key
   * {@link name} is read as validated by that leaf.
   */
  readonly yamlWithinLeafOf?: string;
  /** `undefined` for settings derived from others when nothing sets them (see the resolver). */
  readonly defaultValue: Value | undefined;
  /** Where the resolved value lives in {@link ProxySettings}, for `config explain`. */
  effectiveValue(values: ProxySettings): unknown;
}

export interface SettingDefinition<Value> {
  readonly name: string;
  readonly description: string;
  readonly allowed: string;
  /** The flags that set this setting, as typed (`--port`). */
  readonly cliFlags: readonly string[];
  readonly envVar: string | undefined;
  /** The dotted YAML key; the setting's name when it has a YAML leaf. */
  readonly yamlKey: string | undefined;
  /** The setting's leaf of the config-file schema, which is assembled from these leaves. */
  readonly yamlSchema: TSchema | undefined;
  readonly defaultValue: Value | undefined;
  readonly secret: boolean;
  readonly helpGroup: string;
  /** yargs definitions of this setting's flags. */
  readonly commandLineOptions: Readonly<Record<string, Options>>;
  /** The parser shared by the text flag and the environment variable. */
  readonly parse: ((text: string) => Value | undefined) | undefined;
  /** The value given on the command line, if any. Throws `LlmProxyError` for a value not allowed. */
  readCommandLine(args: CommandLineArguments): CommandLineValue<Value> | undefined;
  /** The value in the (schema-validated) YAML file, if set. Throws `LlmProxyError` for a value not allowed. */
  readYaml(config: ConfigFile, filepath: string): Value | undefined;
  effectiveValue(values: ProxySettings): unknown;
}

/** A YAML leaf with a conversion, its value typed by the schema. */
export function convertedYaml<Leaf extends TSchema, Value>(
  schema: Leaf,
  convert: (value: Static<Leaf>, filepath: string) => Value | undefined,
): ConvertedYamlLeaf<Value> {
  return { schema, convert };
}

export function defineSetting<Value>(row: SettingRow<Value>): SettingDefinition<Value> {
  const commandLine = commandLineOf(row);
  if (row.yaml !== undefined && row.yamlWithinLeafOf !== undefined) {
    throw new Error(`Setting ${row.name} has a YAML leaf and also lives within ${row.yamlWithinLeafOf}'s`);
  }
  // A setting within another row's leaf was validated by that leaf: its value is read as is.
  const yaml = row.yamlWithinLeafOf === undefined ? yamlOf(row.yaml) : { schema: undefined, convert: (value: unknown) => value as Value };
  return {
    name: row.name,
    description: row.description,
    allowed: row.allowed,
    helpGroup: row.helpGroup ?? 'Server:',
    secret: row.secret ?? false,
    envVar: row.envVar,
    yamlKey: yaml === undefined ? undefined : row.name,
    yamlSchema: yaml?.schema,
    defaultValue: row.defaultValue,
    parse: row.parse,
    cliFlags: Object.keys(commandLine.options).map((flag) => `--${flag}`),
    commandLineOptions: commandLine.options,
    readCommandLine: commandLine.read,
    readYaml(config, filepath) {
      if (yaml === undefined) return undefined;
      const value = lookupYaml(config, row.name);
      return value === undefined ? undefined : yaml.convert(value as never, filepath);
    },
    effectiveValue: row.effectiveValue,
  };
}

function yamlOf<Value>(leaf: YamlLeaf<Value> | undefined): ConvertedYamlLeaf<Value> | undefined {
  if (leaf === undefined) return undefined;
  if (isConverted(leaf)) return leaf;
  // ajv has checked the value against this very leaf, whose static type is the setting's.
  return { schema: leaf, convert: (value) => value as Value };
}

function isConverted<Value>(leaf: YamlLeaf<Value>): leaf is ConvertedYamlLeaf<Value> {
  return 'convert' in leaf && typeof leaf.convert === 'function' && 'schema' in leaf;
}

function commandLineOf<Value>(row: SettingRow<Value>): {
  options: Readonly<Record<string, Options>>;
  read: (args: CommandLineArguments) => CommandLineValue<Value> | undefined;
} {
  const { flag, switchFlag, flags, parse } = row;
  if ([flag, switchFlag, flags].filter((given) => given !== undefined).length > 1) {
    throw new Error(`Setting ${row.name} declares its flags more than one way`);
  }
  if (flag !== undefined) {
    if (parse === undefined) throw new Error(`Setting ${row.name} has a text flag but no parser`);
    const typed = `--${flag.name}`;
    return {
      options: { [flag.name]: { type: 'string', requiresArg: true, description: flag.description } },
      read(args) {
        const text = lastValue(args, flag.name);
        if (text === undefined) return undefined;
        const value = parse(String(text));
        if (value === undefined) throw invalidFlagValue(typed, row.secret === true ? undefined : String(text), row.allowed);
        return { value, flags: [typed] };
      },
    };
  }
  if (switchFlag !== undefined) {
    return {
      options: { [switchFlag.name]: { type: 'boolean', description: switchFlag.description } },
      read(args) {
        const value = lastValue(args, switchFlag.name);
        return typeof value === 'boolean' ? { value: value as Value, flags: [`--${switchFlag.name}`] } : undefined;
      },
    };
  }
  if (flags !== undefined) return { options: flags.options, read: (args) => flags.read(args) };
  return { options: {}, read: () => undefined };
}

/**
 * The flag's value; the last one when it was repeated. A subcommand may parse repeated flags
 * into arrays (`tokens revoke` does, for its ids), but a setting keeps the last value it is given.
 */
export function lastValue(args: CommandLineArguments, flag: string): unknown {
  const value = args[flag];
  return Array.isArray(value) ? value.at(-1) : value;
}

/** The value at a dotted YAML key; `null` counts as unset. */
function lookupYaml(config: ConfigFile, dottedKey: string): unknown {
  let current: unknown = config;
  for (const segment of dottedKey.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current ?? undefined;
}

/** `text` undefined hides the value (secrets). */
function invalidFlagValue(flag: string, text: string | undefined, allowed: string): LlmProxyError {
  return new LlmProxyError({
    code: 'CLI_ARGUMENT_INVALID',
    message: `${flag} has a value that is not allowed`,
    currentValue: text === undefined ? '(hidden)' : JSON.stringify(text),
    fix: `Allowed: ${allowed}`,
    details: { flag },
  });
}

/** One of two opposite switches and the value it sets. */
export interface OpposingSwitch<Value> {
  readonly name: string;
  readonly description: string;
  readonly value: Value;
}

/**
 * The `flags` of a setting set by either of two opposite switches (`--single-user-mode` /
 * `--multi-user-mode`): giving both is the error `conflict`, naming both flags.
 */
export function opposingSwitches<Value>(
  first: OpposingSwitch<Value>,
  second: OpposingSwitch<Value>,
  conflict: { code: string; fix: string },
): NonNullable<SettingRow<Value>['flags']> {
  return {
    options: {
      [first.name]: { type: 'boolean', description: first.description },
      [second.name]: { type: 'boolean', description: second.description },
    },
    read(args) {
      const given = [first, second].filter((candidate) => lastValue(args, candidate.name) === true);
      if (given.length === 2) {
        throw new LlmProxyError({
          code: conflict.code,
          message: `Cannot specify both --${first.name} and --${second.name}`,
          currentValue: `--${first.name} --${second.name}`,
          fix: conflict.fix,
        });
      }
      const chosen = given[0];
      return chosen === undefined ? undefined : { value: chosen.value, flags: [`--${chosen.name}`] };
    },
  };
}
