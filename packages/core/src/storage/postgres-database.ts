/**
 * @fileoverview The shared PostgreSQL database of several replicas (`storage.database_url`):
 * one connection pool over `pg`, checked at startup, and the migrations that bring an empty or
 * older database up to this version. Replicas starting at once take an advisory lock, so each
 * migration runs exactly once. `pg` is imported only when a database URL is configured.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { Pool, PoolClient, QueryResultRow } from 'pg';

/** One step of the schema; ids sort in the order they apply and never change once released. */
export interface Migration {
  id: string;
  sql: string;
}

export interface PostgresDatabase {
  query<Row extends QueryResultRow>(sql: string, values?: readonly unknown[]): Promise<Row[]>;
  /** Runs `work` in one transaction on one connection; rolls back when it throws. */
  transaction<Result>(work: (client: PoolClient) => Promise<Result>): Promise<Result>;
  close(): Promise<void>;
}

/** The advisory lock key of migrations: any fixed 64-bit number shared by every replica. */
const MIGRATION_LOCK = 4_271_190_337;

/** `host:port/database` of a URL, for messages: never the user's password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port === '' ? '5432' : parsed.port}${parsed.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}

function unavailable(url: string, error: unknown): LlmProxyError {
  return new LlmProxyError({
    code: 'STORAGE_DATABASE_UNAVAILABLE',
    message: `The PostgreSQL database at ${describeDatabaseUrl(url)} cannot be used`,
    currentValue: (error as Error).message,
    fix: 'Check storage.database_url (LLM_PROXY_DATABASE_URL): the server must be reachable from the proxy, and the user must be allowed to connect and create tables',
    cause: error,
  });
}

/**
 * Connects, checks the connection and applies the pending `migrations`. Throws `LlmProxyError`
 * STORAGE_DATABASE_UNAVAILABLE naming the host (never the password) and the driver's error.
 */
export async function openPostgresDatabase(url: string, migrations: readonly Migration[]): Promise<PostgresDatabase> {
  const pg = (await import('pg')).default;
  const pool: Pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'llm-proxy',
    // Milliseconds since the epoch and token sums are BIGINT/NUMERIC, far below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC
          ? (text: string) => Number(text)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server dropped must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    await migrate(pool, migrations);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw unavailable(url, error);
  }
  return {
    async query<Row extends QueryResultRow>(sql: string, values: readonly unknown[] = []) {
      return (await pool.query<Row>(sql, values as unknown[])).rows;
    },
    async transaction<Result>(work: (client: PoolClient) => Promise<Result>) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

async function migrate(pool: Pool, migrations: readonly Migration[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS llmproxy_migrations (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const applied = new Set((await client.query<{ id: string }>('SELECT id FROM llmproxy_migrations')).rows.map((row) => row.id));
    for (const migration of migrations) {
      if (applied.has(migration.id)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO llmproxy_migrations (id) VALUES ($1)', [migration.id]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
