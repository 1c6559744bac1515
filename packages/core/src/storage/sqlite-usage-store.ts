/**
 * @fileoverview The default {@link UsageStore}: one SQLite file (better-sqlite3) under `var/`,
 * created with its directory on first use and readable by the owner only. WAL mode lets
 * `llm-proxy usage` read while the server writes. A batch is one transaction, so the cost of a
 * record is a row insert, not an fsync. Queries are prepared statements only.
 */
import fs from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';
import { LlmProxyError } from '@llmproxy/connector-sdk';

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

interface TotalsRow {
  key: string;
  requests: number;
  failed_requests: number;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  unpriced_requests: number;
}

export interface OpenSqliteUsageStoreOptions {
  /** Absolute path; created with its directory when missing. */
  file: string;
  /** Open an existing file only (`llm-proxy usage` must not create an empty database). */
  mustExist?: boolean;
}

/** Opens (and creates or migrates) the SQLite usage store. Throws `LlmProxyError` USAGE_STORE_UNAVAILABLE. */
export function openSqliteUsageStore(options: OpenSqliteUsageStoreOptions): UsageStore {
  const { file } = options;
  let database: Database.Database;
  try {
    if (options.mustExist !== true) fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    database = new Database(file, { fileMustExist: options.mustExist === true });
    // Who used which model when is nobody else's business on a shared machine.
    fs.chmodSync(file, 0o600);
    database.pragma('journal_mode = WAL');
    database.pragma('busy_timeout = 5000');
    migrate(database);
  } catch (error) {
    if (isMissingNativeModule(error)) {
      throw new LlmProxyError({
        code: 'USAGE_STORE_UNAVAILABLE',
        message: `The usage database ${file} cannot be opened: better-sqlite3 has no native module for this Node.js (was it installed with install scripts off?)`,
        currentValue: `Node.js ${process.version}, better-sqlite3 not built`,
        fix: 'Build it with `npm rebuild better-sqlite3` (install scripts on), or turn usage recording off with --disable-usage (LLM_PROXY_USAGE_ENABLED=false)',
        cause: error,
      });
    }
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

/** better-sqlite3 loads its compiled module on first use; without it, every database fails the same way. */
function isMissingNativeModule(error: unknown): boolean {
  return error instanceof Error && /Could not locate the bindings file|better_sqlite3\.node/.test(error.message);
}

function migrate(database: Database.Database): void {
  const version = database.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`the file was written by a newer llm-proxy (schema ${version}, this version knows ${SCHEMA_VERSION})`);
  }
  if (version === SCHEMA_VERSION) return;
  database.transaction(() => {
    database.exec(SCHEMA);
    database.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
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
      .prepare<Record<string, number | string>, TotalsRow>(
        `SELECT ${GROUP_KEYS[groupBy]} AS key,
           COUNT(*) AS requests,
           SUM(CASE WHEN status >= 400 OR error_code IS NOT NULL THEN 1 ELSE 0 END) AS failed_requests,
           COALESCE(SUM(input_tokens), 0) AS input_tokens,
           COALESCE(SUM(output_tokens), 0) AS output_tokens,
           COALESCE(SUM(cached_input_tokens), 0) AS cached_input_tokens,
           COALESCE(SUM(reasoning_tokens), 0) AS reasoning_tokens,
           COALESCE(SUM(cost_usd), 0) AS cost_usd,
           SUM(CASE WHEN cost_usd IS NULL AND (input_tokens IS NOT NULL OR output_tokens IS NOT NULL) THEN 1 ELSE 0 END) AS unpriced_requests
         FROM usage_records
         ${conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`}
         GROUP BY key ORDER BY key`,
      )
      .all(parameters);
    return rows.map((row) => ({
      key: row.key,
      requests: row.requests,
      failedRequests: row.failed_requests,
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      cachedInputTokens: row.cached_input_tokens,
      reasoningTokens: row.reasoning_tokens,
      costUsd: row.cost_usd,
      unpricedRequests: row.unpriced_requests,
    }));
  }

  async costSince(caller: string, since: number): Promise<number> {
    return this.#costSince.get(caller, since)?.cost ?? 0;
  }

  async close(): Promise<void> {
    if (this.#database.open) this.#database.close();
  }
}
