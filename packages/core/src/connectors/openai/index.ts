/**
 * @fileoverview The built-in `openai` connector: OpenAI's Chat Completions API with an API key.
 *
 * Settings, each from the first place that has it:
 *
 * | setting | backend named `openai` | another backend with `type: openai` |
 * | --- | --- | --- |
 * | API key | the variable named by `api_key_env`, `OPENAI_API_KEY`, `api_key` | the variable named by `api_key_env`, `api_key`, `OPENAI_API_KEY` |
 * | base URL | `OPENAI_BASE_URL`, `base_url`, `https://api.openai.com/v1` | `base_url`, `OPENAI_BASE_URL`, `https://api.openai.com/v1` |
 *
 * `OPENAI_API_KEY` and `OPENAI_BASE_URL` are the settings of the backend `openai`, so for it
 * they win over YAML (`backends.openai.api_key`, `backends.openai.base_url`), as environment
 * variables win over YAML for every setting (CLI > env > YAML > default). A backend with
 * another name is described by its own YAML slice first and falls back to those variables.
 *
 * A missing key does not stop the server: requests to this backend fail with
 * `BACKEND_CREDENTIALS_MISSING`, naming what to set. `models` (a list of ids) replaces the
 * upstream's model list.
 */
import { defineConnector } from '@llmproxy/connector-sdk';
import type { ConnectorContext } from '@llmproxy/connector-sdk';
import { createOpenAIConnector, type OpenAIConnectorSettings } from './create-openai-connector.js';
import { missingCredentialsError, resolveApiKey } from './resolve-api-key.js';
import { normaliseBaseUrl, optionalConfigString, optionalModelList } from './read-backend-config.js';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const KEY_VARIABLE = 'OPENAI_API_KEY';
const BASE_URL_VARIABLE = 'OPENAI_BASE_URL';

export default defineConnector({
  id: 'openai',
  hasStaticCredentials: true,
  create(context) {
    return createOpenAIConnector(context, resolveOpenAISettings(context));
  },
});

/** Resolves the settings of one `openai` backend as described in this module's overview. */
export function resolveOpenAISettings(context: ConnectorContext): OpenAIConnectorSettings {
  const { backendName, config, env } = context;
  const isOpenAIBackend = backendName === 'openai';
  const environmentBaseUrl = nonEmpty(env[BASE_URL_VARIABLE]);
  const yamlBaseUrl = optionalConfigString(config, 'base_url', backendName);
  const [baseUrl, baseUrlSource] =
    isOpenAIBackend && environmentBaseUrl !== undefined
      ? [environmentBaseUrl, BASE_URL_VARIABLE]
      : yamlBaseUrl !== undefined
        ? [yamlBaseUrl, `backends.${backendName}.base_url`]
        : environmentBaseUrl !== undefined
          ? [environmentBaseUrl, BASE_URL_VARIABLE]
          : [DEFAULT_BASE_URL, 'default'];

  const key = resolveApiKey(context, { defaultVariable: KEY_VARIABLE, variableWinsOverYaml: isOpenAIBackend });
  const settings: OpenAIConnectorSettings = {
    baseUrl: normaliseBaseUrl(baseUrl, baseUrlSource, backendName),
    apiKey: key.apiKey,
    maxTokensParameter: 'max_completion_tokens',
  };
  const models = optionalModelList(config, backendName);
  if (models !== undefined) settings.models = models;
  if (key.apiKey === undefined) {
    const where = key.namedVariable ?? `${KEY_VARIABLE} environment variable or backends.${backendName}.api_key in the config file`;
    settings.unusableBecause = () => missingCredentialsError(backendName, key.namedVariable, where);
    context.logger.info(`Backend ${backendName} has no API key; its requests will fail until one is set`, {
      backend: backendName,
      set: where,
    });
  }
  return settings;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
