import { existsSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Connector } from '@llmproxy/connector-sdk';
import { loadBackends } from '../../src/plugins/load-backends.js';
import {
  REPOSITORY_ROOT,
  createFixtureWorkspace,
  recordingLogger,
  testContextFactory,
  testSettings,
  writeFixturePackage,
  type FixtureWorkspace,
} from './plugin-fixtures.js';

const signal = new AbortController().signal;

async function load(workspace: FixtureWorkspace, settings = testSettings()) {
  const logger = recordingLogger();
  const loaded = await loadBackends({
    settings,
    cwd: workspace.projectDirectory,
    logger,
    createContext: testContextFactory(logger),
    coreDirectory: workspace.coreDirectory,
    initTimeoutMs: 2_000,
  });
  return { ...loaded, logger };
}

async function chatText(backend: { connector: Connector } | undefined): Promise<unknown> {
  if (backend === undefined) throw new Error('backend missing');
  const result = await backend.connector.chat(
    { model: 'model-a', stream: false, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] },
    { signal },
  );
  const first = result.type === 'response' ? result.response.content[0] : undefined;
  if (first?.type !== 'text') throw new Error(`expected a text answer, got ${JSON.stringify(result)}`);
  return JSON.parse(first.text);
}

describe('loadBackends discovery', () => {
  let workspace: FixtureWorkspace;
  afterEach(async () => workspace.cleanup());

  describe('core built-ins', () => {
    beforeEach(async () => {
      workspace = await createFixtureWorkspace();
    });

    it("loads the connectors declared in core's own package.json as built-ins", async () => {
      const { registry, report } = await load(workspace);
      expect(report.packages[0]).toMatchObject({ name: '@llmproxy/core', source: 'core', status: 'loaded' });
      expect(registry.list().map((backend) => [backend.name, backend.packageName])).toEqual([['builtin', '@llmproxy/core']]);
      expect(await chatText(registry.get('builtin'))).toEqual({ connector: 'builtin', backend: 'builtin', config: {} });
    });

    it('does not treat @llmproxy/connector-sdk beside core as a connector package', async () => {
      const { report } = await load(workspace);
      expect(report.packages.map((packageReport) => packageReport.name)).toEqual(['@llmproxy/core']);
    });
  });

  it('finds a package named in plugins, whatever its name, from the project', async () => {
    workspace = await createFixtureWorkspace();
    await writeFixturePackage(workspace.projectNodeModules, { name: 'acme-tools', connectors: [{ id: 'acme' }] });
    const { registry, report } = await load(workspace, testSettings({ plugins: ['acme-tools'] }));
    expect(report.packages.find((packageReport) => packageReport.name === 'acme-tools')).toMatchObject({
      source: 'config',
      status: 'loaded',
      version: '1.2.3',
      path: path.join(workspace.projectNodeModules, 'acme-tools'),
    });
    expect(await chatText(registry.get('acme'))).toEqual({ connector: 'acme', backend: 'acme', config: {} });
  });

  it('finds a package named in plugins that is installed only beside core (global install)', async () => {
    workspace = await createFixtureWorkspace();
    await writeFixturePackage(workspace.globalNodeModules, { name: 'acme-global', connectors: [{ id: 'acme-global' }] });
    const { registry, report } = await load(workspace, testSettings({ plugins: ['acme-global'] }));
    expect(report.packages.find((packageReport) => packageReport.name === 'acme-global')).toMatchObject({
      source: 'config',
      status: 'loaded',
      path: path.join(workspace.globalNodeModules, 'acme-global'),
    });
    expect(registry.get('acme-global')).toBeDefined();
  });

  it("finds the project's dependencies that match the connector naming patterns, and only those", async () => {
    workspace = await createFixtureWorkspace({
      'llmproxy-connector-alpha': '^1.0.0',
      '@acme/llmproxy-connector-beta': '^1.0.0',
      '@llmproxy/connector-gamma': '^1.0.0',
      'acme-unrelated': '^1.0.0',
    });
    await writeFixturePackage(workspace.projectNodeModules, { name: 'llmproxy-connector-alpha', connectors: [{ id: 'alpha' }] });
    await writeFixturePackage(workspace.projectNodeModules, { name: '@acme/llmproxy-connector-beta', connectors: [{ id: 'beta' }] });
    await writeFixturePackage(workspace.projectNodeModules, { name: '@llmproxy/connector-gamma', connectors: [{ id: 'gamma' }] });
    // Declares connectors, but its name does not match: found only when named in plugins.
    await writeFixturePackage(workspace.projectNodeModules, { name: 'acme-unrelated', connectors: [{ id: 'unrelated' }] });
    // Installed with a matching name but not a dependency of the project: no node_modules crawl.
    await writeFixturePackage(workspace.projectNodeModules, { name: 'llmproxy-connector-stray', connectors: [{ id: 'stray' }] });

    const { registry, report } = await load(workspace);
    expect(report.packages.map((packageReport) => [packageReport.name, packageReport.source, packageReport.status])).toEqual([
      ['@llmproxy/core', 'core', 'loaded'],
      ['llmproxy-connector-alpha', 'project', 'loaded'],
      ['@acme/llmproxy-connector-beta', 'project', 'loaded'],
      ['@llmproxy/connector-gamma', 'project', 'loaded'],
    ]);
    expect(registry.list().map((backend) => backend.name)).toEqual(['builtin', 'alpha', 'beta', 'gamma']);
  });

  it('finds connector-named packages installed beside core, scoped ones included', async () => {
    workspace = await createFixtureWorkspace();
    await writeFixturePackage(workspace.globalNodeModules, { name: 'llmproxy-connector-side', connectors: [{ id: 'side' }] });
    await writeFixturePackage(workspace.globalNodeModules, { name: '@acme/llmproxy-connector-scoped', connectors: [{ id: 'scoped' }] });
    await writeFixturePackage(workspace.globalNodeModules, { name: '@llmproxy/oauth-connectors', connectors: [{ id: 'static-one' }] });
    await writeFixturePackage(workspace.globalNodeModules, { name: 'not-a-connector', connectors: [{ id: 'ignored' }] });
    const { registry, report } = await load(workspace);
    expect(
      report.packages.filter((packageReport) => packageReport.source === 'beside-core').map((packageReport) => packageReport.name),
    ).toEqual(['@acme/llmproxy-connector-scoped', '@llmproxy/oauth-connectors', 'llmproxy-connector-side']);
    expect(registry.list().map((backend) => backend.name).sort()).toEqual(['builtin', 'scoped', 'side', 'static-one']);
  });

  it('lists a package once when several sources name it, keeping the first source', async () => {
    workspace = await createFixtureWorkspace({ 'llmproxy-connector-twice': '^1.0.0' });
    await writeFixturePackage(workspace.projectNodeModules, { name: 'llmproxy-connector-twice', connectors: [{ id: 'twice' }] });
    const { registry, report } = await load(workspace, testSettings({ plugins: ['llmproxy-connector-twice'] }));
    const found = report.packages.filter((packageReport) => packageReport.name === 'llmproxy-connector-twice');
    expect(found.map((packageReport) => packageReport.source)).toEqual(['config']);
    expect(registry.list().map((backend) => backend.name)).toEqual(['builtin', 'twice']);
  });

  it('creates backends from the config: type names the connector, the rest is its config slice', async () => {
    workspace = await createFixtureWorkspace({ 'llmproxy-connector-alpha': '^1.0.0' });
    await writeFixturePackage(workspace.projectNodeModules, {
      name: 'llmproxy-connector-alpha',
      connectors: [{ id: 'alpha' }, { id: 'alpha-configured', createsDefaultBackend: false }],
    });
    const { registry, report } = await load(
      workspace,
      testSettings({
        backends: {
          alpha: { region: 'eu' },
          first: { type: 'alpha-configured', base_url: 'http://127.0.0.1:1' },
          second: { type: 'alpha-configured', base_url: 'http://127.0.0.1:2' },
        },
      }),
    );
    expect(registry.list().map((backend) => `${backend.name}<-${backend.connectorId}`)).toEqual([
      'builtin<-builtin',
      'alpha<-alpha',
      'first<-alpha-configured',
      'second<-alpha-configured',
    ]);
    expect(await chatText(registry.get('alpha'))).toEqual({ connector: 'alpha', backend: 'alpha', config: { region: 'eu' } });
    expect(await chatText(registry.get('second'))).toEqual({
      connector: 'alpha-configured',
      backend: 'second',
      config: { base_url: 'http://127.0.0.1:2' },
    });
    expect(report.backends.find((backend) => backend.name === 'alpha')).toMatchObject({ origin: 'yaml', status: 'ready' });
  });

  it('reports a connector that creates no default backend and is not configured as needing config', async () => {
    workspace = await createFixtureWorkspace({ 'llmproxy-connector-alpha': '^1.0.0' });
    await writeFixturePackage(workspace.projectNodeModules, {
      name: 'llmproxy-connector-alpha',
      connectors: [{ id: 'alpha-configured', createsDefaultBackend: false }],
    });
    const { registry, report } = await load(workspace);
    expect(registry.get('alpha-configured')).toBeUndefined();
    expect(report.connectors.find((connector) => connector.id === 'alpha-configured')).toMatchObject({
      status: 'needs-config',
      fix: expect.stringContaining('type: alpha-configured'),
    });
    expect(registry.notFoundError('alpha-configured').message).toMatch(/^Backend not found: "alpha-configured" is a connector that serves requests only once configured/);
  });

  it('loads examples/connector-minimal, a package outside core, as a project dependency', async () => {
    const exampleDirectory = path.join(REPOSITORY_ROOT, 'examples/connector-minimal');
    if (!existsSync(path.join(exampleDirectory, 'dist/echo-connector.js'))) {
      throw new Error('examples/connector-minimal is not built: run `npx tsc -b` first.');
    }
    workspace = await createFixtureWorkspace({ 'llmproxy-connector-minimal': '^0.1.0' });
    await symlink(exampleDirectory, path.join(workspace.projectNodeModules, 'llmproxy-connector-minimal'), 'dir');
    const { registry, report } = await load(workspace);
    expect(report.packages.find((packageReport) => packageReport.name === 'llmproxy-connector-minimal')).toMatchObject({
      source: 'project',
      status: 'loaded',
      version: '0.1.0',
    });
    const echo = registry.get('echo');
    expect(echo).toMatchObject({ connectorId: 'echo', packageName: 'llmproxy-connector-minimal', hasStaticCredentials: true });
    const result = await echo!.connector.chat(
      { model: 'echo', stream: true, messages: [{ role: 'user', content: [{ type: 'text', text: 'round trip works' }] }] },
      { signal },
    );
    if (result.type !== 'stream') throw new Error('expected a stream');
    const deltas: string[] = [];
    for await (const event of result.events) if (event.type === 'text-delta') deltas.push(event.text);
    expect(deltas).toEqual(['round ', 'trip ', 'works']);
  });

  it("reads the real @llmproxy/core package.json and declares its built-in connectors", async () => {
    workspace = await createFixtureWorkspace();
    const logger = recordingLogger();
    const { report } = await loadBackends({
      settings: testSettings(),
      cwd: workspace.projectDirectory,
      logger,
      createContext: testContextFactory(logger),
    });
    expect(report.packages[0]).toMatchObject({
      name: '@llmproxy/core',
      source: 'core',
      path: path.join(REPOSITORY_ROOT, 'packages/core'),
    });
    expect(report.connectors.filter((connector) => connector.packageName === '@llmproxy/core').map((connector) => connector.id)).toEqual([
      'openai',
      'openai-compatible',
      'anthropic',
      'gemini',
      'openrouter',
      'qwen',
    ]);
  });
});
