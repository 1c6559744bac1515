/**
 * @fileoverview Reading one backend's YAML slice (`backends.<name>`), the `config` a connector
 * gets in its context. Every error names the exact key, shows the current value (never a
 * secret's) and says how to fix it, so connectors do not each write their own.
 */
import type { ModelInfo } from './canonical.js';
import { LlmProxyError } from './errors.js';
import { isRecord } from './is-record.js';

export interface OptionalConfigStringOptions {
  /** The value is a credential: the error never repeats it. */
  secret?: boolean;
}

/** A string setting, or undefined when absent. Empty strings count as absent. */
export function optionalConfigString(
  config: Readonly<Record<string, unknown>>,
  key: string,
  backendName: string,
  options: OptionalConfigStringOptions = {},
): string | undefined {
  const value = config[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    const shown = options.secret === true ? `a ${Array.isArray(value) ? 'list' : typeof value}` : describeConfigValue(value);
    throw invalidBackendConfig(backendName, key, 'must be a string', shown);
  }
  return value;
}

/** A number setting of at least 0, or undefined when absent. */
export function optionalConfigNumber(config: Readonly<Record<string, unknown>>, key: string, backendName: string): number | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidBackendConfig(backendName, key, 'must be a number of at least 0', describeConfigValue(value));
  }
  return value;
}

/** A string setting that must be one of `choices`, or undefined when absent. */
export function optionalConfigChoice<T extends string>(
  config: Readonly<Record<string, unknown>>,
  key: string,
  backendName: string,
  choices: readonly T[],
): T | undefined {
  const value = optionalConfigString(config, key, backendName);
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw invalidBackendConfig(backendName, key, `must be one of ${choices.join(', ')}`, describeConfigValue(value));
  }
  return value as T;
}

/** An absolute http(s) URL setting without its trailing slash, or undefined when absent. */
export function optionalConfigUrl(config: Readonly<Record<string, unknown>>, key: string, backendName: string): string | undefined {
  const value = optionalConfigString(config, key, backendName);
  return value === undefined ? undefined : checkedHttpUrl(value, `backends.${backendName}.${key}`, backendName);
}

/**
 * An absolute http(s) URL without its trailing slash, so paths can be appended. `source` names
 * where the value came from (`backends.x.base_url`, `OPENAI_BASE_URL`) for the error message.
 */
export function checkedHttpUrl(value: string, source: string, backendName: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new LlmProxyError({
      code: 'BACKEND_CONFIG_INVALID',
      message: `A URL setting of backend ${backendName} is not an absolute http:// or https:// URL`,
      currentValue: `${source} = ${value}`,
      fix: `Correct ${source}, e.g. https://api.example.com/v1`,
    });
  }
  return value.replace(/\/+$/, '');
}

/** The optional static `models` list: model ids, or objects with an `id` (and `owned_by`). */
export function optionalModelList(config: Readonly<Record<string, unknown>>, backendName: string): ModelInfo[] | undefined {
  const value = config['models'];
  if (value === undefined || value === null) return undefined;
  const problem = 'must be a list of model ids (strings) or of objects with an id';
  if (!Array.isArray(value)) throw invalidBackendConfig(backendName, 'models', problem, describeConfigValue(value));
  return value.map((entry: unknown, index): ModelInfo => {
    if (typeof entry === 'string' && entry !== '') return { id: entry };
    if (isRecord(entry) && typeof entry['id'] === 'string') {
      return typeof entry['owned_by'] === 'string' ? { id: entry['id'], ownedBy: entry['owned_by'] } : { id: entry['id'] };
    }
    throw invalidBackendConfig(backendName, `models[${index}]`, problem, describeConfigValue(entry));
  });
}

/** `BACKEND_CONFIG_INVALID` for `backends.<backendName>.<key>`. */
export function invalidBackendConfig(backendName: string, key: string, problem: string, currentValue?: string): LlmProxyError {
  return new LlmProxyError({
    code: 'BACKEND_CONFIG_INVALID',
    message: `backends.${backendName}.${key} ${problem}`,
    ...(currentValue === undefined ? {} : { currentValue }),
    fix: `Correct backends.${backendName}.${key} in the config file`,
  });
}

/** A config value as shown in an error: strings quoted, others with their JSON type. */
export function describeConfigValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `${JSON.stringify(value)} (${Array.isArray(value) ? 'array' : typeof value})`;
}
