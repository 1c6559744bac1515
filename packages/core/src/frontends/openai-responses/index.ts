/**
 * @fileoverview The OpenAI Responses front-end (`POST /v1/responses`). The wire conversions
 * themselves live in protocols/openai-responses, shared with Responses connectors.
 */
export {
  createOpenAIResponsesFrontend,
  openAIResponsesFrontend,
  type OpenAIResponsesFrontendOptions,
  type ResponsesRenderOptions,
} from './openai-responses-frontend.js';
export { ResponseStore, type ResponseStoreOptions } from './response-store.js';
