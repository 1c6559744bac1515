/**
 * @fileoverview The Anthropic Messages front-end: request parsing and response, stream and error
 * rendering between the Anthropic wire format and the canonical model, plus its token counting
 * and model list routes.
 */
export { anthropicMessagesFrontend } from './anthropic-messages-frontend.js';
export { anthropicModelsRoute, forAnthropicClients } from './anthropic-models-route.js';
export { countTokensRoute, isTokenCountingConnector, TOKEN_COUNT_SOURCE_HEADER, type TokenCountingConnector } from './count-tokens-route.js';
export { estimateInputTokens } from './estimate-input-tokens.js';
export { parseMessagesRequest, type ParsedMessagesRequest, type ParseMessagesRequestOptions } from './parse-messages-request.js';
export { renderAnthropicError, type RenderedAnthropicError } from './render-anthropic-error.js';
export { renderMessage } from './render-message.js';
export { renderMessageStream } from './render-message-stream.js';
