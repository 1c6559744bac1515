/**
 * @fileoverview The conformance kit: `@llmproxy/connector-sdk/testing`. A connector author
 * calls {@link describeConnectorConformance} in their own tests to check their package the way
 * llmproxy core will load it: manifest, exports, each entry's definition, create(),
 * listModels() and chat() (answer and stream shapes, abort). It runs under any test runner
 * with `describe`/`it` (jest, vitest, mocha, node:test): the checks assert with node:assert
 * and time themselves out, so nothing here imports a runner.
 *
 * ```ts
 * import { fileURLToPath } from 'node:url';
 * import { describe, it } from 'node:test'; // or nothing, under jest, vitest or mocha
 * import { describeConnectorConformance } from '@llmproxy/connector-sdk/testing';
 * describeConnectorConformance({ packageDirectory: fileURLToPath(new URL('..', import.meta.url)) }, { describe, it });
 * ```
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
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
import { TRAVERSAL_PROBE_MODELS, urlEscapeProblem } from './url-escape-problems.js';

export { chatEventSequenceProblems, chatResultProblems } from './chat-result-problems.js';
export {
  createFakeUpstreamHttpClient,
  type FakeUpstreamAnswer,
  type FakeUpstreamHttpClient,
} from './fake-upstream-http-client.js';
export {
  createTestConnectorContext,
  type RecordedLogEntry,
  type TestConnectorContext,
  type TestConnectorContextOptions,
} from './create-test-connector-context.js';

/** The part of a test runner the kit uses: jest, vitest, mocha, jasmine and node:test all have it. */
export interface TestRunner {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: () => unknown): unknown;
}

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

/**
 * Declares the conformance tests for one connector package. Call it at the top level of a test
 * file. `runner` is the test runner's `describe` and `it`; it defaults to the globals that
 * jest, vitest (with globals), mocha and jasmine define. Under node:test pass
 * `{ describe, it }` from `node:test`.
 */
export function describeConnectorConformance(options: ConnectorConformanceOptions, runner: TestRunner = globalTestRunner()): void {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { describe } = runner;
  const it = timedTest(runner, timeoutMs);
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
      assert.deepEqual(checked.manifest.valid ? [] : checked.manifest.problems, [], 'manifest problems');
    });

    it('exports "./package.json", so llmproxy can read the manifest', () => {
      const resolved = resolveExportedFile(checked, './package.json');
      assert.deepEqual(resolved, { ok: true, file: path.resolve(checked.directory, 'package.json') });
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
      assert.ok(semver.validRange(range) !== null, `the sdk range "${range}" is not a valid semver range`);
      assert.ok(
        semver.satisfies(SDK_VERSION, range, { includePrerelease: true }),
        `the sdk range "${range}" does not accept @llmproxy/connector-sdk ${SDK_VERSION}`,
      );
    });

    const declarations = checked.manifest.valid
      ? checked.manifest.manifest.connectors.filter(
          (declaration) => options.connectorIds === undefined || options.connectorIds.includes(declaration.id),
        )
      : [];
    for (const declaration of declarations) describeConnector(checked, declaration, options, { describe, it });
  });
}

function describeConnector(
  connectorPackage: ConnectorPackage,
  declaration: ConnectorDeclaration,
  options: ConnectorConformanceOptions,
  runner: TestRunner,
): void {
  const { describe, it } = runner;
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
      assert.deepEqual(
        {
          specificationVersion: definition.specificationVersion,
          id: definition.id,
          hasStaticCredentials: definition.hasStaticCredentials,
          createType: typeof definition.create,
        },
        {
          specificationVersion: CONNECTOR_SPECIFICATION_VERSION,
          id: declaration.id,
          hasStaticCredentials: declaration.hasStaticCredentials,
          createType: 'function',
        },
      );
    });

    it('create() returns a connector with chat() and listModels()', async () => {
      const connector = await createConnector();
      assert.deepEqual({ chat: typeof connector.chat, listModels: typeof connector.listModels }, { chat: 'function', listModels: 'function' });
    });

    it('listModels() returns models with string ids', async () => {
      const models = await (await createConnector()).listModels({ signal: new AbortController().signal });
      assert.ok(Array.isArray(models), 'listModels() must return an array');
      for (const model of models) assert.ok(typeof model.id === 'string' && model.id.length > 0, `model id ${JSON.stringify(model.id)} is not a non-empty string`);
    });

    it('chat() answers a request without streaming in a canonical shape', async () => {
      const result = await (await createConnector()).chat(await sampleRequest(false), { signal: new AbortController().signal });
      assert.deepEqual(await chatResultProblems(result), []);
    });

    it('chat() streams a request as canonical events in order', async () => {
      const result = await (await createConnector()).chat(await sampleRequest(true), { signal: new AbortController().signal });
      assert.equal(result.type, 'stream', 'a request with stream: true must get { type: "stream" }');
      assert.deepEqual(await chatResultProblems(result), []);
    });

    it('chat() gives up when its signal is already aborted', async () => {
      const request = await sampleRequest(true);
      const controller = new AbortController();
      controller.abort(new Error('client went away'));
      const outcome = await settleChat(await createConnector(), request, controller.signal);
      assert.equal(outcome, 'rejected', 'chat() (or its stream) must fail when the signal is already aborted');
    });

    // Last, on connectors of their own, so the probes consume nothing the other checks rely on.
    it('never lets a model name escape its URL path segment (../, %2F)', async () => {
      const definition = await loadDefinition();
      const sentUrls: string[] = [];
      for (const model of TRAVERSAL_PROBE_MODELS) {
        const context = options.createContext?.(declaration.id) ?? createTestConnectorContext({ backendName: declaration.id }).context;
        const http = context.http;
        // Records every URL and passes the request on: whether it is answered does not matter.
        const recording: ConnectorContext = { ...context, http: { send: (request) => (sentUrls.push(request.url), http.send(request)) } };
        const request = { ...(await sampleRequest(false)), model };
        try {
          await settleChat(await definition.create(recording), request, new AbortController().signal);
        } catch {
          // Refusing the model, or failing to create, sends nothing: that passes.
        }
      }
      const problems = sentUrls.map(urlEscapeProblem).filter((problem) => problem !== undefined);
      assert.deepEqual(problems, [], 'encode a client-chosen value with urlPathSegment() from @llmproxy/connector-sdk');
    });
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

/** The runner's globals, or an error saying how to pass them (node:test defines none). */
function globalTestRunner(): TestRunner {
  const globals = globalThis as { describe?: unknown; it?: unknown };
  if (typeof globals.describe !== 'function' || typeof globals.it !== 'function') {
    throw new Error(
      'describeConnectorConformance found no global describe/it. Pass them: import { describe, it } from "node:test"; describeConnectorConformance(options, { describe, it })',
    );
  }
  return { describe: globals.describe as TestRunner['describe'], it: globals.it as TestRunner['it'] };
}

/**
 * The runner's `it`, with the kit's own time limit on each check: runners disagree on how a
 * timeout is passed, and a hanging connector must fail with a message, not hang the suite.
 * The limit is also offered as jest's and vitest's third argument, which other runners ignore.
 */
function timedTest(runner: TestRunner, timeoutMs: number): TestRunner['it'] {
  const it = runner.it as (name: string, body: () => unknown, timeout?: number) => unknown;
  return (name, body) =>
    it(
      name,
      async () => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`"${name}" did not finish within ${timeoutMs} ms`)), timeoutMs);
        });
        try {
          await Promise.race([Promise.resolve().then(body), timeout]);
        } finally {
          clearTimeout(timer);
        }
      },
      timeoutMs + 1_000,
    );
}
