import { describe, expect, it } from '@jest/globals';
import { formatPluginReport } from '../../src/plugins/format-plugin-report.js';
import type { PluginReport } from '../../src/plugins/plugin-report.js';

const report: PluginReport = {
  accessMode: 'multi_user',
  sdkVersion: '1.0.0',
  packages: [
    { name: '@llmproxy/core', source: 'core', version: '0.1.0', path: '/opt/core', status: 'loaded', problems: [] },
    {
      name: '@llmproxy/oauth-connectors',
      source: 'beside-core',
      version: '1.0.0',
      path: '/opt/oauth',
      status: 'skipped',
      problems: [],
    },
    {
      name: 'acme-missing',
      source: 'config',
      status: 'not-installed',
      problems: [{ code: 'PLUGIN_NOT_INSTALLED', message: 'acme-missing is not installed.', fix: 'Run npm install acme-missing.' }],
    },
  ],
  connectors: [
    { id: 'openai', packageName: '@llmproxy/core', entry: './connectors/openai', hasStaticCredentials: true, status: 'loaded' },
    {
      id: 'openai-compatible',
      packageName: '@llmproxy/core',
      entry: './connectors/openai-compatible',
      hasStaticCredentials: true,
      status: 'needs-config',
      reason: 'Connector "openai-compatible" creates no backend by itself.',
      fix: 'Declare a backend that uses it.',
    },
    {
      id: 'gemini-oauth-auto',
      packageName: '@llmproxy/oauth-connectors',
      entry: './gemini-oauth-auto',
      hasStaticCredentials: false,
      status: 'skipped',
      code: 'OAUTH_CONNECTOR_NOT_ALLOWED',
      reason: 'Not available in Multi User Mode.',
      fix: 'Use gemini with GEMINI_API_KEY instead.',
    },
  ],
  backends: [{ name: 'openai', connectorId: 'openai', origin: 'default', status: 'ready' }],
};

describe('formatPluginReport', () => {
  const text = formatPluginReport(report);

  it('heads the listing with the access mode and SDK version', () => {
    expect(text.split('\n')[0]).toBe('Connector packages (Multi User Mode, @llmproxy/connector-sdk 1.0.0):');
  });

  it('shows each package with its version, status and how it was found', () => {
    expect(text).toContain('@llmproxy/core@0.1.0  [loaded]  (built in)');
    expect(text).toContain('@llmproxy/oauth-connectors@1.0.0  [skipped]  (installed beside @llmproxy/core)');
    expect(text).toContain('acme-missing  [not-installed]  (plugins in config)');
    expect(text).toContain('  PLUGIN_NOT_INSTALLED: acme-missing is not installed.\n    fix: Run npm install acme-missing.');
  });

  it('shows each connector with its status, and why and how to fix when it is not loaded', () => {
    expect(text).toContain('  openai             loaded        static credentials\n');
    expect(text).toContain('  openai-compatible  needs config  static credentials\n    why: Connector "openai-compatible"');
    expect(text).toContain(
      '  gemini-oauth-auto  skipped       OAuth (personal credentials)\n' +
        '    why: OAUTH_CONNECTOR_NOT_ALLOWED: Not available in Multi User Mode.\n' +
        '    fix: Use gemini with GEMINI_API_KEY instead.',
    );
  });

  it('lists backends and a summary', () => {
    expect(text).toContain('Backends:\n  openai  ready   connector openai (default)');
    expect(text).toContain('3 package(s), 3 connector(s): 1 loaded, 1 needs config, 1 skipped, 0 failed; 1 of 1 backend(s) ready.');
  });
});
