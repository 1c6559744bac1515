import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import { evaluateAccessModeRules, validateAccessMode } from '../../src/access-mode/access-mode-rules.js';
import { startupLogLine } from '../../src/access-mode/describe-access-mode.js';
import type { ResolvedSettings } from '../../src/config/proxy-settings.js';
import { resolveSettingsFromArgv } from '../support/resolve-settings-from-argv.js';
import { listStartupErrors } from '../../src/config/startup-errors.js';

let cwd: string;
beforeAll(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'llmproxy-access-mode-'));
});
afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

function resolve(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<ResolvedSettings> {
  return resolveSettingsFromArgv({ argv, env, cwd });
}

async function failures(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<LlmProxyError[]> {
  const settings = await resolve(argv, env);
  try {
    validateAccessMode(settings);
    return [];
  } catch (error) {
    return listStartupErrors(error) as LlmProxyError[];
  }
}

describe('Single User Mode validation', () => {
  it('accepts the defaults', async () => {
    expect(await failures([])).toEqual([]);
  });

  it('requires the host to be 127.0.0.1', async () => {
    for (const host of ['0.0.0.0', 'localhost', '::1', '192.168.1.10']) {
      const [failure, ...others] = await failures(['--host', host]);
      expect(others).toEqual([]);
      expect(failure?.code).toBe('ACCESS_MODE_HOST_NOT_ALLOWED');
      expect(failure?.message).toMatch(/^Single User Mode requires binding to 127\.0\.0\.1 only\. /);
      expect(failure?.message).toContain(`host ${host} (from --host)`);
      expect(failure?.message).toContain('Use --multi-user-mode for remote access');
    }
  });

  it('keeps a metrics port, which has no authentication, on 127.0.0.1', async () => {
    expect(await failures(['--metrics-port', '9464'])).toEqual([]);
    // Without a metrics port the metrics host binds nothing.
    expect(await failures(['--metrics-host', '0.0.0.0'])).toEqual([]);
    const [failure, ...others] = await failures(['--metrics-port', '9464', '--metrics-host', '0.0.0.0']);
    expect(others).toEqual([]);
    expect(failure?.code).toBe('METRICS_HOST_NOT_ALLOWED');
    expect(failure?.message).toContain('metrics.host 0.0.0.0 (from --metrics-host)');
    expect(failure?.message).toContain('--metrics-host 127.0.0.1');
    expect(await failures(['--multi-user-mode', '--api-keys', 'key1', '--disable-notifications', '--metrics-port', '9464', '--metrics-host', '0.0.0.0'])).toEqual([]);
  });

  it('allows OAuth debugging overrides, auto-replacement, disabled auth and notifications', async () => {
    expect(
      await failures([
        '--single-user-mode',
        '--enable-gemini-oauth-auto-backend-debugging-override',
        '--allow-oauth-auto-replacement',
        '--disable-auth',
        '--enable-notifications',
      ]),
    ).toEqual([]);
  });
});

describe('Multi User Mode validation', () => {
  it('requires authentication off loopback', async () => {
    const [failure] = await failures(['--multi-user-mode', '--host', '0.0.0.0']);
    expect(failure?.code).toBe('ACCESS_MODE_AUTH_REQUIRED');
    expect(failure?.message).toMatch(
      /^Multi User Mode requires authentication when binding to non-localhost addresses\. Current value: host 0\.0\.0\.0 \(from --host\), no API keys configured/,
    );
    expect(failure?.message).toContain('Enable authentication via API keys or SSO');
  });

  it('counts API keys as authentication, but not when auth is disabled', async () => {
    expect(await failures(['--multi-user-mode', '--host', '0.0.0.0', '--api-keys', 'key1,key2'])).toEqual([]);
    const [failure] = await failures(['--multi-user-mode', '--host', '0.0.0.0', '--api-keys', 'key1', '--disable-auth']);
    expect(failure?.code).toBe('ACCESS_MODE_AUTH_REQUIRED');
    expect(failure?.message).toContain('authentication disabled (from --disable-auth)');
  });

  it('does not count an empty key list as authentication', async () => {
    const [failure] = await failures(['--multi-user-mode', '--host', '0.0.0.0'], { LLM_PROXY_API_KEYS: ' , ' });
    expect(failure?.code).toBe('ACCESS_MODE_AUTH_REQUIRED');
  });

  it('allows loopback hosts without authentication', async () => {
    expect(await failures(['--multi-user-mode', '--host', '127.0.0.1', '--disable-auth', '--disable-notifications'])).toEqual([]);
    expect(await failures(['--multi-user-mode', '--host', 'localhost', '--disable-notifications'])).toEqual([]);
  });

  it('rejects OAuth debugging override flags, naming every flag given', async () => {
    const [failure] = await failures([
      '--multi-user-mode',
      '--disable-notifications',
      '--enable-gemini-oauth-auto-backend-debugging-override',
      '--enable-kiro-oauth-auto-backend-debugging-override',
    ]);
    expect(failure?.code).toBe('ACCESS_MODE_OAUTH_DEBUGGING_FLAGS_REJECTED');
    expect(failure?.message).toMatch(
      /^OAuth debugging override flags are not allowed in Multi User Mode: --enable-gemini-oauth-auto-backend-debugging-override, --enable-kiro-oauth-auto-backend-debugging-override\. OAuth connectors are blocked in production deployments\./,
    );
  });

  it('rejects OAuth auto-replacement', async () => {
    const [failure] = await failures(['--multi-user-mode', '--disable-notifications', '--allow-oauth-auto-replacement']);
    expect(failure?.code).toBe('ACCESS_MODE_OAUTH_AUTO_REPLACEMENT_REJECTED');
    expect(failure?.message).toMatch(
      /^OAuth auto-replacement \(--allow-oauth-auto-replacement\) is not allowed in Multi User Mode\. OAuth connectors are blocked in production deployments\./,
    );
  });

  it('rejects notifications left on automatically on loopback (the trap)', async () => {
    const [failure] = await failures(['--multi-user-mode', '--host', '127.0.0.1']);
    expect(failure?.code).toBe('ACCESS_MODE_NOTIFICATIONS_REJECTED');
    expect(failure?.message).toMatch(
      /^Desktop notifications are not allowed in Multi User Mode\. Multi User Mode is for dedicated servers, not desktop computers\./,
    );
    expect(failure?.message).toContain('auto: host 127.0.0.1 is loopback');
    expect(failure?.message).toContain('Use --disable-notifications');
    expect(failure?.message).toContain('leaving notifications unset is not enough');
  });

  it('rejects notifications forced on by flag or environment, even off loopback', async () => {
    const byFlag = await failures(['--multi-user-mode', '--host', '0.0.0.0', '--api-keys', 'k', '--enable-notifications']);
    expect(byFlag.map((failure) => failure.code)).toEqual(['ACCESS_MODE_NOTIFICATIONS_REJECTED']);
    expect(byFlag[0]?.message).toContain('notifications enabled (from --enable-notifications)');
    const byEnvironment = await failures(['--multi-user-mode', '--host', '0.0.0.0', '--api-keys', 'k'], {
      LLM_PROXY_ENABLE_NOTIFICATIONS: 'yes',
    });
    expect(byEnvironment[0]?.message).toContain('notifications enabled (from LLM_PROXY_ENABLE_NOTIFICATIONS)');
  });

  it('reports every failing rule in one run', async () => {
    const all = await failures([
      '--multi-user-mode',
      '--host', '0.0.0.0',
      '--enable-notifications',
      '--allow-oauth-auto-replacement',
      '--enable-qwen-oauth-backend-debugging-override',
      '--sso-enabled',
      '--disable-auth',
    ]);
    expect(all.map((failure) => failure.code)).toEqual([
      'ACCESS_MODE_AUTH_REQUIRED',
      'ACCESS_MODE_OAUTH_DEBUGGING_FLAGS_REJECTED',
      'ACCESS_MODE_OAUTH_AUTO_REPLACEMENT_REJECTED',
      'ACCESS_MODE_NOTIFICATIONS_REJECTED',
      'SSO_NO_PROVIDERS',
      'SSO_AUTH_DISABLED',
    ]);
  });
});

describe('SSO', () => {
  it('stops startup in either mode when SSO is enabled without a provider, from flag, environment or YAML', async () => {
    for (const [argv, env] of [
      [['--sso-enabled'], {}],
      [['--multi-user-mode', '--host', '0.0.0.0', '--sso-enabled'], {}],
      [[], { LLM_PROXY_SSO_ENABLED: 'true' }],
    ] as const) {
      const [failure, ...others] = await failures([...argv], env);
      expect(others).toEqual([]);
      expect(failure?.code).toBe('SSO_NO_PROVIDERS');
      expect(failure?.message).toMatch(/^SSO is enabled but no OpenID Connect provider is configured\./);
    }
  });
});

describe('rule verdicts', () => {
  it('marks the other mode’s rules as not applicable', async () => {
    const verdicts = evaluateAccessModeRules(await resolve([]));
    expect(verdicts.map((rule) => [rule.id, rule.verdict])).toEqual([
      ['single-user-host', 'pass'],
      ['single-user-metrics-host', 'pass'],
      ['multi-user-authentication', 'not applicable'],
      ['multi-user-oauth-debugging-flags', 'not applicable'],
      ['multi-user-oauth-auto-replacement', 'not applicable'],
      ['multi-user-notifications', 'not applicable'],
      ['sso-providers', 'pass'],
      ['sso-provider-settings', 'pass'],
      ['sso-authentication-on', 'pass'],
    ]);
  });
});

describe('startup log line', () => {
  it('says which mode and whether it was chosen', async () => {
    expect(startupLogLine(await resolve([]))).toBe('Starting LLM Proxy in Single User Mode (default)');
    expect(startupLogLine(await resolve(['--single-user-mode']))).toBe('Starting LLM Proxy in Single User Mode (explicit)');
    expect(startupLogLine(await resolve([], { LLM_PROXY_ACCESS_MODE: 'single_user' }))).toBe(
      'Starting LLM Proxy in Single User Mode (explicit)',
    );
    expect(startupLogLine(await resolve(['--multi-user-mode']))).toBe('Starting LLM Proxy in Multi User Mode');
  });
});
