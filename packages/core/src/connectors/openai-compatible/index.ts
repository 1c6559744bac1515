/**
 * @fileoverview The built-in `openai-compatible` connector: any server speaking OpenAI Chat
 * Completions (Ollama, vLLM, LM Studio, llama.cpp), declared in YAML:
 *
 * ```yaml
 * backends:
 *   local:
 *     type: openai-compatible
 *     base_url: http://127.0.0.1:11434/v1   # required
 *     api_key: sk-...                       # optional; or api_key_env: LOCAL_LLM_KEY
 *     models: [llama3:8b]                   # optional; default: the server's GET /models
 *     responses_models: [gpt-oss-*]         # optional; models the server answers at POST /responses
 * ```
 *
 * No backend is created without YAML. Without a key no Authorization header is sent. The
 * output token limit is sent as `max_tokens`, which these servers understand.
 */
import { checkedHttpUrl, defineConnector, LlmProxyError, optionalConfigString, optionalModelList } from '@llmproxy/connector-sdk';
import type { ConnectorContext } from '@llmproxy/connector-sdk';
import { missingCredentialsError, resolveApiKeys } from '../api-key-pool/resolve-api-key.js';
import { createOpenAIConnector, type OpenAIConnectorSettings } from '../openai/create-openai-connector.js';
import { readResponsesModels } from '../openai/responses-model-patterns.js';

export default defineConnector({
  id: 'openai-compatible',
  hasStaticCredentials: true,
  createsDefaultBackend: false,
  create(context) {
    return createOpenAIConnector(context, resolveOpenAICompatibleSettings(context));
  },
});

/** Resolves one `openai-compatible` backend's settings from its YAML slice. */
export function resolveOpenAICompatibleSettings(context: ConnectorContext): OpenAIConnectorSettings {
  const { backendName, config } = context;
  const baseUrl = optionalConfigString(config, 'base_url', backendName);
  if (baseUrl === undefined) {
    throw new LlmProxyError({
      code: 'BACKEND_CONFIG_INVALID',
      message: `backends.${backendName}.base_url is required for an openai-compatible backend`,
      currentValue: 'not set',
      fix: `Add base_url under backends.${backendName} in the config file, e.g. base_url: http://127.0.0.1:11434/v1`,
    });
  }
  const key = resolveApiKeys(context, { variableWinsOverYaml: false });
  const settings: OpenAIConnectorSettings = {
    baseUrl: checkedHttpUrl(baseUrl, `backends.${backendName}.base_url`, backendName),
    baseUrlSource: `backends.${backendName}.base_url`,
    apiKeys: key.apiKeys,
    maxTokensParameter: 'max_tokens',
    responsesModels: readResponsesModels(config, backendName, []),
  };
  const models = optionalModelList(config, backendName);
  if (models !== undefined) settings.models = models;
  if (key.namedVariable !== undefined && key.apiKeys.length === 0) {
    const variable = key.namedVariable;
    settings.unusableBecause = () => missingCredentialsError(backendName, variable, `${variable} environment variable`);
  }
  return settings;
}
