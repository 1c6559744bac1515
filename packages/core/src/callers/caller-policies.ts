/**
 * @fileoverview What a caller may do, from `caller_defaults`, then `caller_groups` for each SSO
 * group the caller has (in the order of `caller_groups` in the file), then the caller's own
 * entry under `callers`: each later one overrides the fields it sets (`limits` field by field).
 * Model patterns are globs (picomatch) over `backend:model`, compiled once per caller.
 */
import picomatch from 'picomatch';

import type { Budget, CallerDirectory, CallerSettings } from '../config/proxy-settings.js';

export interface CallerPolicy {
  callerId: string;
  /** The display name, or the caller id. */
  name: string;
  admin: boolean;
  /** The glob patterns of `models`, or undefined when every model is allowed. */
  modelPatterns: readonly string[] | undefined;
  allowsModel(backendAndModel: string): boolean;
  limits: { requestsPerMinute?: number; tokensPerMinute?: number; concurrentStreams?: number };
  budgets: readonly Budget[];
}

/** How many distinct caller/group combinations keep their compiled policy. */
const CACHED_POLICIES = 10_000;

export class CallerPolicies {
  private readonly cache = new Map<string, CallerPolicy>();

  constructor(private readonly directory: CallerDirectory) {}

  policyFor(callerId: string, groups: readonly string[] = []): CallerPolicy {
    const cacheKey = groups.length === 0 ? callerId : `${callerId}\u0000${groups.join('\u0000')}`;
    let policy = this.cache.get(cacheKey);
    if (policy === undefined) {
      policy = this.compile(callerId, groups);
      if (this.cache.size >= CACHED_POLICIES) this.cache.clear();
      this.cache.set(cacheKey, policy);
    }
    return policy;
  }

  private compile(callerId: string, groups: readonly string[]): CallerPolicy {
    const layers: CallerSettings[] = [this.directory.defaults];
    for (const [group, settings] of Object.entries(this.directory.byGroup)) {
      if (groups.includes(group)) layers.push(settings);
    }
    const own = this.directory.byId[callerId];
    if (own !== undefined) layers.push(own);

    const merged: CallerSettings = {};
    for (const layer of layers) {
      if (layer.name !== undefined) merged.name = layer.name;
      if (layer.admin !== undefined) merged.admin = layer.admin;
      if (layer.models !== undefined) merged.models = layer.models;
      if (layer.limits !== undefined) merged.limits = { ...merged.limits, ...layer.limits };
      if (layer.budgets !== undefined) merged.budgets = layer.budgets;
    }
    const patterns = merged.models;
    // bash mode: `*` also crosses `/`, since model names such as openrouter's openai/gpt-4o are not paths.
    const matches = patterns === undefined || patterns.length === 0 ? () => patterns === undefined : picomatch([...patterns], { dot: true, bash: true });
    return {
      callerId,
      name: merged.name ?? callerId,
      admin: merged.admin ?? false,
      modelPatterns: patterns,
      allowsModel: (backendAndModel) => matches(backendAndModel),
      limits: merged.limits ?? {},
      budgets: merged.budgets ?? [],
    };
  }
}
