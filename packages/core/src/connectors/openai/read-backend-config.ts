/**
 * @fileoverview Reading one backend's YAML slice (`backends.<name>`) with errors that name the
 * exact key, for the OpenAI connectors.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ModelInfo } from '@llmproxy/connector-sdk';

/**
 * A string setting, or undefined when absent. Empty strings count as absent. The value of a
 * `secret` setting is never repeated in the error.
 */
export function optionalConfigString(
  config: Record<string, unknown>,
  key: string,
  backendName: string,
  options: { secret?: boolean } = {},
): string | undefined {
  const value = config[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    const shown = options.secret === true ? `a ${Array.isArray(value) ? 'list' : typeof value}` : describeValue(value);
    throw invalidBackendConfig(backendName, key, `must be a string`, shown);
  }
  return value;
}

/**
 * An http(s) base URL without its trailing slash, so paths such as `/chat/completions` can be
 * appended. `source` names where the value came from, for the error message.
 */
export function normaliseBaseUrl(value: string, source: string, backendName: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new LlmProxyError({
      code: 'BACKEND_CONFIG_INVALID',
      message: `The base URL of backend ${backendName} is not a valid URL`,
      currentValue: `${source} = ${value}`,
      fix: 'Use an absolute http:// or https:// URL such as https://api.openai.com/v1',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LlmProxyError({
      code: 'BACKEND_CONFIG_INVALID',
      message: `The base URL of backend ${backendName} must use http or https`,
      currentValue: `${source} = ${value}`,
      fix: 'Use an absolute http:// or https:// URL such as https://api.openai.com/v1',
    });
  }
  return value.replace(/\/+$/, '');
}

/** The optional static `models` list: model ids, or objects with an `id`. */
export function optionalModelList(config: Record<string, unknown>, backendName: string): ModelInfo[] | undefined {
  const value = config['models'];
  if (value === undefined || value === null) return undefined;
  const problem = 'must be a list of model ids (strings) or of objects with an id';
  if (!Array.isArray(value)) throw invalidBackendConfig(backendName, 'models', problem, describeValue(value));
  return value.map((entry: unknown, index) => {
    if (typeof entry === 'string' && entry !== '') return { id: entry };
    if (typeof entry === 'object' && entry !== null && typeof (entry as { id?: unknown }).id === 'string') {
      const model = entry as { id: string; owned_by?: unknown };
      return typeof model.owned_by === 'string' ? { id: model.id, ownedBy: model.owned_by } : { id: model.id };
    }
    throw invalidBackendConfig(backendName, `models[${index}]`, problem, describeValue(entry));
  });
}

export function invalidBackendConfig(backendName: string, key: string, problem: string, currentValue?: string): LlmProxyError {
  return new LlmProxyError({
    code: 'BACKEND_CONFIG_INVALID',
    message: `backends.${backendName}.${key} ${problem}`,
    ...(currentValue === undefined ? {} : { currentValue }),
    fix: `Correct backends.${backendName}.${key} in the config file`,
  });
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `${JSON.stringify(value)} (${Array.isArray(value) ? 'array' : typeof value})`;
}
