/**
 * @fileoverview Canonical chat response → Responses `response` object (a non-streamed answer).
 */
import type { ChatResponse } from '@llmproxy/connector-sdk';
import { buildResponsesResponseObject, responsesOutcomeOf, type ResponsesRenderContext } from './build-responses-response-object.js';
import { toResponsesOutputItems } from './responses-output-items.js';
import type { ResponsesResponseObject } from './responses-wire-types.js';

export function renderResponsesResponse(response: ChatResponse, context: ResponsesRenderContext): ResponsesResponseObject {
  const outcome = responsesOutcomeOf(response.finishReason);
  return buildResponsesResponseObject(context, {
    model: response.model,
    status: outcome.status,
    output: toResponsesOutputItems(response.content, outcome.status === 'incomplete' ? 'incomplete' : 'completed', context.customToolNames, context.namespacedTools),
    usage: response.usage,
    error: outcome.error,
    incompleteDetails: outcome.incompleteDetails,
  });
}
