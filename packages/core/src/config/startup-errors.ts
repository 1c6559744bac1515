/**
 * @fileoverview Startup checks collect every problem before failing, so a user fixes them all
 * after one run. Several problems travel as one `AggregateError` of `LlmProxyError`s.
 */
import type { LlmProxyError } from '@llmproxy/connector-sdk';

/** Throws nothing for no problems, the error itself for one, an AggregateError for several. */
export function throwStartupErrors(errors: readonly LlmProxyError[]): void {
  if (errors.length === 0) return;
  if (errors.length === 1) throw errors[0];
  throw new AggregateError(errors, `${errors.length} startup problems`);
}

/** The individual problems inside whatever a startup step threw. */
export function listStartupErrors(thrown: unknown): unknown[] {
  return thrown instanceof AggregateError ? thrown.errors.flatMap(listStartupErrors) : [thrown];
}
