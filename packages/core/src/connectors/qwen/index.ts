/**
 * @fileoverview The built-in `qwen` connector: Alibaba Cloud Model Studio (DashScope) through its
 * OpenAI-compatible mode with `DASHSCOPE_API_KEY`, the static-credential alternative to the
 * `qwen-oauth` connector.
 *
 * Settings follow the `openai` connector's rules with DashScope's names: keys from
 * `DASHSCOPE_API_KEY` (and `DASHSCOPE_API_KEY_1..N`) or YAML `api_key`/`api_keys`, the base
 * URL from `DASHSCOPE_BASE_URL` or `base_url`, by default the international endpoint
 * https://dashscope-intl.aliyuncs.com/compatible-mode/v1 (mainland China accounts use
 * https://dashscope.aliyuncs.com/compatible-mode/v1); `models` and `responses_models` as for
 * `openai`. Model names are DashScope's, e.g. `qwen:qwen-plus`.
 */
import { defineConnector } from '@llmproxy/connector-sdk';
import type { ConnectorContext } from '@llmproxy/connector-sdk';
import { createOpenAIConnector, type OpenAIConnectorSettings } from '../openai/create-openai-connector.js';
import { resolveHostedApiSettings, type HostedApiVendor } from '../openai/resolve-hosted-api-settings.js';

export const QWEN_VENDOR: HostedApiVendor = {
  connectorId: 'qwen',
  keyVariable: 'DASHSCOPE_API_KEY',
  baseUrlVariable: 'DASHSCOPE_BASE_URL',
  defaultBaseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
  // DashScope's compatible mode documents `max_tokens` only.
  maxTokensParameter: 'max_tokens',
  defaultResponsesModels: [],
};

export default defineConnector({
  id: 'qwen',
  hasStaticCredentials: true,
  create(context) {
    return createOpenAIConnector(context, resolveQwenSettings(context));
  },
});

export function resolveQwenSettings(context: ConnectorContext): OpenAIConnectorSettings {
  return resolveHostedApiSettings(context, QWEN_VENDOR);
}
