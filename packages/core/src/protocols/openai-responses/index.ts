/**
 * @fileoverview The OpenAI Responses API ⇄ canonical conversions, pure functions without HTTP,
 * shared by the Responses front-end (parse requests, render answers) and by connectors whose
 * upstream speaks the Responses API (build bodies, read answers and streams).
 */
export { parseResponsesRequest, type ParsedResponsesRequest, type ResponsesEcho } from './parse-responses-request.js';
export { renderResponsesResponse } from './render-responses-response.js';
export { renderResponsesStream, type ResponsesStreamOptions } from './render-responses-stream.js';
export { buildResponsesResponseObject, responsesOutcomeOf, type ResponsesRenderContext } from './build-responses-response-object.js';
export { toResponsesBody, type ResponsesBodyOptions } from './to-responses-body.js';
export { fromResponsesResponse, finishReasonOf } from './from-responses-response.js';
export { readResponsesStream } from './read-responses-stream.js';
export { responsesFailure, invalidResponsesAnswer } from './responses-upstream-errors.js';
export { toResponsesOutputItems, fromResponsesOutputItems } from './responses-output-items.js';
export { toResponsesUsage, fromResponsesUsage } from './responses-usage.js';
export { withResponsesRequestHints, responsesRequestHintsOf, type ResponsesRequestHints } from './responses-request-hints.js';
export { newResponsesId } from './responses-item-ids.js';
export type * from './responses-wire-types.js';
