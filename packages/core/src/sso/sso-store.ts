/**
 * @fileoverview What SSO keeps between requests: personal proxy tokens (hashed), browser
 * sessions of signed-in users (hashed ids) and pending sign-in attempts. Behind this small
 * interface so a shared store can serve several replicas later; the default is SQLite.
 *
 * Every method is asynchronous even where the SQLite implementation is not, because a shared
 * store would be.
 */
import type { SsoUser } from './sso-user.js';

/** Times are milliseconds since the epoch. */
export interface ProxyTokenRecord {
  id: string;
  tokenHash: string;
  user: SsoUser;
  /** Where the token came from, e.g. `sign-in` or a name the user gave it. */
  label: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | undefined;
  lastUsedAt: number | undefined;
}

export interface BrowserSessionRecord {
  sessionHash: string;
  user: SsoUser;
  /** Compared with the `_csrf` field of every form post. */
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

/** One sign-in started at `/auth/login/<provider>`, consumed once by `/auth/callback`. */
export interface LoginAttemptRecord {
  stateHash: string;
  /** Digest of the browser-binding cookie, so a callback only completes in the browser that started it. */
  bindingHash: string;
  providerId: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  createdAt: number;
  expiresAt: number;
}

export interface TokenListFilter {
  /** Only this user's tokens. */
  userId?: string;
  /** Include expired and revoked tokens. */
  includeInactive?: boolean;
  /** "Now", for telling expired tokens apart. */
  now: number;
}

export interface SsoStore {
  insertToken(record: ProxyTokenRecord): Promise<void>;
  findTokenByHash(tokenHash: string): Promise<ProxyTokenRecord | undefined>;
  findToken(id: string): Promise<ProxyTokenRecord | undefined>;
  /** Newest first. */
  listTokens(filter: TokenListFilter): Promise<ProxyTokenRecord[]>;
  /**
   * Marks the token revoked; with `ownerId` only if it belongs to that user. False when no such
   * (owned, not yet revoked) token exists.
   */
  revokeToken(id: string, revokedAt: number, ownerId?: string): Promise<boolean>;
  /** Revokes every active token of the user; resolves with how many. */
  revokeUserTokens(userId: string, revokedAt: number): Promise<number>;
  recordTokenUse(id: string, usedAt: number): Promise<void>;

  insertSession(record: BrowserSessionRecord): Promise<void>;
  findSession(sessionHash: string): Promise<BrowserSessionRecord | undefined>;
  deleteSession(sessionHash: string): Promise<void>;

  insertLoginAttempt(record: LoginAttemptRecord): Promise<void>;
  /** Returns and deletes the attempt, so a state is usable once. */
  takeLoginAttempt(stateHash: string): Promise<LoginAttemptRecord | undefined>;

  /**
   * Removes expired sessions and sign-in attempts, and tokens that ended (expired or revoked)
   * before `tokensEndedBefore`.
   */
  deleteExpired(now: number, tokensEndedBefore: number): Promise<void>;
  close(): Promise<void>;
}
