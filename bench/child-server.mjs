/**
 * @fileoverview Starts a server as a child process and waits for its `... listening on <url>`
 * line on stdout; keeps draining its output (a full pipe would stall it) and stops it cleanly.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

const LISTENING_LINE = /listening on (http:\/\/\S+)/;
const OUTPUT_TAIL_LENGTH = 4_000;

/**
 * @typedef {object} ChildServer
 * @property {string} name
 * @property {string} url
 * @property {number} pid
 * @property {() => string} outputTail the last few kilobytes of stdout and stderr, for diagnostics
 * @property {() => Promise<void>} stop SIGTERM, then SIGKILL if it has not exited within 3 s
 */

/**
 * @param {{ name: string, command: string, args: string[], env?: NodeJS.ProcessEnv, cwd?: string, startTimeoutMs?: number }} options
 * @returns {Promise<ChildServer>}
 */
export function startChildServer(options) {
  const child = spawn(options.command, options.args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited = false;
  const exitedPromise = new Promise((resolve) => child.once('exit', () => resolve(undefined)));
  child.once('exit', () => {
    exited = true;
  });
  const append = (chunk) => {
    output = (output + chunk).slice(-OUTPUT_TAIL_LENGTH);
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8').on('data', append);

  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exitedPromise;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    let settled = false;
    let stdoutBuffer = '';
    const fail = (message) => {
      if (settled) return;
      settled = true;
      clearTimeout(startTimer);
      void stop().then(() => reject(new Error(`${options.name} did not start: ${message}\n--- its output ---\n${output.trim()}`)));
    };
    const startTimer = setTimeout(() => fail(`no "listening on" line within ${options.startTimeoutMs ?? 15_000} ms`), options.startTimeoutMs ?? 15_000);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited with ${signal ?? `code ${code}`}`));
    child.stdout.on('data', (chunk) => {
      append(chunk);
      if (settled) return;
      stdoutBuffer += chunk;
      const match = LISTENING_LINE.exec(stdoutBuffer);
      if (match === null || match[1] === undefined) return;
      settled = true;
      clearTimeout(startTimer);
      resolve({
        name: options.name,
        url: match[1],
        pid: /** @type {number} */ (child.pid),
        outputTail: () => output,
        stop,
      });
    });
  });
}

/**
 * Peak and current resident set size of a process, in megabytes, from /proc (Linux only).
 * @param {number} pid
 * @returns {Promise<{ peakRssMb: number, rssMb: number } | undefined>}
 */
export async function readMemoryUsage(pid) {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kilobytes = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { peakRssMb: kilobytes('VmHWM') / 1024, rssMb: kilobytes('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}
