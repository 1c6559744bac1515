/**
 * @fileoverview The `model_routes` setting: an ordered list of model-name patterns, each with
 * the `backend:model` target (or ordered list of targets) that serves a request asking for a
 * matching model. Coding agents name their own models (a small fast model for titles, a
 * default per release), so the operator maps those names instead of each client's settings.
 *
 * Here the YAML is checked and converted; matching (globs) happens in the server, which also
 * checks that each target's backend exists once the backends are loaded.
 */
import { Type, type Static } from '@sinclair/typebox';
import { LlmProxyError } from '@llmproxy/connector-sdk';

/** One backend and the model it is asked for. */
export interface ModelRouteTarget {
  readonly backend: string;
  readonly model: string;
}

/** One entry of `model_routes`: requests whose model matches `pattern` go to `targets`, first first. */
export interface ModelRouteRule {
  /** An exact model name or a glob such as `claude-*-haiku-*`. */
  readonly pattern: string;
  /** Tried in order: the next serves the request when one fails before its first byte. */
  readonly targets: readonly ModelRouteTarget[];
}

/** `backend:model`, the backend without `:` or spaces and the model not empty. */
export const MODEL_ROUTE_TARGET_PATTERN = '^[^:\\s]+:\\S+$';
const TARGET_ALLOWED = 'backend:model, e.g. anthropic:claude-sonnet-4-5';
export const MODEL_ROUTES_ALLOWED =
  'a list of {match: pattern, to: backend:model or a list of backend:model}; patterns are exact model names or globs such as claude-*-haiku-*';

const targetSchema = Type.String({ pattern: MODEL_ROUTE_TARGET_PATTERN, description: TARGET_ALLOWED });

export const modelRoutesSchema = Type.Array(
  Type.Object(
    {
      match: Type.String({ minLength: 1, pattern: '\\S', description: 'an exact model name or a glob such as claude-*-haiku-*' }),
      to: Type.Union([targetSchema, Type.Array(targetSchema, { minItems: 1, description: 'backend:model targets, tried in order' })], {
        description: `${TARGET_ALLOWED}, or a list of them tried in order`,
      }),
    },
    { additionalProperties: false, description: 'one route: match (a model name or glob) and to (its target or targets)' },
  ),
  { description: MODEL_ROUTES_ALLOWED },
);

/** The YAML list as validated by {@link modelRoutesSchema}, converted to rules. */
export function modelRoutesFromYaml(entries: Static<typeof modelRoutesSchema>, filepath: string): ModelRouteRule[] {
  return entries.map((entry, index) => ({
    pattern: entry.match.trim(),
    targets: (typeof entry.to === 'string' ? [entry.to] : entry.to).map((target) => parseTarget(target, `model_routes[${index}].to`, filepath)),
  }));
}

/** `backend:model` split at its first `:` (model names may contain more). */
export function parseTarget(text: string, key: string, filepath: string): ModelRouteTarget {
  const separator = text.indexOf(':');
  const backend = text.slice(0, separator).trim();
  const model = text.slice(separator + 1).trim();
  // The schema's pattern already refuses these; checked again because a converter trusts nothing.
  if (separator <= 0 || backend === '' || model === '') {
    throw new LlmProxyError({
      code: 'CONFIG_INVALID',
      message: `Invalid configuration in ${filepath}: ${key} is not a backend:model target`,
      currentValue: JSON.stringify(text),
      fix: `Write each target as ${TARGET_ALLOWED}`,
      details: { key, file: filepath },
    });
  }
  return { backend, model };
}

/** `pattern → backend:model, backend:model` for `config explain` and logs. */
export function describeModelRoute(rule: ModelRouteRule): string {
  return `${rule.pattern} → ${rule.targets.map((target) => `${target.backend}:${target.model}`).join(', ')}`;
}
