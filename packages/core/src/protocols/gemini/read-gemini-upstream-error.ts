/**
 * @fileoverview A Gemini error answer → {@link UpstreamError}, with what the key pool needs:
 * how long Google asked us to wait (`RetryInfo.retryDelay`, or Code Assist's
 * `ErrorInfo.metadata.quotaResetDelay`) and whether the key itself was refused (the API answers
 * an invalid key with 400 `API_KEY_INVALID`, not 401). Pure: the caller reads the body.
 */
import { describeUnparsedBody, isRecord, UpstreamError } from '@llmproxy/connector-sdk';
import type { UpstreamErrorBody } from '@llmproxy/connector-sdk';

const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';
const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';
/**
 * ErrorInfo reasons that mean the key itself is unusable, not the request. Google's
 * troubleshooting guide documents an invalid key as 400 INVALID_ARGUMENT with reason
 * `API_KEY_INVALID`; the `*_BLOCKED` reasons are restrictions set on the key for this whole
 * service. A 403 PERMISSION_DENIED is about the resource (e.g. a tuned model), and a bare 401
 * comes from OAuth tokens or a gateway in front, so neither says the key is revoked.
 */
const REJECTED_KEY_REASONS: ReadonlySet<string> = new Set(['API_KEY_INVALID', 'API_KEY_SERVICE_BLOCKED', 'API_KEY_HTTP_REFERRER_BLOCKED']);

/** True when a Gemini error says the API key itself is invalid or blocked (an ErrorInfo reason above). */
export function geminiKeyRevoked(error: UpstreamError): boolean {
  const reason = error.upstreamError.code;
  return typeof reason === 'string' && REJECTED_KEY_REASONS.has(reason);
}

/** What a Gemini error answer means to the caller. */
export interface GeminiUpstreamFailure {
  /** The error the client sees: Gemini's status, message, status name (`type`) and ErrorInfo reason (`code`). */
  error: UpstreamError;
  /** Seconds Google asked to wait before retrying, when it said. */
  retryAfterSeconds: number | undefined;
  /** True when the API key was refused (401, or an `API_KEY_*` ErrorInfo reason). */
  rejectedCredentials: boolean;
  /** The google.rpc `details` entries, for callers that read more of them (e.g. Code Assist's validation links). */
  details: Array<Record<string, unknown>>;
}

/**
 * Reads an error answer of status `status` whose body is `text`. A `retry-after` header, when
 * the upstream sent one, counts too; the computed wait is passed on to clients as
 * `retry-after`.
 */
export function readGeminiUpstreamError(
  status: number,
  text: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  backendName: string,
): GeminiUpstreamFailure {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  // The stream form of the API answers errors as a one-element JSON array.
  if (Array.isArray(parsed) && parsed.length === 1) parsed = parsed[0];
  const error = isRecord(parsed) && isRecord(parsed['error']) ? parsed['error'] : undefined;
  const details = Array.isArray(error?.['details']) ? (error['details'] as unknown[]).filter(isRecord) : [];
  const body: UpstreamErrorBody = { message: messageOf(error, status, text) };
  if (typeof error?.['status'] === 'string') body.type = error['status'];
  const errorInfo = details.find((detail) => detail['@type'] === ERROR_INFO_TYPE);
  const reason = typeof errorInfo?.['reason'] === 'string' ? errorInfo['reason'] : undefined;
  if (reason !== undefined) body.code = reason;

  const retryAfterSeconds = retryDelayOf(details) ?? retryAfterHeader(headers);
  const passedOn: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) passedOn['retry-after'] = String(retryAfterSeconds);
  return {
    error: new UpstreamError({ backend: backendName, status, error: body, headers: passedOn }),
    retryAfterSeconds,
    rejectedCredentials: status === 401 || (reason !== undefined && REJECTED_KEY_REASONS.has(reason)),
    details,
  };
}

/** Reads an error object sent inside a stream (`{"error":{...}}` as an event), with status 502 when it names none. */
export function readGeminiStreamError(error: Record<string, unknown>, backendName: string): UpstreamError {
  const code = typeof error['code'] === 'number' && error['code'] >= 400 && error['code'] < 600 ? error['code'] : 502;
  return readGeminiUpstreamError(code, JSON.stringify({ error }), {}, backendName).error;
}

/** Whole seconds (rounded up) of a google.protobuf.Duration such as `7s`, `1.5s` or `2h3m4.5s`. */
export function parseGoogleDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/.exec(value.trim());
  if (match === null || value.trim() === '') return undefined;
  const [, hours, minutes, seconds, milliseconds] = match;
  const total = Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0) + Number(milliseconds ?? 0) / 1000;
  return Number.isFinite(total) ? Math.ceil(total) : undefined;
}

function retryDelayOf(details: ReadonlyArray<Record<string, unknown>>): number | undefined {
  for (const detail of details) {
    if (detail['@type'] === RETRY_INFO_TYPE) {
      const seconds = parseGoogleDuration(detail['retryDelay']);
      if (seconds !== undefined) return seconds;
    }
  }
  for (const detail of details) {
    const metadata = detail['@type'] === ERROR_INFO_TYPE && isRecord(detail['metadata']) ? detail['metadata'] : undefined;
    const seconds = parseGoogleDuration(metadata?.['quotaResetDelay']);
    if (seconds !== undefined) return seconds;
  }
  return undefined;
}

function retryAfterHeader(headers: Readonly<Record<string, string | string[] | undefined>>): number | undefined {
  const raw = headers['retry-after'];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value !== undefined && /^\d+(\.\d+)?$/.test(value) ? Math.ceil(Number(value)) : undefined;
}

function messageOf(error: Record<string, unknown> | undefined, status: number, text: string): string {
  if (typeof error?.['message'] === 'string' && error['message'] !== '') return error['message'];
  return describeUnparsedBody(status, text);
}
