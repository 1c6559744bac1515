/**
 * @fileoverview The {@link UsageStore} of replicas that share one PostgreSQL database
 * (`storage.database_url`). The same records and totals as the SQLite store: a batch is one
 * multi-row INSERT in one statement (all or nothing), and queries bind every value.
 */
import { openPostgresDatabase, type Migration, type PostgresDatabase } from './postgres-database.js';
import { USAGE_TOTALS_COLUMNS, usageTotalsFromRow, type UsageTotalsRow } from './usage-totals-sql.js';
import type { UsageGrouping, UsageQuery, UsageRecord, UsageStore, UsageTotals } from './usage-store.js';

export const USAGE_MIGRATIONS: readonly Migration[] = [
  {
    id: '2026-12-07-usage-records',
    sql: `
      CREATE TABLE IF NOT EXISTS usage_records (
        id BIGSERIAL PRIMARY KEY,
        request_id TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        caller TEXT NOT NULL,
        frontend TEXT NOT NULL,
        backend TEXT,
        model TEXT,
        status INTEGER NOT NULL,
        error_code TEXT,
        input_tokens BIGINT,
        output_tokens BIGINT,
        cached_input_tokens BIGINT,
        reasoning_tokens BIGINT,
        latency_ms DOUBLE PRECISION NOT NULL,
        ttfb_ms DOUBLE PRECISION,
        cost_usd DOUBLE PRECISION
      );
      CREATE INDEX IF NOT EXISTS usage_records_started_at ON usage_records (started_at);
      CREATE INDEX IF NOT EXISTS usage_records_caller_started_at ON usage_records (caller, started_at);
    `,
  },
];

/** The SQL expression of each grouping's key; byte order (COLLATE "C") as in SQLite. */
const GROUP_KEYS: Record<UsageGrouping, string> = {
  caller: 'caller',
  model: "COALESCE(backend, '') || ':' || COALESCE(model, '')",
  day: "to_char(to_timestamp(started_at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
};

const COLUMNS = [
  'request_id', 'started_at', 'caller', 'frontend', 'backend', 'model', 'status', 'error_code',
  'input_tokens', 'output_tokens', 'cached_input_tokens', 'reasoning_tokens', 'latency_ms', 'ttfb_ms', 'cost_usd',
] as const;

function rowValues(record: UsageRecord): unknown[] {
  return [
    record.requestId, record.startedAt, record.caller, record.frontend, record.backend, record.model, record.status,
    record.errorCode, record.inputTokens, record.outputTokens, record.cachedInputTokens, record.reasoningTokens,
    record.latencyMs, record.ttfbMs, record.costUsd,
  ];
}

/** PostgreSQL binds at most 65,535 parameters per statement. */
const RECORDS_PER_STATEMENT = Math.floor(65_535 / COLUMNS.length);

/** Connects and migrates; throws `LlmProxyError` STORAGE_DATABASE_UNAVAILABLE. */
export async function openPostgresUsageStore(url: string): Promise<UsageStore> {
  return new PostgresUsageStore(await openPostgresDatabase(url, USAGE_MIGRATIONS));
}

class PostgresUsageStore implements UsageStore {
  readonly #database: PostgresDatabase;

  constructor(database: PostgresDatabase) {
    this.#database = database;
  }

  async append(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#database.transaction(async (client) => {
      for (let start = 0; start < records.length; start += RECORDS_PER_STATEMENT) {
        const chunk = records.slice(start, start + RECORDS_PER_STATEMENT);
        const values: unknown[] = [];
        const rows = chunk.map((record) => {
          const placeholders = rowValues(record).map((value) => {
            values.push(value);
            return `$${values.length}`;
          });
          return `(${placeholders.join(', ')})`;
        });
        await client.query(`INSERT INTO usage_records (${COLUMNS.join(', ')}) VALUES ${rows.join(', ')}`, values);
      }
    });
  }

  async totals(query: UsageQuery, groupBy: UsageGrouping): Promise<UsageTotals[]> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    if (query.from !== undefined) {
      values.push(query.from);
      conditions.push(`started_at >= $${values.length}`);
    }
    if (query.to !== undefined) {
      values.push(query.to);
      conditions.push(`started_at < $${values.length}`);
    }
    if (query.caller !== undefined) {
      values.push(query.caller);
      conditions.push(`caller = $${values.length}`);
    }
    // The key expression comes from GROUP_KEYS, never from input; values are bound parameters.
    const rows = await this.#database.query<UsageTotalsRow>(
      `SELECT * FROM (SELECT ${GROUP_KEYS[groupBy]} AS key,
         ${USAGE_TOTALS_COLUMNS}
       FROM usage_records
       ${conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`}
       GROUP BY 1) AS totals ORDER BY key COLLATE "C"`,
      values,
    );
    return rows.map(usageTotalsFromRow);
  }

  async costSince(caller: string, since: number): Promise<number> {
    const [row] = await this.#database.query<{ cost: number | null }>(
      'SELECT SUM(cost_usd) AS cost FROM usage_records WHERE caller = $1 AND started_at >= $2',
      [caller, since],
    );
    return row?.cost ?? 0;
  }

  async close(): Promise<void> {
    await this.#database.close();
  }
}
