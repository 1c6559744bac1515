/**
 * @fileoverview Matches a request's model name against the `model_routes` patterns with
 * picomatch (the one module that imports it). A pattern is an exact name or a glob: `*` and `?`
 * stay within one `/`-separated part of a name (`openai/*` matches `openai/gpt-4o`), `**`
 * crosses `/`, and `{a,b}` and `[abc]` work as in shell globs. Matching is case-sensitive, as
 * model names are.
 */
import picomatch from 'picomatch';
import type { ModelRouteRule } from '../config/model-routes.js';

export type ModelRouteMatcher = (model: string) => ModelRouteRule | undefined;

const compiled = new WeakMap<readonly ModelRouteRule[], ModelRouteMatcher>();

/** The first rule whose pattern matches a model name; compiled once per routes list. */
export function modelRouteMatcher(rules: readonly ModelRouteRule[]): ModelRouteMatcher {
  const cached = compiled.get(rules);
  if (cached !== undefined) return cached;
  const tests = rules.map((rule) => ({ rule, test: picomatch(rule.pattern, { dot: true }) }));
  const matcher: ModelRouteMatcher = (model) => {
    if (model === '') return undefined;
    return tests.find((candidate) => candidate.test(model))?.rule;
  };
  compiled.set(rules, matcher);
  return matcher;
}

/** True for a pattern with no glob syntax: a model name that can be listed as a model. */
export function isExactModelName(pattern: string): boolean {
  return !picomatch.scan(pattern).isGlob;
}

/** A model name a route serves, listed beside the backends' own models. */
export interface RoutedModelName {
  /** The name as the client writes it. */
  id: string;
  /** The first target's backend. */
  backend: string;
  /** The first target's model on it. */
  model: string;
}

/**
 * The routes' exact names, for the model lists: a glob is not a model name a client could pick,
 * so only exact patterns are listed.
 */
export function routedModelNames(rules: readonly ModelRouteRule[]): RoutedModelName[] {
  const listed = new Set<string>();
  const names: RoutedModelName[] = [];
  for (const rule of rules) {
    // An earlier route with the same name wins, as it does for requests.
    if (!isExactModelName(rule.pattern) || listed.has(rule.pattern)) continue;
    listed.add(rule.pattern);
    const first = rule.targets[0]!;
    names.push({ id: rule.pattern, backend: first.backend, model: first.model });
  }
  return names;
}
