/**
 * `llm-proxy accounts` and the operator's data directory and terminal, through the built
 * binary: a device-code login says how long its code stays valid and shows a spinner with the
 * time left on a terminal (a real pseudo-terminal made by util-linux `script`) but no control
 * codes off one; account pools land in `--data-dir` / `LLM_PROXY_DATA_DIR` / `data_dir` unless
 * `accounts_directory` places them; a pool connector given a data directory reads its pool there.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import { createTestConnectorContext } from '@llmproxy/connector-sdk/testing';
import { CLI_PATH, cleanUpCliRuns } from '../../../core/test/support/run-llm-proxy.js';
import { createKiroAccountPoolConnector } from '../../src/kiro-oauth-auto/create-kiro-account-pool-connector.js';
import { startFakeQwenUpstream, type FakeQwenUpstream } from '../support/fake-qwen-upstream.js';
import { assertOAuthPackageBuilt, createOAuthProject } from '../support/oauth-project.js';
import { assertCliBuilt, runAccountsCommand } from '../support/run-accounts-command.js';
import { createTemporaryHome, geminiCredentials, removeTemporaryHomes, writeJsonFile } from '../support/temporary-home.js';

jest.setTimeout(60_000);

/** Carriage return, then ESC [ K (erase to the end of the line), as a regular expression. */
const CLEAR_LINE = `\r${String.fromCharCode(27)}\\[K`;

describe('llm-proxy accounts: progress and data directory', () => {
  let qwen: FakeQwenUpstream;

  beforeAll(async () => {
    assertOAuthPackageBuilt();
    assertCliBuilt();
    // util-linux's `script` gives the CLI a real terminal; it is on every Linux machine these tests run on.
    expect(spawnSync('script', ['--version']).status).toBe(0);
    qwen = await startFakeQwenUpstream();
  });
  afterAll(async () => {
    await qwen.close();
    cleanUpCliRuns();
    removeTemporaryHomes();
  });

  function qwenProject(): string {
    return createOAuthProject({ 'llm-proxy.yaml': ['backends:', '  qwen-oauth:', `    oauth_base_url: ${qwen.url}`, ''].join('\n') });
  }

  /** Runs `llm-proxy <argv>` on a pseudo-terminal; resolves with everything written to it. */
  function runOnTerminal(cwd: string, home: string, argv: string[]): Promise<string> {
    const command = [process.execPath, CLI_PATH, ...argv].map((part) => `'${part}'`).join(' ');
    return new Promise((resolve, reject) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], {
        cwd,
        env: { PATH: process.env['PATH'] ?? '', HOME: home, TERM: 'xterm-256color' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(output);
      });
    });
  }

  it('on a terminal: says how long the device code stays valid, spins with the time left, and clears the spinner', async () => {
    // Two pending answers: the login waits for two polls (about four seconds) before it is approved.
    qwen.deviceLogin.answers.push('pending', 'pending');
    const output = await runOnTerminal(qwenProject(), createTemporaryHome(), ['accounts', 'add', 'qwen']);
    expect(output).toContain('approve the Qwen login (code ABCD-EFGH)');
    expect(output).toMatch(/The code stays valid for 10 minutes \(until [^)]+\)\./);
    // Each frame returns to the line's start and erases it (ESC [ K) before drawing.
    expect(output).toMatch(new RegExp(`${CLEAR_LINE}[-\\\\|/] Waiting for approval \\(\\d+:\\d\\d left\\)`));
    expect(output).toMatch(/Waiting for approval \(9:5\d left\)/);
    // The spinner line is erased before the result is printed.
    expect(output).toMatch(new RegExp(`${CLEAR_LINE}(\r\n)?Added qwen account "default"`));
  });

  it('off a terminal: prints the lifetime and no control codes', async () => {
    qwen.deviceLogin.answers.push('pending');
    const added = await runAccountsCommand(qwenProject(), createTemporaryHome(), ['accounts', 'add', 'qwen']);
    expect(added.exitCode).toBe(0);
    expect(added.stdout).toContain('The code stays valid for 10 minutes');
    expect(added.stdout + added.stderr).not.toContain('\u001b');
    expect(added.stderr).not.toContain('Waiting for approval');
  });

  it('keeps account pools in the data directory from the flag, the environment or YAML, and accounts_directory still wins', async () => {
    const home = createTemporaryHome();
    const login = writeJsonFile(home, 'login.json', geminiCredentials({ accessToken: 'a', refreshToken: 'r', expiresInMs: 3_600_000 }));
    const cwd = createOAuthProject({ 'elsewhere.yaml': 'data_dir: from-yaml\n', 'pinned.yaml': 'data_dir: from-yaml\nbackends:\n  gemini-oauth-auto:\n    accounts_directory: pinned-pool\n' });
    const run = (argv: string[], env: Record<string, string> = {}) =>
      new Promise<{ exitCode: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI_PATH, ...argv], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: home, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
      });

    const byFlag = await run(['accounts', 'import', 'gemini', login, '--name', 'flagged', '--data-dir', 'state/llm']);
    expect(byFlag.stderr).toBe('');
    expect(existsSync(path.join(cwd, 'state/llm/gemini_oauth_accounts/flagged.json'))).toBe(true);
    expect(existsSync(path.join(cwd, 'var'))).toBe(false);

    const byEnvironment = await run(['accounts', 'list', 'gemini'], { LLM_PROXY_DATA_DIR: path.join(cwd, 'state/llm') });
    expect(byEnvironment.stdout).toContain('gemini account "flagged"');
    const elsewhere = await run(['accounts', 'list', 'gemini']);
    expect(elsewhere.stdout).not.toContain('flagged');

    await run(['accounts', 'import', 'gemini', login, '--name', 'yaml', '--config', 'elsewhere.yaml']);
    expect(existsSync(path.join(cwd, 'from-yaml/gemini_oauth_accounts/yaml.json'))).toBe(true);
    await run(['accounts', 'import', 'gemini', login, '--name', 'pinned', '--config', 'pinned.yaml']);
    expect(existsSync(path.join(cwd, 'pinned-pool/pinned.json'))).toBe(true);
  });

  it('a pool connector given a data directory looks for its accounts there', async () => {
    const home = createTemporaryHome();
    const dataDirectory = path.join(home, 'data');
    const { context } = createTestConnectorContext({ backendName: 'kiro-oauth-auto', config: {}, env: { HOME: home } });
    const connector = await createKiroAccountPoolConnector({ ...context, dataDirectory }, { cwd: home });
    const failure = await connector
      .chat({ model: 'auto', stream: false, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] }, { signal: new AbortController().signal })
      .then(() => undefined, (error: unknown) => error);
    expect(LlmProxyError.is(failure)).toBe(true);
    expect((failure as LlmProxyError).message).toContain(path.join(dataDirectory, 'kiro_oauth_accounts'));
    await connector.close?.();
  });
});
