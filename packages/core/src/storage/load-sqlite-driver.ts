/**
 * @fileoverview Loads better-sqlite3, the SQLite driver of the embedded stores (SSO sign-ins and
 * personal proxy tokens, usage records), on first use. It is an optional peer dependency of
 * @llmproxy/core: it builds native code at install time (a prebuilt binary from outside the npm
 * registry, or a compile needing python, make and a C++ compiler), which a proxy without SSO and
 * usage records (or with them in PostgreSQL) has no use for. A missing driver, or one installed
 * with install scripts blocked (no native module), is an error that names the package and the
 * fix rather than a complaint about the database file.
 */
import { createRequire } from 'node:module';

import type BetterSqlite3 from 'better-sqlite3';
import { LlmProxyError } from '@llmproxy/connector-sdk';

export type SqliteDriver = typeof BetterSqlite3;
export type SqliteDatabase = BetterSqlite3.Database;

const DRIVER = 'better-sqlite3';
let loadedDriver: SqliteDriver | undefined;

/** The driver, loaded and its native module checked; throws `LlmProxyError` SQLITE_DRIVER_UNAVAILABLE. */
export function loadSqliteDriver(): SqliteDriver {
  if (loadedDriver !== undefined) return loadedDriver;
  let driver: SqliteDriver;
  try {
    driver = createRequire(import.meta.url)(DRIVER) as SqliteDriver;
  } catch (error) {
    const notInstalled = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (error as Error).message.includes(`'${DRIVER}'`);
    throw driverUnavailable(notInstalled ? `${DRIVER} is not installed` : `${DRIVER} cannot be loaded`, error);
  }
  try {
    // The native module is loaded by the first connection, not by require().
    new driver(':memory:').close();
  } catch (error) {
    throw driverUnavailable(`${DRIVER} is installed but its native module is missing or does not load`, error);
  }
  loadedDriver = driver;
  return driver;
}

function driverUnavailable(problem: string, cause: unknown): LlmProxyError {
  return new LlmProxyError({
    code: 'SQLITE_DRIVER_UNAVAILABLE',
    message: `SSO, personal proxy tokens and usage records in SQLite need the SQLite driver ${DRIVER}: ${problem}`,
    currentValue: firstLine(cause),
    fix:
      `Install it next to @llmproxy/core: npm install ${DRIVER} (it fetches or compiles a native module, so install scripts must run; ` +
      `after an install with scripts blocked, run npm rebuild ${DRIVER}). Without it, turn usage recording off (--disable-usage) or keep it in PostgreSQL (storage.database_url).`,
    cause,
  });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
