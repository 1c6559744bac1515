/**
 * @fileoverview The default {@link UsageStore}: one SQLite file (better-sqlite3) under `var/`,
 * created with its directory on first use and readable by the owner only. WAL mode lets
 * `llm-proxy usage` read while the server writes. A batch is one transaction, so the cost of a
 * record is a row insert, not an fsync. Queries are prepared statements only.
 */
import type Database from 'better-sqlite3';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import type { SqliteDatabase } from './load-sqlite-driver.js';
import { openSqliteFile } from './open-sqlite-file.js';
import { USAGE_TOTALS_COLUMNS, usageTotalsFromRow, type UsageTotalsRow } from './usage-totals-sql.js';
import type { UsageGrouping, UsageQuery, UsageRecord, UsageStore, UsageTotals } from './usage-store.js';

/** Bumped with every change to the table below; older files are migrated forward. */
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS usage_records (
  id INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  caller TEXT NOT NULL,
  frontend TEXT NOT NULL,
  backend TEXT,
  model TEXT,
  status INTEGER NOT NULL,
  error_code TEXT,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cached_input_tokens INTEGER,
  reasoning_tokens INTEGER,
  latency_ms REAL NOT NULL,
  ttfb_ms REAL,
  cost_usd REAL
);
CREATE INDEX IF NOT EXISTS usage_records_started_at ON usage_records (started_at);
CREATE INDEX IF NOT EXISTS usage_records_caller_started_at ON usage_records (caller, started_at);
`;

/** The SQL expression of each grouping's key. */
const GROUP_KEYS: Record<UsageGrouping, string> = {
  caller: 'caller',
  model: "COALESCE(backend, '') || ':' || COALESCE(model, '')",
  day: "strftime('%Y-%m-%d', started_at / 1000, 'unixepoch')",
};

export interface OpenSqliteUsageStoreOptions {
  /** Absolute path; created with its directory when missing. */
  file: string;
  /** Open an existing file only (`llm-proxy usage` must not create an empty database). */
  mustExist?: boolean;
}

/** Opens (and creates or migrates) the SQLite usage store. Throws `LlmProxyError` SQLITE_DRIVER_UNAVAILABLE or USAGE_STORE_UNAVAILABLE. */
export function openSqliteUsageStore(options: OpenSqliteUsageStoreOptions): UsageStore {
  const { file } = options;
  let database: SqliteDatabase;
  try {
    database = openSqliteFile(file, { version: SCHEMA_VERSION, sql: SCHEMA }, { mustExist: options.mustExist });
  } catch (error) {
    // SQLITE_DRIVER_UNAVAILABLE names the package and the fix already.
    if (LlmProxyError.is(error)) throw error;
    throw new LlmProxyError({
      code: 'USAGE_STORE_UNAVAILABLE',
      message: `The usage database ${file} cannot be opened`,
      currentValue: (error as Error).message,
      fix:
        options.mustExist === true
          ? 'Check usage.database_file (LLM_PROXY_USAGE_DATABASE_FILE): it must name the database the proxy writes, which exists after the first start with usage on'
          : 'Make sure the directory is writable by the proxy, point usage.database_file (LLM_PROXY_USAGE_DATABASE_FILE) elsewhere, or turn usage off with --disable-usage',
      cause: error,
    });
  }
  return new SqliteUsageStore(database);
}


class SqliteUsageStore implements UsageStore {
  readonly #database: Database.Database;
  readonly #insert: Database.Statement;
  readonly #costSince: Database.Statement<[string, number], { cost: number | null }>;
  readonly #appendAll: (records: readonly UsageRecord[]) => void;

  constructor(database: Database.Database) {
    this.#database = database;
    this.#insert = database.prepare(
      `INSERT INTO usage_records (request_id, started_at, caller, frontend, backend, model, status, error_code,
         input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, latency_ms, ttfb_ms, cost_usd)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#costSince = database.prepare('SELECT SUM(cost_usd) AS cost FROM usage_records WHERE caller = ? AND started_at >= ?');
    this.#appendAll = database.transaction((records: readonly UsageRecord[]) => {
      // Positional parameters, in the column order above: binding by name costs better-sqlite3
      // a property lookup per column, about 40 % of an insert.
      for (const record of records) {
        this.#insert.run(
          record.requestId,
          record.startedAt,
          record.caller,
          record.frontend,
          record.backend,
          record.model,
          record.status,
          record.errorCode,
          record.inputTokens,
          record.outputTokens,
          record.cachedInputTokens,
          record.reasoningTokens,
          record.latencyMs,
          record.ttfbMs,
          record.costUsd,
        );
      }
    });
  }

  async append(records: readonly UsageRecord[]): Promise<void> {
    if (records.length > 0) this.#appendAll(records);
  }

  async totals(query: UsageQuery, groupBy: UsageGrouping): Promise<UsageTotals[]> {
    const conditions: string[] = [];
    const parameters: Record<string, number | string> = {};
    if (query.from !== undefined) {
      conditions.push('started_at >= @from');
      parameters['from'] = query.from;
    }
    if (query.to !== undefined) {
      conditions.push('started_at < @to');
      parameters['to'] = query.to;
    }
    if (query.caller !== undefined) {
      conditions.push('caller = @caller');
      parameters['caller'] = query.caller;
    }
    // The key expression comes from GROUP_KEYS, never from input; values are bound parameters.
    const rows = this.#database
      .prepare<Record<string, number | string>, UsageTotalsRow>(
        `SELECT ${GROUP_KEYS[groupBy]} AS key,
           ${USAGE_TOTALS_COLUMNS}
         FROM usage_records
         ${conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`}
         GROUP BY key ORDER BY key`,
      )
      .all(parameters);
    return rows.map(usageTotalsFromRow);
  }

  async costSince(caller: string, since: number): Promise<number> {
    return this.#costSince.get(caller, since)?.cost ?? 0;
  }

  async close(): Promise<void> {
    if (this.#database.open) this.#database.close();
  }
}
