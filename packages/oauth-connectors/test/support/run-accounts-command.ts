/**
 * Runs core's `llm-proxy accounts` command (built dist) in a child process through
 * accounts-driver.mjs, with a clean environment holding only PATH and HOME.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ACCOUNTS_DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'accounts-driver.mjs');

export interface AccountsRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one accounts command; `onStdout` sees the output as it arrives (e.g. to act as the browser). */
export function runAccountsCommand(cwd: string, home: string, argv: string[], action: object, onStdout?: (output: string) => void): Promise<AccountsRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ACCOUNTS_DRIVER, JSON.stringify(argv), JSON.stringify(action)], {
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
