/**
 * @fileoverview The Anthropic Messages ⇄ canonical conversions, pure functions without HTTP,
 * shared by the Anthropic Messages front-end (parse requests, render answers, streams and errors,
 * estimate input tokens) and by connectors whose upstream speaks the Messages API (build bodies,
 * read answers, streams and error bodies).
 */
export { parseMessagesRequest, type ParsedMessagesRequest, type ParseMessagesRequestOptions } from './parse-messages-request.js';
export { renderMessage } from './render-message.js';
export { renderMessageStream } from './render-message-stream.js';
export { anthropicErrorType, renderAnthropicError, type RenderedAnthropicError } from './render-anthropic-error.js';
export { estimateInputTokens } from './estimate-input-tokens.js';
export { toAnthropicCountTokensBody, toAnthropicMessagesBody, type AnthropicMessagesBodyOptions } from './to-anthropic-messages-body.js';
export { fromAnthropicMessage, invalidAnthropicResponse } from './from-anthropic-message.js';
export { readAnthropicMessageStream } from './read-anthropic-message-stream.js';
export { readAnthropicUpstreamError } from './read-anthropic-upstream-error.js';
export { fromAnthropicStopReason, toAnthropicStopReason } from './anthropic-stop-reason.js';
export { fromAnthropicUsage, toAnthropicUsage } from './anthropic-usage.js';
export { ANTHROPIC_PROVIDER_OPTIONS_KEY, withAnthropicOptions, type AnthropicReasoningOptions } from './anthropic-provider-options.js';
export type * from './anthropic-messages-wire-types.js';
export { ANTHROPIC_API_VERSION, ANTHROPIC_ERROR_TYPES } from './anthropic-messages-wire-types.js';
