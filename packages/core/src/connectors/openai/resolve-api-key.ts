/**
 * @fileoverview Where an OpenAI-style backend's API key comes from: an environment variable
 * named in YAML (`api_key_env`), the key itself in YAML (`api_key`), or a vendor variable.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ConnectorContext } from '@llmproxy/connector-sdk';
import { invalidBackendConfig, optionalConfigString } from './read-backend-config.js';

export interface ResolvedApiKey {
  apiKey: string | undefined;
  /** The variable named by `api_key_env`, when configured (its absence is then an error of its own). */
  namedVariable: string | undefined;
}

/**
 * Order: the variable named by `api_key_env`; then `defaultVariable` and `api_key`, the
 * variable first when `variableWinsOverYaml`. Without a `defaultVariable` only YAML counts.
 */
export function resolveApiKey(
  context: Pick<ConnectorContext, 'backendName' | 'config' | 'env'>,
  options: { defaultVariable?: string; variableWinsOverYaml: boolean },
): ResolvedApiKey {
  const { backendName, config, env } = context;
  const namedVariable = optionalConfigString(config, 'api_key_env', backendName);
  if (namedVariable !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(namedVariable)) {
    throw invalidBackendConfig(backendName, 'api_key_env', 'must be the name of an environment variable', JSON.stringify(namedVariable));
  }
  const yamlKey = optionalConfigString(config, 'api_key', backendName, { secret: true });
  if (namedVariable !== undefined) return { apiKey: nonEmpty(env[namedVariable]), namedVariable };
  const variableKey = options.defaultVariable === undefined ? undefined : nonEmpty(env[options.defaultVariable]);
  const apiKey = options.variableWinsOverYaml ? (variableKey ?? yamlKey) : (yamlKey ?? variableKey);
  return { apiKey, namedVariable: undefined };
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

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
