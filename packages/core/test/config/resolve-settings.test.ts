import path from 'node:path';

import { afterEach, describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import type { ResolvedSettings } from '../../src/config/proxy-settings.js';
import { resolveSettingsFromArgv } from '../support/resolve-settings-from-argv.js';
import { listStartupErrors } from '../../src/config/startup-errors.js';
import { createTempProject, removeTempProjects } from './temp-project.js';

afterEach(removeTempProjects);

async function resolve(
  argv: string[] = [],
  env: NodeJS.ProcessEnv = {},
  files: Record<string, string> = {},
): Promise<ResolvedSettings> {
  return resolveSettingsFromArgv({ argv, env, cwd: createTempProject(files) });
}

/** Every problem reported by one resolution, which must fail. */
async function resolveProblems(
  argv: string[] = [],
  env: NodeJS.ProcessEnv = {},
  files: Record<string, string> = {},
): Promise<LlmProxyError[]> {
  try {
    await resolve(argv, env, files);
  } catch (error) {
    return listStartupErrors(error).map((problem) => {
      if (!LlmProxyError.is(problem)) throw problem;
      return problem;
    });
  }
  throw new Error('expected the settings to be rejected');
}

describe('resolveSettings defaults', () => {
  it('uses the documented defaults with no flags, variables or file', async () => {
    const cwd = createTempProject();
    const settings = await resolveSettingsFromArgv({ argv: [], env: {}, cwd });
    const { values, sources } = settings;

    expect(values.host).toBe('127.0.0.1');
    expect(values.port).toBe(8000);
    expect(values.configFile).toBeUndefined();
    expect(values.defaultBackend).toBe('openai');
    expect(values.modelRoutes).toEqual([]);
    expect(values.logLevel).toBe('info');
    expect(values.logFile).toBe(path.join(cwd, 'var/logs/llm-proxy.log'));
    expect(values.accessMode).toBe('single_user');
    expect(values.auth.disabled).toBe(false);
    expect(values.sso.enabled).toBe(false);
    expect(values.oauthDebuggingOverrides).toEqual([]);
    expect(values.allowOauthAutoReplacement).toBe(false);
    expect(values.server).toEqual({
      bodyLimitBytes: 10 * 1024 * 1024,
      upstreamTimeoutMs: 600_000,
      upstreamBodyLimitBytes: 64 * 1024 * 1024,
      upstreamEventLimitBytes: 16 * 1024 * 1024,
      streamFirstContentTimeoutMs: 300_000,
      streamIdleTimeoutMs: 120_000,
      drainTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      allowedOrigins: [],
      trustProxy: [],
      upstreamKeyRetryMs: 30_000,
      upstreamKeyRetryMaxMs: 1_800_000,
      fallbackRestMs: 30_000,
    });
    expect(values.plugins).toEqual([]);
    expect(values.backends).toEqual({});

    expect(sources.host).toBe('default');
    expect(sources['access_mode.mode']).toBe('default');
    expect(sources['logging.file']).toBe('default');
  });

  it('turns notifications on automatically for loopback hosts and off for others', async () => {
    for (const host of ['127.0.0.1', 'localhost', '::1']) {
      const settings = await resolve(['--host', host, '--multi-user-mode']);
      expect(settings.values.notifications.enabled).toBe(true);
      expect(settings.sources['notifications.enabled']).toBe('auto');
    }
    const remote = await resolve(['--host', '0.0.0.0', '--multi-user-mode']);
    expect(remote.values.notifications.enabled).toBe(false);
    expect(remote.sources['notifications.enabled']).toBe('auto');
    expect(remote.origins?.['notifications.enabled']).toContain('host 0.0.0.0 is not loopback');
  });

  it('generates an API key for the run when auth is on, no keys are configured and the host is loopback', async () => {
    const first = await resolve();
    const second = await resolve();
    expect(first.generatedApiKey).toMatch(/^llmproxy-[A-Za-z0-9_-]{40,}$/);
    expect(first.values.auth.apiKeys).toEqual([first.generatedApiKey]);
    expect(first.sources['auth.api_keys']).toBe('auto');
    expect(second.generatedApiKey).not.toBe(first.generatedApiKey);
  });

  it('never generates a key when keys are configured, auth is disabled, or the host is not loopback', async () => {
    const withKeys = await resolve(['--api-keys', 'k1,k2']);
    expect(withKeys.generatedApiKey).toBeUndefined();
    expect(withKeys.values.auth.apiKeys).toEqual(['k1', 'k2']);

    const disabled = await resolve(['--disable-auth']);
    expect(disabled.generatedApiKey).toBeUndefined();
    expect(disabled.values.auth.apiKeys).toEqual([]);

    const remote = await resolve(['--multi-user-mode', '--host', '0.0.0.0']);
    expect(remote.generatedApiKey).toBeUndefined();
    expect(remote.values.auth.apiKeys).toEqual([]);
    expect(remote.sources['auth.api_keys']).toBe('default');
  });
});

describe('resolveSettings precedence (CLI > env > YAML > default)', () => {
  const yaml = [
    'host: 0.0.0.0',
    'port: 9100',
    'default_backend: yaml-backend',
    'logging:',
    '  level: warn',
    '  file: yaml.log',
    'access_mode:',
    '  mode: multi_user',
    'notifications:',
    '  enabled: false',
    'auth:',
    '  api_keys: [yaml-key]',
    '',
  ].join('\n');
  const env = {
    LLM_PROXY_HOST: '::1',
    LLM_PROXY_PORT: '9200',
    LLM_PROXY_DEFAULT_BACKEND: 'env-backend',
    LLM_PROXY_LOG_LEVEL: 'error',
    LLM_PROXY_LOG_FILE: 'env.log',
    LLM_PROXY_ACCESS_MODE: 'single_user',
    LLM_PROXY_ENABLE_NOTIFICATIONS: 'true',
    LLM_PROXY_API_KEYS: 'env-key',
  };
  const argv = [
    '--host', 'localhost',
    '--port', '0',
    '--default-backend', 'cli-backend:model-x',
    '--log-level', 'debug',
    '--log-file', 'cli.log',
    '--multi-user-mode',
    '--disable-notifications',
    '--api-keys', 'cli-key',
  ];

  it('takes YAML over defaults', async () => {
    const { values, sources, origins } = await resolve([], {}, { 'llm-proxy.yaml': yaml });
    expect(values).toMatchObject({
      host: '0.0.0.0',
      port: 9100,
      defaultBackend: 'yaml-backend',
      logLevel: 'warn',
      accessMode: 'multi_user',
      notifications: { enabled: false },
      auth: { apiKeys: ['yaml-key'] },
    });
    expect(path.basename(values.logFile ?? '')).toBe('yaml.log');
    expect(sources.host).toBe('yaml');
    expect(sources['access_mode.mode']).toBe('yaml');
    expect(origins?.host).toMatch(/^host in .*llm-proxy\.yaml$/);
  });

  it('takes the environment over YAML', async () => {
    const { values, sources, origins } = await resolve([], env, { 'llm-proxy.yaml': yaml });
    expect(values).toMatchObject({
      host: '::1',
      port: 9200,
      defaultBackend: 'env-backend',
      logLevel: 'error',
      accessMode: 'single_user',
      notifications: { enabled: true },
      auth: { apiKeys: ['env-key'] },
    });
    expect(path.basename(values.logFile ?? '')).toBe('env.log');
    expect(Object.values(sources).filter((source) => source === 'env')).toHaveLength(8);
    expect(origins?.port).toBe('LLM_PROXY_PORT');
  });

  it('takes the command line over the environment and YAML', async () => {
    const { values, sources, origins } = await resolve(argv, env, { 'llm-proxy.yaml': yaml });
    expect(values).toMatchObject({
      host: 'localhost',
      port: 0,
      defaultBackend: 'cli-backend:model-x',
      logLevel: 'debug',
      accessMode: 'multi_user',
      notifications: { enabled: false },
      auth: { apiKeys: ['cli-key'] },
    });
    expect(path.basename(values.logFile ?? '')).toBe('cli.log');
    expect(sources.host).toBe('cli');
    expect(sources['notifications.enabled']).toBe('cli');
    expect(origins?.['access_mode.mode']).toBe('--multi-user-mode');
    expect(origins?.['notifications.enabled']).toBe('--disable-notifications');
  });

  it('resolves the access mode from each level', async () => {
    const multiYaml = { 'llm-proxy.yaml': 'access_mode:\n  mode: multi_user\n' };
    expect((await resolve([], {}, multiYaml)).values.accessMode).toBe('multi_user');
    expect((await resolve([], { LLM_PROXY_ACCESS_MODE: 'single_user' }, multiYaml)).values.accessMode).toBe('single_user');
    expect((await resolve(['--multi-user-mode'], { LLM_PROXY_ACCESS_MODE: 'single_user' })).values.accessMode).toBe('multi_user');
    const explicitSingle = await resolve(['--single-user-mode'], { LLM_PROXY_ACCESS_MODE: 'multi_user' }, multiYaml);
    expect(explicitSingle.values.accessMode).toBe('single_user');
    expect(explicitSingle.sources['access_mode.mode']).toBe('cli');
  });

  it('reads boolean environment values as truthy/falsey words', async () => {
    for (const text of ['1', 'true', 'YES', 'on']) {
      expect((await resolve([], { LLM_PROXY_DISABLE_AUTH: text })).values.auth.disabled).toBe(true);
    }
    for (const text of ['0', 'false', 'No', 'off']) {
      expect((await resolve([], { LLM_PROXY_DISABLE_AUTH: text })).values.auth.disabled).toBe(false);
    }
  });

  it('treats an empty environment variable as unset', async () => {
    const settings = await resolve([], { LLM_PROXY_PORT: '', LLM_PROXY_ACCESS_MODE: '  ' });
    expect(settings.values.port).toBe(8000);
    expect(settings.sources.port).toBe('default');
  });

  it('reads API keys as comma-separated lists from the command line and the environment', async () => {
    expect((await resolve(['--api-keys', ' k1 , k2,,k3 '])).values.auth.apiKeys).toEqual(['k1', 'k2', 'k3']);
    expect((await resolve([], { LLM_PROXY_API_KEYS: 'a,b' })).values.auth.apiKeys).toEqual(['a', 'b']);
  });

  it('records OAuth debugging overrides and auto-replacement from their flags', async () => {
    const settings = await resolve([
      '--enable-qwen-oauth-backend-debugging-override',
      '--enable-gemini-oauth-auto-backend-debugging-override',
      '--allow-oauth-auto-replacement',
    ]);
    expect(settings.values.oauthDebuggingOverrides).toEqual(['gemini-oauth-auto', 'qwen-oauth']);
    expect(settings.values.allowOauthAutoReplacement).toBe(true);
    expect(settings.origins?.oauth_debugging_overrides).toBe(
      '--enable-gemini-oauth-auto-backend-debugging-override --enable-qwen-oauth-backend-debugging-override',
    );
  });

  it('reads server settings, plugins and backends from YAML and the environment', async () => {
    const files = {
      'llm-proxy.yaml': [
        'server:',
        '  body_limit: 2mb',
        '  upstream_timeout_ms: 5000',
        '  drain_timeout_ms: 0',
        '  allowed_origins: [http://localhost:3000]',
        "  trust_proxy: ['10.0.0.0/8', '::1']",
        'plugins: [llmproxy-connector-example]',
        'backends:',
        '  local:',
        '    type: openai-compatible',
        '    base_url: http://127.0.0.1:11434/v1',
        '    models: [llama3:8b]',
        '',
      ].join('\n'),
    };
    const fromYaml = await resolve([], {}, files);
    expect(fromYaml.values.server).toEqual({
      bodyLimitBytes: 2 * 1024 * 1024,
      upstreamTimeoutMs: 5000,
      upstreamBodyLimitBytes: 64 * 1024 * 1024,
      upstreamEventLimitBytes: 16 * 1024 * 1024,
      streamFirstContentTimeoutMs: 300_000,
      streamIdleTimeoutMs: 120_000,
      drainTimeoutMs: 0,
      requestTimeoutMs: 60_000,
      allowedOrigins: ['http://localhost:3000'],
      trustProxy: ['10.0.0.0/8', '::1'],
      upstreamKeyRetryMs: 30_000,
      upstreamKeyRetryMaxMs: 1_800_000,
      fallbackRestMs: 30_000,
    });
    expect(fromYaml.values.plugins).toEqual(['llmproxy-connector-example']);
    expect(fromYaml.values.backends).toEqual({
      local: { type: 'openai-compatible', base_url: 'http://127.0.0.1:11434/v1', models: ['llama3:8b'] },
    });

    const fromEnvironment = await resolve([], { LLM_PROXY_BODY_LIMIT: '512kb', LLM_PROXY_DRAIN_TIMEOUT_MS: '250' }, files);
    expect(fromEnvironment.values.server.bodyLimitBytes).toBe(512 * 1024);
    expect(fromEnvironment.values.server.drainTimeoutMs).toBe(250);
  });

  it('accepts only addresses and CIDR ranges as trusted proxies', async () => {
    const fromEnvironment = await resolve([], { LLM_PROXY_TRUST_PROXY: '127.0.0.1, 192.168.0.0/16' });
    expect(fromEnvironment.values.server.trustProxy).toEqual(['127.0.0.1', '192.168.0.0/16']);
    const badEnvironment = await resolveProblems([], { LLM_PROXY_TRUST_PROXY: '127.0.0.1,10.0.0.0/33' });
    expect(badEnvironment.map((problem) => problem.code)).toEqual(['ENV_VALUE_INVALID']);
    const badYaml = await resolveProblems([], {}, { 'llm-proxy.yaml': "server:\n  trust_proxy: ['300.1.2.3']\n" });
    expect(badYaml.map((problem) => problem.code)).toEqual(['CONFIG_INVALID']);
    expect(badYaml[0]?.message).toContain('300.1.2.3');
  });
});

describe('resolveSettings rejects values that are not allowed', () => {
  it('names the variable, the value and the allowed values for invalid environment values, all at once', async () => {
    const problems = await resolveProblems([], { LLM_PROXY_PORT: 'abc', LLM_PROXY_ACCESS_MODE: 'foo' });
    expect(problems.map((problem) => problem.code)).toEqual(['ENV_VALUE_INVALID', 'ENV_VALUE_INVALID']);
    expect(problems[0]?.message).toBe(
      'Environment variable LLM_PROXY_PORT has a value that is not allowed. Current value: "abc". ' +
        'Allowed: an integer from 0 to 65535 (0 picks a free port). Set an allowed value or unset LLM_PROXY_PORT.',
    );
    expect(problems[1]?.message).toContain('Environment variable LLM_PROXY_ACCESS_MODE has a value that is not allowed');
    expect(problems[1]?.message).toContain('"foo"');
    expect(problems[1]?.message).toContain('single_user or multi_user');
  });

  it('rejects invalid boolean environment values with the accepted words', async () => {
    const [problem] = await resolveProblems([], { LLM_PROXY_ENABLE_NOTIFICATIONS: 'maybe' });
    expect(problem?.code).toBe('ENV_VALUE_INVALID');
    expect(problem?.message).toContain('LLM_PROXY_ENABLE_NOTIFICATIONS');
    expect(problem?.message).toContain('"maybe"');
    expect(problem?.message).toContain('1, true, yes, on');
  });

  it('never shows an API key it rejects', async () => {
    const problems = await resolveProblems(['--api-keys', 'good,has space'], { LLM_PROXY_API_KEYS: 'secret one' });
    expect(problems.map((problem) => problem.code)).toEqual(['CLI_ARGUMENT_INVALID', 'ENV_VALUE_INVALID']);
    for (const problem of problems) {
      expect(problem.message).toContain('(hidden)');
      expect(problem.message).not.toContain('has space');
      expect(problem.message).not.toContain('secret');
    }
  });

  it('rejects invalid flag values naming the flag, the value and the allowed values', async () => {
    const problems = await resolveProblems(['--port', '70000', '--log-level', 'verbose', '--host', 'a b']);
    expect(problems.map((problem) => problem.message)).toEqual([
      '--host has a value that is not allowed. Current value: "a b". Allowed: a host name or IP address such as 127.0.0.1 or 0.0.0.0.',
      '--port has a value that is not allowed. Current value: "70000". Allowed: an integer from 0 to 65535 (0 picks a free port).',
      '--log-level has a value that is not allowed. Current value: "verbose". Allowed: one of error, warn, info, debug.',
    ]);
  });

  it('rejects unknown flags by name', async () => {
    const problems = await resolveProblems(['--sigle-user-mode', '--prot=80']);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.code).toBe('CLI_ARGUMENT_INVALID');
    expect(problems[0]?.message).toContain('Unknown flags: --sigle-user-mode, --prot');
  });

  it('rejects both access mode flags together', async () => {
    const [problem] = await resolveProblems(['--single-user-mode', '--multi-user-mode']);
    expect(problem?.code).toBe('ACCESS_MODE_CONFLICT');
    expect(problem?.message.startsWith('Cannot specify both --single-user-mode and --multi-user-mode.')).toBe(true);
  });

  it('rejects both notification flags together', async () => {
    const [problem] = await resolveProblems(['--enable-notifications', '--disable-notifications']);
    expect(problem?.code).toBe('NOTIFICATIONS_FLAG_CONFLICT');
  });

  it('reports command-line, environment and YAML problems in one run', async () => {
    const problems = await resolveProblems(['--port', 'x'], { LLM_PROXY_HOST: 'bad host' }, { 'llm-proxy.yaml': 'logging:\n  level: loud\n' });
    expect(problems.map((problem) => problem.code).sort()).toEqual(['CLI_ARGUMENT_INVALID', 'CONFIG_INVALID', 'ENV_VALUE_INVALID']);
  });
});

// Thrown by the engine in strict mode; matched by message since jest's realm has its own TypeError.
const FROZEN = /read only|read-only|not extensible|Cannot assign/;

describe('resolved settings are frozen', () => {
  it('cannot be changed at runtime, at any depth', async () => {
    const settings = await resolve(['--api-keys', 'k1'], {}, { 'llm-proxy.yaml': 'backends:\n  local:\n    type: openai-compatible\n    models: [a]\n' });
    const values = settings.values as unknown as Record<string, unknown> & { auth: { apiKeys: string[] } };
    expect(() => {
      values.accessMode = 'multi_user';
    }).toThrow(FROZEN);
    expect(() => {
      (settings.values.auth.apiKeys as string[]).length = 0;
    }).toThrow(FROZEN);
    expect(() => {
      (settings.sources as Record<string, string>)['access_mode.mode'] = 'cli';
    }).toThrow(FROZEN);
    const local = settings.values.backends.local as { models: string[] };
    expect(() => local.models.push('b')).toThrow(FROZEN);
    expect(settings.values.accessMode).toBe('single_user');
    expect(Object.isFrozen(settings)).toBe(true);
  });
});
