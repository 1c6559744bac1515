/**
 * @fileoverview Settings of a backend whose vendor hosts an OpenAI-style API behind an API key
 * (OpenAI, OpenRouter, DashScope), each from the first place that has it:
 *
 * | setting | backend named after the connector id | another backend of that type |
 * | --- | --- | --- |
 * | API keys | the variable named by `api_key_env`, `<KEY>` (and `<KEY>_1..N`), `api_key`/`api_keys` | the variable named by `api_key_env`, `api_key`/`api_keys`, `<KEY>` (and `<KEY>_1..N`) |
 * | base URL | `<BASE_URL>`, `base_url`, the vendor's URL | `base_url`, `<BASE_URL>`, the vendor's URL |
 *
 * The vendor variables are the settings of the backend named after the connector, so for it
 * they win over YAML, as environment variables win over YAML for every setting (CLI > env >
 * YAML > default). A backend with another name is described by its own YAML slice first.
 */
import { checkedHttpUrl, optionalConfigString, optionalModelList } from '@llmproxy/connector-sdk';
import type { ConnectorContext } from '@llmproxy/connector-sdk';
import { missingCredentialsError, resolveApiKeys } from '../api-key-pool/resolve-api-key.js';
import type { OpenAIConnectorSettings } from './create-openai-connector.js';
import { readResponsesModels } from './responses-model-patterns.js';

/** What differs between the vendors. */
export interface HostedApiVendor {
  /** The connector id; the backend of this name reads the vendor variables first. */
  connectorId: string;
  /** e.g. `OPENAI_API_KEY`. */
  keyVariable: string;
  /** e.g. `OPENAI_BASE_URL`. */
  baseUrlVariable: string;
  defaultBaseUrl: string;
  maxTokensParameter: OpenAIConnectorSettings['maxTokensParameter'];
  /** Used when the backend's YAML has no `responses_models`. */
  defaultResponsesModels: readonly string[];
  headers?: Readonly<Record<string, string>>;
}

export function resolveHostedApiSettings(context: ConnectorContext, vendor: HostedApiVendor): OpenAIConnectorSettings {
  const { backendName, config, env } = context;
  const isVendorBackend = backendName === vendor.connectorId;
  const environmentBaseUrl = nonEmpty(env[vendor.baseUrlVariable]);
  const yamlBaseUrl = optionalConfigString(config, 'base_url', backendName);
  const [baseUrl, baseUrlSource] =
    isVendorBackend && environmentBaseUrl !== undefined
      ? [environmentBaseUrl, vendor.baseUrlVariable]
      : yamlBaseUrl !== undefined
        ? [yamlBaseUrl, `backends.${backendName}.base_url`]
        : environmentBaseUrl !== undefined
          ? [environmentBaseUrl, vendor.baseUrlVariable]
          : [vendor.defaultBaseUrl, 'default'];

  const key = resolveApiKeys(context, { defaultVariable: vendor.keyVariable, variableWinsOverYaml: isVendorBackend });
  const settings: OpenAIConnectorSettings = {
    baseUrl: checkedHttpUrl(baseUrl, baseUrlSource, backendName),
    baseUrlSource,
    apiKeys: key.apiKeys,
    maxTokensParameter: vendor.maxTokensParameter,
    responsesModels: readResponsesModels(config, backendName, vendor.defaultResponsesModels),
  };
  if (vendor.headers !== undefined) settings.headers = vendor.headers;
  const models = optionalModelList(config, backendName);
  if (models !== undefined) settings.models = models;
  if (key.apiKeys.length === 0) {
    const where = key.namedVariable ?? `${vendor.keyVariable} environment variable or backends.${backendName}.api_key in the config file`;
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
