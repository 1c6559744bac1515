/**
 * @fileoverview The options of a connector call made for a client request: the request's abort
 * signal, and its id for the connector's log lines.
 */
import type { ChatOptions } from '@llmproxy/connector-sdk';
import type { RequestContext } from './request-context.js';

export function connectorCallOptions(context: RequestContext): ChatOptions {
  return { signal: context.abortController.signal, requestId: context.requestId };
}
