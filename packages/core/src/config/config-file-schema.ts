/**
 * @fileoverview The shape of the YAML configuration file, generated from the settings table:
 * each row's YAML leaf is placed at its dotted key, and the sections in between (`logging`,
 * `server`, ...) are made from the keys. Nothing here is written by hand, so the schema ajv
 * validates and the settings the resolver reads cannot drift apart.
 *
 * Every object is closed (`additionalProperties: false`) so a misspelt key is an error rather
 * than a silently ignored setting. The one exception is each `backends.<name>` entry (the
 * `backends` row's leaf): its keys belong to the connector that serves it.
 *
 * Each leaf carries a `description` written as "what is allowed": the error formatter quotes it.
 */
import { Type, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';

import type { SettingDefinition } from './define-setting.js';
import { SETTING_DEFINITIONS } from './settings-table.js';

/** The parsed and validated YAML configuration file; each row reads its own key, typed by its leaf. */
export type ConfigFile = Readonly<Record<string, unknown>>;

const closed = { additionalProperties: false } as const;

type SchemaNode = { leaf: TSchema } | { section: Map<string, SchemaNode> };

/** The config-file schema of the given rows, in table order. */
export function buildConfigFileSchema(definitions: readonly SettingDefinition<unknown>[]): TObject {
  const root = new Map<string, SchemaNode>();
  for (const definition of definitions) {
    if (definition.yamlKey === undefined || definition.yamlSchema === undefined) continue;
    const segments = definition.yamlKey.split('.');
    const leafName = segments.pop() ?? definition.yamlKey;
    let section = root;
    for (const segment of segments) {
      let node = section.get(segment);
      if (node === undefined) {
        node = { section: new Map() };
        section.set(segment, node);
      }
      if (!('section' in node)) throw new Error(`YAML key ${definition.yamlKey} runs through the setting ${segment}`);
      section = node.section;
    }
    if (section.has(leafName)) throw new Error(`YAML key ${definition.yamlKey} is declared by two settings`);
    section.set(leafName, { leaf: definition.yamlSchema });
  }
  return Type.Object(propertiesOf(root), { ...closed, description: 'a mapping of settings' });
}

function propertiesOf(section: ReadonlyMap<string, SchemaNode>): TProperties {
  const properties: TProperties = {};
  for (const [key, node] of section) {
    properties[key] = Type.Optional('leaf' in node ? node.leaf : Type.Object(propertiesOf(node.section), closed));
  }
  return properties;
}

export const configFileSchema = buildConfigFileSchema(SETTING_DEFINITIONS);

/** YAML keys whose values are secrets, never shown in messages. */
export const SECRET_YAML_KEYS: readonly string[] = SETTING_DEFINITIONS.flatMap((definition) =>
  definition.secret && definition.yamlKey !== undefined ? [definition.yamlKey] : [],
);
