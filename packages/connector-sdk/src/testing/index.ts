/**
 * @fileoverview The conformance kit: `@llmproxy/connector-sdk/testing`. A connector author
 * calls {@link describeConnectorConformance} in their own jest tests to check their package the
 * way llmproxy core will load it: manifest, exports, each entry's definition, create(),
 * listModels() and chat() (answer and stream shapes, abort).
 *
 * ```ts
 * import { fileURLToPath } from 'node:url';
 * import { describeConnectorConformance } from '@llmproxy/connector-sdk/testing';
 * describeConnectorConformance({ packageDirectory: fileURLToPath(new URL('..', import.meta.url)) });
 * ```
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import semver from 'semver';
import type { ChatRequest, ChatResult } from '../canonical.js';
import {
  CONNECTOR_SPECIFICATION_VERSION,
  isConnectorDefinition,
  type Connector,
  type ConnectorContext,
  type ConnectorDefinition,
} from '../connector.js';
import { CONNECTOR_PACKAGE_NAME_PATTERNS, isConnectorPackageName } from '../connector-package-name.js';
import type { ConnectorDeclaration } from '../manifest.js';
import { chatResultProblems } from './chat-result-problems.js';
import { createTestConnectorContext } from './create-test-connector-context.js';
import { readConnectorPackage, resolveExportedFile, type ConnectorPackage } from './read-connector-package.js';

export { chatEventSequenceProblems, chatResultProblems } from './chat-result-problems.js';
export {
  createTestConnectorContext,
  type RecordedLogEntry,
  type TestConnectorContext,
  type TestConnectorContextOptions,
} from './create-test-connector-context.js';

export interface ConnectorConformanceOptions {
  /** The connector package's directory, the one holding its package.json. */
  packageDirectory: string;
  /**
   * Builds the context passed to `create()`. Defaults to {@link createTestConnectorContext}
   * with an empty config, no environment and no network.
   */
  createContext?: (connectorId: string) => ConnectorContext;
  /**
   * A request each connector can answer with that context. `stream` is set by each check.
   * Defaults to one user message, with the first model from `listModels()`.
   */
  sampleRequest?: Omit<ChatRequest, 'stream'> | ((connectorId: string) => Omit<ChatRequest, 'stream'>);
  /** Connector ids to check; defaults to every connector in the manifest. */
  connectorIds?: readonly string[];
  /** Per-check timeout in milliseconds (default 10000). */
  timeoutMs?: number;
}

/** The @llmproxy/connector-sdk version this kit belongs to (src/testing and dist/testing alike). */
const SDK_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Declares the conformance tests for one connector package. Call it at the top level of a test file. */
export function describeConnectorConformance(options: ConnectorConformanceOptions): void {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let connectorPackage: ConnectorPackage | undefined;
  let readError: unknown;
  try {
    connectorPackage = readConnectorPackage(options.packageDirectory);
  } catch (error) {
    readError = error;
  }
  const packageName =
    typeof connectorPackage?.packageJson.name === 'string' ? connectorPackage.packageJson.name : options.packageDirectory;

  describe(`connector package conformance: ${packageName}`, () => {
    if (connectorPackage === undefined) {
      it('has a readable package.json', () => {
        throw new Error(
          `Cannot read ${options.packageDirectory}/package.json: ${readError instanceof Error ? readError.message : String(readError)}`,
        );
      });
      return;
    }
    const checked = connectorPackage;

    it('has a valid "llmproxy" manifest in package.json', () => {
      expect(checked.manifest.valid ? [] : checked.manifest.problems).toEqual([]);
    });

    it('exports "./package.json", so llmproxy can read the manifest', () => {
      const resolved = resolveExportedFile(checked, './package.json');
      expect(resolved).toEqual({ ok: true, file: path.resolve(checked.directory, 'package.json') });
    });

    it('has a name llmproxy discovers among dependencies', () => {
      if (!isConnectorPackageName(packageName)) {
        throw new Error(
          `"${packageName}" matches none of ${CONNECTOR_PACKAGE_NAME_PATTERNS.join(', ')}; users would have to list it under plugins in their config.`,
        );
      }
    });

    it(`declares an sdk range that accepts @llmproxy/connector-sdk ${SDK_VERSION}`, () => {
      if (!checked.manifest.valid) throw new Error('the manifest is invalid (see above)');
      const range = checked.manifest.manifest.sdk;
      expect({ range, valid: semver.validRange(range) !== null, satisfied: semver.satisfies(SDK_VERSION, range, { includePrerelease: true }) }).toEqual({
        range,
        valid: true,
        satisfied: true,
      });
    });

    const declarations = checked.manifest.valid
      ? checked.manifest.manifest.connectors.filter(
          (declaration) => options.connectorIds === undefined || options.connectorIds.includes(declaration.id),
        )
      : [];
    for (const declaration of declarations) describeConnector(checked, declaration, options, timeoutMs);
  });
}

function describeConnector(
  connectorPackage: ConnectorPackage,
  declaration: ConnectorDeclaration,
  options: ConnectorConformanceOptions,
  timeoutMs: number,
): void {
  let definitionPromise: Promise<ConnectorDefinition> | undefined;
  let connectorPromise: Promise<Connector> | undefined;
  const loadDefinition = (): Promise<ConnectorDefinition> => (definitionPromise ??= importDefinition(connectorPackage, declaration));
  const createConnector = (): Promise<Connector> =>
    (connectorPromise ??= loadDefinition().then(async (definition) => {
      const context = options.createContext?.(declaration.id) ?? createTestConnectorContext({ backendName: declaration.id }).context;
      return definition.create(context);
    }));
  const sampleRequest = async (stream: boolean): Promise<ChatRequest> => {
    const sample =
      typeof options.sampleRequest === 'function' ? options.sampleRequest(declaration.id) : options.sampleRequest;
    if (sample !== undefined) return { ...sample, stream };
    const models = await (await createConnector()).listModels({ signal: new AbortController().signal });
    return {
      model: models[0]?.id ?? 'default',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello.' }] }],
      stream,
    };
  };

  describe(`connector "${declaration.id}"`, () => {
    it(`entry "${declaration.entry}" default-exports a definition that matches the manifest`, async () => {
      const definition = await loadDefinition();
      expect({
        specificationVersion: definition.specificationVersion,
        id: definition.id,
        hasStaticCredentials: definition.hasStaticCredentials,
        createType: typeof definition.create,
      }).toEqual({
        specificationVersion: CONNECTOR_SPECIFICATION_VERSION,
        id: declaration.id,
        hasStaticCredentials: declaration.hasStaticCredentials,
        createType: 'function',
      });
    }, timeoutMs);

    it('create() returns a connector with chat() and listModels()', async () => {
      const connector = await createConnector();
      expect({ chat: typeof connector.chat, listModels: typeof connector.listModels }).toEqual({
        chat: 'function',
        listModels: 'function',
      });
    }, timeoutMs);

    it('listModels() returns models with string ids', async () => {
      const models = await (await createConnector()).listModels({ signal: new AbortController().signal });
      expect(Array.isArray(models)).toBe(true);
      for (const model of models) expect(typeof model.id === 'string' && model.id.length > 0).toBe(true);
    }, timeoutMs);

    it('chat() answers a request without streaming in a canonical shape', async () => {
      const result = await (await createConnector()).chat(await sampleRequest(false), { signal: new AbortController().signal });
      expect(await chatResultProblems(result)).toEqual([]);
    }, timeoutMs);

    it('chat() streams a request as canonical events in order', async () => {
      const result = await (await createConnector()).chat(await sampleRequest(true), { signal: new AbortController().signal });
      expect(result.type).toBe('stream');
      expect(await chatResultProblems(result)).toEqual([]);
    }, timeoutMs);

    it('chat() gives up when its signal is already aborted', async () => {
      const request = await sampleRequest(true);
      const controller = new AbortController();
      controller.abort(new Error('client went away'));
      const outcome = await settleChat(await createConnector(), request, controller.signal);
      expect(outcome).toBe('rejected');
    }, timeoutMs);
  });
}

async function importDefinition(connectorPackage: ConnectorPackage, declaration: ConnectorDeclaration): Promise<ConnectorDefinition> {
  const resolved = resolveExportedFile(connectorPackage, declaration.entry);
  if (!resolved.ok) throw new Error(`entry "${declaration.entry}" cannot be resolved: ${resolved.reason}`);
  if (!existsSync(resolved.file)) {
    throw new Error(`entry "${declaration.entry}" resolves to ${resolved.file}, which does not exist (build the package first)`);
  }
  const entryModule = (await import(pathToFileURL(resolved.file).href)) as { default?: unknown };
  if (!isConnectorDefinition(entryModule.default)) {
    throw new Error(`entry "${declaration.entry}" must \`export default defineConnector({...})\``);
  }
  return entryModule.default;
}

/** Whether a chat call (or the stream it returns) failed rather than answering. */
async function settleChat(connector: Connector, request: ChatRequest, signal: AbortSignal): Promise<'rejected' | 'answered'> {
  let result: ChatResult;
  try {
    result = await connector.chat(request, { signal });
  } catch {
    return 'rejected';
  }
  if (result.type === 'response') return 'answered';
  try {
    for await (const _event of result.events) {
      // Reading on: a conforming stream throws once it notices the abort.
    }
  } catch {
    return 'rejected';
  }
  return 'answered';
}
