/**
 * @fileoverview The operator's file settings through the real CLI: `--log-file none` (and `-`)
 * logs to the console only, the log file rotates at `--log-max-size` keeping `--log-max-files`,
 * `--data-dir` moves everything the proxy writes by default (the log file, the SSO database;
 * created with mode 0700), explicit paths still win, and a data directory that cannot be
 * created stops startup with the fix.
 */
import fs from 'node:fs';
import path from 'node:path';

import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import { PROXY_CLIENT_ID, PROXY_CLIENT_SECRET } from '../sso/support/sso-test-setup.js';
import { startTestIdentityProvider } from '../sso/support/test-identity-provider.js';
import { assertCliBuilt, cleanUpCliRuns, createWorkingDirectory, runLlmProxy, startLlmProxy } from '../support/run-llm-proxy.js';

beforeAll(assertCliBuilt);
afterEach(cleanUpCliRuns);

const QUIET = ['--port', '0', '--disable-notifications', '--api-keys', 'operator-test-key'];

/** Every file under `directory`, relative to it. */
function filesUnder(directory: string): string[] {
  return fs
    .readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('logging.file none', () => {
  it.each([['none'], ['-']])('--log-file %s writes no log file and logs to the console', async (value) => {
    const running = await startLlmProxy([...QUIET, '--log-file', value]);
    expect((await fetch(`${running.url}/internal/health`)).status).toBe(200);
    const stopped = await running.stop('SIGTERM');
    expect(stopped.exitCode).toBe(0);
    expect(stopped.stderr).toContain('Starting LLM Proxy in Single User Mode');
    expect(stopped.stderr).toContain('Stopped');
    // Only the usage database (usage is recorded by default), no log file.
    expect(filesUnder(running.cwd)).toEqual(['var/usage/llm-proxy-usage.sqlite']);
  });

  it('takes none from YAML, and config explain shows it', async () => {
    const cwd = createWorkingDirectory({ 'llm-proxy.yaml': 'logging:\n  file: none\n' });
    const explained = await runLlmProxy(['config', 'explain'], { cwd });
    expect(explained.exitCode).toBe(0);
    expect(explained.stdout).toMatch(/logging\.file\s+none\s+yaml/);
  });
});

describe('log rotation', () => {
  it('rotates the log file at --log-max-size and keeps --log-max-files files', async () => {
    const running = await startLlmProxy([...QUIET, '--log-max-size', '1kb', '--log-max-files', '3']);
    // Each request writes one line of about 300 bytes; paced so that each rotation finishes before the next line.
    for (let index = 0; index < 30; index += 1) {
      expect((await fetch(`${running.url}/internal/health?n=${index}`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    const stopped = await running.stop('SIGTERM');
    expect(stopped.exitCode).toBe(0);

    const logs = path.join(running.cwd, 'var/logs');
    expect(fs.readdirSync(logs).sort()).toEqual(['llm-proxy.log', 'llm-proxy1.log', 'llm-proxy2.log']);
    const entries = (name: string): Record<string, unknown>[] =>
      fs.readFileSync(path.join(logs, name), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    // Rotation happens at the first line past the size, so a file holds at most one line more than 1 KiB.
    for (const name of ['llm-proxy1.log', 'llm-proxy2.log']) {
      const size = fs.statSync(path.join(logs, name)).size;
      expect(size).toBeGreaterThanOrEqual(1024);
      expect(size).toBeLessThan(2048);
    }
    // The current file has the newest lines; the oldest files (with the startup line) were deleted.
    expect(entries('llm-proxy.log').at(-1)?.['message']).toBe('Stopped');
    const all = [...entries('llm-proxy2.log'), ...entries('llm-proxy1.log'), ...entries('llm-proxy.log')].map((entry) => String(entry['message']));
    expect(all.join('\n')).not.toContain('Starting LLM Proxy');
  });

  it('takes the rotation settings from YAML and the environment, shown by config explain', async () => {
    const cwd = createWorkingDirectory({ 'llm-proxy.yaml': 'logging:\n  max_size: 2mb\n' });
    const explained = await runLlmProxy(['config', 'explain'], { cwd, env: { LLM_PROXY_LOG_MAX_FILES: '9' } });
    expect(explained.exitCode).toBe(0);
    expect(explained.stdout).toMatch(/logging\.max_size\s+2097152 bytes\s+yaml/);
    expect(explained.stdout).toMatch(/logging\.max_files\s+9\s+env \(LLM_PROXY_LOG_MAX_FILES\)/);
  });

  it('refuses a size below 1kb and a count of 0', async () => {
    const small = await runLlmProxy(['config', 'explain', '--log-max-size', '100']);
    expect(small.exitCode).toBe(1);
    expect(small.stderr).toContain('--log-max-size has a value that is not allowed');
    const none = await runLlmProxy(['config', 'explain'], { env: { LLM_PROXY_LOG_MAX_FILES: '0' } });
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain('LLM_PROXY_LOG_MAX_FILES');
  });
});

describe('data_dir', () => {
  it('puts the log file under --data-dir, creating it with mode 0700', async () => {
    const running = await startLlmProxy([...QUIET, '--data-dir', 'state/llm']);
    expect((await fetch(`${running.url}/internal/health`)).status).toBe(200);
    expect((await running.stop('SIGTERM')).exitCode).toBe(0);
    const dataDirectory = path.join(running.cwd, 'state/llm');
    expect(fs.statSync(dataDirectory).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dataDirectory, 'logs')).mode & 0o777).toBe(0o700);
    expect(filesUnder(running.cwd)).toEqual(['state/llm/logs/llm-proxy.log', 'state/llm/usage/llm-proxy-usage.sqlite']);
    expect(fs.readFileSync(path.join(dataDirectory, 'logs/llm-proxy.log'), 'utf8')).toContain('Starting LLM Proxy');
  });

  it('creates the SSO database under --data-dir when serving with SSO', async () => {
    const idp = await startTestIdentityProvider({
      clients: [{ clientId: PROXY_CLIENT_ID, clientSecret: PROXY_CLIENT_SECRET, redirectUris: ['http://127.0.0.1:9/auth/callback'] }],
    });
    try {
      const cwd = createWorkingDirectory({
        'llm-proxy.yaml': [
          'sso:',
          '  providers:',
          '    test-idp:',
          `      issuer: ${idp.issuer}`,
          `      client_id: ${PROXY_CLIENT_ID}`,
          '      client_secret_env: DATA_DIR_TEST_SECRET',
          '      allowed_users:',
          '        email_domains: [example.com]',
          '',
        ].join('\n'),
      });
      const running = await startLlmProxy(['--multi-user-mode', '--disable-notifications', '--sso-enabled', '--port', '0', '--data-dir', 'state'], {
        cwd,
        env: { DATA_DIR_TEST_SECRET: PROXY_CLIENT_SECRET },
      });
      expect((await fetch(`${running.url}/internal/health`)).status).toBe(200);
      expect((await running.stop('SIGTERM')).exitCode).toBe(0);
      expect(filesUnder(cwd)).toEqual(['llm-proxy.yaml', 'state/logs/llm-proxy.log', 'state/sso/llm-proxy-sso.sqlite', 'state/usage/llm-proxy-usage.sqlite']);
      expect(fs.statSync(path.join(cwd, 'state/sso')).mode & 0o777).toBe(0o700);
    } finally {
      await idp.close();
    }
  });

  it('resolves the SSO database under LLM_PROXY_DATA_DIR; explicit file settings still win', async () => {
    const cwd = createWorkingDirectory();
    const dataDirectory = path.join(cwd, 'absolute-data');
    const explained = await runLlmProxy(['config', 'explain'], { cwd, env: { LLM_PROXY_DATA_DIR: dataDirectory } });
    expect(explained.exitCode).toBe(0);
    expect(explained.stdout).toMatch(new RegExp(`data_dir\\s+${dataDirectory}\\s+env`));
    expect(explained.stdout).toContain(path.join(dataDirectory, 'logs/llm-proxy.log'));
    expect(explained.stdout).toContain(path.join(dataDirectory, 'sso/llm-proxy-sso.sqlite'));

    const tokens = await runLlmProxy(['tokens', 'list'], { cwd, env: { LLM_PROXY_DATA_DIR: dataDirectory } });
    expect(tokens.exitCode).toBe(0);
    expect(tokens.stdout).toContain(`the SSO database ${path.join(dataDirectory, 'sso/llm-proxy-sso.sqlite')} does not exist yet`);

    const explicit = await runLlmProxy(['config', 'explain', '--log-file', 'elsewhere.log'], {
      cwd,
      env: { LLM_PROXY_DATA_DIR: dataDirectory, LLM_PROXY_SSO_DATABASE_FILE: 'db/sso.sqlite' },
    });
    expect(explicit.stdout).toContain(path.join(cwd, 'elsewhere.log'));
    expect(explicit.stdout).toContain(path.join(cwd, 'db/sso.sqlite'));
  });

  it('stops startup with the path, the reason and the fix when the data directory cannot be created', async () => {
    const cwd = createWorkingDirectory({ 'not-a-directory': 'a file' });
    const result = await runLlmProxy([...QUIET, '--data-dir', 'not-a-directory/data'], { cwd });
    expect(result.exitCode).toBe(1);
    expect(result.listenCalls).toEqual([]);
    expect(result.stderr).toContain(`The data directory ${path.join(cwd, 'not-a-directory/data')} cannot be created or written (ENOTDIR)`);
    expect(result.stderr).toContain('DATA_DIR_UNUSABLE');
    expect(result.stderr).toContain('Set --data-dir, LLM_PROXY_DATA_DIR or data_dir in YAML');
  });
});
