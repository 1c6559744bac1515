/**
 * Every row of the access-mode spec's validation tables and troubleshooting section, run through
 * the real CLI: exit code, the error text on stderr, and proof that no port was bound.
 */
import fs from 'node:fs';
import path from 'node:path';

import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import { KNOWN_OAUTH_CONNECTORS } from '../../src/config/oauth-connector-ids.js';
import {
  assertCliBuilt,
  cleanUpCliRuns,
  createWorkingDirectory,
  findFreePort,
  isPortClosed,
  runLlmProxy,
  type CliResult,
} from '../support/run-llm-proxy.js';

beforeAll(assertCliBuilt);
afterEach(cleanUpCliRuns);

const SINGLE_USER_HOST = 'Single User Mode requires binding to 127.0.0.1 only.';
const MULTI_USER_AUTH = 'Multi User Mode requires authentication when binding to non-localhost addresses.';
const OAUTH_FLAGS = 'OAuth debugging override flags are not allowed in Multi User Mode:';
const OAUTH_REPLACEMENT =
  'OAuth auto-replacement (--allow-oauth-auto-replacement) is not allowed in Multi User Mode. OAuth connectors are blocked in production deployments.';
const NOTIFICATIONS =
  'Desktop notifications are not allowed in Multi User Mode. Multi User Mode is for dedicated servers, not desktop computers.';
const BOTH_MODES = 'Cannot specify both --single-user-mode and --multi-user-mode';
const SSO_WITHOUT_PROVIDER = 'SSO is enabled but no OpenID Connect provider is configured.';

interface Scenario {
  args: string[];
  env?: Record<string, string>;
  files?: Record<string, string>;
}

/**
 * Runs the serve command on a free port and checks that it refused to start: exit code 1, the
 * error lines on stderr, nothing on stdout, no listen() attempt, the port still closed and no log
 * file (validation happens before logging starts).
 */
async function expectRefusedStart(scenario: Scenario): Promise<CliResult> {
  const port = await findFreePort();
  const cwd = createWorkingDirectory(scenario.files);
  const result = await runLlmProxy([...scenario.args, '--port', String(port)], { cwd, env: scenario.env ?? {} });
  expect({ exitCode: result.exitCode, stdout: result.stdout }).toEqual({ exitCode: 1, stdout: '' });
  expect(result.listenCalls).toEqual([]);
  expect(await isPortClosed(port)).toBe(true);
  expect(fs.existsSync(path.join(cwd, 'var'))).toBe(false);
  return result;
}

/** The `Error [CODE]: ...` lines of stderr. */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('Error ['));
}

describe('Single User Mode validation table', () => {
  it('refuses a host other than 127.0.0.1, saying which setting chose it and how to fix it', async () => {
    const { stderr } = await expectRefusedStart({ args: ['--host=0.0.0.0'] });
    expect(errorLines(stderr)).toEqual([
      `Error [ACCESS_MODE_HOST_NOT_ALLOWED]: ${SINGLE_USER_HOST} Current value: host 0.0.0.0 (from --host), ` +
        'access mode single_user (from default). Use --multi-user-mode for remote access (with --api-keys), ' +
        'or bind to 127.0.0.1 with --host 127.0.0.1.',
    ]);
  });

  it('refuses a non-loopback host from YAML or the environment, naming where it came from', async () => {
    const fromYaml = await expectRefusedStart({ args: ['--single-user-mode'], files: { 'llm-proxy.yaml': 'host: 0.0.0.0\n' } });
    expect(fromYaml.stderr).toContain(SINGLE_USER_HOST);
    expect(fromYaml.stderr).toMatch(/host 0\.0\.0\.0 \(from host in \/.*llm-proxy\.yaml\), access mode single_user \(from --single-user-mode\)/);

    const fromEnvironment = await expectRefusedStart({ args: [], env: { LLM_PROXY_HOST: '192.168.1.20' } });
    expect(fromEnvironment.stderr).toContain(`${SINGLE_USER_HOST} Current value: host 192.168.1.20 (from LLM_PROXY_HOST)`);
  });
});

describe('Multi User Mode validation table', () => {
  it('refuses a non-localhost host without authentication', async () => {
    const { stderr } = await expectRefusedStart({ args: ['--multi-user-mode', '--host=0.0.0.0'] });
    expect(errorLines(stderr)).toEqual([
      `Error [ACCESS_MODE_AUTH_REQUIRED]: ${MULTI_USER_AUTH} Current value: host 0.0.0.0 (from --host), ` +
        'no API keys configured (default), SSO off. Enable authentication via API keys or SSO: --api-keys key1,key2, ' +
        'LLM_PROXY_API_KEYS or auth.api_keys in YAML. Or bind to 127.0.0.1.',
    ]);
  });

  it('does not count authentication "enabled" with an empty key list (fail closed)', async () => {
    const { stderr } = await expectRefusedStart({
      args: [],
      files: {
        'config/config.yaml': 'access_mode:\n  mode: multi_user\nhost: 0.0.0.0\nauth:\n  disable_auth: false\n  api_keys: []\n',
      },
    });
    expect(errorLines(stderr)).toHaveLength(1);
    expect(stderr).toContain(`Error [ACCESS_MODE_AUTH_REQUIRED]: ${MULTI_USER_AUTH}`);
    expect(stderr).toMatch(/no API keys configured \(auth\.api_keys in \/.*config\.yaml\)/);
  });

  it('refuses --disable-auth off loopback even with keys configured', async () => {
    const { stderr } = await expectRefusedStart({ args: ['--multi-user-mode', '--host=0.0.0.0', '--api-keys', 'distinct-secret-key', '--disable-auth'] });
    expect(stderr).toContain(`${MULTI_USER_AUTH} Current value: host 0.0.0.0 (from --host), authentication disabled (from --disable-auth)`);
    expect(stderr).not.toContain('distinct-secret-key');
  });

  it.each(Object.keys(KNOWN_OAUTH_CONNECTORS))('refuses the %s debugging override flag', async (connectorId) => {
    const flag = `--enable-${connectorId}-backend-debugging-override`;
    const { stderr } = await expectRefusedStart({ args: ['--multi-user-mode', '--host=0.0.0.0', '--api-keys', 'key1', flag] });
    expect(errorLines(stderr)).toEqual([
      `Error [ACCESS_MODE_OAUTH_DEBUGGING_FLAGS_REJECTED]: ${OAUTH_FLAGS} ${flag}. OAuth connectors are blocked in production deployments. ` +
        'Current value: access mode multi_user (from --multi-user-mode). Remove the flag, or use it in Single User Mode (--single-user-mode) on 127.0.0.1.',
    ]);
  });

  it('names every debugging override flag given, in one message', async () => {
    const flags = Object.keys(KNOWN_OAUTH_CONNECTORS).map((id) => `--enable-${id}-backend-debugging-override`);
    const { stderr } = await expectRefusedStart({ args: ['--multi-user-mode', '--disable-notifications', ...flags] });
    expect(errorLines(stderr)).toHaveLength(1);
    expect(stderr).toContain(`${OAUTH_FLAGS} ${flags.join(', ')}.`);
  });

  it('refuses --allow-oauth-auto-replacement', async () => {
    const { stderr } = await expectRefusedStart({ args: ['--multi-user-mode', '--disable-notifications', '--allow-oauth-auto-replacement'] });
    expect(errorLines(stderr)).toEqual([
      `Error [ACCESS_MODE_OAUTH_AUTO_REPLACEMENT_REJECTED]: ${OAUTH_REPLACEMENT} Current value: access mode multi_user (from --multi-user-mode). ` +
        'Remove --allow-oauth-auto-replacement, or use it in Single User Mode (--single-user-mode) on 127.0.0.1.',
    ]);
  });

  it('refuses notifications left unset on 127.0.0.1 (auto-enabled: the trap)', async () => {
    const { stderr } = await expectRefusedStart({ args: ['--multi-user-mode', '--host=127.0.0.1'] });
    expect(errorLines(stderr)).toEqual([
      `Error [ACCESS_MODE_NOTIFICATIONS_REJECTED]: ${NOTIFICATIONS} Current value: notifications enabled ` +
        '(auto: host 127.0.0.1 is loopback and notifications.enabled is not set). Use --disable-notifications ' +
        '(or notifications.enabled: false in YAML, or LLM_PROXY_ENABLE_NOTIFICATIONS=false) or switch to Single User Mode. ' +
        'On a loopback host, leaving notifications unset is not enough: they are on automatically.',
    ]);
  });

  it.each([
    ['--enable-notifications', { args: ['--enable-notifications'] }, 'from --enable-notifications'],
    ['LLM_PROXY_ENABLE_NOTIFICATIONS=true', { args: [], env: { LLM_PROXY_ENABLE_NOTIFICATIONS: 'true' } }, 'from LLM_PROXY_ENABLE_NOTIFICATIONS'],
    ['notifications.enabled: true', { args: [], files: { 'llm-proxy.yaml': 'notifications:\n  enabled: true\n' } }, 'from notifications.enabled in'],
  ] as const)('refuses notifications enabled by %s, even off loopback', async (_name, scenario, origin) => {
    const { stderr } = await expectRefusedStart({
      ...scenario,
      args: ['--multi-user-mode', '--host=0.0.0.0', '--api-keys', 'key1', ...scenario.args],
    });
    expect(errorLines(stderr)).toHaveLength(1);
    expect(stderr).toContain(`Error [ACCESS_MODE_NOTIFICATIONS_REJECTED]: ${NOTIFICATIONS} Current value: notifications enabled (${origin}`);
  });

  it('reports every failing rule in one run', async () => {
    const { stderr } = await expectRefusedStart({
      args: [
        '--multi-user-mode',
        '--host=0.0.0.0',
        '--enable-notifications',
        '--allow-oauth-auto-replacement',
        '--enable-qwen-oauth-backend-debugging-override',
      ],
    });
    expect(errorLines(stderr).map((line) => /^Error \[(\w+)\]/.exec(line)?.[1])).toEqual([
      'ACCESS_MODE_AUTH_REQUIRED',
      'ACCESS_MODE_OAUTH_DEBUGGING_FLAGS_REJECTED',
      'ACCESS_MODE_OAUTH_AUTO_REPLACEMENT_REJECTED',
      'ACCESS_MODE_NOTIFICATIONS_REJECTED',
    ]);
  });
});

describe('troubleshooting section', () => {
  it('refuses both mode flags: "Cannot specify both --single-user-mode and --multi-user-mode"', async () => {
    const { stderr } = await expectRefusedStart({ args: ['--single-user-mode', '--multi-user-mode'] });
    expect(errorLines(stderr)).toEqual([
      `Error [ACCESS_MODE_CONFLICT]: ${BOTH_MODES}. Current value: --single-user-mode --multi-user-mode. ` +
        'Remove one of the flags: --single-user-mode for local development on 127.0.0.1, --multi-user-mode for shared deployments.',
    ]);
  });

  it('shows the wrong OAuth debugging example failing, with the loopback notification trap as well', async () => {
    const { stderr } = await expectRefusedStart({ args: ['--multi-user-mode', '--enable-gemini-oauth-auto-backend-debugging-override'] });
    expect(stderr).toContain(`${OAUTH_FLAGS} --enable-gemini-oauth-auto-backend-debugging-override.`);
    expect(stderr).toContain(NOTIFICATIONS);
  });

  it('shows the wrong auto-replacement example failing', async () => {
    const { stderr } = await expectRefusedStart({ args: ['--multi-user-mode', '--allow-oauth-auto-replacement'] });
    expect(stderr).toContain(OAUTH_REPLACEMENT);
  });

  it('stops startup when SSO is enabled by flag, YAML or environment without a provider', async () => {
    for (const scenario of [
      { args: ['--multi-user-mode', '--host=0.0.0.0', '--sso-enabled'] },
      { args: [], files: { 'llm-proxy.yaml': 'sso:\n  enabled: true\n' } },
      { args: [], env: { LLM_PROXY_SSO_ENABLED: '1' } },
    ]) {
      const { stderr } = await expectRefusedStart(scenario);
      expect(errorLines(stderr)).toHaveLength(1);
      expect(stderr).toContain(`Error [SSO_NO_PROVIDERS]: ${SSO_WITHOUT_PROVIDER}`);
      expect(stderr).toContain('Add a provider under sso.providers in the YAML file');
    }
  });

  it.each([
    [['--host=127.0.0.1']],
    [['--single-user-mode']],
    [['--multi-user-mode', '--host=0.0.0.0', '--api-keys', 'key1']],
    [['--multi-user-mode', '--host=0.0.0.0', '--api-keys', 'key1,key2']],
    [['--multi-user-mode', '--disable-notifications']],
    [['--multi-user-mode', '--host=0.0.0.0', '--api-keys', 'key1', '--default-backend', 'openai:gpt-4o']],
    [['--single-user-mode', '--default-backend', 'gemini-oauth-auto:gemini-exp-1206']],
    [['--disable-auth']],
    [['--disable-notifications']],
    [['--enable-notifications']],
  ])('passes every rule for the corrected command %j (checked with config explain)', async (args) => {
    const result = await runLlmProxy(['config', 'explain', ...args]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Result: every access-mode rule passes');
    expect(result.exitCode).toBe(0);
    expect(result.listenCalls).toEqual([]);
  });

  it('passes Multi User Mode on 127.0.0.1 once notifications are off in YAML (option 2)', async () => {
    const cwd = createWorkingDirectory({ 'config/config.yaml': 'access_mode:\n  mode: multi_user\nnotifications:\n  enabled: false\n' });
    const result = await runLlmProxy(['config', 'explain'], { cwd });
    expect(result.stdout).toContain('Result: every access-mode rule passes');
    expect(result.exitCode).toBe(0);
  });

  it('fails "--multi-user-mode --host=127.0.0.1" on the notification trap only, not on authentication', async () => {
    const result = await runLlmProxy(['config', 'explain', '--multi-user-mode', '--host=127.0.0.1']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/PASS +Multi User Mode: a non-localhost host requires authentication/);
    expect(result.stdout).toMatch(/FAIL +Multi User Mode: desktop notifications must be off/);
  });
});
