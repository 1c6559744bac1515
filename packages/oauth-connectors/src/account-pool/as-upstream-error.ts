/**
 * @fileoverview Recognises an {@link UpstreamError} by its brand and shape rather than with
 * `instanceof`: the error may come from core's copy of the SDK (its codecs throw it), which need
 * not be this package's copy.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { UpstreamError } from '@llmproxy/connector-sdk';

export function asUpstreamError(error: unknown): UpstreamError | undefined {
  if (!LlmProxyError.is(error) || error.code !== 'UPSTREAM_ERROR') return undefined;
  const candidate = error as Partial<UpstreamError>;
  return typeof candidate.upstreamStatus === 'number' && typeof candidate.upstreamError === 'object' ? (error as UpstreamError) : undefined;
}
