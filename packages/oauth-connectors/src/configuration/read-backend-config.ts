/**
 * @fileoverview Reading one backend's YAML slice (`backends.<name>`), with errors that name the
 * exact key.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ModelInfo } from '@llmproxy/connector-sdk';

export function optionalString(config: Record<string, unknown>, key: string, backendName: string): string | undefined {
  const value = config[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalidBackendConfig(backendName, key, 'must be a string', describe(value));
  return value;
}

export function optionalPositiveNumber(config: Record<string, unknown>, key: string, backendName: string): number | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidBackendConfig(backendName, key, 'must be a number of at least 0', describe(value));
  }
  return value;
}

export function optionalChoice<T extends string>(
  config: Record<string, unknown>,
  key: string,
  backendName: string,
  choices: readonly T[],
): T | undefined {
  const value = optionalString(config, key, backendName);
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw invalidBackendConfig(backendName, key, `must be one of ${choices.join(', ')}`, describe(value));
  }
  return value as T;
}

/** An http(s) URL without its trailing slash. */
export function optionalUrl(config: Record<string, unknown>, key: string, backendName: string): string | undefined {
  const value = optionalString(config, key, backendName);
  if (value === undefined) return undefined;
  return checkedUrl(value, `backends.${backendName}.${key}`, backendName);
}

export function checkedUrl(value: string, source: string, backendName: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new LlmProxyError({
      code: 'BACKEND_CONFIG_INVALID',
      message: `A URL setting of backend ${backendName} is not an absolute http(s) URL`,
      currentValue: `${source} = ${value}`,
      fix: `Correct ${source}`,
    });
  }
  return value.replace(/\/+$/, '');
}

/** The optional `models` list: ids, or objects with an `id`. */
export function optionalModelList(config: Record<string, unknown>, backendName: string): ModelInfo[] | undefined {
  const value = config['models'];
  if (value === undefined || value === null) return undefined;
  const problem = 'must be a list of model ids (strings) or of objects with an id';
  if (!Array.isArray(value)) throw invalidBackendConfig(backendName, 'models', problem, describe(value));
  return value.map((entry: unknown, index) => {
    if (typeof entry === 'string' && entry !== '') return { id: entry };
    if (typeof entry === 'object' && entry !== null && typeof (entry as { id?: unknown }).id === 'string') {
      return { id: (entry as { id: string }).id };
    }
    throw invalidBackendConfig(backendName, `models[${index}]`, problem, describe(entry));
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

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `${JSON.stringify(value)} (${Array.isArray(value) ? 'array' : typeof value})`;
}
