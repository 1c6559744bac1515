/**
 * @fileoverview The built-in `openai` connector: OpenAI's Chat Completions and Responses APIs with API keys.
 *
 * Settings, each from the first place that has it:
 *
 * | setting | backend named `openai` | another backend with `type: openai` |
 * | --- | --- | --- |
 * | API keys | the variable named by `api_key_env`, `OPENAI_API_KEY`, `api_key`/`api_keys` | the variable named by `api_key_env`, `api_key`/`api_keys`, `OPENAI_API_KEY` |
 * | base URL | `OPENAI_BASE_URL`, `base_url`, `https://api.openai.com/v1` | `base_url`, `OPENAI_BASE_URL`, `https://api.openai.com/v1` |
 *
 * `OPENAI_API_KEY` and `OPENAI_BASE_URL` are the settings of the backend `openai`, so for it
 * they win over YAML (`backends.openai.api_key`, `backends.openai.base_url`), as environment
 * variables win over YAML for every setting (CLI > env > YAML > default). A backend with
 * another name is described by its own YAML slice first and falls back to those variables.
 *
 * Every variable `X` above also reads `X_1` .. `X_N`, and YAML takes `api_keys` (a list) beside
 * `api_key`: several keys are used round-robin, a key the upstream rejects (401) is retired
 * with a log line naming its number and the request retried with the next key, and a
 * rate-limited key (429) rests for its `Retry-After` (see the api-key-pool).
 *
 * Models matching `responses_models` (names where `*` matches any characters; default
 * `*-pro`, `*-pro-*`, `*codex*`, `*-deep-research*`, `computer-use-*`, OpenAI's models that
 * exist only in the Responses API) are sent to `POST {base}/responses`; every other model to
 * `POST {base}/chat/completions`. `responses_models: []` sends everything to Chat Completions,
 * `responses_models: ['*']` everything to the Responses API.
 *
 * A missing key does not stop the server: requests to this backend fail with
 * `BACKEND_CREDENTIALS_MISSING`, naming what to set. `models` (a list of ids) replaces the
 * upstream's model list.
 */
import { defineConnector } from '@llmproxy/connector-sdk';
import type { ConnectorContext } from '@llmproxy/connector-sdk';
import { createOpenAIConnector, type OpenAIConnectorSettings } from './create-openai-connector.js';
import { resolveHostedApiSettings, type HostedApiVendor } from './resolve-hosted-api-settings.js';
import { DEFAULT_OPENAI_RESPONSES_MODELS } from './responses-model-patterns.js';

export const OPENAI_VENDOR: HostedApiVendor = {
  connectorId: 'openai',
  keyVariable: 'OPENAI_API_KEY',
  baseUrlVariable: 'OPENAI_BASE_URL',
  defaultBaseUrl: 'https://api.openai.com/v1',
  maxTokensParameter: 'max_completion_tokens',
  defaultResponsesModels: DEFAULT_OPENAI_RESPONSES_MODELS,
};

export default defineConnector({
  id: 'openai',
  hasStaticCredentials: true,
  create(context) {
    return createOpenAIConnector(context, resolveOpenAISettings(context));
  },
});

/** Resolves the settings of one `openai` backend as described in this module's overview. */
export function resolveOpenAISettings(context: ConnectorContext): OpenAIConnectorSettings {
  return resolveHostedApiSettings(context, OPENAI_VENDOR);
}
