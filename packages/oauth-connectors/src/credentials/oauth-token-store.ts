/**
 * @fileoverview The access token of one login kept in a credentials file
 * (`access_token`, `refresh_token`, `token_type`, `expiry_date` in epoch milliseconds).
 *
 * The file is read on every use, so a login renewed by the vendor's CLI is picked up at once.
 * An expired token is refreshed once for all concurrent requests (single flight); the refresh
 * re-reads the file first (under the vendor's lock file where there is one) in case another
 * process already refreshed it, and writes the result back atomically keeping the file's other
 * keys. A refresh token the vendor refused is not sent again until the file changes.
 */
import type { LlmProxyError } from '@llmproxy/connector-sdk';
import { readCredentialsFile, updateCredentialsFile, type CredentialsRecord } from './credentials-file.js';
import { withLockFile } from './lock-file.js';

/** A usable access token and the whole record it came from. */
export interface StoredTokens {
  accessToken: string;
  tokenType: string;
  record: CredentialsRecord;
}

export interface OAuthTokenStoreOptions {
  file: string;
  /**
   * Exchanges the record's refresh token for new tokens and returns the fields to merge into the
   * file (at least `access_token` and `expiry_date`). Throws an error with
   * `details.loginRequired === true` when the refresh token was refused.
   */
  refresh(record: CredentialsRecord & { refresh_token: string }): Promise<CredentialsRecord>;
  /** The error for a file that does not exist. */
  missingFileError(): LlmProxyError;
  /** The error for a record without a refresh token, or whose refresh token was already refused. */
  loginRequiredError(reason: string): LlmProxyError;
  /** Tokens expiring within this many milliseconds are refreshed first. */
  refreshMarginMs: number;
  /** The vendor CLI's lock file, held while refreshing. */
  lockFile?: string;
  now?: () => number;
}

export class OAuthTokenStore {
  readonly file: string;
  private readonly options: OAuthTokenStoreOptions;
  private readonly now: () => number;
  private inFlight: Promise<StoredTokens> | undefined;
  /** A refresh token the vendor refused, with the error it gave, so it is not sent again. */
  private refused: { refreshToken: string; error: LlmProxyError } | undefined;

  constructor(options: OAuthTokenStoreOptions) {
    this.options = options;
    this.file = options.file;
    this.now = options.now ?? Date.now;
  }

  /**
   * A token that is not about to expire. With `rejectedToken` (a token the upstream refused
   * although it looked valid) a fresh one is obtained unless the file already holds another.
   */
  async tokens(options: { rejectedToken?: string } = {}): Promise<StoredTokens> {
    if (this.inFlight !== undefined) return this.inFlight;
    const record = await this.read();
    if (this.isUsable(record, options.rejectedToken)) return toStoredTokens(record);
    // Another caller may have started the refresh while this one was reading.
    this.inFlight ??= this.refreshOnce(options.rejectedToken).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** The record as it is on disk (no refresh), for callers that read other fields (e.g. a project id). */
  async record(): Promise<CredentialsRecord> {
    return this.read();
  }

  private async refreshOnce(rejectedToken: string | undefined): Promise<StoredTokens> {
    const refresh = async (): Promise<StoredTokens> => {
      const record = await this.read();
      if (this.isUsable(record, rejectedToken)) return toStoredTokens(record);
      const refreshToken = record['refresh_token'];
      if (typeof refreshToken !== 'string' || refreshToken === '') {
        throw this.options.loginRequiredError(`${this.file} holds no refresh_token`);
      }
      if (this.refused?.refreshToken === refreshToken) throw this.refused.error;
      let updates: CredentialsRecord;
      try {
        updates = await this.options.refresh({ ...record, refresh_token: refreshToken });
      } catch (error) {
        if (isLoginRequired(error)) this.refused = { refreshToken, error };
        throw error;
      }
      const merged = await updateCredentialsFile(this.file, updates);
      return toStoredTokens(merged);
    };
    return this.options.lockFile === undefined ? refresh() : withLockFile(this.options.lockFile, refresh);
  }

  private async read(): Promise<CredentialsRecord> {
    const record = await readCredentialsFile(this.file);
    if (record === undefined) throw this.options.missingFileError();
    return record;
  }

  private isUsable(record: CredentialsRecord, rejectedToken: string | undefined): boolean {
    const accessToken = record['access_token'];
    if (typeof accessToken !== 'string' || accessToken === '' || accessToken === rejectedToken) return false;
    const expiry = record['expiry_date'];
    // A file without an expiry is trusted until the upstream refuses its token.
    if (expiry === undefined || expiry === null) return true;
    const expiryMs = typeof expiry === 'number' ? expiry : Number(expiry);
    return Number.isFinite(expiryMs) && expiryMs - this.options.refreshMarginMs > this.now();
  }
}

function toStoredTokens(record: CredentialsRecord): StoredTokens {
  const tokenType = typeof record['token_type'] === 'string' && record['token_type'] !== '' ? record['token_type'] : 'Bearer';
  return { accessToken: record['access_token'] as string, tokenType, record };
}

function isLoginRequired(error: unknown): error is LlmProxyError {
  const details = (error as { details?: Record<string, unknown> } | undefined)?.details;
  return details?.['loginRequired'] === true;
}
