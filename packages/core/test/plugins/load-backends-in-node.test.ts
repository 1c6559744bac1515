/**
 * Runs the built loader (packages/core/dist) in a plain Node child process, outside Jest's
 * module system, against fixture packages on disk: Node's own resolution, `exports` handling
 * and ESM loader decide here. Run `npx tsc -b` first.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AccessMode } from '../../src/config/proxy-settings.js';
import {
  REPOSITORY_ROOT,
  createFixtureWorkspace,
  testSettings,
  writeFixturePackage,
  type FixtureWorkspace,
} from './plugin-fixtures.js';

const runFile = promisify(execFile);
const DIST_PLUGINS = path.join(REPOSITORY_ROOT, 'packages/core/dist/plugins');

const DRIVER_SOURCE = `
import { loadBackends } from ${JSON.stringify(pathToFileURL(path.join(DIST_PLUGINS, 'load-backends.js')).href)};
import { formatPluginReport } from ${JSON.stringify(pathToFileURL(path.join(DIST_PLUGINS, 'format-plugin-report.js')).href)};
const [settingsJson, cwd, coreDirectory] = process.argv.slice(2);
const entries = [];
const logger = {
  error: (message) => entries.push({ level: 'error', message }),
  warn: (message) => entries.push({ level: 'warn', message }),
  info: (message) => entries.push({ level: 'info', message }),
  debug: (message) => entries.push({ level: 'debug', message }),
  child: () => logger,
};
const { registry, report } = await loadBackends({
  settings: JSON.parse(settingsJson), cwd, coreDirectory, logger,
  createContext: (backendName, connectorId, config) => ({
    backendName, logger, config, env: {},
    http: { send: () => Promise.reject(new Error('no network')) },
    notifier: { notify() {} },
  }),
});
const answer = await registry.get('side').connector.chat(
  { model: 'model-a', stream: false, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] },
  { signal: new AbortController().signal },
);
process.stdout.write(JSON.stringify({
  backends: registry.list().map((backend) => backend.name),
  packages: report.packages.map((item) => [item.name, item.source, item.status, item.problems.map((problem) => problem.code)]),
  entries,
  answer: JSON.parse(answer.response.content[0].text),
  notFound: registry.notFoundError('gemini-oauth-auto').message,
  formatted: formatPluginReport(report),
}));
`;

interface DriverOutput {
  backends: string[];
  packages: Array<[string, string, string, string[]]>;
  entries: Array<{ level: string; message: string }>;
  answer: unknown;
  notFound: string;
  formatted: string;
}

describe('loadBackends in plain Node (built output)', () => {
  let workspace: FixtureWorkspace;
  let driverFile: string;
  let oauthMarker: string;

  beforeAll(async () => {
    if (!existsSync(path.join(DIST_PLUGINS, 'load-backends.js'))) {
      throw new Error('packages/core/dist is not built: run `npx tsc -b` first.');
    }
    workspace = await createFixtureWorkspace({ 'llmproxy-connector-oauthy': '^1.0.0' });
    oauthMarker = path.join(workspace.markerDirectory, 'oauthy');
    await writeFixturePackage(workspace.projectNodeModules, {
      name: 'llmproxy-connector-oauthy',
      connectors: [{ id: 'gemini-oauth-auto', hasStaticCredentials: false, markerFile: oauthMarker }],
    });
    // Installed beside the (global) core only.
    await writeFixturePackage(workspace.globalNodeModules, { name: 'llmproxy-connector-side', connectors: [{ id: 'side' }] });
    await writeFixturePackage(workspace.projectNodeModules, {
      name: 'acme-no-export',
      connectors: [{ id: 'acme' }],
      omitPackageJsonExport: true,
    });
    driverFile = path.join(workspace.root, 'driver.mjs');
    await writeFile(driverFile, DRIVER_SOURCE);
  });
  afterAll(async () => workspace.cleanup());

  async function run(accessMode: AccessMode): Promise<DriverOutput> {
    await rm(oauthMarker, { force: true });
    // In Single User Mode an OAuth connector serves requests only once opted in.
    const settings = testSettings({
      accessMode,
      plugins: ['acme-no-export', 'acme-not-installed'],
      oauthDebuggingOverrides: accessMode === 'single_user' ? ['gemini-oauth-auto'] : [],
    });
    const { stdout } = await runFile(process.execPath, [
      driverFile,
      JSON.stringify(settings),
      workspace.projectDirectory,
      workspace.coreDirectory,
    ]);
    return JSON.parse(stdout) as DriverOutput;
  }

  it('in Multi User Mode never evaluates the OAuth package and loads the rest', async () => {
    const output = await run('multi_user');
    expect(existsSync(oauthMarker)).toBe(false);
    expect(output.backends).toEqual(['builtin', 'side']);
    expect(output.answer).toEqual({ connector: 'side', backend: 'side', config: {} });
    expect(output.packages).toEqual([
      ['@llmproxy/core', 'core', 'loaded', []],
      ['acme-no-export', 'config', 'invalid', ['PLUGIN_PACKAGE_JSON_NOT_EXPORTED']],
      ['acme-not-installed', 'config', 'not-installed', ['PLUGIN_NOT_INSTALLED']],
      ['llmproxy-connector-oauthy', 'project', 'skipped', []],
      ['llmproxy-connector-side', 'beside-core', 'loaded', []],
    ]);
    expect(output.entries).toContainEqual({
      level: 'info',
      message: 'Skipped OAuth connectors in Multi User Mode (OAuth not allowed in production): gemini-oauth-auto',
    });
    expect(output.notFound).toMatch(/^Backend not found: "gemini-oauth-auto" is an OAuth connector and is not available in Multi User Mode/);
    expect(output.formatted).toContain('OAUTH_CONNECTOR_NOT_ALLOWED');
  });

  it('in Single User Mode loads the OAuth package', async () => {
    const output = await run('single_user');
    expect(existsSync(oauthMarker)).toBe(true);
    expect(output.backends).toEqual(['builtin', 'gemini-oauth-auto', 'side']);
    expect(output.entries).toContainEqual({ level: 'debug', message: 'Loaded OAuth connectors: gemini-oauth-auto' });
  });
});
