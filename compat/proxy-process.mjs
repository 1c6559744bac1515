/**
 * @fileoverview Starts the real built `llm-proxy` (packages/core/dist/cli/main.js) as a child
 * process on 127.0.0.1 port 0 with every backend pointed at the cell's scripted upstream, and
 * reads its JSON log file afterwards.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROXY_CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../packages/core/dist/cli/main.js');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * @typedef {object} RunningProxy
 * @property {string} address `127.0.0.1:<port>`.
 * @property {string} logFile
 * @property {() => string} output Its stdout and stderr so far.
 * @property {() => Promise<void>} stop SIGTERM, then SIGKILL if it does not exit in time.
 */

/**
 * @param {object} options
 * @param {string[]} options.documentedArguments The arguments of the doc's `npx llm-proxy` line.
 * @param {string} options.key The client key (`--api-keys`).
 * @param {number} options.upstreamPort
 * @param {string} options.directory Working directory; the log file goes here.
 * @returns {Promise<RunningProxy>}
 */
export async function startProxy({ documentedArguments, key, upstreamPort, directory }) {
  const upstream = `http://127.0.0.1:${upstreamPort}`;
  const logFile = path.join(directory, 'proxy.log');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: directory,
    OPENAI_API_KEY: 'sk-compat-upstream',
    OPENAI_BASE_URL: `${upstream}/v1`,
    ANTHROPIC_API_KEY: 'sk-ant-compat-upstream',
    ANTHROPIC_BASE_URL: upstream,
    GEMINI_API_KEY: 'AIza-compat-upstream',
    GEMINI_BASE_URL: upstream,
  };
  const args = [PROXY_CLI, ...documentedArguments, '--port', '0', '--api-keys', key, '--disable-notifications', '--log-file', logFile];
  const child = spawn(process.execPath, args, { cwd: directory, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const address = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`llm-proxy did not report its address within ${START_TIMEOUT_MS} ms: ${output.slice(-2000)}`)), START_TIMEOUT_MS);
    const look = () => {
      // Any URL of the banner on standard output will do (the log on standard error may name the
      // upstream's address).
      const match = /http:\/\/(127\.0\.0\.1:\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', look);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`llm-proxy exited (${code ?? signal}) before listening: ${output.slice(-2000)}`));
    });
  });

  return {
    address,
    logFile,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The proxy's log entries for the answers it gave with a 4xx status.
 * @param {string} logFile
 * @returns {Promise<Record<string, unknown>[]>}
 */
export async function readClientErrors(logFile) {
  let text;
  try {
    text = await readFile(logFile, 'utf8');
  } catch {
    return [];
  }
  const entries = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line));
    } catch {
      // A line cut by the shutdown; the entries around it still count.
    }
  }
  return entries.filter((entry) => typeof entry.status === 'number' && entry.status >= 400 && entry.status < 500);
}
