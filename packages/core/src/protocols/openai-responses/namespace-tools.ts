/**
 * @fileoverview Namespace tools, which Codex CLI sends to group functions (an MCP server's tools):
 * `{"type": "namespace", "name": "mcp__files", "tools": [{"type": "function", "name": "read", ...}]}`.
 * No other API groups tools, so each function becomes a plain function whose name joins the
 * namespace and the function (`mcp__files__read`); the model's calls of it go back to the
 * client as `{"name": "read", "namespace": "mcp__files"}`, which is how Codex dispatches them.
 *
 * A joined name keeps to the function-name rule every API shares (letters, digits, `_` and `-`,
 * at most 64 characters). When the plain join breaks that rule or names another tool, the name
 * is shortened and ends in a hash of the namespace and function, so it is still unique and the
 * same request always gets the same names (which keeps upstream prompt caches warm).
 */
import { createHash } from 'node:crypto';

/** A function inside a namespace, as the client names it. */
export interface NamespacedName {
  namespace: string;
  name: string;
}

/** Flattened function name → its namespace and name; empty when the request has no namespaces. */
export type NamespacedTools = ReadonlyMap<string, NamespacedName>;

/** The longest function name OpenAI, Anthropic and Gemini all accept. */
export const FUNCTION_NAME_LIMIT = 64;
const FUNCTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const SEPARATOR = '__';

/** Names flattened functions for one request, avoiding every name already taken. */
export class NamespaceFlattener {
  private readonly taken: Set<string>;
  private readonly byPair = new Map<string, string>();
  readonly tools = new Map<string, NamespacedName>();

  /** `plainNames`: the request's own top-level tool names, which flattened names must not take. */
  constructor(plainNames: Iterable<string>) {
    this.taken = new Set(plainNames);
  }

  /** The flattened name of `name` in `namespace`; the same pair always gets the same name. */
  flatten(namespace: string, name: string): string {
    const key = `${namespace}\u0000${name}`;
    const known = this.byPair.get(key);
    if (known !== undefined) return known;
    let flat = `${namespace}${SEPARATOR}${name}`;
    if (!FUNCTION_NAME_PATTERN.test(flat) || this.taken.has(flat)) {
      const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
      const readable = flat.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, FUNCTION_NAME_LIMIT - hash.length - 1);
      flat = `${readable}_${hash}`;
      for (let attempt = 2; this.taken.has(flat); attempt += 1) flat = `${readable.slice(0, FUNCTION_NAME_LIMIT - hash.length - 1 - String(attempt).length)}${attempt}_${hash}`;
    }
    this.taken.add(flat);
    this.byPair.set(key, flat);
    this.tools.set(flat, { namespace, name });
    return flat;
  }

  /** The flattened name for a call or choice the client names with a namespace, if it declared it. */
  lookup(namespace: string, name: string): string | undefined {
    return this.byPair.get(`${namespace}\u0000${name}`);
  }
}

/** How the client names the function the model called as `flatName`: its name, and its namespace if it has one. */
export function clientToolName(flatName: string, tools: NamespacedTools | undefined): { name: string; namespace?: string } {
  const namespaced = tools?.get(flatName);
  return namespaced === undefined ? { name: flatName } : { name: namespaced.name, namespace: namespaced.namespace };
}
