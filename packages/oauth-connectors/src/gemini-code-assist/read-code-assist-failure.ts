/**
 * @fileoverview What a Code Assist error answer means for the account that got it: a quota
 * (per-minute `RATE_LIMIT_EXCEEDED`, daily `QUOTA_EXHAUSTED`, or a bare 429) with its reset
 * hint, a verification the account owner must complete (403 `VALIDATION_REQUIRED` with the
 * link in a `Help` detail or in `ErrorInfo.metadata.validation_link`), a refused token, or
 * anything else (passed on to the client as the upstream said it).
 */
import { isRecord } from '@llmproxy/connector-sdk';
import type { GeminiWireCodec, UpstreamError } from '@llmproxy/connector-sdk';

const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';
const HELP_TYPE = 'type.googleapis.com/google.rpc.Help';
const QUOTA_FAILURE_TYPE = 'type.googleapis.com/google.rpc.QuotaFailure';

/** Which quota a 429 names. */
export type QuotaKind = 'rate-limit' | 'daily-quota' | 'unspecified';

export type CodeAssistFailure =
  | { kind: 'quota'; quota: QuotaKind; resetSeconds: number | undefined; error: UpstreamError }
  | { kind: 'verification'; validationUrl: string | undefined; description: string | undefined; error: UpstreamError }
  | { kind: 'unauthorized'; error: UpstreamError }
  | { kind: 'other'; status: number; reason: string | undefined; error: UpstreamError };

export function readCodeAssistFailure(
  codec: GeminiWireCodec,
  status: number,
  text: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  backendName: string,
  now: () => number = Date.now,
): CodeAssistFailure {
  const reading = codec.readError(status, text, headers, backendName);
  const errorInfo = reading.details.find((detail) => detail['@type'] === ERROR_INFO_TYPE);
  const reason = typeof errorInfo?.['reason'] === 'string' ? errorInfo['reason'] : undefined;
  const metadata = isRecord(errorInfo?.['metadata']) ? errorInfo['metadata'] : {};

  if (status === 401) return { kind: 'unauthorized', error: reading.error };
  if (status === 403 && reason === 'VALIDATION_REQUIRED') {
    const help = reading.details.find((detail) => detail['@type'] === HELP_TYPE);
    const firstLink = Array.isArray(help?.['links']) ? (help['links'] as unknown[]).find(isRecord) : undefined;
    const helpUrl = typeof firstLink?.['url'] === 'string' ? firstLink['url'] : undefined;
    const metadataUrl = typeof metadata['validation_link'] === 'string' ? metadata['validation_link'] : undefined;
    const description = typeof firstLink?.['description'] === 'string' ? firstLink['description'] : undefined;
    return { kind: 'verification', validationUrl: helpUrl ?? metadataUrl, description, error: reading.error };
  }
  if (status === 429) {
    const resetSeconds = reading.retryAfterSeconds ?? secondsUntil(metadata['quotaResetTimeStamp'], now);
    // A reset time stamp is a hint too: clients get it as retry-after like the others.
    if (resetSeconds !== undefined && reading.error.upstreamHeaders['retry-after'] === undefined) {
      reading.error.upstreamHeaders['retry-after'] = String(resetSeconds);
    }
    return { kind: 'quota', quota: quotaKind(reason, reading.details, metadata), resetSeconds, error: reading.error };
  }
  return { kind: 'other', status, reason, error: reading.error };
}

function quotaKind(reason: string | undefined, details: ReadonlyArray<Record<string, unknown>>, metadata: Record<string, unknown>): QuotaKind {
  if (reason === 'RATE_LIMIT_EXCEEDED') return 'rate-limit';
  if (reason === 'QUOTA_EXHAUSTED') return 'daily-quota';
  const quotaFailure = details.find((detail) => detail['@type'] === QUOTA_FAILURE_TYPE);
  const quotaIds = Array.isArray(quotaFailure?.['violations'])
    ? (quotaFailure['violations'] as unknown[]).filter(isRecord).map((violation) => String(violation['quotaId'] ?? ''))
    : [];
  if (typeof metadata['quota_limit'] === 'string') quotaIds.push(metadata['quota_limit']);
  if (quotaIds.some((id) => id.includes('PerDay') || id.includes('Daily'))) return 'daily-quota';
  if (quotaIds.some((id) => id.includes('PerMinute'))) return 'rate-limit';
  return 'unspecified';
}

/** Whole seconds until an RFC 3339 time stamp, at least 1; undefined when it is not one. */
function secondsUntil(value: unknown, now: () => number): number | undefined {
  if (typeof value !== 'string') return undefined;
  const at = Date.parse(value);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(1, Math.ceil((at - now()) / 1000));
}
