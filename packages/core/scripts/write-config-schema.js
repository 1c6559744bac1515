// Writes the configuration file's JSON Schema into the package (schema/llm-proxy.schema.json)
// from the built settings table. Run by `npm run build` after `tsc -b`; a test checks that the
// committed file equals what the code generates.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CONFIG_JSON_SCHEMA_PATH, configFileJsonSchemaText } from '../dist/config/config-file-json-schema.js';

const packageDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(packageDirectory, CONFIG_JSON_SCHEMA_PATH);
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, configFileJsonSchemaText());
console.log(`Wrote ${path.relative(process.cwd(), target)}`);
