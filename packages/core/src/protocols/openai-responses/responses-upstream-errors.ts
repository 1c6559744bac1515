/**
 * @fileoverview Errors a Responses upstream reports inside a 200 answer (`response.failed`,
 * the `error` stream event) and answers that are not Responses API answers.
 */
import { isRecord, LlmProxyError, UpstreamError } from '@llmproxy/connector-sdk';
import type { UpstreamErrorBody } from '@llmproxy/connector-sdk';

/**
 * An error object from `response.error` or an `error` event, flat (`{code, message, param}`,
 * as documented) or nested under `error` (as the live API sends it), → {@link UpstreamError}.
 * The status follows the error code: 429 for rate limits, 400 for invalid input, else 502.
 */
export function responsesFailure(value: unknown, backendName: string): UpstreamError {
  const record = isRecord(value) ? value : {};
  const nested = isRecord(record['error']) ? record['error'] : {};
  const pick = (name: string): unknown => nested[name] ?? record[name];
  const message = pick('message');
  const code = pick('code');
  const type = pick('type');
  const param = pick('param');
  const error: UpstreamErrorBody = {
    message: typeof message === 'string' && message !== '' ? message : `The upstream of backend ${backendName} reported a failure without a message`,
  };
  if (typeof code === 'string' || typeof code === 'number') error.code = code;
  if (typeof type === 'string' && type !== 'error') error.type = type;
  if (typeof param === 'string') error.param = param;
  return new UpstreamError({ backend: backendName, status: statusFor(error.code, error.type), error });
}

export function invalidResponsesAnswer(backendName: string, reason: string): LlmProxyError {
  return new LlmProxyError({
    code: 'UPSTREAM_INVALID_RESPONSE',
    message: `The upstream of backend ${backendName} answered with a response that is not a valid Responses API response: ${reason}`,
    fix: 'Check that the backend base_url points at an API that serves POST /responses',
    httpStatus: 502,
    details: { backend: backendName },
  });
}

function statusFor(code: string | number | undefined | null, type: string | undefined): number {
  const text = `${String(code ?? '')} ${type ?? ''}`;
  if (/rate_limit|too_many_requests|insufficient_quota/.test(text)) return 429;
  if (/invalid|not_found|unsupported|context_length/.test(text)) return 400;
  return 502;
}
