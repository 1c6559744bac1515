/**
 * @fileoverview The built-in `openrouter` connector: OpenRouter's OpenAI-compatible Chat
 * Completions API (https://openrouter.ai/api/v1) with `OPENROUTER_API_KEY`.
 *
 * Settings follow the `openai` connector's rules with OpenRouter's names: keys from
 * `OPENROUTER_API_KEY` (and `OPENROUTER_API_KEY_1..N`) or YAML `api_key`/`api_keys`, the base
 * URL from `OPENROUTER_BASE_URL` or `base_url`; `models` and `responses_models` as for
 * `openai` (no model uses the Responses API unless listed). Model names are OpenRouter's, e.g.
 * `openrouter:anthropic/claude-sonnet-4`. Requests carry OpenRouter's optional attribution
 * headers naming llmproxy.
 */
import { defineConnector } from '@llmproxy/connector-sdk';
import type { ConnectorContext } from '@llmproxy/connector-sdk';
import { createOpenAIConnector, type OpenAIConnectorSettings } from '../openai/create-openai-connector.js';
import { resolveHostedApiSettings, type HostedApiVendor } from '../openai/resolve-hosted-api-settings.js';

export const OPENROUTER_VENDOR: HostedApiVendor = {
  connectorId: 'openrouter',
  keyVariable: 'OPENROUTER_API_KEY',
  baseUrlVariable: 'OPENROUTER_BASE_URL',
  defaultBaseUrl: 'https://openrouter.ai/api/v1',
  // OpenRouter normalises `max_tokens` for every provider it routes to.
  maxTokensParameter: 'max_tokens',
  defaultResponsesModels: [],
  headers: { 'HTTP-Referer': 'https://github.com/llmproxy/llmproxy', 'X-Title': 'llmproxy' },
};

export default defineConnector({
  id: 'openrouter',
  hasStaticCredentials: true,
  create(context) {
    return createOpenAIConnector(context, resolveOpenRouterSettings(context));
  },
});

export function resolveOpenRouterSettings(context: ConnectorContext): OpenAIConnectorSettings {
  return resolveHostedApiSettings(context, OPENROUTER_VENDOR);
}
