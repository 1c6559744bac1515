import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { AccessMode } from '../../src/config/proxy-settings.js';
import { loadBackends } from '../../src/plugins/load-backends.js';
import {
  createFixtureWorkspace,
  recordingLogger,
  testContextFactory,
  testSettings,
  writeFixturePackage,
  type FixtureWorkspace,
} from './plugin-fixtures.js';

describe('the access-mode gate', () => {
  let workspace: FixtureWorkspace;
  let markers: { personal: string; namedOauth: string; knownId: string; mixedStatic: string; mixedOauth: string };

  beforeEach(async () => {
    workspace = await createFixtureWorkspace({
      '@acme/llmproxy-connector-personal': '^1.0.0',
      'llmproxy-connector-named': '^1.0.0',
      'llmproxy-connector-mixed': '^1.0.0',
    });
    const marker = (name: string) => path.join(workspace.markerDirectory, name);
    markers = {
      personal: marker('personal'),
      namedOauth: marker('named-oauth'),
      knownId: marker('known-id'),
      mixedStatic: marker('mixed-static'),
      mixedOauth: marker('mixed-oauth'),
    };
    // Declares hasStaticCredentials: false.
    await writeFixturePackage(workspace.projectNodeModules, {
      name: '@acme/llmproxy-connector-personal',
      connectors: [{ id: 'acme-personal', hasStaticCredentials: false, markerFile: markers.personal }],
    });
    // Claims static credentials, but the id ends with -oauth; and a known OAuth id claiming static credentials.
    await writeFixturePackage(workspace.projectNodeModules, {
      name: 'llmproxy-connector-named',
      connectors: [
        { id: 'acme-oauth', hasStaticCredentials: true, markerFile: markers.namedOauth },
        { id: 'openai-codex', hasStaticCredentials: true, markerFile: markers.knownId },
      ],
    });
    // One static connector and one OAuth connector in one package, each with its own entry module.
    await writeFixturePackage(workspace.projectNodeModules, {
      name: 'llmproxy-connector-mixed',
      connectors: [
        { id: 'mixed-static', markerFile: markers.mixedStatic },
        { id: 'gemini-oauth-auto', hasStaticCredentials: false, markerFile: markers.mixedOauth },
      ],
    });
  });
  afterEach(async () => workspace.cleanup());

  async function load(accessMode: AccessMode, backends = {}) {
    const logger = recordingLogger();
    const loaded = await loadBackends({
      settings: testSettings({ accessMode, backends }),
      cwd: workspace.projectDirectory,
      logger,
      createContext: testContextFactory(logger),
      coreDirectory: workspace.coreDirectory,
    });
    return { ...loaded, logger };
  }

  describe('in Multi User Mode', () => {
    it('never evaluates the code of OAuth connectors, and loads the static ones', async () => {
      const { registry } = await load('multi_user');
      expect(existsSync(markers.personal)).toBe(false);
      expect(existsSync(markers.namedOauth)).toBe(false);
      expect(existsSync(markers.knownId)).toBe(false);
      expect(existsSync(markers.mixedOauth)).toBe(false);
      expect(existsSync(markers.mixedStatic)).toBe(true);
      expect(registry.list().map((backend) => backend.name)).toEqual(['builtin', 'mixed-static']);
    });

    it('logs the skipped connectors in one info line', async () => {
      const { logger } = await load('multi_user');
      const skipped = logger.entries.filter((entry) => entry.message.startsWith('Skipped OAuth connectors'));
      expect(skipped).toEqual([
        {
          level: 'info',
          message:
            'Skipped OAuth connectors in Multi User Mode (OAuth not allowed in production): acme-personal, acme-oauth, openai-codex, gemini-oauth-auto',
        },
      ]);
      expect(logger.entries.some((entry) => entry.message.startsWith('Loaded OAuth connectors'))).toBe(false);
    });

    it('reports the gated connectors as skipped, with why and what to use instead', async () => {
      const { report } = await load('multi_user');
      const gemini = report.connectors.find((connector) => connector.id === 'gemini-oauth-auto');
      expect(gemini).toMatchObject({
        status: 'skipped',
        code: 'OAUTH_CONNECTOR_NOT_ALLOWED',
        reason: expect.stringContaining('not available in Multi User Mode'),
        fix: expect.stringContaining('Use gemini with GEMINI_API_KEY instead'),
      });
      expect(report.packages.map((packageReport) => [packageReport.name, packageReport.status])).toEqual([
        ['@llmproxy/core', 'loaded'],
        ['@acme/llmproxy-connector-personal', 'skipped'],
        ['llmproxy-connector-named', 'skipped'],
        ['llmproxy-connector-mixed', 'loaded'],
      ]);
    });

    it('answers a request for a gated backend with 404 Backend not found, naming the alternative', async () => {
      const { registry } = await load('multi_user');
      const error = registry.notFoundError('gemini-oauth-auto');
      expect(error.code).toBe('BACKEND_NOT_FOUND');
      expect(error.httpStatus).toBe(404);
      expect(error.message).toMatch(/^Backend not found: "gemini-oauth-auto" is an OAuth connector and is not available in Multi User Mode/);
      expect(error.message).toContain('Available backends: builtin, mixed-static.');
      expect(error.fix).toBe('Use gemini with GEMINI_API_KEY instead.');
      // Known OAuth ids are refused with the same reason even when no package declares them.
      expect(registry.notFoundError('qwen-oauth').message).toContain('not available in Multi User Mode');
      expect(registry.notFoundError('qwen-oauth').fix).toBe('Use qwen with DASHSCOPE_API_KEY instead.');
    });

    it('refuses a config backend whose type is a gated connector', async () => {
      const { registry, report } = await load('multi_user', { mygemini: { type: 'gemini-oauth-auto' } });
      expect(existsSync(markers.mixedOauth)).toBe(false);
      expect(report.backends.find((backend) => backend.name === 'mygemini')).toMatchObject({
        status: 'failed',
        code: 'OAUTH_CONNECTOR_NOT_ALLOWED',
        reason: expect.stringContaining('not available in Multi User Mode'),
      });
      expect(registry.notFoundError('mygemini').message).toMatch(
        /^Backend not found: "mygemini" uses the OAuth connector "gemini-oauth-auto" and is not available in Multi User Mode/,
      );
      expect(registry.notFoundError('mygemini').fix).toBe('Use gemini with GEMINI_API_KEY instead.');
    });

    it('does not import a static connector that shares its entry module with a gated one', async () => {
      const sharedMarker = path.join(workspace.markerDirectory, 'shared');
      await writeFixturePackage(workspace.projectNodeModules, {
        name: 'llmproxy-connector-shared',
        connectors: [
          { id: 'shared-oauth', hasStaticCredentials: false, entry: './shared', file: 'dist/shared.js', markerFile: sharedMarker },
          { id: 'shared-static', entry: './shared', file: 'dist/shared.js', markerFile: sharedMarker },
        ],
      });
      const logger = recordingLogger();
      const { report } = await loadBackends({
        settings: testSettings({ accessMode: 'multi_user', plugins: ['llmproxy-connector-shared'] }),
        cwd: workspace.projectDirectory,
        logger,
        createContext: testContextFactory(logger),
        coreDirectory: workspace.coreDirectory,
      });
      expect(existsSync(sharedMarker)).toBe(false);
      expect(report.connectors.find((connector) => connector.id === 'shared-static')).toMatchObject({
        status: 'skipped',
        reason: expect.stringContaining('shares its entry module with OAuth connector "shared-oauth"'),
      });
    });
  });

  describe('in Single User Mode', () => {
    /** Opts every OAuth fixture in: the known ids by their flag, the others by their YAML key. */
    async function loadOptedIn() {
      const logger = recordingLogger();
      const loaded = await loadBackends({
        settings: testSettings({
          accessMode: 'single_user',
          oauthDebuggingOverrides: ['openai-codex', 'gemini-oauth-auto'],
          backends: { 'acme-personal': { enable_debugging_override: true }, 'acme-oauth': { enable_debugging_override: true } },
        }),
        cwd: workspace.projectDirectory,
        logger,
        createContext: testContextFactory(logger),
        coreDirectory: workspace.coreDirectory,
      });
      return { ...loaded, logger };
    }

    it('loads OAuth connectors but serves none of them until opted in', async () => {
      const { registry, report, logger } = await load('single_user');
      for (const marker of Object.values(markers)) expect(existsSync(marker)).toBe(true);
      expect(registry.list().map((backend) => backend.name)).toEqual(['builtin', 'mixed-static']);
      expect(report.connectors.find((connector) => connector.id === 'acme-personal')).toMatchObject({
        status: 'loaded',
        optIn: 'needed',
        code: 'OAUTH_CONNECTOR_OPT_IN_REQUIRED',
      });
      expect(report.backends.find((backend) => backend.name === 'gemini-oauth-auto')).toMatchObject({
        status: 'needs-opt-in',
        fix: expect.stringContaining('--enable-gemini-oauth-auto-backend-debugging-override'),
      });
      expect(logger.entries).toContainEqual({
        level: 'info',
        message:
          'OAuth backends loaded but waiting for opt-in (they serve no request until you pass --enable-<connector>-backend-debugging-override): acme-personal, acme-oauth, openai-codex, gemini-oauth-auto',
      });
    });

    it('answers a request for a backend that waits for opt-in with 403 naming the terms, the risk and the flag', async () => {
      const { registry } = await load('single_user');
      const error = registry.notFoundError('gemini-oauth-auto');
      expect(error.code).toBe('OAUTH_CONNECTOR_OPT_IN_REQUIRED');
      expect(error.httpStatus).toBe(403);
      expect(error.message).toMatch(/^Backend "gemini-oauth-auto" \(connector gemini-oauth-auto\) serves no request until you opt in\./);
      expect(error.message).toContain("the vendor's terms");
      expect(error.message).toContain('suspended');
      expect(error.fix).toContain('--enable-gemini-oauth-auto-backend-debugging-override');
      expect(error.fix).toContain('backends.gemini-oauth-auto.enable_debugging_override: true');
    });

    it('serves OAuth connectors once opted in by flag or YAML key, and logs them at debug', async () => {
      const { registry, report, logger } = await loadOptedIn();
      expect(registry.list().map((backend) => backend.name)).toEqual([
        'builtin',
        'openai-codex',
        'mixed-static',
        'gemini-oauth-auto',
        'acme-personal',
        'acme-oauth',
      ]);
      expect(registry.get('acme-personal')?.hasStaticCredentials).toBe(false);
      expect(report.backends.find((backend) => backend.name === 'acme-personal')?.optedInBy).toBe(
        'backends.acme-personal.enable_debugging_override',
      );
      expect(report.backends.find((backend) => backend.name === 'openai-codex')?.optedInBy).toBe(
        '--enable-openai-codex-backend-debugging-override',
      );
      expect(report.connectors.find((connector) => connector.id === 'openai-codex')?.optIn).toBe('granted');
      expect(logger.entries).toContainEqual({
        level: 'debug',
        message: 'Loaded OAuth connectors: acme-personal, acme-oauth, openai-codex, gemini-oauth-auto',
      });
      expect(logger.entries.some((entry) => entry.message.startsWith('Skipped OAuth connectors'))).toBe(false);
    });

    it('says to install @llmproxy/oauth-connectors for a known OAuth id no package provides', async () => {
      const { registry } = await load('single_user');
      const error = registry.notFoundError('qwen-oauth');
      expect(error.message).toMatch(/^Backend not found: "qwen-oauth" is provided by @llmproxy\/oauth-connectors, which is not installed\./);
      expect(error.fix).toBe('Run npm install @llmproxy/oauth-connectors to add it, then restart llm-proxy.');
    });

    it('lists the available backends for an unknown name', async () => {
      const { registry } = await loadOptedIn();
      const error = registry.notFoundError('nonexistent');
      expect(error.message).toMatch(/^Backend not found: "nonexistent"\. Available backends: builtin, openai-codex, mixed-static, /);
      expect(error.details).toMatchObject({ backend: 'nonexistent' });
    });
  });
});
