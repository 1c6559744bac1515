/**
 * @fileoverview Turns ajv's validation errors for the YAML file into one `CONFIG_INVALID` error
 * per offending key, each naming the key, the bad value and what is allowed (the schema's
 * `description`), so a user fixes every problem after a single run.
 */
import type { ErrorObject } from 'ajv';
import { LlmProxyError } from '@llmproxy/connector-sdk';

/** Last key segments whose values are secrets wherever they appear (an inline SSO client secret). */
const SECRET_KEY_NAMES = new Set(['client_secret']);

/** `secretKeys`: YAML keys (the secret settings') whose values are never shown, at any depth below them. */
export function describeSchemaErrors(errors: readonly ErrorObject[], filepath: string, secretKeys: readonly string[]): LlmProxyError[] {
  const described = new Map<string, LlmProxyError>();
  for (const error of errors) {
    // The failing `pattern` of a property name is reported again as `propertyNames`; keep that one.
    if (error.propertyName !== undefined) continue;
    const problem = describeOne(error, filepath, secretKeys);
    if (!described.has(problem.key)) described.set(problem.key, problem.error);
  }
  return [...described.values()];
}

function describeOne(error: ErrorObject, filepath: string, secretKeys: readonly string[]): { key: string; error: LlmProxyError } {
  const parentKey = keyFromPointer(error.instancePath);
  const where = `Invalid configuration in ${filepath}`;

  if (error.keyword === 'additionalProperties') {
    const unknownKey = String((error.params as { additionalProperty: string }).additionalProperty);
    const key = joinKey(parentKey, unknownKey);
    const knownKeys = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    const suggestion = closestKey(unknownKey, knownKeys);
    const scope = parentKey === '' ? 'at the top level' : `under ${parentKey}`;
    return {
      key,
      error: new LlmProxyError({
        code: 'CONFIG_INVALID',
        message: `${where}: unknown key ${key}`,
        fix:
          (suggestion === undefined ? '' : `Did you mean ${joinKey(parentKey, suggestion)}? `) +
          `Allowed keys ${scope}: ${knownKeys.join(', ')}`,
        details: { key, file: filepath },
      }),
    };
  }

  if (error.keyword === 'propertyNames') {
    const name = String((error.params as { propertyName: string }).propertyName);
    const key = joinKey(parentKey, name);
    return {
      key,
      error: new LlmProxyError({
        code: 'CONFIG_INVALID',
        message: `${where}: ${key} has a name that is not allowed`,
        currentValue: JSON.stringify(name),
        fix: `Allowed: ${describeAllowed(error)}`,
        details: { key, file: filepath },
      }),
    };
  }

  const key = parentKey === '' ? '(top level)' : parentKey;
  return {
    key,
    error: new LlmProxyError({
      code: 'CONFIG_INVALID',
      message: `${where}: ${key} has a value that is not allowed`,
      currentValue: displayValue(parentKey, error.data, secretKeys),
      fix: `Allowed: ${describeAllowed(error)}`,
      details: { key, file: filepath },
    }),
  };
}

function describeAllowed(error: ErrorObject): string {
  const description = (error.parentSchema as { description?: unknown } | undefined)?.description;
  return typeof description === 'string' ? description : (error.message ?? 'see the configuration reference');
}

function displayValue(key: string, value: unknown, secretKeys: readonly string[]): string {
  const lastSegment = key.split('.').at(-1) ?? '';
  if (SECRET_KEY_NAMES.has(lastSegment) || secretKeys.some((prefix) => key === prefix || key.startsWith(`${prefix}[`))) {
    return `(hidden: a ${describeType(value)})`;
  }
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'mapping' : typeof value;
}

/** `/auth/api_keys/0` → `auth.api_keys[0]`. */
function keyFromPointer(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((key, segment) => (/^\d+$/.test(segment) ? `${key}[${segment}]` : joinKey(key, segment)), '');
}

function joinKey(parent: string, child: string): string {
  return parent === '' ? child : `${parent}.${child}`;
}

/** The known key within a small edit distance of a misspelt one, if any. */
function closestKey(unknownKey: string, knownKeys: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of knownKeys) {
    const distance = editDistance(unknownKey.toLowerCase(), candidate.toLowerCase());
    if (distance <= 3 && (best === undefined || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= right.length; column += 1) {
      const substitution = (previous[column - 1] ?? 0) + (left[row - 1] === right[column - 1] ? 0 : 1);
      current.push(Math.min((previous[column] ?? 0) + 1, (current[column - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}
