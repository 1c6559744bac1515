/**
 * @fileoverview The JSON Schema of the YAML configuration file as published for editors
 * (`packages/core/schema/llm-proxy.schema.json`, `llm-proxy config schema`): the very schema the
 * loader validates with, made from the settings table, as plain JSON with a title and each
 * setting's default and description. An editor with a YAML language server completes keys,
 * shows what each one means and flags a misspelt key or a bad value before the proxy starts.
 */
import { configFileSchema } from './config-file-schema.js';
import { SETTING_DEFINITIONS } from './settings-table.js';

/** Where the published schema lives inside the core package. */
export const CONFIG_JSON_SCHEMA_PATH = 'schema/llm-proxy.schema.json';

type JsonObject = Record<string, unknown>;

/** The published schema: draft-07, as ajv validates it. */
export function configFileJsonSchema(): JsonObject {
  // A JSON round trip copies the TypeBox schema (the loader's own stays untouched) and drops TypeBox's symbol keys.
  const schema = JSON.parse(JSON.stringify(configFileSchema)) as JsonObject;
  for (const definition of SETTING_DEFINITIONS) {
    if (definition.yamlKey === undefined) continue;
    const leaf = leafAt(schema, definition.yamlKey);
    if (leaf === undefined) continue;
    leaf['description'] = `${definition.description}. Allowed: ${definition.allowed}.`;
    if (definition.defaultValue !== undefined && !definition.secret) leaf['default'] = definition.defaultValue;
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'llm-proxy configuration file (llm-proxy.yaml)',
    ...schema,
  };
}

/** The published schema as the file holds it. */
export function configFileJsonSchemaText(): string {
  return `${JSON.stringify(configFileJsonSchema(), null, 2)}\n`;
}

/** The schema of the leaf at a dotted key (`logging.file`), through the sections' `properties`. */
function leafAt(schema: JsonObject, dottedKey: string): JsonObject | undefined {
  let node: JsonObject | undefined = schema;
  for (const segment of dottedKey.split('.')) {
    const properties: unknown = node?.['properties'];
    if (typeof properties !== 'object' || properties === null) return undefined;
    node = (properties as Record<string, JsonObject | undefined>)[segment];
  }
  return node;
}
