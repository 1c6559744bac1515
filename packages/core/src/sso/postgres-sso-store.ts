/**
 * @fileoverview The {@link SsoStore} of replicas that share one PostgreSQL database
 * (`storage.database_url`): a personal token issued through one replica's sign-in works on every
 * other at once, and a revocation on one is refused on all (tokens are looked up on every
 * request, never cached). The same tables as the SQLite store; queries bind every value.
 */
import { openPostgresDatabase, type Migration, type PostgresDatabase } from '../storage/postgres-database.js';
import type {
  BrowserSessionRecord,
  LoginAttemptRecord,
  ProxyTokenRecord,
  SsoStore,
  TokenListFilter,
} from './sso-store.js';
import { attemptFromRow, sessionFromRow, tokenFromRow, type AttemptRow, type SessionRow, type TokenRow } from './sso-store-rows.js';

export const SSO_MIGRATIONS: readonly Migration[] = [
  {
    id: '2026-12-07-sso',
    sql: `
      CREATE TABLE IF NOT EXISTS proxy_tokens (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        user_json TEXT NOT NULL,
        label TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        revoked_at BIGINT,
        last_used_at BIGINT
      );
      CREATE INDEX IF NOT EXISTS proxy_tokens_user_id ON proxy_tokens (user_id);
      CREATE TABLE IF NOT EXISTS browser_sessions (
        session_hash TEXT PRIMARY KEY,
        user_json TEXT NOT NULL,
        csrf_token TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS login_attempts (
        state_hash TEXT PRIMARY KEY,
        binding_hash TEXT NOT NULL,
        provider_id TEXT NOT NULL,
        nonce TEXT NOT NULL,
        code_verifier TEXT NOT NULL,
        redirect_uri TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
    `,
  },
];

/** Connects and migrates; throws `LlmProxyError` STORAGE_DATABASE_UNAVAILABLE. */
export async function openPostgresSsoStore(url: string): Promise<SsoStore> {
  return new PostgresSsoStore(await openPostgresDatabase(url, SSO_MIGRATIONS));
}

const NEWEST_FIRST = 'ORDER BY created_at DESC, id COLLATE "C"';

class PostgresSsoStore implements SsoStore {
  readonly #database: PostgresDatabase;

  constructor(database: PostgresDatabase) {
    this.#database = database;
  }

  async insertToken(record: ProxyTokenRecord): Promise<void> {
    await this.#database.query(
      `INSERT INTO proxy_tokens (id, token_hash, user_id, user_json, label, created_at, expires_at, revoked_at, last_used_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        record.id, record.tokenHash, record.user.id, JSON.stringify(record.user), record.label, record.createdAt,
        record.expiresAt, record.revokedAt ?? null, record.lastUsedAt ?? null,
      ],
    );
  }

  async findTokenByHash(tokenHash: string): Promise<ProxyTokenRecord | undefined> {
    const [row] = await this.#database.query<TokenRow>('SELECT * FROM proxy_tokens WHERE token_hash = $1', [tokenHash]);
    return row === undefined ? undefined : tokenFromRow(row);
  }

  async findToken(id: string): Promise<ProxyTokenRecord | undefined> {
    const [row] = await this.#database.query<TokenRow>('SELECT * FROM proxy_tokens WHERE id = $1', [id]);
    return row === undefined ? undefined : tokenFromRow(row);
  }

  async listTokens(filter: TokenListFilter): Promise<ProxyTokenRecord[]> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    if (filter.userId !== undefined) {
      values.push(filter.userId);
      conditions.push(`user_id = $${values.length}`);
    }
    if (filter.includeInactive !== true) {
      values.push(filter.now);
      conditions.push(`revoked_at IS NULL AND expires_at > $${values.length}`);
    }
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    const rows = await this.#database.query<TokenRow>(`SELECT * FROM proxy_tokens ${where} ${NEWEST_FIRST}`, values);
    return rows.map(tokenFromRow);
  }

  async revokeToken(id: string, revokedAt: number, ownerId?: string): Promise<boolean> {
    const rows =
      ownerId === undefined
        ? await this.#database.query('UPDATE proxy_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING id', [revokedAt, id])
        : await this.#database.query(
            'UPDATE proxy_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL RETURNING id',
            [revokedAt, id, ownerId],
          );
    return rows.length > 0;
  }

  async revokeUserTokens(userId: string, revokedAt: number): Promise<number> {
    const rows = await this.#database.query(
      'UPDATE proxy_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL RETURNING id',
      [revokedAt, userId],
    );
    return rows.length;
  }

  async recordTokenUse(id: string, usedAt: number): Promise<void> {
    await this.#database.query('UPDATE proxy_tokens SET last_used_at = $1 WHERE id = $2', [usedAt, id]);
  }

  async insertSession(record: BrowserSessionRecord): Promise<void> {
    await this.#database.query(
      'INSERT INTO browser_sessions (session_hash, user_json, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [record.sessionHash, JSON.stringify(record.user), record.csrfToken, record.createdAt, record.expiresAt],
    );
  }

  async findSession(sessionHash: string): Promise<BrowserSessionRecord | undefined> {
    const [row] = await this.#database.query<SessionRow>('SELECT * FROM browser_sessions WHERE session_hash = $1', [sessionHash]);
    if (row === undefined) return undefined;
    return sessionFromRow(row);
  }

  async deleteSession(sessionHash: string): Promise<void> {
    await this.#database.query('DELETE FROM browser_sessions WHERE session_hash = $1', [sessionHash]);
  }

  async insertLoginAttempt(record: LoginAttemptRecord): Promise<void> {
    await this.#database.query(
      `INSERT INTO login_attempts (state_hash, binding_hash, provider_id, nonce, code_verifier, redirect_uri, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        record.stateHash, record.bindingHash, record.providerId, record.nonce, record.codeVerifier, record.redirectUri,
        record.createdAt, record.expiresAt,
      ],
    );
  }

  async takeLoginAttempt(stateHash: string): Promise<LoginAttemptRecord | undefined> {
    // DELETE … RETURNING is one statement: two callbacks racing with the same state get it once.
    const [row] = await this.#database.query<AttemptRow>('DELETE FROM login_attempts WHERE state_hash = $1 RETURNING *', [stateHash]);
    if (row === undefined) return undefined;
    return attemptFromRow(row);
  }

  async deleteExpired(now: number, tokensEndedBefore: number): Promise<void> {
    await this.#database.transaction(async (client) => {
      await client.query('DELETE FROM browser_sessions WHERE expires_at <= $1', [now]);
      await client.query('DELETE FROM login_attempts WHERE expires_at <= $1', [now]);
      await client.query('DELETE FROM proxy_tokens WHERE expires_at <= $1 OR (revoked_at IS NOT NULL AND revoked_at <= $1)', [
        tokensEndedBefore,
      ]);
    });
  }

  async close(): Promise<void> {
    await this.#database.close();
  }
}

