import { describe, expect, it } from '@jest/globals';
import type { Connector } from '@llmproxy/connector-sdk';
import { createBackendRegistry, type Backend } from '../../src/plugins/backend-registry.js';
import type { PluginReport } from '../../src/plugins/plugin-report.js';

const connector: Connector = {
  listModels: async () => [],
  chat: async () => {
    throw new Error('not used in these tests');
  },
};

function backend(name: string): Backend {
  return { name, connectorId: name, packageName: '@llmproxy/core', hasStaticCredentials: true, connector };
}

function report(overrides: Partial<PluginReport> = {}): PluginReport {
  return { accessMode: 'single_user', sdkVersion: '1.0.0', packages: [], connectors: [], backends: [], ...overrides };
}

describe('createBackendRegistry', () => {
  it('looks backends up by name and lists them in order, frozen', () => {
    const registry = createBackendRegistry({ backends: [backend('openai'), backend('local')], report: report(), accessMode: 'single_user' });
    expect(registry.get('local')?.name).toBe('local');
    expect(registry.get('missing')).toBeUndefined();
    expect(registry.list().map((item) => item.name)).toEqual(['openai', 'local']);
    expect(Object.isFrozen(registry.list())).toBe(true);
    expect(Object.isFrozen(registry.list()[0])).toBe(true);
    expect(Object.isFrozen(registry)).toBe(true);
  });

  describe('notFoundError', () => {
    const registry = (accessMode: 'single_user' | 'multi_user', pluginReport = report({ accessMode })) =>
      createBackendRegistry({ backends: [backend('openai'), backend('local')], report: pluginReport, accessMode });

    it('is a 404 BACKEND_NOT_FOUND that lists the available backends', () => {
      const error = registry('single_user').notFoundError('mystery');
      expect(error).toMatchObject({ code: 'BACKEND_NOT_FOUND', httpStatus: 404 });
      expect(error.summary).toBe('Backend not found: "mystery". Available backends: openai, local.');
      expect(error.fix).toContain('backend:model');
      expect(error.details).toEqual({ backend: 'mystery', availableBackends: ['openai', 'local'] });
    });

    it('says when no backend is available at all', () => {
      const empty = createBackendRegistry({ backends: [], report: report(), accessMode: 'single_user' });
      expect(empty.notFoundError('x').summary).toBe('Backend not found: "x". No backends are available.');
    });

    it('in Multi User Mode names the static-credential alternative for each known OAuth id', () => {
      const multi = registry('multi_user');
      expect(multi.notFoundError('gemini-oauth-free').fix).toBe('Use gemini with GEMINI_API_KEY instead.');
      expect(multi.notFoundError('openai-codex').fix).toBe('Use openai with OPENAI_API_KEY instead.');
      expect(multi.notFoundError('kiro-oauth-auto').fix).toBe('Use anthropic with ANTHROPIC_API_KEY instead.');
    });

    it('in Multi User Mode refuses any OAuth-named id, with generic advice for unknown ones', () => {
      const error = registry('multi_user').notFoundError('acme-oauth');
      expect(error.summary).toMatch(/^Backend not found: "acme-oauth" is an OAuth connector and is not available in Multi User Mode/);
      expect(error.fix).toBe('Use a connector that authenticates with static credentials (an API key) instead.');
    });

    it('in Single User Mode says a known OAuth connector comes from @llmproxy/oauth-connectors', () => {
      expect(registry('single_user').notFoundError('gemini-oauth-auto').fix).toBe(
        'Run npm install @llmproxy/oauth-connectors to add it, then restart llm-proxy.',
      );
    });

    it('in Single User Mode explains a known OAuth connector that is installed but failed', () => {
      const pluginReport = report({
        connectors: [
          {
            id: 'qwen-oauth',
            packageName: '@llmproxy/oauth-connectors',
            entry: './qwen-oauth',
            hasStaticCredentials: false,
            status: 'failed',
            code: 'PLUGIN_IMPORT_FAILED',
            reason: 'it threw',
            fix: 'Reinstall it.',
          },
        ],
      });
      const error = registry('single_user', pluginReport).notFoundError('qwen-oauth');
      expect(error.summary).toBe('Backend not found: connector "qwen-oauth" did not load: it threw Available backends: openai, local.');
      expect(error.fix).toBe('Reinstall it.');
    });
  });
});
