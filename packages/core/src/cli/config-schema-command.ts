/**
 * @fileoverview `llm-proxy config schema`: prints the JSON Schema of the configuration file (the
 * one the package ships as schema/llm-proxy.schema.json), for editors and config checks in CI.
 */
import { configFileJsonSchemaText } from '../config/config-file-json-schema.js';
import type { CommandEnvironment } from './command-environment.js';

export function configSchemaCommand(environment: CommandEnvironment): Promise<number> {
  environment.stdout.write(configFileJsonSchemaText());
  return Promise.resolve(0);
}
