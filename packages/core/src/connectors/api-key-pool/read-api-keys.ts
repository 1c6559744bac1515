/**
 * @fileoverview Where an API-key backend's keys come from: the vendor variable (`OPENAI_API_KEY`),
 * its numbered siblings (`OPENAI_API_KEY_1` .. `OPENAI_API_KEY_N`), or the backend's YAML slice
 * (`api_key`, a string, or `api_keys`, a list).
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';

export interface ReadApiKeysOptions {
  /** The process environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** The backend's YAML slice (`backends.<name>`). */
  config: Record<string, unknown>;
  /** The vendor variable, e.g. `OPENAI_API_KEY`; `<envVar>_<n>` are read too. */
  envVar: string;
  /** Names the backend in configuration errors; defaults to "this backend". */
  backendName?: string;
}

/**
 * Returns the configured keys in pool order, without empty values or duplicates.
 *
 * Environment variables win over YAML (the project rule CLI > env > YAML): when `<envVar>` or
 * any `<envVar>_<n>` is set, YAML keys are ignored. Environment order is `<envVar>` first, then
 * `<envVar>_<n>` by ascending n (gaps allowed, so removing `_2` keeps `_3`). YAML order is
 * `api_key` first, then the `api_keys` list. A YAML value of the wrong type is an error
 * (`BACKEND_CONFIG_INVALID`) that never repeats the value, since it may be a key.
 */
export function readApiKeys(options: ReadApiKeysOptions): string[] {
  const environmentKeys = readEnvironmentApiKeys(options.env, options.envVar);
  if (environmentKeys.length > 0) return environmentKeys;
  return readYamlApiKeys(options.config, options.backendName);
}

/** The keys of `<envVar>` then `<envVar>_<n>` by ascending n, for connectors with their own precedence. */
export function readEnvironmentApiKeys(env: Readonly<Record<string, string | undefined>>, envVar: string): string[] {
  const numbered: Array<{ number: number; key: string }> = [];
  const prefix = `${envVar}_`;
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(prefix) || value === undefined || value.trim() === '') continue;
    const suffix = name.slice(prefix.length);
    if (!/^[0-9]+$/.test(suffix)) continue;
    numbered.push({ number: Number(suffix), key: value.trim() });
  }
  numbered.sort((left, right) => left.number - right.number);
  const single = env[envVar]?.trim();
  const keys = single === undefined || single === '' ? [] : [single];
  return unique([...keys, ...numbered.map((entry) => entry.key)]);
}

/** The keys of YAML `api_key` then `api_keys`, for connectors with their own precedence. */
export function readYamlApiKeys(config: Record<string, unknown>, backendName?: string): string[] {
  const keys: string[] = [];
  const single = config['api_key'];
  if (single !== undefined && single !== null && single !== '') {
    if (typeof single !== 'string') throw invalidKeySetting(backendName, 'api_key', 'must be a string', describeType(single));
    keys.push(single.trim());
  }
  const list = config['api_keys'];
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) throw invalidKeySetting(backendName, 'api_keys', 'must be a list of strings', describeType(list));
    list.forEach((entry: unknown, index) => {
      if (typeof entry !== 'string') {
        throw invalidKeySetting(backendName, `api_keys[${index}]`, 'must be a string', describeType(entry));
      }
      keys.push(entry.trim());
    });
  }
  return unique(keys.filter((key) => key !== ''));
}

function unique(keys: string[]): string[] {
  return [...new Set(keys)];
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

function invalidKeySetting(backendName: string | undefined, key: string, problem: string, currentValue: string): LlmProxyError {
  const path = backendName === undefined ? key : `backends.${backendName}.${key}`;
  return new LlmProxyError({
    code: 'BACKEND_CONFIG_INVALID',
    message: `${path} ${problem}`,
    currentValue,
    fix: `Correct ${path} in the config file`,
  });
}
