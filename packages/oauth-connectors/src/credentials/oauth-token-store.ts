/**
 * @fileoverview The access token of one login kept in a credentials file: by default the
 * flat shape of the Gemini CLI and Qwen Code (`access_token`, `refresh_token`, `token_type`,
 * `expiry_date` in epoch milliseconds); other shapes (the Codex CLI's nested `tokens`, Kiro's
 * camelCase fields) plug in {@link TokenRecordFields}.
 *
 * The file is read on every use, so a login renewed by the vendor's CLI is picked up at once.
 * An expired token is refreshed once for all concurrent requests (single flight); the refresh
 * re-reads the file first (under the vendor's lock file where there is one) in case another
 * process already refreshed it, and writes the result back atomically keeping the file's other
 * keys. A refresh token the vendor refused is not sent again until the file changes; if the
 * refusal came because another program used that refresh token first (one-time refresh tokens),
 * the tokens that program wrote to the file are used instead.
 */
import type { LlmProxyError } from '@llmproxy/connector-sdk';
import { readCredentialsFile, updateCredentialsFile, type CredentialsRecord } from './credentials-file.js';
import { withLockFile } from './lock-file.js';

/** Where a credentials file keeps its tokens. */
export interface TokenRecordFields {
  accessToken(record: CredentialsRecord): string | undefined;
  refreshToken(record: CredentialsRecord): string | undefined;
  /**
   * When the access token expires, in epoch milliseconds: undefined when the file does not say
   * (the token is trusted until the upstream refuses it), NaN when it says so unreadably.
   */
  expiresAtMs(record: CredentialsRecord): number | undefined;
  tokenType(record: CredentialsRecord): string;
}

/** The Gemini CLI's and Qwen Code's shape: `access_token`, `refresh_token`, `token_type`, `expiry_date` (ms). */
export const FLAT_TOKEN_FIELDS: TokenRecordFields = Object.freeze({
  accessToken: (record: CredentialsRecord) => nonEmptyString(record['access_token']),
  refreshToken: (record: CredentialsRecord) => nonEmptyString(record['refresh_token']),
  expiresAtMs: (record: CredentialsRecord) => {
    const expiry = record['expiry_date'];
    if (expiry === undefined || expiry === null) return undefined;
    return typeof expiry === 'number' ? expiry : Number(expiry);
  },
  tokenType: (record: CredentialsRecord) => nonEmptyString(record['token_type']) ?? 'Bearer',
});

/** A usable access token and the whole record it came from. */
export interface StoredTokens {
  accessToken: string;
  tokenType: string;
  record: CredentialsRecord;
}

export interface OAuthTokenStoreOptions {
  file: string;
  /**
   * Exchanges the record's refresh token for new tokens and returns the top-level fields to merge
   * into the file (for the flat shape at least `access_token` and `expiry_date`). The refresh
   * token is passed as `refresh_token` whatever the shape. Throws an error with
   * `details.loginRequired === true` when the refresh token was refused.
   */
  refresh(record: CredentialsRecord & { refresh_token: string }): Promise<CredentialsRecord>;
  /** Where the file keeps its tokens; {@link FLAT_TOKEN_FIELDS} by default. */
  fields?: TokenRecordFields;
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
  private readonly fields: TokenRecordFields;
  private inFlight: Promise<StoredTokens> | undefined;
  /** A refresh token the vendor refused, with the error it gave, so it is not sent again. */
  private refused: { refreshToken: string; error: LlmProxyError } | undefined;

  constructor(options: OAuthTokenStoreOptions) {
    this.options = options;
    this.file = options.file;
    this.now = options.now ?? Date.now;
    this.fields = options.fields ?? FLAT_TOKEN_FIELDS;
  }

  /**
   * A token that is not about to expire. With `rejectedToken` (a token the upstream refused
   * although it looked valid) a fresh one is obtained unless the file already holds another.
   */
  async tokens(options: { rejectedToken?: string } = {}): Promise<StoredTokens> {
    if (this.inFlight !== undefined) return this.inFlight;
    const record = await this.read();
    if (this.isUsable(record, options.rejectedToken)) return this.toStoredTokens(record);
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
      if (this.isUsable(record, rejectedToken)) return this.toStoredTokens(record);
      const refreshToken = this.fields.refreshToken(record);
      if (refreshToken === undefined) {
        throw this.options.loginRequiredError(`${this.file} holds no refresh token`);
      }
      if (this.refused?.refreshToken === refreshToken) throw this.refused.error;
      let updates: CredentialsRecord;
      try {
        updates = await this.options.refresh({ ...record, refresh_token: refreshToken });
      } catch (error) {
        if (!isLoginRequired(error)) throw error;
        // Another program sharing the file may have used this one-time refresh token first and
        // written its new tokens meanwhile: those serve as well as ours would have.
        const current = await this.read();
        if (this.fields.refreshToken(current) !== refreshToken && this.isUsable(current, rejectedToken)) return this.toStoredTokens(current);
        this.refused = { refreshToken, error };
        throw error;
      }
      const merged = await updateCredentialsFile(this.file, updates);
      return this.toStoredTokens(merged);
    };
    return this.options.lockFile === undefined ? refresh() : withLockFile(this.options.lockFile, refresh);
  }

  private async read(): Promise<CredentialsRecord> {
    const record = await readCredentialsFile(this.file);
    if (record === undefined) throw this.options.missingFileError();
    return record;
  }

  private isUsable(record: CredentialsRecord, rejectedToken: string | undefined): boolean {
    const accessToken = this.fields.accessToken(record);
    if (accessToken === undefined || accessToken === rejectedToken) return false;
    const expiryMs = this.fields.expiresAtMs(record);
    // A file without an expiry is trusted until the upstream refuses its token.
    if (expiryMs === undefined) return true;
    return Number.isFinite(expiryMs) && expiryMs - this.options.refreshMarginMs > this.now();
  }

  private toStoredTokens(record: CredentialsRecord): StoredTokens {
    return { accessToken: this.fields.accessToken(record) as string, tokenType: this.fields.tokenType(record), record };
  }
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isLoginRequired(error: unknown): error is LlmProxyError {
  const details = (error as { details?: Record<string, unknown> } | undefined)?.details;
  return details?.['loginRequired'] === true;
}
