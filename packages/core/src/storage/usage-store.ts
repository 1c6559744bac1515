/**
 * @fileoverview The storage interface of usage records: one row per chat request that reached
 * its route, appended in batches off the hot path and read back as totals. Every method is
 * asynchronous even where the SQLite implementation is not, so a shared database (PostgreSQL)
 * can implement the same interface; `test/storage/usage-store-contract.ts` is the suite every
 * implementation passes.
 */

export interface UsageRecord {
  /** The request's `x-request-id`. */
  requestId: string;
  /** When the request reached the proxy, in Unix milliseconds. */
  startedAt: number;
  /** `api-key#<n>`, `<provider>:<subject>`, or `anonymous` with authentication off. */
  caller: string;
  /** The client API: openai-chat, openai-responses, anthropic-messages, gemini. */
  frontend: string;
  backend: string | null;
  /** The model within the backend, as the request named it after model routes. */
  model: string | null;
  /** The HTTP status sent; a stream that failed after its 200 keeps 200 and has an error code. */
  status: number;
  /** The proxy error code of a failed request, or null. */
  errorCode: string | null;
  /** As the upstream reported them; null when it reported no usage. */
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  reasoningTokens: number | null;
  /** From arrival to the end of the response, in milliseconds. */
  latencyMs: number;
  /** From arrival to the first byte of the answer, in milliseconds; null when none was sent. */
  ttfbMs: number | null;
  /** In US dollars; null when the model has no known price (never a guess). */
  costUsd: number | null;
}

export type UsageGrouping = 'caller' | 'model' | 'day';

export interface UsageQuery {
  /** Inclusive lower bound of `startedAt`, Unix milliseconds. */
  from?: number;
  /** Exclusive upper bound of `startedAt`, Unix milliseconds. */
  to?: number;
  /** Only this caller's records. */
  caller?: string;
}

export interface UsageTotals {
  /** The caller, `backend:model`, or the UTC day (YYYY-MM-DD) of the group. */
  key: string;
  requests: number;
  failedRequests: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  /** The sum of the priced records' costs, in US dollars. */
  costUsd: number;
  /** Records whose cost is unknown (not included in costUsd). */
  unpricedRequests: number;
}

export interface UsageStore {
  /** Appends records atomically: all of them or none. */
  append(records: readonly UsageRecord[]): Promise<void>;
  /** Totals grouped by caller, model or day, ordered by key. */
  totals(query: UsageQuery, groupBy: UsageGrouping): Promise<UsageTotals[]>;
  /** The caller's spending since `since` (Unix milliseconds), in US dollars. */
  costSince(caller: string, since: number): Promise<number>;
  close(): Promise<void>;
}
