import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { loadBackends } from '../../src/plugins/load-backends.js';
import type { ConnectorReport, PackageReport } from '../../src/plugins/plugin-report.js';
import {
  REPOSITORY_ROOT,
  createFixtureWorkspace,
  recordingLogger,
  testContextFactory,
  testSettings,
  writeFixturePackage,
  type FixturePackage,
  type FixtureWorkspace,
} from './plugin-fixtures.js';

const SDK_VERSION = (
  JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, 'packages/connector-sdk/package.json'), 'utf8')) as { version: string }
).version;

describe('loadBackends failure modes', () => {
  let workspace: FixtureWorkspace;
  beforeEach(async () => {
    workspace = await createFixtureWorkspace();
  });
  afterEach(async () => workspace.cleanup());

  async function load(settings = testSettings(), initTimeoutMs = 2_000) {
    const logger = recordingLogger();
    const loaded = await loadBackends({
      settings,
      cwd: workspace.projectDirectory,
      logger,
      createContext: testContextFactory(logger),
      coreDirectory: workspace.coreDirectory,
      initTimeoutMs,
    });
    return { ...loaded, logger };
  }

  /** Installs one package in the project, names it in plugins, and loads. */
  async function loadWithPlugin(fixture: FixturePackage, settings: Parameters<typeof testSettings>[0] = {}) {
    const directory = await writeFixturePackage(workspace.projectNodeModules, fixture);
    const loaded = await load(testSettings({ plugins: [fixture.name], ...settings }));
    const packageReport = loaded.report.packages.find((candidate) => candidate.name === fixture.name) as PackageReport;
    const connectorReports = loaded.report.connectors.filter((candidate) => candidate.packageName === fixture.name);
    return { ...loaded, directory, packageReport, connectorReports };
  }

  /** The rest of the proxy keeps working whatever one plugin does. */
  function expectBuiltinStillServes(loaded: Awaited<ReturnType<typeof load>>): void {
    expect(loaded.registry.get('builtin')).toBeDefined();
  }

  it('tells a configured plugin that is not installed apart from one that is installed but broken', async () => {
    await writeFixturePackage(workspace.projectNodeModules, {
      name: 'acme-no-package-json-export',
      connectors: [{ id: 'acme' }],
      omitPackageJsonExport: true,
    });
    const loaded = await load(testSettings({ plugins: ['acme-missing', 'acme-no-package-json-export'] }));
    const [missing, broken] = loaded.report.packages.slice(1);
    expect(missing).toMatchObject({ name: 'acme-missing', status: 'not-installed' });
    expect(missing!.problems).toEqual([
      {
        code: 'PLUGIN_NOT_INSTALLED',
        message: expect.stringContaining('Connector package acme-missing (named in plugins in the config) is not installed'),
        fix: expect.stringContaining('npm install acme-missing'),
      },
    ]);
    expect(broken).toMatchObject({
      name: 'acme-no-package-json-export',
      status: 'invalid',
      version: '1.2.3',
      path: path.join(workspace.projectNodeModules, 'acme-no-package-json-export'),
    });
    expect(broken!.problems).toEqual([
      {
        code: 'PLUGIN_PACKAGE_JSON_NOT_EXPORTED',
        message: expect.stringContaining('does not export "./package.json"'),
        fix: expect.stringContaining('"./package.json": "./package.json"'),
      },
    ]);
    expect(loaded.logger.entries.filter((entry) => entry.level === 'warn').map((entry) => entry.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('acme-missing'), expect.stringContaining('acme-no-package-json-export')]),
    );
    expectBuiltinStillServes(loaded);
  });

  it('refuses a plugins entry that is a path rather than a package name, before resolving it', async () => {
    await writeFixturePackage(workspace.projectDirectory, { name: 'local-connector', connectors: [{ id: 'local' }] });
    const loaded = await load(testSettings({ plugins: ['./local-connector', '/etc/passwd', 'has space'] }));
    expect(loaded.report.packages.slice(1).map((packageReport) => [packageReport.name, packageReport.status, packageReport.problems[0]?.code])).toEqual([
      ['./local-connector', 'invalid', 'PLUGIN_NAME_INVALID'],
      ['/etc/passwd', 'invalid', 'PLUGIN_NAME_INVALID'],
      ['has space', 'invalid', 'PLUGIN_NAME_INVALID'],
    ]);
    expect(loaded.registry.get('local')).toBeUndefined();
  });

  it('reports a project dependency that is listed but not installed', async () => {
    await writeFile(
      path.join(workspace.projectDirectory, 'package.json'),
      JSON.stringify({ name: 'my-project', devDependencies: { 'llmproxy-connector-absent': '^1.0.0' } }),
    );
    const loaded = await load();
    expect(loaded.report.packages[1]).toMatchObject({
      name: 'llmproxy-connector-absent',
      source: 'project',
      status: 'not-installed',
      problems: [
        {
          code: 'PLUGIN_NOT_INSTALLED',
          message: `Connector package llmproxy-connector-absent is listed in ${path.join(workspace.projectDirectory, 'package.json')} but is not installed.`,
          fix: `Run npm install in ${workspace.projectDirectory}.`,
        },
      ],
    });
  });

  it('reports a package.json that is not valid JSON', async () => {
    const { packageReport } = await loadWithPlugin({ name: 'acme-garbled', rawPackageJson: '{ "name": "acme-garbled", ' });
    expect(packageReport).toMatchObject({ status: 'invalid', problems: [{ code: 'PLUGIN_PACKAGE_JSON_UNREADABLE' }] });
  });

  it('reports a package named in plugins that has no manifest', async () => {
    const { packageReport } = await loadWithPlugin({ name: 'acme-plain', manifest: null });
    expect(packageReport.problems).toEqual([
      expect.objectContaining({ code: 'PLUGIN_MANIFEST_MISSING', message: expect.stringContaining('has no "llmproxy" manifest') }),
    ]);
  });

  it('reports every manifest problem at once, and imports nothing from the package', async () => {
    const markerFile = path.join(workspace.markerDirectory, 'invalid-manifest');
    const { packageReport, connectorReports, registry } = await loadWithPlugin({
      name: 'acme-bad-manifest',
      connectors: [{ id: 'acme', markerFile }],
      manifest: { manifestVersion: 1, sdk: '^1.0.0', extra: true, connectors: [{ id: 'Acme!', entry: 'dist/acme.js' }] },
    });
    expect(packageReport.status).toBe('invalid');
    expect(packageReport.problems).toHaveLength(1);
    const [problem] = packageReport.problems;
    expect(problem!.code).toBe('PLUGIN_MANIFEST_INVALID');
    expect(problem!.message).toContain(`acme-bad-manifest (${path.join(workspace.projectNodeModules, 'acme-bad-manifest', 'package.json')})`);
    for (const expected of [
      'llmproxy: unknown property "extra"',
      'llmproxy.connectors.0: missing required property "hasStaticCredentials"',
      'llmproxy.connectors.0.id: must match pattern',
      'llmproxy.connectors.0.entry: must match pattern',
    ]) {
      expect(problem!.message).toContain(expected);
    }
    expect(connectorReports).toEqual([]);
    expect(registry.get('acme')).toBeUndefined();
    expect(() => readFileSync(markerFile)).toThrow();
  });

  it('names the plugin, its SDK range and the installed SDK version on a mismatch', async () => {
    const { packageReport } = await loadWithPlugin({ name: 'acme-future', sdk: '^99.0.0', connectors: [{ id: 'acme' }] });
    expect(packageReport.status).toBe('invalid');
    expect(packageReport.problems).toEqual([
      {
        code: 'PLUGIN_SDK_VERSION_MISMATCH',
        message: `Connector package acme-future (${path.join(workspace.projectNodeModules, 'acme-future', 'package.json')}) requires @llmproxy/connector-sdk ^99.0.0, but the installed version is ${SDK_VERSION}.`,
        fix: expect.stringContaining('npm install acme-future@latest'),
      },
    ]);
  });

  it('reports an sdk value that is not a semver range', async () => {
    const { packageReport } = await loadWithPlugin({ name: 'acme-range', sdk: 'the latest one', connectors: [{ id: 'acme' }] });
    expect(packageReport.problems).toEqual([expect.objectContaining({ code: 'PLUGIN_SDK_RANGE_INVALID' })]);
  });

  it('keeps the first of two packages declaring the same connector id and names both', async () => {
    await writeFile(
      path.join(workspace.projectDirectory, 'package.json'),
      JSON.stringify({ dependencies: { 'llmproxy-connector-one': '1', 'llmproxy-connector-two': '1' } }),
    );
    const secondMarker = path.join(workspace.markerDirectory, 'second-copy');
    await writeFixturePackage(workspace.projectNodeModules, { name: 'llmproxy-connector-one', connectors: [{ id: 'shared' }] });
    await writeFixturePackage(workspace.projectNodeModules, {
      name: 'llmproxy-connector-two',
      connectors: [{ id: 'shared', markerFile: secondMarker }, { id: 'two-own' }],
    });
    const { registry, report } = await load();
    expect(registry.get('shared')?.packageName).toBe('llmproxy-connector-one');
    expect(registry.get('two-own')).toBeDefined();
    const skipped = report.connectors.find(
      (connector) => connector.id === 'shared' && connector.packageName === 'llmproxy-connector-two',
    ) as ConnectorReport;
    expect(skipped).toMatchObject({ status: 'skipped', code: 'PLUGIN_CONNECTOR_DUPLICATE' });
    expect(skipped.reason).toContain(
      `declared by two packages: llmproxy-connector-one (${path.join(workspace.projectNodeModules, 'llmproxy-connector-one')}) and llmproxy-connector-two (${path.join(workspace.projectNodeModules, 'llmproxy-connector-two')})`,
    );
    expect(() => readFileSync(secondMarker)).toThrow();
  });

  it("never lets a plugin take over a built-in connector's id", async () => {
    const { registry, connectorReports } = await loadWithPlugin({ name: 'acme-impostor', connectors: [{ id: 'builtin' }] });
    expect(registry.get('builtin')?.packageName).toBe('@llmproxy/core');
    expect(connectorReports[0]).toMatchObject({ status: 'skipped', code: 'PLUGIN_CONNECTOR_DUPLICATE' });
  });

  it('reports an id declared twice in one manifest', async () => {
    const { connectorReports } = await loadWithPlugin({
      name: 'acme-twice',
      connectors: [{ id: 'acme' }, { id: 'acme', entry: './acme-again', file: 'dist/again.js' }],
    });
    expect(connectorReports.map((connector) => [connector.status, connector.code])).toEqual([
      ['loaded', undefined],
      ['skipped', 'PLUGIN_CONNECTOR_DUPLICATE'],
    ]);
  });

  it("reports an entry that is not in the package's exports, and one whose file is missing", async () => {
    const { connectorReports, packageReport, registry } = await loadWithPlugin({
      name: 'acme-entries',
      connectors: [{ id: 'hidden', notExported: true }, { id: 'unbuilt', fileMissing: true }, { id: 'fine' }],
    });
    expect(connectorReports.map((connector) => [connector.id, connector.status, connector.code])).toEqual([
      ['hidden', 'failed', 'PLUGIN_ENTRY_NOT_EXPORTED'],
      ['unbuilt', 'failed', 'PLUGIN_ENTRY_FILE_MISSING'],
      ['fine', 'loaded', undefined],
    ]);
    expect(connectorReports[0]!.fix).toContain('Add "./hidden" to the "exports" of acme-entries');
    expect(packageReport.status).toBe('loaded');
    expect(registry.get('fine')).toBeDefined();
  });

  it('reports an entry module that throws on import', async () => {
    const { connectorReports } = await loadWithPlugin({ name: 'acme-throws', connectors: [{ id: 'acme', behaviour: 'throw-on-import' }] });
    expect(connectorReports[0]).toMatchObject({
      status: 'failed',
      code: 'PLUGIN_IMPORT_FAILED',
      reason: expect.stringContaining('fixture exploded at import'),
    });
  });

  it('abandons an entry module that never finishes importing', async () => {
    await writeFixturePackage(workspace.projectNodeModules, { name: 'acme-hangs', connectors: [{ id: 'acme', behaviour: 'hang-on-import' }] });
    const loaded = await load(testSettings({ plugins: ['acme-hangs'] }), 300);
    expect(loaded.report.connectors.find((connector) => connector.id === 'acme')).toMatchObject({
      status: 'failed',
      code: 'PLUGIN_IMPORT_TIMEOUT',
      reason: expect.stringContaining('within 300 ms'),
    });
    expectBuiltinStillServes(loaded);
  });

  it('refuses a default export that is not a branded connector definition', async () => {
    const { connectorReports } = await loadWithPlugin({
      name: 'acme-shapes',
      connectors: [
        { id: 'plain', behaviour: 'plain-object' },
        { id: 'nothing', behaviour: 'no-default-export' },
      ],
    });
    expect(connectorReports.map((connector) => [connector.code, connector.reason?.includes('default export')])).toEqual([
      ['PLUGIN_DEFINITION_INVALID', true],
      ['PLUGIN_DEFINITION_INVALID', true],
    ]);
  });

  it('refuses a definition whose id or hasStaticCredentials disagree with the manifest', async () => {
    const { connectorReports, registry } = await loadWithPlugin({
      name: 'acme-liar',
      connectors: [
        { id: 'claims-id', runtimeId: 'other-id' },
        { id: 'claims-static', hasStaticCredentials: true, runtimeHasStaticCredentials: false },
      ],
    });
    expect(connectorReports.map((connector) => connector.code)).toEqual(['PLUGIN_DEFINITION_MISMATCH', 'PLUGIN_DEFINITION_MISMATCH']);
    expect(connectorReports[0]!.reason).toContain('id is "other-id", the manifest says "claims-id"');
    expect(connectorReports[1]!.reason).toContain('hasStaticCredentials is false, the manifest says true');
    expect(registry.list().map((backend) => backend.name)).toEqual(['builtin']);
  });

  it('reports a backend whose create() throws or hangs, and starts the others', async () => {
    await writeFixturePackage(workspace.projectNodeModules, {
      name: 'acme-create',
      connectors: [
        { id: 'create-throws', behaviour: 'create-throws' },
        { id: 'create-hangs', behaviour: 'create-hangs' },
        { id: 'creates-fine' },
      ],
    });
    const loaded = await load(testSettings({ plugins: ['acme-create'] }), 300);
    expect(loaded.report.backends.map((backend) => [backend.name, backend.status, backend.code])).toEqual([
      ['builtin', 'ready', undefined],
      ['create-throws', 'failed', 'BACKEND_CREATE_FAILED'],
      ['create-hangs', 'failed', 'BACKEND_CREATE_TIMEOUT'],
      ['creates-fine', 'ready', undefined],
    ]);
    expect(loaded.report.backends[1]!.reason).toContain('missing FIXTURE_TOKEN');
    expect(loaded.registry.list().map((backend) => backend.name)).toEqual(['builtin', 'creates-fine']);
    const notFound = loaded.registry.notFoundError('create-throws');
    expect(notFound.message).toMatch(/^Backend not found: "create-throws" is configured but did not start: .*missing FIXTURE_TOKEN/);
  });

  it('reports a config backend whose type names no installed connector', async () => {
    const loaded = await load(testSettings({ backends: { local: { type: 'no-such-connector', base_url: 'http://127.0.0.1:9' } } }));
    expect(loaded.report.backends.find((backend) => backend.name === 'local')).toMatchObject({
      status: 'failed',
      code: 'BACKEND_CONNECTOR_NOT_FOUND',
      reason: 'Backend "local" (backends.local) uses connector "no-such-connector", which no installed connector package provides.',
      fix: expect.stringContaining('Set backends.local.type to one of the loaded connectors (builtin)'),
    });
    expect(loaded.registry.notFoundError('local').message).toContain('configured but did not start');
  });

  it('reports a config backend whose connector failed to load', async () => {
    const loaded = await loadWithPlugin(
      { name: 'acme-throws', connectors: [{ id: 'acme', behaviour: 'throw-on-import' }] },
      { backends: { mine: { type: 'acme' } } },
    );
    expect(loaded.report.backends.find((backend) => backend.name === 'mine')).toMatchObject({
      status: 'failed',
      code: 'BACKEND_CONNECTOR_UNAVAILABLE',
      reason: expect.stringContaining('fixture exploded at import'),
    });
  });

  it('survives every failure at once and serves what did load', async () => {
    await writeFixturePackage(workspace.projectNodeModules, { name: 'acme-ok', connectors: [{ id: 'acme-ok' }] });
    await writeFixturePackage(workspace.projectNodeModules, { name: 'acme-throws', connectors: [{ id: 'boom', behaviour: 'throw-on-import' }] });
    await writeFixturePackage(workspace.projectNodeModules, { name: 'acme-future', sdk: '^99.0.0', connectors: [{ id: 'future' }] });
    const loaded = await load(testSettings({ plugins: ['acme-missing', 'acme-throws', 'acme-future', 'acme-ok'] }));
    expect(loaded.report.packages.map((packageReport) => [packageReport.name, packageReport.status])).toEqual([
      ['@llmproxy/core', 'loaded'],
      ['acme-missing', 'not-installed'],
      ['acme-throws', 'failed'],
      ['acme-future', 'invalid'],
      ['acme-ok', 'loaded'],
    ]);
    expect(loaded.registry.list().map((backend) => backend.name)).toEqual(['builtin', 'acme-ok']);
    expect(Object.isFrozen(loaded.report)).toBe(true);
    expect(Object.isFrozen(loaded.registry.list())).toBe(true);
  });
});
