/**
 * @fileoverview The Responses `response` object as llmproxy answers it: identity and the
 * repeated request fields from the request, output, status and usage from the answer.
 */
import type { FinishReason, Usage } from '@llmproxy/connector-sdk';
import type { ResponsesEcho } from './parse-responses-request.js';
import type { NamespacedTools } from './namespace-tools.js';
import { toResponsesUsage } from './responses-usage.js';
import type { ResponsesOutputItem, ResponsesResponseObject, ResponsesStatus } from './responses-wire-types.js';

/** What the renderers know about the request they answer. */
export interface ResponsesRenderContext {
  /** `resp_…`, chosen by the front-end so the answer can be continued by id. */
  responseId: string;
  /** Unix seconds. */
  createdAt: number;
  /** Reported when the upstream names no model. */
  requestedModel: string;
  echo: ResponsesEcho;
  /** Tools the client declared as custom (free-form): their calls are rendered as `custom_tool_call`. */
  customToolNames?: ReadonlySet<string>;
  /** Flattened names of the functions the client declared inside namespace tools (namespace-tools.ts). */
  namespacedTools?: NamespacedTools;
}

export interface ResponsesOutcome {
  status: ResponsesStatus;
  error: ResponsesResponseObject['error'];
  incompleteDetails: ResponsesResponseObject['incomplete_details'];
}

/** The status a finish reason gives: a cut-off answer is `incomplete`, an error `failed`. */
export function responsesOutcomeOf(finishReason: FinishReason): ResponsesOutcome {
  switch (finishReason) {
    case 'length':
      return { status: 'incomplete', error: null, incompleteDetails: { reason: 'max_output_tokens' } };
    case 'content-filter':
      return { status: 'incomplete', error: null, incompleteDetails: { reason: 'content_filter' } };
    case 'error':
      return { status: 'failed', error: { code: 'server_error', message: 'The backend ended the answer with an error' }, incompleteDetails: null };
    default:
      return { status: 'completed', error: null, incompleteDetails: null };
  }
}

export function buildResponsesResponseObject(
  context: ResponsesRenderContext,
  answer: {
    model: string;
    status: ResponsesStatus;
    output: ResponsesOutputItem[];
    usage: Usage | undefined;
    error?: ResponsesResponseObject['error'];
    incompleteDetails?: ResponsesResponseObject['incomplete_details'];
  },
): ResponsesResponseObject {
  const { echo } = context;
  const response: ResponsesResponseObject = {
    id: context.responseId,
    object: 'response',
    created_at: context.createdAt,
    status: answer.status,
    error: answer.error ?? null,
    incomplete_details: answer.incompleteDetails ?? null,
    instructions: echo.instructions,
    max_output_tokens: echo.max_output_tokens,
    model: answer.model === '' ? context.requestedModel : answer.model,
    output: answer.output,
    parallel_tool_calls: echo.parallel_tool_calls,
    previous_response_id: echo.previous_response_id,
    reasoning: echo.reasoning,
    store: echo.store,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.tool_choice,
    tools: echo.tools,
    top_p: echo.top_p,
    truncation: echo.truncation,
    usage: answer.usage === undefined ? null : toResponsesUsage(answer.usage),
    user: echo.user,
    metadata: echo.metadata,
  };
  if (answer.status === 'completed') response['completed_at'] = Math.floor(Date.now() / 1000);
  return response;
}
