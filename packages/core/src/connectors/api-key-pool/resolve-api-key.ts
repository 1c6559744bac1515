/**
 * @fileoverview Where an OpenAI-style backend's API keys come from: an environment variable
 * named in YAML (`api_key_env`), the keys themselves in YAML (`api_key`, `api_keys`), or a
 * vendor variable. Every variable `X` also reads its numbered siblings `X_1` .. `X_N`, so a
 * backend can rotate several keys (see the api-key-pool).
 */
import { invalidBackendConfig, LlmProxyError, optionalConfigString } from '@llmproxy/connector-sdk';
import type { ConnectorContext } from '@llmproxy/connector-sdk';
import { readEnvironmentApiKeys, readYamlApiKeys } from './read-api-keys.js';

export interface ResolvedApiKeys {
  /** The keys in pool order; empty when none is configured. */
  apiKeys: string[];
  /** The variable named by `api_key_env`, when configured (its absence is then an error of its own). */
  namedVariable: string | undefined;
}

/**
 * Order: the variable named by `api_key_env` (and its `_1..N`); then `defaultVariable` (and its
 * `_1..N`) and YAML `api_key`/`api_keys`, the variable first when `variableWinsOverYaml`.
 * Without a `defaultVariable` only YAML counts.
 */
export function resolveApiKeys(
  context: Pick<ConnectorContext, 'backendName' | 'config' | 'env'>,
  options: { defaultVariable?: string; variableWinsOverYaml: boolean },
): ResolvedApiKeys {
  const { backendName, config, env } = context;
  const namedVariable = optionalConfigString(config, 'api_key_env', backendName);
  if (namedVariable !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(namedVariable)) {
    throw invalidBackendConfig(backendName, 'api_key_env', 'must be the name of an environment variable', JSON.stringify(namedVariable));
  }
  // Read first so a malformed YAML key is reported even when a variable would win.
  const yamlKeys = readYamlApiKeys(config, backendName);
  if (namedVariable !== undefined) return { apiKeys: readEnvironmentApiKeys(env, namedVariable), namedVariable };
  const variableKeys = options.defaultVariable === undefined ? [] : readEnvironmentApiKeys(env, options.defaultVariable);
  const [first, second] = options.variableWinsOverYaml ? [variableKeys, yamlKeys] : [yamlKeys, variableKeys];
  return { apiKeys: first.length > 0 ? first : second, namedVariable: undefined };
}

/** The error a request gets from a backend whose API key is missing. */
export function missingCredentialsError(backendName: string, namedVariable: string | undefined, where: string): LlmProxyError {
  return new LlmProxyError({
    code: 'BACKEND_CREDENTIALS_MISSING',
    message:
      namedVariable === undefined
        ? `Backend ${backendName} has no API key`
        : `Backend ${backendName} has no API key: the environment variable ${namedVariable} (named by backends.${backendName}.api_key_env) is not set`,
    fix: `Set the ${where} and restart llm-proxy`,
    httpStatus: 401,
    details: { backend: backendName },
  });
}
