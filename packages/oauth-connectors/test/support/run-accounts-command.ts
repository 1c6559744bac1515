/**
 * Runs the built `llm-proxy` binary (core's dist/cli/main.js) as a child process, the way a user
 * runs `llm-proxy accounts ...`: through the argument parser, with a clean environment holding
 * only PATH and HOME.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI_PATH } from '../../../core/test/support/run-llm-proxy.js';

export interface AccountsRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export function assertCliBuilt(): void {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npx tsc -b packages/core\` first`);
}

/** Runs `llm-proxy <argv>`; `onStdout` sees the output as it arrives (e.g. to act as the browser). */
export function runAccountsCommand(cwd: string, home: string, argv: string[], onStdout?: (output: string) => void): Promise<AccountsRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, ...argv], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onStdout?.(stdout);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
}
