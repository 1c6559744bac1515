/**
 * Temporary home directories holding vendor credential files, removed after each test.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const created: string[] = [];

export function createTemporaryHome(): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'llmproxy-oauth-home-'));
  created.push(directory);
  return directory;
}

export function removeTemporaryHomes(): void {
  for (const directory of created.splice(0)) rmSync(directory, { recursive: true, force: true });
}

/** Writes `record` as JSON at `home/relativePath` (directories created, mode 0600). */
export function writeJsonFile(home: string, relativePath: string, record: unknown): string {
  const file = path.join(home, relativePath);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(record, null, 2), { mode: 0o600 });
  return file;
}

export function readJsonFile(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

export function fileMode(file: string): number {
  return statSync(file).mode & 0o777;
}

/** Gemini CLI credentials: `access_token`, `refresh_token`, `token_type`, `expiry_date` (ms). */
export function geminiCredentials(options: { accessToken: string; refreshToken: string; expiresInMs: number; extra?: Record<string, unknown> }): Record<string, unknown> {
  return {
    access_token: options.accessToken,
    refresh_token: options.refreshToken,
    token_type: 'Bearer',
    expiry_date: Date.now() + options.expiresInMs,
    ...options.extra,
  };
}
