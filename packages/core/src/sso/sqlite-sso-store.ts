/**
 * @fileoverview The default SSO store: one SQLite file (better-sqlite3), created with its
 * directory on first use and readable by the owner only. WAL mode lets `llm-proxy tokens`
 * revoke a token while the server runs; the server looks tokens up on every request, so a
 * revocation takes effect at once. Queries are prepared statements only.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';

import type { SqliteDatabase } from '../storage/load-sqlite-driver.js';
import { openSqliteFile } from '../storage/open-sqlite-file.js';

import type {
  BrowserSessionRecord,
  LoginAttemptRecord,
  ProxyTokenRecord,
  SsoStore,
  TokenListFilter,
} from './sso-store.js';
import { attemptFromRow, sessionFromRow, tokenFromRow, type AttemptRow, type SessionRow, type TokenRow } from './sso-store-rows.js';

/** Bumped with every change to the tables below; older files are migrated forward. */
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS proxy_tokens (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  user_json TEXT NOT NULL,
  label TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER,
  last_used_at INTEGER
);
CREATE INDEX IF NOT EXISTS proxy_tokens_user_id ON proxy_tokens (user_id);
CREATE TABLE IF NOT EXISTS browser_sessions (
  session_hash TEXT PRIMARY KEY,
  user_json TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS login_attempts (
  state_hash TEXT PRIMARY KEY,
  binding_hash TEXT NOT NULL,
  provider_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
`;

export interface OpenSqliteSsoStoreOptions {
  /** Absolute path; created with its directory when missing. */
  file: string;
  /** Open an existing file only (the `tokens` commands must not create an empty database). */
  mustExist?: boolean;
}

/**
 * Opens (and creates or migrates) the SQLite SSO store. Throws `LlmProxyError`
 * SQLITE_DRIVER_UNAVAILABLE or SSO_STORE_UNAVAILABLE.
 */
export function openSqliteSsoStore(options: OpenSqliteSsoStoreOptions): SsoStore {
  const { file } = options;
  let database: SqliteDatabase;
  try {
    database = openSqliteFile(file, { version: SCHEMA_VERSION, sql: SCHEMA }, { mustExist: options.mustExist });
  } catch (error) {
    // SQLITE_DRIVER_UNAVAILABLE names the package and the fix already.
    if (LlmProxyError.is(error)) throw error;
    throw new LlmProxyError({
      code: 'SSO_STORE_UNAVAILABLE',
      message: `The SSO database ${file} cannot be opened`,
      currentValue: (error as Error).message,
      fix:
        options.mustExist === true
          ? 'Check sso.database_file (LLM_PROXY_SSO_DATABASE_FILE): it must name the database the proxy uses, which exists after the first start with SSO enabled'
          : 'Make sure the directory is writable by the proxy, or point sso.database_file (LLM_PROXY_SSO_DATABASE_FILE) elsewhere',
      cause: error,
    });
  }
  return new SqliteSsoStore(database);
}


class SqliteSsoStore implements SsoStore {
  readonly #database: SqliteDatabase;
  readonly #statements;

  constructor(database: SqliteDatabase) {
    this.#database = database;
    this.#statements = {
      insertToken: database.prepare(
        `INSERT INTO proxy_tokens (id, token_hash, user_id, user_json, label, created_at, expires_at, revoked_at, last_used_at)
         VALUES (@id, @token_hash, @user_id, @user_json, @label, @created_at, @expires_at, @revoked_at, @last_used_at)`,
      ),
      findTokenByHash: database.prepare<[string], TokenRow>('SELECT * FROM proxy_tokens WHERE token_hash = ?'),
      findToken: database.prepare<[string], TokenRow>('SELECT * FROM proxy_tokens WHERE id = ?'),
      listAll: database.prepare<[], TokenRow>('SELECT * FROM proxy_tokens ORDER BY created_at DESC, id'),
      listActive: database.prepare<[number], TokenRow>(
        'SELECT * FROM proxy_tokens WHERE revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC, id',
      ),
      listUserAll: database.prepare<[string], TokenRow>('SELECT * FROM proxy_tokens WHERE user_id = ? ORDER BY created_at DESC, id'),
      listUserActive: database.prepare<[string, number], TokenRow>(
        'SELECT * FROM proxy_tokens WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC, id',
      ),
      revoke: database.prepare<[number, string]>('UPDATE proxy_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      revokeOwned: database.prepare<[number, string, string]>(
        'UPDATE proxy_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
      ),
      revokeUser: database.prepare<[number, string]>('UPDATE proxy_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL'),
      recordUse: database.prepare<[number, string]>('UPDATE proxy_tokens SET last_used_at = ? WHERE id = ?'),
      insertSession: database.prepare(
        `INSERT INTO browser_sessions (session_hash, user_json, csrf_token, created_at, expires_at)
         VALUES (@session_hash, @user_json, @csrf_token, @created_at, @expires_at)`,
      ),
      findSession: database.prepare<[string], SessionRow>('SELECT * FROM browser_sessions WHERE session_hash = ?'),
      deleteSession: database.prepare<[string]>('DELETE FROM browser_sessions WHERE session_hash = ?'),
      insertAttempt: database.prepare(
        `INSERT INTO login_attempts (state_hash, binding_hash, provider_id, nonce, code_verifier, redirect_uri, created_at, expires_at)
         VALUES (@state_hash, @binding_hash, @provider_id, @nonce, @code_verifier, @redirect_uri, @created_at, @expires_at)`,
      ),
      findAttempt: database.prepare<[string], AttemptRow>('SELECT * FROM login_attempts WHERE state_hash = ?'),
      deleteAttempt: database.prepare<[string]>('DELETE FROM login_attempts WHERE state_hash = ?'),
      deleteExpiredSessions: database.prepare<[number]>('DELETE FROM browser_sessions WHERE expires_at <= ?'),
      deleteExpiredAttempts: database.prepare<[number]>('DELETE FROM login_attempts WHERE expires_at <= ?'),
      deleteEndedTokens: database.prepare<[number, number]>(
        'DELETE FROM proxy_tokens WHERE expires_at <= ? OR (revoked_at IS NOT NULL AND revoked_at <= ?)',
      ),
    };
  }

  async insertToken(record: ProxyTokenRecord): Promise<void> {
    this.#statements.insertToken.run({
      id: record.id,
      token_hash: record.tokenHash,
      user_id: record.user.id,
      user_json: JSON.stringify(record.user),
      label: record.label,
      created_at: record.createdAt,
      expires_at: record.expiresAt,
      revoked_at: record.revokedAt ?? null,
      last_used_at: record.lastUsedAt ?? null,
    });
  }

  async findTokenByHash(tokenHash: string): Promise<ProxyTokenRecord | undefined> {
    return optionalToken(this.#statements.findTokenByHash.get(tokenHash));
  }

  async findToken(id: string): Promise<ProxyTokenRecord | undefined> {
    return optionalToken(this.#statements.findToken.get(id));
  }

  async listTokens(filter: TokenListFilter): Promise<ProxyTokenRecord[]> {
    const statements = this.#statements;
    const rows =
      filter.userId === undefined
        ? filter.includeInactive === true
          ? statements.listAll.all()
          : statements.listActive.all(filter.now)
        : filter.includeInactive === true
          ? statements.listUserAll.all(filter.userId)
          : statements.listUserActive.all(filter.userId, filter.now);
    return rows.map(tokenFromRow);
  }

  async revokeToken(id: string, revokedAt: number, ownerId?: string): Promise<boolean> {
    const result =
      ownerId === undefined ? this.#statements.revoke.run(revokedAt, id) : this.#statements.revokeOwned.run(revokedAt, id, ownerId);
    return result.changes > 0;
  }

  async revokeUserTokens(userId: string, revokedAt: number): Promise<number> {
    return this.#statements.revokeUser.run(revokedAt, userId).changes;
  }

  async recordTokenUse(id: string, usedAt: number): Promise<void> {
    this.#statements.recordUse.run(usedAt, id);
  }

  async insertSession(record: BrowserSessionRecord): Promise<void> {
    this.#statements.insertSession.run({
      session_hash: record.sessionHash,
      user_json: JSON.stringify(record.user),
      csrf_token: record.csrfToken,
      created_at: record.createdAt,
      expires_at: record.expiresAt,
    });
  }

  async findSession(sessionHash: string): Promise<BrowserSessionRecord | undefined> {
    const row = this.#statements.findSession.get(sessionHash);
    if (row === undefined) return undefined;
    return sessionFromRow(row);
  }

  async deleteSession(sessionHash: string): Promise<void> {
    this.#statements.deleteSession.run(sessionHash);
  }

  async insertLoginAttempt(record: LoginAttemptRecord): Promise<void> {
    this.#statements.insertAttempt.run({
      state_hash: record.stateHash,
      binding_hash: record.bindingHash,
      provider_id: record.providerId,
      nonce: record.nonce,
      code_verifier: record.codeVerifier,
      redirect_uri: record.redirectUri,
      created_at: record.createdAt,
      expires_at: record.expiresAt,
    });
  }

  async takeLoginAttempt(stateHash: string): Promise<LoginAttemptRecord | undefined> {
    const statements = this.#statements;
    // Read and delete in one transaction: two callbacks racing with the same state get it once.
    const row = this.#database.transaction((hash: string) => {
      const found = statements.findAttempt.get(hash);
      if (found !== undefined) statements.deleteAttempt.run(hash);
      return found;
    })(stateHash);
    if (row === undefined) return undefined;
    return attemptFromRow(row);
  }

  async deleteExpired(now: number, tokensEndedBefore: number): Promise<void> {
    this.#database.transaction(() => {
      this.#statements.deleteExpiredSessions.run(now);
      this.#statements.deleteExpiredAttempts.run(now);
      this.#statements.deleteEndedTokens.run(tokensEndedBefore, tokensEndedBefore);
    })();
  }

  async close(): Promise<void> {
    if (this.#database.open) this.#database.close();
  }
}

function optionalToken(row: TokenRow | undefined): ProxyTokenRecord | undefined {
  return row === undefined ? undefined : tokenFromRow(row);
}

