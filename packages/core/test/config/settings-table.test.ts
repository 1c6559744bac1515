import { describe, expect, it } from '@jest/globals';

import { configFileSchema } from '../../src/config/config-file-schema.js';
import { KNOWN_OAUTH_CONNECTORS } from '../../src/config/oauth-connector-ids.js';
import { parseBooleanText, parseByteSize, parseCommaList, parsePort } from '../../src/config/setting-parsers.js';
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

  it('marks only the API keys as secret', () => {
    expect(definitions.filter((definition) => definition.secret).map((definition) => definition.name)).toEqual(['auth.api_keys']);
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
