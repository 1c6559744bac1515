/**
 * @fileoverview Colour in the CLI's console output: on a terminal it is coloured, with NO_COLOR
 * (or TERM=dumb) and off a terminal it is plain. The terminal is a real pseudo-terminal made by
 * util-linux `script`, running the built CLI until it fails to bind a port that is taken (so it
 * logs an info and an error line and exits on its own).
 */
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { assertCliBuilt, cleanUpCliRuns, CLI_PATH, createWorkingDirectory, runLlmProxy } from '../support/run-llm-proxy.js';

const ESCAPE = '\u001b[';
let taken: net.Server;
let takenPort: number;

beforeAll(async () => {
  assertCliBuilt();
  // util-linux's `script` is on every Linux machine this project runs its tests on; say so plainly if not.
  expect(spawnSync('script', ['--version']).status).toBe(0);
  taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  takenPort = (taken.address() as net.AddressInfo).port;
});

afterAll(async () => {
  cleanUpCliRuns();
  await new Promise<void>((resolve) => taken.close(() => resolve()));
});

const ARGS = () => ['--port', String(takenPort), '--log-file', 'none', '--disable-notifications', '--api-keys', 'color-test-key'];

/** Runs the CLI on a pseudo-terminal and returns everything it wrote there. */
function runOnTerminal(extraEnv: Record<string, string>): Promise<string> {
  const command = [process.execPath, CLI_PATH, ...ARGS()].map((part) => `'${part}'`).join(' ');
  const env: NodeJS.ProcessEnv = { TERM: 'xterm-256color', ...extraEnv };
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('LLM_PROXY_') && name !== 'NO_COLOR' && name !== 'TERM' && name !== 'NODE_OPTIONS') env[name] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: createWorkingDirectory(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(output);
    });
  });
}

describe('console colour', () => {
  it('colours the log levels on a terminal', async () => {
    const output = await runOnTerminal({});
    expect(output).toContain('Starting LLM Proxy');
    expect(output).toContain(`${ESCAPE}32minfo${ESCAPE}39m`);
  });

  it.each([[{ NO_COLOR: '1' }], [{ TERM: 'dumb' }]])('writes no escape codes on a terminal with %j', async (env) => {
    const output = await runOnTerminal(env);
    expect(output).toContain('Starting LLM Proxy');
    expect(output).toContain('error:');
    expect(output).not.toContain('\u001b');
  });

  it('writes no escape codes off a terminal', async () => {
    const result = await runLlmProxy(ARGS());
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Starting LLM Proxy');
    expect(result.stderr).not.toContain('\u001b');
  });
});
