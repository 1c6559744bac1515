/**
 * @fileoverview Imports one admitted connector entry and checks that the runtime object agrees
 * with the manifest it was admitted on. A definition that disagrees (say it claims static
 * credentials in the manifest but not at runtime) is refused, so the gate's decision from data
 * cannot be undermined by code.
 */
import { pathToFileURL } from 'node:url';
import {
  CONNECTOR_SPECIFICATION_VERSION,
  isConnectorDefinition,
  type ConnectorDeclaration,
  type ConnectorDefinition,
} from '@llmproxy/connector-sdk';
import type { PluginProblem } from './plugin-report.js';
import { TimeoutExceededError, withTimeout } from './with-timeout.js';

export type DefinitionImport = { ok: true; definition: ConnectorDefinition } | { ok: false; problem: PluginProblem };

export interface ImportConnectorDefinitionOptions {
  packageName: string;
  declaration: ConnectorDeclaration;
  /** Absolute path of the module the entry resolved to. */
  entryFile: string;
  timeoutMs: number;
}

export async function importConnectorDefinition(options: ImportConnectorDefinitionOptions): Promise<DefinitionImport> {
  const { packageName, declaration, entryFile } = options;
  const where = `Connector "${declaration.id}" of package ${packageName} (entry "${declaration.entry}", ${entryFile})`;
  let entryModule: unknown;
  try {
    entryModule = await withTimeout(import(pathToFileURL(entryFile).href) as Promise<unknown>, options.timeoutMs);
  } catch (error) {
    if (error instanceof TimeoutExceededError) {
      return {
        ok: false,
        problem: {
          code: 'PLUGIN_IMPORT_TIMEOUT',
          message: `${where} did not finish importing within ${options.timeoutMs} ms.`,
          fix: `Report to the author of ${packageName} that its entry module blocks at import time (e.g. a top-level await that never settles), or remove the package.`,
        },
      };
    }
    return {
      ok: false,
      problem: {
        code: 'PLUGIN_IMPORT_FAILED',
        message: `${where} failed to import: ${error instanceof Error ? error.message : String(error)}`,
        fix: `Reinstall ${packageName} (npm install ${packageName}); if the error persists, report it to its author or remove the package.`,
      },
    };
  }

  const definition = (entryModule as { default?: unknown }).default;
  if (!isConnectorDefinition(definition) || typeof definition.create !== 'function') {
    return {
      ok: false,
      problem: {
        code: 'PLUGIN_DEFINITION_INVALID',
        message: `${where} has ${definition === undefined ? 'no default export' : 'a default export that is not a connector definition'}.`,
        fix: `The entry module must \`export default defineConnector({...})\` from @llmproxy/connector-sdk; report this to the author of ${packageName}.`,
      },
    };
  }

  const disagreements: string[] = [];
  if (definition.specificationVersion !== CONNECTOR_SPECIFICATION_VERSION) {
    disagreements.push(
      `specificationVersion is "${String(definition.specificationVersion)}", core speaks "${CONNECTOR_SPECIFICATION_VERSION}"`,
    );
  }
  if (definition.id !== declaration.id) {
    disagreements.push(`id is "${definition.id}", the manifest says "${declaration.id}"`);
  }
  if (definition.hasStaticCredentials !== declaration.hasStaticCredentials) {
    disagreements.push(
      `hasStaticCredentials is ${String(definition.hasStaticCredentials)}, the manifest says ${String(declaration.hasStaticCredentials)}`,
    );
  }
  if (disagreements.length > 0) {
    return {
      ok: false,
      problem: {
        code: 'PLUGIN_DEFINITION_MISMATCH',
        message: `${where} disagrees with its manifest: ${disagreements.join('; ')}.`,
        fix: `Make the manifest in ${packageName}'s package.json and the defineConnector() call agree (same id and hasStaticCredentials, same @llmproxy/connector-sdk major); report this to its author.`,
      },
    };
  }
  return { ok: true, definition };
}
