/**
 * @fileoverview Opens one of the proxy's SQLite files the same way for every embedded store:
 * created with an owner-only directory and file (what callers did, and their sessions, are
 * nobody else's business on a shared machine), WAL so a CLI command can read while the server
 * writes, a busy timeout, SQLite's own default page cache, and the store's schema applied or
 * migrated forward by `user_version`.
 */
import fs from 'node:fs';
import path from 'node:path';

import { loadSqliteDriver, type SqliteDatabase } from './load-sqlite-driver.js';

export interface SqliteSchema {
  /** Bumped with every change to `sql`; older files are migrated forward. */
  version: number;
  /** Idempotent statements creating every table and index. */
  sql: string;
}

/** The page cache in KiB, as SQLite counts a negative `cache_size`: SQLite's own default. */
const PAGE_CACHE_KIB = -2000;

/**
 * Throws `LlmProxyError` SQLITE_DRIVER_UNAVAILABLE when the driver is missing; any other failure
 * (a file that cannot be created, a newer schema) as it is, for the store to name its setting.
 */
export function openSqliteFile(file: string, schema: SqliteSchema, options: { mustExist?: boolean | undefined } = {}): SqliteDatabase {
  const Database = loadSqliteDriver();
  if (options.mustExist !== true) fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const database = new Database(file, { fileMustExist: options.mustExist === true });
  try {
    fs.chmodSync(file, 0o600);
    database.pragma('journal_mode = WAL');
    database.pragma('busy_timeout = 5000');
    // better-sqlite3 builds SQLite with a 16 MB page cache (SQLITE_DEFAULT_CACHE_SIZE=-16000);
    // the usage store's appends filled it, and the proxy's peak RSS after a 32-connection load
    // grew by about 15 MB of malloc heap. Appends touch only the indexes' last pages, so
    // SQLite's own default of 2 MB is enough.
    database.pragma(`cache_size = ${PAGE_CACHE_KIB}`);
    migrate(database, schema);
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}

function migrate(database: SqliteDatabase, schema: SqliteSchema): void {
  const version = database.pragma('user_version', { simple: true }) as number;
  if (version > schema.version) {
    throw new Error(`the file was written by a newer llm-proxy (schema ${version}, this version knows ${schema.version})`);
  }
  if (version === schema.version) return;
  database.transaction(() => {
    database.exec(schema.sql);
    database.pragma(`user_version = ${schema.version}`);
  })();
}
