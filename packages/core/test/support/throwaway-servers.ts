/**
 * @fileoverview Private, throwaway PostgreSQL and Redis servers for tests: each in its own temp
 * folder, on a free loopback port, started by the test and removed by it, so no test depends on
 * a service someone else started. A missing binary skips the caller's tests (naming the Debian
 * package to install) outside CI and fails them under `CI=true`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import pg from 'pg';

import { findFreePort } from './run-llm-proxy.js';

const execFileAsync = promisify(execFile);

const ciValue = process.env.CI ?? '';
export const IS_CI = ciValue !== '' && ciValue !== 'false' && ciValue !== '0';

function findOnPath(tool: string, extraDirectories: string[] = []): string | undefined {
  const directories = [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirectories];
  for (const directory of directories) {
    if (directory === '') continue;
    const candidate = path.join(directory, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<major>/bin. */
function debianPostgresDirectories(): string[] {
  try {
    return readdirSync('/usr/lib/postgresql')
      .filter((entry) => /^\d+$/.test(entry))
      .sort((a, b) => Number(b) - Number(a))
      .map((major) => `/usr/lib/postgresql/${major}/bin`);
  } catch {
    return [];
  }
}

export interface ServerAvailability {
  available: boolean;
  /** Why the tests are skipped; names the package to install. */
  reason: string;
}

export function postgresAvailability(): ServerAvailability {
  const extra = debianPostgresDirectories();
  const missing = ['initdb', 'pg_ctl'].filter((tool) => findOnPath(tool, extra) === undefined);
  return missing.length === 0
    ? { available: true, reason: '' }
    : { available: false, reason: `missing ${missing.join(', ')}; install Debian's postgresql package: apt-get install -y postgresql` };
}

export function redisAvailability(): ServerAvailability {
  return findOnPath('redis-server') !== undefined
    ? { available: true, reason: '' }
    : { available: false, reason: "missing redis-server; install Debian's redis-server package: apt-get install -y redis-server" };
}

/**
 * Chooses `describe` or `describe.skip` for tests that need a server. Under CI a missing binary
 * is an error thrown at collection time, so CI can never pass by skipping.
 */
export function describeWhenAvailable<D extends { skip: unknown }>(
  availability: ServerAvailability,
  describeFunction: D,
): D | D['skip'] {
  if (availability.available) return describeFunction;
  if (IS_CI) throw new Error(`CI=true but ${availability.reason}`);
  console.warn(`Skipping: ${availability.reason}`);
  return describeFunction.skip;
}

export interface ThrowawayServer {
  /** `postgres://…` or `redis://…` on 127.0.0.1. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** PostgreSQL refuses to run as root, so under root the server runs as Debian's `postgres` user. */
async function postgresRunner(directory: string): Promise<(binary: string, args: string[]) => Promise<void>> {
  if (process.getuid?.() !== 0) {
    return async (binary, args) => {
      await execFileAsync(binary, args, { timeout: 60_000 });
    };
  }
  const { stdout } = await execFileAsync('id', ['-u', 'postgres']);
  const { stdout: group } = await execFileAsync('id', ['-g', 'postgres']);
  await chown(directory, Number(stdout.trim()), Number(group.trim()));
  return async (binary, args) => {
    await execFileAsync('runuser', ['-u', 'postgres', '--', binary, ...args], { timeout: 60_000 });
  };
}

export async function startThrowawayPostgres(): Promise<ThrowawayServer> {
  const extra = debianPostgresDirectories();
  const initdb = findOnPath('initdb', extra);
  const pgCtl = findOnPath('pg_ctl', extra);
  if (initdb === undefined || pgCtl === undefined) throw new Error(postgresAvailability().reason);
  const directory = await mkdtemp(path.join(tmpdir(), 'llmproxy-pg-'));
  const dataDirectory = path.join(directory, 'data');
  const logFile = path.join(directory, 'server.log');
  const run = await postgresRunner(directory);
  const port = await findFreePort();
  try {
    await run(initdb, ['-D', dataDirectory, '-U', 'llmproxy', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    await run(pgCtl, [
      '-D', dataDirectory, '-l', logFile, '-w', '-t', '60',
      '-o', `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
      'start',
    ]);
  } catch (error) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    await rm(directory, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`, { cause: error });
  }
  return {
    url: `postgres://llmproxy@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      await run(pgCtl, ['-D', dataDirectory, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Resolves once the server answers PING with +PONG. */
async function waitForRedis(port: number, child: ChildProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const answered = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setTimeout(500);
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('redis-server did not answer PING in time');
}

export async function startThrowawayRedis(): Promise<ThrowawayServer> {
  const redisServer = findOnPath('redis-server');
  if (redisServer === undefined) throw new Error(redisAvailability().reason);
  const directory = await mkdtemp(path.join(tmpdir(), 'llmproxy-redis-'));
  const port = await findFreePort();
  const child = spawn(
    redisServer,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    { stdio: 'ignore' },
  );
  try {
    await waitForRedis(port, child, Date.now() + 20_000);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}

let createdDatabases = 0;

/** A new empty database on a throwaway PostgreSQL server, and its URL. */
export async function createEmptyDatabase(server: ThrowawayServer): Promise<string> {
  const name = `llmproxy_test_${(createdDatabases += 1)}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return server.url.replace(/\/postgres$/, `/${name}`);
}
