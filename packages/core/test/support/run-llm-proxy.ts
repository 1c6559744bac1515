/**
 * @fileoverview Runs the real `llm-proxy` CLI (the built dist/cli/main.js) as a child process in
 * a temporary working directory, with a clean environment, and records every socket it tries to
 * listen on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const testDirectory = path.dirname(fileURLToPath(import.meta.url));
export const CLI_PATH = path.resolve(testDirectory, '../../dist/cli/main.js');
const LISTEN_RECORDER = pathToFileURL(path.join(testDirectory, 'fixtures/record-listen-calls.mjs')).href;

export interface CliRunOptions {
  /** Working directory; a fresh temporary directory when omitted. */
  cwd?: string;
  /** Variables added to a clean environment (no LLM_PROXY_* or OPENAI_* from the test runner). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface CliResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Arguments of every `listen()` the process attempted. */
  listenCalls: string[];
  cwd: string;
}

const temporaryDirectories: string[] = [];

/** A temporary working directory holding `files`; removed by {@link cleanUpCliRuns}. */
export function createWorkingDirectory(files: Record<string, string> = {}): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'llmproxy-cli-'));
  temporaryDirectories.push(directory);
  for (const [relativePath, content] of Object.entries(files)) {
    const filepath = path.join(directory, relativePath);
    fs.mkdirSync(path.dirname(filepath), { recursive: true });
    fs.writeFileSync(filepath, content);
  }
  return directory;
}

const runningChildren = new Set<ChildProcess>();

export function cleanUpCliRuns(): void {
  for (const child of runningChildren) child.kill('SIGKILL');
  runningChildren.clear();
  for (const directory of temporaryDirectories.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
}

export function assertCliBuilt(): void {
  if (!fs.existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npx tsc -b\` before these tests`);
}

function cleanEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('LLM_PROXY_') && !name.startsWith('OPENAI_') && name !== 'NODE_OPTIONS') environment[name] = value;
  }
  return { ...environment, ...extra };
}

interface SpawnedCli {
  child: ChildProcess;
  cwd: string;
  markerFile: string;
  output: { stdout: string; stderr: string };
  exited: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>;
}

function spawnCli(args: readonly string[], options: CliRunOptions): SpawnedCli {
  const cwd = options.cwd ?? createWorkingDirectory();
  const markerDirectory = createWorkingDirectory();
  const markerFile = path.join(markerDirectory, 'listen-calls.log');
  const child = spawn(process.execPath, ['--import', LISTEN_RECORDER, CLI_PATH, ...args], {
    cwd,
    env: cleanEnvironment({ ...options.env, LISTEN_MARKER_FILE: markerFile }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  runningChildren.add(child);
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (exitCode, signal) => {
      runningChildren.delete(child);
      resolve({ exitCode, signal });
    });
  });
  return { child, cwd, markerFile, output, exited };
}

function readListenCalls(markerFile: string): string[] {
  return fs.existsSync(markerFile) ? fs.readFileSync(markerFile, 'utf8').split('\n').filter((line) => line !== '') : [];
}

/** Runs the CLI to completion. */
export async function runLlmProxy(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  const spawned = spawnCli(args, options);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const timer = setTimeout(() => spawned.child.kill('SIGKILL'), timeoutMs);
  const { exitCode, signal } = await spawned.exited;
  clearTimeout(timer);
  return { exitCode, signal, ...spawned.output, listenCalls: readListenCalls(spawned.markerFile), cwd: spawned.cwd };
}

export interface RunningCli {
  url: string;
  port: number;
  /** The process id, e.g. to read its memory from `/proc/<pid>/status`. */
  pid: number;
  cwd: string;
  output: { stdout: string; stderr: string };
  listenCalls(): string[];
  /** Resolves once stdout matches `pattern` (rejects after `timeoutMs`). */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends `signal` and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

/** Starts `llm-proxy` serving and resolves once it printed its listening line. */
export async function startLlmProxy(args: readonly string[], options: CliRunOptions = {}): Promise<RunningCli> {
  const spawned = spawnCli(args, options);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const listening = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line within ${timeoutMs} ms:\n${spawned.output.stderr}`)), timeoutMs);
    const check = (): void => {
      const match = /^llm-proxy listening on (http:\/\/(?:\[[^\]]+\]|[^:/]+):(\d+))$/m.exec(spawned.output.stdout);
      if (match?.[1] !== undefined && match[2] !== undefined) {
        clearTimeout(timer);
        resolve({ url: match[1], port: Number(match[2]) });
      }
    };
    spawned.child.stdout?.on('data', check);
    void spawned.exited.then(({ exitCode }) => {
      clearTimeout(timer);
      reject(new Error(`llm-proxy exited with ${exitCode} before listening:\n${spawned.output.stderr}`));
    });
  });
  return {
    ...listening,
    pid: spawned.child.pid ?? 0,
    cwd: spawned.cwd,
    output: spawned.output,
    listenCalls: () => readListenCalls(spawned.markerFile),
    waitForStdout: (pattern, waitMs = 5_000) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`stdout never matched ${pattern}:\n${spawned.output.stdout}`)), waitMs);
        const check = (): void => {
          const match = pattern.exec(spawned.output.stdout);
          if (match === null) return;
          clearTimeout(timer);
          spawned.child.stdout?.off('data', check);
          resolve(match);
        };
        spawned.child.stdout?.on('data', check);
        check();
      }),
    async stop(signal = 'SIGTERM') {
      spawned.child.kill(signal);
      const { exitCode, signal: endSignal } = await spawned.exited;
      return { exitCode, signal: endSignal, ...spawned.output, listenCalls: readListenCalls(spawned.markerFile), cwd: spawned.cwd };
    },
  };
}

/** A port nothing listens on right now. */
export async function findFreePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** True when a connection to 127.0.0.1:`port` is refused (nothing is listening). */
export async function isPortClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}
