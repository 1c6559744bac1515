/**
 * @fileoverview Responses `response` object (a non-streamed upstream answer) → canonical chat
 * response.
 */
import { isRecord } from '@llmproxy/connector-sdk';
import type { ChatResponse, FinishReason } from '@llmproxy/connector-sdk';
import { fromResponsesOutputItems } from './responses-output-items.js';
import { invalidResponsesAnswer, responsesFailure } from './responses-upstream-errors.js';
import { fromResponsesUsage } from './responses-usage.js';

/**
 * Reads a response object. A `failed` one is thrown as its error; an `incomplete` one finishes
 * with `length` (token limit) or `content-filter`. Output items without a canonical form
 * (hosted tool calls, which only a client's own hosted tools produce) are left out.
 */
export function fromResponsesResponse(body: unknown, backendName: string): ChatResponse {
  if (!isRecord(body) || !Array.isArray(body['output'])) throw invalidResponsesAnswer(backendName, 'it has no output array');
  if (body['status'] === 'failed') throw responsesFailure(body['error'], backendName);
  const content = fromResponsesOutputItems(body['output']);
  const response: ChatResponse = {
    id: String(body['id'] ?? ''),
    model: String(body['model'] ?? ''),
    created: typeof body['created_at'] === 'number' ? body['created_at'] : Math.floor(Date.now() / 1000),
    content,
    finishReason: finishReasonOf(body['status'], body['incomplete_details'], content.some((part) => part.type === 'tool-call')),
  };
  const usage = fromResponsesUsage(body['usage']);
  if (usage !== undefined) response.usage = usage;
  return response;
}

/** The canonical finish reason of a finished response's status. */
export function finishReasonOf(status: unknown, incompleteDetails: unknown, calledTools: boolean): FinishReason {
  if (status === 'incomplete') {
    const reason = isRecord(incompleteDetails) ? incompleteDetails['reason'] : undefined;
    return reason === 'content_filter' ? 'content-filter' : 'length';
  }
  if (status === 'cancelled') return 'other';
  return calledTools ? 'tool-calls' : 'stop';
}
