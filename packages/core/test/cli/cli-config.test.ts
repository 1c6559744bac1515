/**
 * The real CLI's configuration surface: flags, environment, YAML files, `config explain`,
 * `connectors list`, `--version` and `--help`.
 */
import fs from 'node:fs';
import path from 'node:path';

import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import {
  assertCliBuilt,
  cleanUpCliRuns,
  createWorkingDirectory,
  findFreePort,
  isPortClosed,
  runLlmProxy,
} from '../support/run-llm-proxy.js';

beforeAll(assertCliBuilt);
afterEach(cleanUpCliRuns);

/** The value and source columns of one setting row of `config explain`. */
function explainRow(stdout: string, setting: string): { value: string; source: string } {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(`  ${setting} `));
  if (line === undefined) throw new Error(`no row for ${setting} in:\n${stdout}`);
  const [, value, source] = /^ {2}\S+\s+(.+?)\s{2,}(\S.*)$/.exec(line) ?? [];
  return { value: value ?? '', source: source ?? '' };
}

function accessModeLine(stdout: string): string {
  return stdout.split('\n').find((line) => line.startsWith('Access mode: ')) ?? '';
}

describe('--version and --help', () => {
  it('prints the version of @llmproxy/core', async () => {
    const packageJson = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await runLlmProxy(['--version']);
    expect(result).toMatchObject({ exitCode: 0, stdout: `${packageJson.version}\n`, stderr: '' });
    expect(result.listenCalls).toEqual([]);
  });

  it('lists the commands and every flag', async () => {
    const result = await runLlmProxy(['--help']);
    expect(result.exitCode).toBe(0);
    for (const text of [
      'llm-proxy serve', 'llm-proxy connectors', 'llm-proxy config', '--host', '--port', '--config', '--default-backend',
      '--log-level', '--log-file', '--single-user-mode', '--multi-user-mode', '--api-keys', '--disable-auth',
      '--enable-notifications', '--disable-notifications', '--sso-enabled', '--allow-oauth-auto-replacement',
      '--enable-kiro-oauth-auto-backend-debugging-override', '--version', '--help',
    ]) {
      expect(result.stdout).toContain(text);
    }
    expect(result.listenCalls).toEqual([]);
  });
});

describe('command-line and environment errors', () => {
  it('names an unknown flag and binds nothing', async () => {
    const port = await findFreePort();
    const result = await runLlmProxy(['--sigle-user-mode', '--port', String(port)]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Error [CLI_ARGUMENT_INVALID]: Unknown flag: --sigle-user-mode. Run llm-proxy --help');
    expect(result.listenCalls).toEqual([]);
    expect(await isPortClosed(port)).toBe(true);
  });

  it('names an unknown command', async () => {
    const result = await runLlmProxy(['connectors', 'show']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Unknown argument: show');
  });

  it('reports every invalid environment value with the variable, the value and the allowed values', async () => {
    const result = await runLlmProxy([], { env: { LLM_PROXY_PORT: 'abc', LLM_PROXY_ACCESS_MODE: 'foo' } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'Error [ENV_VALUE_INVALID]: Environment variable LLM_PROXY_PORT has a value that is not allowed. Current value: "abc". ' +
        'Allowed: an integer from 0 to 65535 (0 picks a free port). Set an allowed value or unset LLM_PROXY_PORT.',
    );
    expect(result.stderr).toContain(
      'Error [ENV_VALUE_INVALID]: Environment variable LLM_PROXY_ACCESS_MODE has a value that is not allowed. Current value: "foo". ' +
        'Allowed: single_user or multi_user.',
    );
    expect(result.listenCalls).toEqual([]);
  });

  it('rejects a flag without its value', async () => {
    const result = await runLlmProxy(['--port']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Error [CLI_ARGUMENT_INVALID]: --port needs a value.');
  });
});

describe('YAML configuration errors', () => {
  it('names the file and position of a syntax error', async () => {
    const cwd = createWorkingDirectory({ 'llm-proxy.yaml': 'host: 127.0.0.1\nauth:\n  api_keys: [a, b\n' });
    const result = await runLlmProxy([], { cwd });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`Error [CONFIG_FILE_INVALID_YAML]: Configuration file ${path.join(cwd, 'llm-proxy.yaml')} is not valid YAML.`);
    expect(result.stderr).toMatch(/at line \d+, column \d+/);
    expect(result.listenCalls).toEqual([]);
  });

  it('reports every schema problem at once', async () => {
    const cwd = createWorkingDirectory({ 'config/config.yaml': 'prot: 80\nlogging:\n  level: loud\naccess_mode:\n  mode: shared\n' });
    const result = await runLlmProxy([], { cwd });
    const file = path.join(cwd, 'config/config.yaml');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`Error [CONFIG_INVALID]: Invalid configuration in ${file}: unknown key prot. Did you mean port?`);
    expect(result.stderr).toContain(
      `Error [CONFIG_INVALID]: Invalid configuration in ${file}: logging.level has a value that is not allowed. Current value: "loud". Allowed: one of error, warn, info, debug.`,
    );
    expect(result.stderr).toContain(
      `Error [CONFIG_INVALID]: Invalid configuration in ${file}: access_mode.mode has a value that is not allowed. Current value: "shared". Allowed: single_user or multi_user.`,
    );
  });

  it('names a broken package.json that the configuration loader reads for its own options', async () => {
    const cwd = createWorkingDirectory({ 'package.json': '{ not json' });
    const result = await runLlmProxy(['config', 'explain'], { cwd });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `Error [CONFIG_FILE_UNREADABLE]: The configuration search in ${cwd} cannot start. Current value: JSON Error in ${path.join(cwd, 'package.json')}.`,
    );
  });

  it('names a missing --config file', async () => {
    const cwd = createWorkingDirectory();
    const result = await runLlmProxy(['--config', 'prod.yaml'], { cwd });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`Error [CONFIG_FILE_NOT_FOUND]: Configuration file ${path.join(cwd, 'prod.yaml')} does not exist.`);
  });
});

describe('config explain', () => {
  it('shows every setting with its source, the mode and the rule verdicts, without key values', async () => {
    const cwd = createWorkingDirectory({
      'llm-proxy.yaml': [
        'port: 9100',
        'auth:',
        '  api_keys: [yaml-secret-key-1, yaml-secret-key-2]',
        'backends:',
        '  local:',
        '    type: openai-compatible',
        '    api_key: backend-secret-key',
        '',
      ].join('\n'),
    });
    const result = await runLlmProxy(['config', 'explain', '--log-level', 'debug'], { cwd, env: { LLM_PROXY_DEFAULT_BACKEND: 'local:llama3' } });
    const file = path.join(cwd, 'llm-proxy.yaml');

    expect(result.exitCode).toBe(0);
    expect(result.listenCalls).toEqual([]);
    expect(result.stdout).toContain(`Configuration file: ${file} (found in the working directory)`);
    expect(accessModeLine(result.stdout)).toBe('Access mode: Single User Mode (single_user, default)');
    expect(explainRow(result.stdout, 'host')).toEqual({ value: '127.0.0.1', source: 'default' });
    expect(explainRow(result.stdout, 'port')).toEqual({ value: '9100', source: `yaml (port in ${file})` });
    expect(explainRow(result.stdout, 'default_backend')).toEqual({ value: 'local:llama3', source: 'env (LLM_PROXY_DEFAULT_BACKEND)' });
    expect(explainRow(result.stdout, 'logging.level')).toEqual({ value: 'debug', source: 'cli (--log-level)' });
    expect(explainRow(result.stdout, 'logging.file')).toEqual({ value: path.join(cwd, 'var/logs/llm-proxy.log'), source: 'default (logs/llm-proxy.log in data_dir)' });
    expect(explainRow(result.stdout, 'auth.api_keys')).toEqual({ value: '2 keys', source: `yaml (auth.api_keys in ${file})` });
    expect(explainRow(result.stdout, 'backends')).toEqual({ value: 'local (openai-compatible)', source: `yaml (backends in ${file})` });
    expect(explainRow(result.stdout, 'notifications.enabled').source).toMatch(/^auto \(host 127\.0\.0\.1 is loopback/);
    expect(result.stdout).toMatch(/PASS +Single User Mode: host must be 127\.0\.0\.1/);
    expect(result.stdout).toMatch(/NOT APPLICABLE +Multi User Mode: desktop notifications must be off/);
    expect(result.stdout).toContain('Result: every access-mode rule passes');
    for (const secret of ['yaml-secret-key-1', 'yaml-secret-key-2', 'backend-secret-key']) {
      expect(result.stdout).not.toContain(secret);
    }
    // Reporting commands leave no log file behind.
    expect(fs.existsSync(path.join(cwd, 'var'))).toBe(false);
  });

  it('says the key will be generated at startup, without showing one', async () => {
    const result = await runLlmProxy(['config', 'explain']);
    expect(explainRow(result.stdout, 'auth.api_keys')).toEqual({
      value: '(generated at startup)',
      source: 'auto (generated for this run, since auth is on, no keys are configured and the host is loopback)',
    });
    expect(result.stdout).not.toMatch(/llmproxy-[A-Za-z0-9_-]{20,}/);
  });

  it('exits 1 and shows each failing rule with its message', async () => {
    const result = await runLlmProxy(['config', 'explain', '--multi-user-mode', '--host', '0.0.0.0', '--allow-oauth-auto-replacement']);
    expect(result.exitCode).toBe(1);
    expect(result.listenCalls).toEqual([]);
    expect(accessModeLine(result.stdout)).toBe('Access mode: Multi User Mode (multi_user, cli (--multi-user-mode))');
    expect(result.stdout).toMatch(/NOT APPLICABLE +Single User Mode: host must be 127\.0\.0\.1/);
    expect(result.stdout).toMatch(/FAIL +Multi User Mode: a non-localhost host requires authentication/);
    expect(result.stdout).toContain('Multi User Mode requires authentication when binding to non-localhost addresses.');
    expect(result.stdout).toMatch(/PASS +Multi User Mode: OAuth debugging override flags are rejected/);
    expect(result.stdout).toMatch(/FAIL +Multi User Mode: --allow-oauth-auto-replacement is rejected/);
    expect(result.stdout).toMatch(/PASS +Multi User Mode: desktop notifications must be off/);
    expect(result.stdout).toContain('Result: 2 access-mode rules fail; llm-proxy would refuse to start.');
  });
});

describe('access mode precedence (CLI > env > YAML > default)', () => {
  const multiUserYaml = { 'llm-proxy.yaml': 'access_mode:\n  mode: multi_user\nnotifications:\n  enabled: false\n' };

  it.each([
    ['default', [], {}, {}, 'Single User Mode (single_user, default)'],
    ['YAML', [], {}, multiUserYaml, 'Multi User Mode (multi_user, yaml (access_mode.mode in '],
    ['env over YAML', [], { LLM_PROXY_ACCESS_MODE: 'single_user' }, multiUserYaml, 'Single User Mode (single_user, env (LLM_PROXY_ACCESS_MODE))'],
    ['env over default', [], { LLM_PROXY_ACCESS_MODE: 'multi_user' }, {}, 'Multi User Mode (multi_user, env (LLM_PROXY_ACCESS_MODE))'],
    ['CLI over env', ['--multi-user-mode'], { LLM_PROXY_ACCESS_MODE: 'single_user' }, {}, 'Multi User Mode (multi_user, cli (--multi-user-mode))'],
    ['CLI over env and YAML', ['--single-user-mode'], { LLM_PROXY_ACCESS_MODE: 'multi_user' }, multiUserYaml, 'Single User Mode (single_user, cli (--single-user-mode))'],
  ])('%s', async (_name, args, env, files, expected) => {
    const cwd = createWorkingDirectory(files);
    const result = await runLlmProxy(['config', 'explain', ...args], { cwd, env });
    expect(accessModeLine(result.stdout)).toContain(`Access mode: ${expected}`);
  });
});

describe('desktop notification precedence (CLI > env > YAML > auto)', () => {
  const yaml = (enabled: string) => ({ 'llm-proxy.yaml': `notifications:\n  enabled: ${enabled}\n` });

  it.each([
    ['auto on for 127.0.0.1', [], {}, {}, 'true', /^auto \(host 127\.0\.0\.1 is loopback/],
    ['auto on for localhost', ['--host', 'localhost'], {}, {}, 'true', /^auto \(host localhost is loopback/],
    ['auto on for ::1', ['--host', '::1'], {}, {}, 'true', /^auto \(host ::1 is loopback/],
    ['auto off for 0.0.0.0', ['--host', '0.0.0.0'], {}, {}, 'false', /^auto \(host 0\.0\.0\.0 is not loopback/],
    ['YAML null is auto', [], {}, yaml('null'), 'true', /^auto /],
    ['YAML false silences loopback', [], {}, yaml('false'), 'false', /^yaml \(notifications\.enabled in /],
    ['YAML true on 0.0.0.0', ['--host', '0.0.0.0'], {}, yaml('true'), 'true', /^yaml /],
    ['env false over YAML true', [], { LLM_PROXY_ENABLE_NOTIFICATIONS: 'false' }, yaml('true'), 'false', /^env \(LLM_PROXY_ENABLE_NOTIFICATIONS\)$/],
    ['env true over YAML false', [], { LLM_PROXY_ENABLE_NOTIFICATIONS: 'on' }, yaml('false'), 'true', /^env /],
    ['env 0 over auto on', [], { LLM_PROXY_ENABLE_NOTIFICATIONS: '0' }, {}, 'false', /^env /],
    ['env 1 over auto off', ['--host', '0.0.0.0'], { LLM_PROXY_ENABLE_NOTIFICATIONS: '1' }, {}, 'true', /^env /],
    ['--enable-notifications over env and YAML', ['--enable-notifications'], { LLM_PROXY_ENABLE_NOTIFICATIONS: 'false' }, yaml('false'), 'true', /^cli \(--enable-notifications\)$/],
    ['--disable-notifications over env and YAML', ['--disable-notifications'], { LLM_PROXY_ENABLE_NOTIFICATIONS: 'true' }, yaml('true'), 'false', /^cli \(--disable-notifications\)$/],
    ['--disable-notifications over auto', ['--disable-notifications'], {}, {}, 'false', /^cli /],
    ['--enable-notifications off loopback', ['--host', '0.0.0.0', '--enable-notifications'], {}, {}, 'true', /^cli /],
  ])('%s', async (_name, args, env, files, value, source) => {
    const cwd = createWorkingDirectory(files);
    const result = await runLlmProxy(['config', 'explain', ...args], { cwd, env });
    const row = explainRow(result.stdout, 'notifications.enabled');
    expect(row.value).toBe(value);
    expect(row.source).toMatch(source);
  });
});

describe('connectors list', () => {
  it('prints the plugin report without binding a port or writing a log file', async () => {
    const cwd = createWorkingDirectory();
    const result = await runLlmProxy(['connectors', 'list'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('@llmproxy/core');
    expect(result.stdout).toContain('openai');
    expect(result.listenCalls).toEqual([]);
    expect(fs.existsSync(path.join(cwd, 'var'))).toBe(false);
  });
});
