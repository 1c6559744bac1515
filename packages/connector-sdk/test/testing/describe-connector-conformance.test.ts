/**
 * Runs the conformance kit the way a connector author does, in a separate jest process and
 * under node:test, over fixture packages on disk, and checks which of its tests pass and fail.
 * Uses the built kit (packages/connector-sdk/dist): run `npx tsc -b` first.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const SDK_DIRECTORY = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const REPOSITORY_ROOT = path.resolve(SDK_DIRECTORY, '../..');
const KIT_FILE = path.join(SDK_DIRECTORY, 'dist/testing/index.js');
const installedSdkVersion = (JSON.parse(readFileSync(path.join(SDK_DIRECTORY, 'package.json'), 'utf8')) as { version: string }).version;

interface JestAssertion {
  fullName: string;
  status: 'passed' | 'failed';
  failureMessages: string[];
}

const GOOD_CONNECTOR = `
import { defineConnector } from '@llmproxy/connector-sdk';
export default defineConnector({
  id: 'good',
  hasStaticCredentials: true,
  create() {
    return {
      async listModels() { return [{ id: 'good-model' }]; },
      async chat(request, { signal }) {
        signal.throwIfAborted();
        const response = { id: 'r1', model: request.model, created: 1 };
        if (!request.stream) {
          return { type: 'response', response: { ...response, content: [{ type: 'text', text: 'hello' }], finishReason: 'stop' } };
        }
        return { type: 'stream', events: (async function* () {
          yield { type: 'response-start', ...response };
          yield { type: 'text-delta', text: 'hello' };
          yield { type: 'finish', finishReason: 'stop' };
        })() };
      },
    };
  },
});
`;

// Claims no static credentials at runtime, streams without "finish", ignores aborts, and puts
// the model into its upstream URL as it came (so "../" walks up the vendor's paths).
const BAD_CONNECTOR = `
import { defineConnector } from '@llmproxy/connector-sdk';
export default defineConnector({
  id: 'bad',
  hasStaticCredentials: false,
  create({ http }) {
    return {
      async listModels() { return [{ id: 'bad-model' }]; },
      async chat(request) {
        await http.send({ method: 'POST', url: 'https://api.example.test/v1/models/' + request.model + ':generate', json: {} }).catch(() => undefined);
        return { type: 'stream', events: (async function* () {
          yield { type: 'response-start', id: 'r1', model: request.model, created: 1 };
          yield { type: 'text-delta', text: 'no end' };
        })() };
      },
    };
  },
});
`;

describe('describeConnectorConformance', () => {
  let root: string;
  let results: JestAssertion[];

  async function writePackage(directory: string, packageJson: object, moduleSource: string): Promise<void> {
    await mkdir(path.join(directory, 'dist'), { recursive: true });
    await writeFile(path.join(directory, 'package.json'), JSON.stringify(packageJson, null, 2));
    await writeFile(path.join(directory, 'dist/index.js'), moduleSource);
    await writeFile(
      path.join(directory, 'conformance.test.mjs'),
      `import { describeConnectorConformance } from ${JSON.stringify(pathToFileURL(KIT_FILE).href)};\n` +
        `describeConnectorConformance({ packageDirectory: ${JSON.stringify(directory)}, timeoutMs: 3000 });\n`,
    );
    await writeFile(
      path.join(directory, 'conformance.node-test.mjs'),
      `import { describe, it } from 'node:test';\n` +
        `import { describeConnectorConformance } from ${JSON.stringify(pathToFileURL(KIT_FILE).href)};\n` +
        `describeConnectorConformance({ packageDirectory: ${JSON.stringify(directory)}, timeoutMs: 3000 }, { describe, it });\n`,
    );
  }

  /** Leaf test name → 'passed' | 'failed', from node:test's TAP report of one package. */
  async function nodeTestStatuses(directory: string): Promise<Record<string, string>> {
    const tap = await new Promise<string>((resolve) => {
      execFile(
        process.execPath,
        ['--test', '--test-reporter=tap', path.join(directory, 'conformance.node-test.mjs')],
        { cwd: directory },
        // node --test exits 1 when a check fails: the report is what matters.
        (_error, stdout) => resolve(stdout),
      );
    });
    const statuses: Record<string, string> = {};
    for (const match of tap.matchAll(/^ *(not ok|ok) \d+ - (.+)$/gm)) {
      const name = match[2]!.replace(/\\#/g, '#');
      if (name.startsWith('connector package conformance:') || name.startsWith('connector "') || name.endsWith('.mjs')) continue;
      statuses[name] = match[1] === 'ok' ? 'passed' : 'failed';
    }
    return statuses;
  }

  beforeAll(async () => {
    if (!existsSync(KIT_FILE)) throw new Error('packages/connector-sdk/dist is not built: run `npx tsc -b` first.');
    root = await mkdtemp(path.join(tmpdir(), 'llmproxy-conformance-'));
    await mkdir(path.join(root, 'node_modules/@llmproxy'), { recursive: true });
    await symlink(SDK_DIRECTORY, path.join(root, 'node_modules/@llmproxy/connector-sdk'), 'dir');
    const manifest = (id: string) => ({
      manifestVersion: 1,
      sdk: '^1.0.0',
      connectors: [{ id, entry: `./${id}`, hasStaticCredentials: true }],
    });
    await writePackage(
      path.join(root, 'good'),
      {
        name: 'llmproxy-connector-good',
        version: '1.0.0',
        type: 'module',
        exports: { './good': './dist/index.js', './package.json': './package.json' },
        llmproxy: manifest('good'),
      },
      GOOD_CONNECTOR,
    );
    await writePackage(
      path.join(root, 'bad'),
      {
        name: 'acme-bad',
        version: '1.0.0',
        type: 'module',
        exports: { './bad': './dist/index.js' },
        llmproxy: { ...manifest('bad'), sdk: '^7.0.0' },
      },
      BAD_CONNECTOR,
    );
    const config = { rootDir: root, testMatch: ['**/conformance.test.mjs'], transform: {}, testEnvironment: 'node' };
    const outcome = await new Promise<string>((resolve) => {
      execFile(
        process.execPath,
        [
          '--experimental-vm-modules',
          '--no-warnings=ExperimentalWarning',
          path.join(REPOSITORY_ROOT, 'node_modules/jest/bin/jest.js'),
          '--config',
          JSON.stringify(config),
          '--json',
        ],
        { cwd: root },
        // jest exits 1 because the bad package fails: the JSON report on stdout is what matters.
        (_error, stdout) => resolve(stdout),
      );
    });
    const report = JSON.parse(outcome) as { testResults: Array<{ assertionResults: JestAssertion[] }> };
    results = report.testResults.flatMap((file) => file.assertionResults);
  }, 60_000);
  afterAll(async () => rm(root, { recursive: true, force: true }));

  function statuses(packageName: string): Record<string, string> {
    return Object.fromEntries(
      results
        .filter((result) => result.fullName.startsWith(`connector package conformance: ${packageName} `))
        .map((result) => [result.fullName.slice(`connector package conformance: ${packageName} `.length), result.status]),
    );
  }

  it('passes every check for a conforming package', () => {
    expect(statuses('llmproxy-connector-good')).toEqual({
      'has a valid "llmproxy" manifest in package.json': 'passed',
      'exports "./package.json", so llmproxy can read the manifest': 'passed',
      'has a name llmproxy discovers among dependencies': 'passed',
      [`declares an sdk range that accepts @llmproxy/connector-sdk ${installedSdkVersion}`]: 'passed',
      'connector "good" entry "./good" default-exports a definition that matches the manifest': 'passed',
      'connector "good" create() returns a connector with chat() and listModels()': 'passed',
      'connector "good" listModels() returns models with string ids': 'passed',
      'connector "good" chat() answers a request without streaming in a canonical shape': 'passed',
      'connector "good" chat() streams a request as canonical events in order': 'passed',
      'connector "good" chat() gives up when its signal is already aborted': 'passed',
      'connector "good" never lets a model name escape its URL path segment (../, %2F)': 'passed',
    });
  });

  it('fails each check a broken package violates, and only those', () => {
    expect(statuses('acme-bad')).toEqual({
      'has a valid "llmproxy" manifest in package.json': 'passed',
      'exports "./package.json", so llmproxy can read the manifest': 'failed',
      'has a name llmproxy discovers among dependencies': 'failed',
      [`declares an sdk range that accepts @llmproxy/connector-sdk ${installedSdkVersion}`]: 'failed',
      'connector "bad" entry "./bad" default-exports a definition that matches the manifest': 'failed',
      'connector "bad" create() returns a connector with chat() and listModels()': 'passed',
      'connector "bad" listModels() returns models with string ids': 'passed',
      'connector "bad" chat() answers a request without streaming in a canonical shape': 'failed',
      'connector "bad" chat() streams a request as canonical events in order': 'failed',
      'connector "bad" chat() gives up when its signal is already aborted': 'failed',
      'connector "bad" never lets a model name escape its URL path segment (../, %2F)': 'failed',
    });
    const escapeFailure = results.find((result) => result.fullName.endsWith('escape its URL path segment (../, %2F)') && result.status === 'failed');
    expect(escapeFailure?.failureMessages.join('\n')).toContain('https://api.example.test/v1/models/../../llmproxy-conformance-probe:generate');
    const streamFailure = results.find((result) => result.fullName.endsWith('streams a request as canonical events in order') && result.status === 'failed');
    expect(streamFailure?.failureMessages.join('\n')).toContain('the stream ended without a \\"finish\\" event');
  });

  it('runs under node:test with the same verdicts', async () => {
    const leafNames = (packageName: string): Record<string, string> =>
      Object.fromEntries(Object.entries(statuses(packageName)).map(([name, status]) => [name.replace(/^connector "[a-z]+" /, ''), status]));
    expect(await nodeTestStatuses(path.join(root, 'good'))).toEqual(leafNames('llmproxy-connector-good'));
    expect(await nodeTestStatuses(path.join(root, 'bad'))).toEqual(leafNames('acme-bad'));
  }, 60_000);
});
