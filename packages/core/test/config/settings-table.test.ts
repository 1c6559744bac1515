import { describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import { Type } from '@sinclair/typebox';
import { Ajv } from 'ajv';

import { createCommandLineParser } from '../../src/cli/create-command-line-parser.js';
import { buildConfigFileSchema, configFileSchema } from '../../src/config/config-file-schema.js';
import { defineSetting } from '../../src/config/define-setting.js';
import { KNOWN_OAUTH_CONNECTORS } from '../../src/config/oauth-connector-ids.js';
import { commandLineCandidate, environmentCandidate, yamlCandidate } from '../../src/config/setting-candidates.js';
import { parseBooleanText, parseByteSize, parseCommaList, parsePort, parseWholeNumber } from '../../src/config/setting-parsers.js';
import { commandLineOptions, SETTING_DEFINITIONS } from '../../src/config/settings-table.js';

const definitions = SETTING_DEFINITIONS;

/** The schema node at a dotted YAML key. */
function schemaAt(dottedKey: string): unknown {
  let node: unknown = configFileSchema;
  for (const segment of dottedKey.split('.')) {
    node = (node as { properties?: Record<string, unknown> }).properties?.[segment];
    if (node === undefined) return undefined;
  }
  return node;
}

describe('the settings table', () => {
  it('gives every setting a unique name, and names settings after their YAML key', () => {
    const names = definitions.map((definition) => definition.name);
    expect(new Set(names).size).toBe(names.length);
    for (const definition of definitions) {
      if (definition.yamlKey !== undefined) expect(definition.name).toBe(definition.yamlKey);
    }
  });

  it('declares every YAML key in the file schema', () => {
    for (const definition of definitions) {
      if (definition.yamlKey !== undefined) expect(schemaAt(definition.yamlKey)).toBeDefined();
    }
  });

  it('names environment variables LLM_PROXY_<SETTING>', () => {
    const variables = definitions.flatMap((definition) => (definition.envVar === undefined ? [] : [definition.envVar]));
    expect(variables).toEqual(expect.arrayContaining([
      'LLM_PROXY_HOST', 'LLM_PROXY_PORT', 'LLM_PROXY_DEFAULT_BACKEND', 'LLM_PROXY_LOG_LEVEL', 'LLM_PROXY_LOG_FILE',
      'LLM_PROXY_ACCESS_MODE', 'LLM_PROXY_API_KEYS', 'LLM_PROXY_DISABLE_AUTH', 'LLM_PROXY_ENABLE_NOTIFICATIONS',
      'LLM_PROXY_SSO_ENABLED',
    ]));
    for (const variable of variables) expect(variable).toMatch(/^LLM_PROXY_[A-Z_]+$/);
  });

  it('defines every documented flag, one per OAuth connector debugging override', () => {
    const flags = Object.keys(commandLineOptions()).map((flag) => `--${flag}`);
    expect(flags).toEqual(expect.arrayContaining([
      '--host', '--port', '--config', '--default-backend', '--log-level', '--log-file',
      '--single-user-mode', '--multi-user-mode', '--api-keys', '--disable-auth',
      '--enable-notifications', '--disable-notifications', '--sso-enabled', '--allow-oauth-auto-replacement',
      ...Object.keys(KNOWN_OAUTH_CONNECTORS).map((id) => `--enable-${id}-backend-debugging-override`),
    ]));
    for (const definition of definitions) {
      for (const flag of definition.cliFlags) expect(flags).toContain(flag);
    }
  });

  it('marks only the API keys and the storage URLs (which may carry passwords) as secret', () => {
    expect(definitions.filter((definition) => definition.secret).map((definition) => definition.name)).toEqual([
      'auth.api_keys',
      'storage.database_url',
      'storage.redis_url',
    ]);
  });
});

/** The dotted keys of the schema's leaves: objects with `properties` are sections, anything else (a mapping such as `backends` too) a leaf. */
/** The dotted keys of the schema's leaves; a key in `leaves` is a leaf even when it is a mapping itself. */
function leafKeys(node: unknown, prefix = '', leaves: ReadonlySet<string | undefined> = new Set()): string[] {
  const properties = (node as { properties?: Record<string, unknown> }).properties;
  if (properties === undefined || leaves.has(prefix)) return [prefix];
  return Object.entries(properties).flatMap(([key, child]) => leafKeys(child, prefix === '' ? key : `${prefix}.${key}`, leaves));
}

/** Compiled as load-config-file.ts compiles the real schema. */
function compile(schema: object) {
  return new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true }).compile(schema);
}

describe('every row reaches the config-file schema, the yargs options and the environment', () => {
  it('generates the config-file schema from the rows: every leaf is a row\'s, at its YAML key, and no other', () => {
    const rowsWithYaml = definitions.filter((definition) => definition.yamlSchema !== undefined);
    const leaves = new Set(rowsWithYaml.map((definition) => definition.yamlKey));
    // A leaf may itself be a mapping (`plugins:`): its keys belong to it, not to the sections.
    expect(leafKeys(configFileSchema, '', leaves)).toEqual(rowsWithYaml.map((definition) => definition.yamlKey));
    // A row that lives within another row's leaf has its key declared by that leaf.
    for (const definition of definitions.filter((row) => row.yamlKey !== undefined && row.yamlSchema === undefined)) {
      expect(schemaAt(definition.yamlKey ?? '')).toBeDefined();
    }
    for (const definition of rowsWithYaml) {
      expect(JSON.stringify(schemaAt(definition.yamlKey ?? ''))).toBe(JSON.stringify(definition.yamlSchema));
    }
  });

  it('gives yargs exactly the rows\' flags, each under its row\'s help group', () => {
    const options = commandLineOptions();
    expect(Object.keys(options).map((flag) => `--${flag}`).sort()).toEqual(definitions.flatMap((definition) => definition.cliFlags).sort());
    for (const definition of definitions) {
      for (const flag of definition.cliFlags) expect(options[flag.slice(2)]?.group).toBe(definition.helpGroup);
    }
  });

  it('reads every row\'s environment variable through the row\'s parser', () => {
    for (const definition of definitions.filter((row) => row.envVar !== undefined)) {
      const variable = definition.envVar ?? '';
      // Text no parser allows: every row with a variable must read it, and refuse it by name.
      const text = '\u0000 not allowed';
      let read: { origin?: string | undefined; variable?: unknown };
      try {
        read = { origin: environmentCandidate(definition, { [variable]: text })?.origin };
      } catch (error) {
        if (!LlmProxyError.is(error)) throw error;
        read = { variable: (error.details as { variable?: unknown } | undefined)?.variable };
      }
      expect([read.origin, read.variable]).toContain(variable);
    }
  });
});

describe('one new row is enough to add a setting', () => {
  const retryLimit = defineSetting<number>({
    name: 'server.retry_limit',
    effectiveValue: () => undefined,
    description: 'How often an upstream request is retried',
    allowed: 'a whole number, 0 or more',
    flag: { name: 'retry-limit', description: 'Upstream retries (default 2)' },
    envVar: 'LLM_PROXY_RETRY_LIMIT',
    parse: (text) => parseWholeNumber(text, 0),
    yaml: Type.Integer({ minimum: 0, description: 'a whole number of retries, 0 or more' }),
    defaultValue: 2,
  });
  const table = [...definitions, retryLimit];

  it('parses its flag in the one command-line pass, which refuses the flag without the row', async () => {
    const commandLine = await createCommandLineParser(['--retry-limit', '5', '--port', '9'], table).strictOptions().parseAsync();
    expect(commandLineCandidate(retryLimit, commandLine)).toEqual({ value: 5, source: 'cli', origin: '--retry-limit' });
    // yargs' failure handler throws during the call, before any promise exists.
    expect(() => createCommandLineParser(['--retry-limit', '5']).strictOptions().parseAsync()).toThrow('Unknown flag: --retry-limit');
    const bad = await createCommandLineParser(['--retry-limit=-1'], table).strictOptions().parseAsync();
    expect(() => commandLineCandidate(retryLimit, bad)).toThrow('--retry-limit has a value that is not allowed');
  });

  it('reads its environment variable with the same parser as its flag', () => {
    expect(environmentCandidate(retryLimit, { LLM_PROXY_RETRY_LIMIT: ' 7 ' })).toEqual({ value: 7, source: 'env', origin: 'LLM_PROXY_RETRY_LIMIT' });
    expect(() => environmentCandidate(retryLimit, { LLM_PROXY_RETRY_LIMIT: 'many' })).toThrow(
      'Allowed: a whole number, 0 or more. Set an allowed value or unset LLM_PROXY_RETRY_LIMIT',
    );
  });

  it('places its YAML leaf in the generated schema, beside the other server settings', () => {
    const validate = compile(buildConfigFileSchema(table));
    expect(validate({ server: { retry_limit: 3, drain_timeout_ms: 5 } })).toBe(true);
    expect(validate({ server: { retry_limit: -1 } })).toBe(false);
    expect(validate.errors?.map((error) => [error.instancePath, (error.parentSchema as { description?: string }).description])).toEqual([
      ['/server/retry_limit', 'a whole number of retries, 0 or more'],
    ]);
    expect(yamlCandidate(retryLimit, { filepath: '/srv/llm-proxy.yaml', config: { server: { retry_limit: 3 } } })).toEqual({
      value: 3,
      source: 'yaml',
      origin: 'server.retry_limit in /srv/llm-proxy.yaml',
    });
    // The table's own schema knows nothing of it: a misspelt or unknown key stays an error.
    expect(compile(configFileSchema)({ server: { retry_limit: 3 } })).toBe(false);
  });
});

describe('setting parsers', () => {
  it('parses ports from 0 to 65535 only', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort(' 8000 ')).toBe(8000);
    expect(parsePort('65535')).toBe(65535);
    for (const text of ['65536', '-1', '80.5', 'abc', '', '0x50']) expect(parsePort(text)).toBeUndefined();
  });

  it('parses truthy and falsey words', () => {
    expect(parseBooleanText('TRUE')).toBe(true);
    expect(parseBooleanText('off')).toBe(false);
    expect(parseBooleanText('enabled')).toBeUndefined();
  });

  it('parses byte sizes with binary units', () => {
    expect(parseByteSize('10mb')).toBe(10 * 1024 * 1024);
    expect(parseByteSize('512KB')).toBe(512 * 1024);
    expect(parseByteSize('1gb')).toBe(1024 ** 3);
    expect(parseByteSize('2048')).toBe(2048);
    expect(parseByteSize(4096)).toBe(4096);
    for (const value of ['0', '0mb', 'ten mb', '1tb', '', 1.5, 0]) expect(parseByteSize(value)).toBeUndefined();
  });

  it('parses comma lists, dropping blanks and rejecting items that do not match', () => {
    expect(parseCommaList('a, b,,c ', '^\\S+$')).toEqual(['a', 'b', 'c']);
    expect(parseCommaList(' , ', '^\\S+$')).toEqual([]);
    expect(parseCommaList('a,b c', '^\\S+$')).toBeUndefined();
  });
});
