/**
 * @fileoverview Builds real connector packages on disk for plugin tests: a temporary project
 * with its own node_modules, and a "global" prefix holding a fixture @llmproxy/core with
 * packages installed beside it. Fixture connector modules are plain ESM JavaScript that import
 * the SDK like a third-party package would, and can write a marker file when evaluated.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorContext } from '@llmproxy/connector-sdk';
import type { ProxySettings } from '../../src/config/proxy-settings.js';
import type { AppLogger } from '../../src/logging/app-logger.js';

export const REPOSITORY_ROOT = path.resolve(fileURLToPath(new URL('../../../../', import.meta.url)));
const SDK_DIRECTORY = path.join(REPOSITORY_ROOT, 'packages/connector-sdk');

export interface FixtureWorkspace {
  root: string;
  /** The working directory (a project with package.json and node_modules). */
  projectDirectory: string;
  projectNodeModules: string;
  /** A global prefix's node_modules, where the fixture core lives. */
  globalNodeModules: string;
  /** The fixture @llmproxy/core directory inside the global node_modules. */
  coreDirectory: string;
  /** Where marker files go. */
  markerDirectory: string;
  cleanup(): Promise<void>;
}

/**
 * A temporary layout: `project/` (package.json + node_modules) and `global/lib/node_modules/`
 * holding a fixture `@llmproxy/core` whose manifest declares one built-in connector `builtin`.
 * Both node_modules hold a link to the real SDK, as an install would.
 */
export async function createFixtureWorkspace(projectDependencies: Record<string, string> = {}): Promise<FixtureWorkspace> {
  const root = await mkdtemp(path.join(tmpdir(), 'llmproxy-plugins-'));
  const projectDirectory = path.join(root, 'project');
  const projectNodeModules = path.join(projectDirectory, 'node_modules');
  const globalNodeModules = path.join(root, 'global/lib/node_modules');
  const markerDirectory = path.join(root, 'markers');
  await mkdir(markerDirectory, { recursive: true });
  for (const nodeModules of [projectNodeModules, globalNodeModules]) {
    await mkdir(path.join(nodeModules, '@llmproxy'), { recursive: true });
    await symlink(SDK_DIRECTORY, path.join(nodeModules, '@llmproxy/connector-sdk'), 'dir');
  }
  await writeFile(
    path.join(projectDirectory, 'package.json'),
    JSON.stringify({ name: 'my-project', private: true, dependencies: projectDependencies }, null, 2),
  );
  const coreDirectory = await writeFixturePackage(globalNodeModules, {
    name: '@llmproxy/core',
    connectors: [{ id: 'builtin', createsDefaultBackend: true }],
  });
  return {
    root,
    projectDirectory,
    projectNodeModules,
    globalNodeModules,
    coreDirectory,
    markerDirectory,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** How a fixture connector's entry module behaves. */
export interface FixtureConnector {
  id: string;
  /** Manifest value; defaults to true. */
  hasStaticCredentials?: boolean;
  /** Defaults to true. */
  createsDefaultBackend?: boolean;
  /** Manifest entry; defaults to `./<id>`. */
  entry?: string;
  /** Module file (relative to the package); defaults to `dist/<id>.js`. */
  file?: string;
  /** When set, the module writes this file when it is evaluated. */
  markerFile?: string;
  /** What the module does on import; defaults to a valid definition. */
  behaviour?:
    | 'valid'
    | 'throw-on-import'
    | 'hang-on-import'
    | 'plain-object'
    | 'no-default-export'
    | 'create-throws'
    | 'create-hangs';
  /** Runtime values that disagree with the manifest. */
  runtimeId?: string;
  runtimeHasStaticCredentials?: boolean;
  /** Leave the entry out of `exports`. */
  notExported?: boolean;
  /** Export the entry but do not write its file. */
  fileMissing?: boolean;
}

export interface FixturePackage {
  name: string;
  version?: string;
  connectors?: FixtureConnector[];
  /** Replaces the generated manifest (use `null` for a package without one). */
  manifest?: unknown;
  sdk?: string;
  /** Leave `./package.json` out of `exports`. */
  omitPackageJsonExport?: boolean;
  /** Write this text as package.json instead. */
  rawPackageJson?: string;
}

/** Writes a package under `nodeModules` and returns its directory. */
export async function writeFixturePackage(nodeModules: string, fixture: FixturePackage): Promise<string> {
  const directory = path.join(nodeModules, fixture.name);
  await mkdir(path.join(directory, 'dist'), { recursive: true });
  const connectors = fixture.connectors ?? [];
  const exportsField: Record<string, string> = {};
  for (const connector of connectors) {
    const entry = connector.entry ?? `./${connector.id}`;
    const file = connector.file ?? `dist/${connector.id}.js`;
    if (!connector.notExported) exportsField[entry] = `./${file}`;
    if (!connector.fileMissing) {
      await mkdir(path.dirname(path.join(directory, file)), { recursive: true });
      await writeFile(path.join(directory, file), connectorModuleSource(connector));
    }
  }
  if (!fixture.omitPackageJsonExport) exportsField['./package.json'] = './package.json';
  const manifest =
    fixture.manifest !== undefined
      ? fixture.manifest
      : {
          manifestVersion: 1,
          sdk: fixture.sdk ?? '^1.0.0',
          connectors: connectors.map((connector) => ({
            id: connector.id,
            entry: connector.entry ?? `./${connector.id}`,
            hasStaticCredentials: connector.hasStaticCredentials ?? true,
            description: `fixture connector ${connector.id}`,
          })),
        };
  const packageJson = {
    name: fixture.name,
    version: fixture.version ?? '1.2.3',
    type: 'module',
    exports: exportsField,
    ...(manifest === null ? {} : { llmproxy: manifest }),
  };
  await writeFile(path.join(directory, 'package.json'), fixture.rawPackageJson ?? JSON.stringify(packageJson, null, 2));
  return directory;
}

function connectorModuleSource(connector: FixtureConnector): string {
  const behaviour = connector.behaviour ?? 'valid';
  const lines = [
    "import { writeFileSync } from 'node:fs';",
    "import { defineConnector } from '@llmproxy/connector-sdk';",
  ];
  if (connector.markerFile !== undefined) lines.push(`writeFileSync(${JSON.stringify(connector.markerFile)}, 'evaluated');`);
  if (behaviour === 'throw-on-import') lines.push("throw new Error('fixture exploded at import');");
  if (behaviour === 'hang-on-import') lines.push('await new Promise(() => {});');
  if (behaviour === 'plain-object') {
    lines.push(`export default { id: ${JSON.stringify(connector.id)}, hasStaticCredentials: true, create() {} };`);
    return lines.join('\n');
  }
  if (behaviour === 'no-default-export') {
    lines.push('export const notADefinition = true;');
    return lines.join('\n');
  }
  const create =
    behaviour === 'create-throws'
      ? "throw new Error('fixture create failed: missing FIXTURE_TOKEN');"
      : behaviour === 'create-hangs'
        ? 'return new Promise(() => {});'
        : `return {
      async listModels() { return [{ id: 'model-a' }]; },
      async chat(request) {
        return { type: 'response', response: {
          id: 'fixture-response', model: request.model, created: 0, finishReason: 'stop',
          content: [{ type: 'text', text: JSON.stringify({ connector: ${JSON.stringify(connector.id)}, backend: context.backendName, config: context.config }) }],
        } };
      },
    };`;
  lines.push(`export default defineConnector({
  id: ${JSON.stringify(connector.runtimeId ?? connector.id)},
  hasStaticCredentials: ${String(connector.runtimeHasStaticCredentials ?? connector.hasStaticCredentials ?? true)},
  createsDefaultBackend: ${String(connector.createsDefaultBackend ?? true)},
  create(context) {
    ${create}
  },
});`);
  return lines.join('\n');
}

/** Complete settings with test defaults. */
export function testSettings(overrides: Partial<ProxySettings> = {}): ProxySettings {
  return {
    host: '127.0.0.1',
    port: 0,
    configFile: undefined,
    defaultBackend: undefined,
    modelRoutes: [],
    logLevel: 'debug',
    logFile: path.join(tmpdir(), 'llmproxy-plugin-tests.log'),
    accessMode: 'single_user',
    auth: { disabled: false, apiKeys: [] },
    sso: { enabled: false },
    notifications: { enabled: false },
    oauthDebuggingOverrides: [],
    allowOauthAutoReplacement: false,
    server: { bodyLimitBytes: 1_000_000, upstreamTimeoutMs: 10_000, upstreamBodyLimitBytes: 64 * 1024 * 1024, upstreamEventLimitBytes: 16 * 1024 * 1024, streamFirstContentTimeoutMs: 300_000, streamIdleTimeoutMs: 120_000, drainTimeoutMs: 1_000, requestTimeoutMs: 60_000, allowedOrigins: [], trustProxy: [], upstreamKeyRetryMs: 30_000, upstreamKeyRetryMaxMs: 1_800_000, fallbackRestMs: 30_000 },
    plugins: [],
    backends: {},
    metrics: { enabled: false, port: undefined, host: '127.0.0.1', callerLabel: false },
    callers: { defaults: {}, byId: {}, byGroup: {} },
    usage: { enabled: false, databaseFile: path.join(tmpdir(), 'llmproxy-plugin-tests-usage.sqlite') },
    storage: { databaseUrl: undefined, redisUrl: undefined },
    prices: {},
    ...overrides,
  };
}

export interface RecordedLog {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
}

/** A logger that records entries, for asserting exact log lines. */
export function recordingLogger(): AppLogger & { entries: RecordedLog[] } {
  const entries: RecordedLog[] = [];
  const logger: AppLogger & { entries: RecordedLog[] } = {
    entries,
    error: (message) => entries.push({ level: 'error', message }),
    warn: (message) => entries.push({ level: 'warn', message }),
    info: (message) => entries.push({ level: 'info', message }),
    debug: (message) => entries.push({ level: 'debug', message }),
    child: () => logger,
  };
  return logger;
}

/** A context factory with a recording logger and no network. */
export function testContextFactory(logger: AppLogger) {
  return (backendName: string, _connectorId: string, config: Record<string, unknown>): ConnectorContext => ({
    backendName,
    logger,
    http: { send: () => Promise.reject(new Error('no network in plugin tests')) },
    notifier: { notify: () => undefined },
    config,
    env: {},
  });
}
