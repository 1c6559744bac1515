/**
 * @fileoverview Opens one of the proxy's SQLite files the same way for every embedded store:
 * created with an owner-only directory and file (what callers did, and their sessions, are
 * nobody else's business on a shared machine), WAL so a CLI command can read while the server
 * writes, a busy timeout, and the store's schema applied or migrated forward by `user_version`.
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
