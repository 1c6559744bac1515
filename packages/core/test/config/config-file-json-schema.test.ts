/**
 * @fileoverview The published JSON Schema of the config file (schema/llm-proxy.schema.json) and
 * the commented sample configuration (llm-proxy.example.yaml): the committed schema is exactly
 * what the settings table generates, the sample is valid against it and accepted by the real
 * CLI's `config explain`, and the sample's editor modeline points at the schema.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { defaultLoaders } from 'cosmiconfig';

import { CONFIG_JSON_SCHEMA_PATH, configFileJsonSchema, configFileJsonSchemaText } from '../../src/config/config-file-json-schema.js';
import { SETTING_DEFINITIONS } from '../../src/config/settings-table.js';
import { assertCliBuilt, cleanUpCliRuns, runLlmProxy } from '../support/run-llm-proxy.js';

const coreDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const repositoryDirectory = path.resolve(coreDirectory, '../..');
const schemaFile = path.join(coreDirectory, CONFIG_JSON_SCHEMA_PATH);
const exampleFile = path.join(repositoryDirectory, 'llm-proxy.example.yaml');

beforeAll(assertCliBuilt);
afterEach(cleanUpCliRuns);

function validator(): ReturnType<Ajv['compile']> {
  return new Ajv({ allErrors: true, allowUnionTypes: true, strict: true }).compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as object);
}

function parseYaml(file: string, text = fs.readFileSync(file, 'utf8')): unknown {
  return defaultLoaders['.yaml'](file, text);
}

describe('the published config schema', () => {
  it('is exactly what the settings table generates (regenerate with npm run build)', () => {
    expect(fs.readFileSync(schemaFile, 'utf8')).toBe(configFileJsonSchemaText());
  });

  it('is shipped in the package and exported by path', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(coreDirectory, 'package.json'), 'utf8')) as { files: string[]; exports: Record<string, string> };
    expect(manifest.files).toContain('schema');
    expect(manifest.exports[`./${CONFIG_JSON_SCHEMA_PATH}`]).toBe(`./${CONFIG_JSON_SCHEMA_PATH}`);
  });

  it('describes every setting with a YAML key and gives the defaults', () => {
    type Node = { description?: string; default?: unknown; properties?: Record<string, Node> };
    const schema = configFileJsonSchema() as Node;
    const leafAt = (key: string): Node | undefined => key.split('.').reduce<Node | undefined>((node, segment) => node?.properties?.[segment], schema);
    for (const definition of SETTING_DEFINITIONS) {
      if (definition.yamlKey === undefined || definition.yamlSchema === undefined) continue;
      expect(leafAt(definition.yamlKey)?.description).toBe(`${definition.description}. Allowed: ${definition.allowed}.`);
    }
    expect(leafAt('data_dir')?.default).toBe('var');
    expect(leafAt('logging.max_files')?.default).toBe(5);
    expect(leafAt('logging.file')?.default).toBeUndefined();
  });

  it('refuses what the proxy refuses', () => {
    const validate = validator();
    expect(validate({ port: 70000 })).toBe(false);
    expect(validate({ logging: { max_files: 0 } })).toBe(false);
    expect(validate({ logging: { flie: 'x.log' } })).toBe(false);
    expect(validate({ logging: { file: 'none', max_size: '5mb' }, data_dir: '/var/lib/llm-proxy' })).toBe(true);
  });
});

describe('llm-proxy.example.yaml', () => {
  it('is valid against the published schema, and sets every section the schema has', () => {
    const example = parseYaml(exampleFile) as Record<string, unknown>;
    const validate = validator();
    expect(validate(example)).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
    const sections = Object.keys((JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as { properties: object }).properties);
    expect(Object.keys(example).sort()).toEqual(sections.sort());
  });

  it('points editors at the schema with a yaml-language-server modeline', () => {
    const firstLine = fs.readFileSync(exampleFile, 'utf8').split('\n')[0] ?? '';
    const target = /^# yaml-language-server: \$schema=(\S+)$/.exec(firstLine)?.[1];
    expect(target).toBeDefined();
    expect(path.resolve(repositoryDirectory, target ?? '')).toBe(schemaFile);
  });

  it('is accepted by config explain of the built CLI', async () => {
    const result = await runLlmProxy(['config', 'explain', '--config', exampleFile]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Result: every access-mode rule passes');
    expect(result.stdout).toMatch(/data_dir\s+\S+\/var\s+yaml/);
  });

  it('config schema prints the published schema', async () => {
    const result = await runLlmProxy(['config', 'schema']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(fs.readFileSync(schemaFile, 'utf8'));
  });
});
