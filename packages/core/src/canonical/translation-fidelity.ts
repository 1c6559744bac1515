/**
 * @fileoverview The fidelity policy for a request translated to another API: each field a
 * front-end receives is declared, in one table per front-end, as *content* (translated
 * faithfully, or refused by name where it cannot be) or as a *hint* (bookkeeping, caching,
 * context-editing and tool-loading hints, service tier, store flags, ids, hosted tools only one
 * vendor runs: dropped). A field the table does not name is *unknown*: dropped, or refused when
 * the operator sets `translation.unknown_fields: refuse`. An upstream of the client's own API
 * gets every field as the client sent it.
 *
 * The route attaches the policy to the request's protocol extras before it calls the
 * connector; the connector applies it while it builds the upstream body (in
 * forwardable-protocol-extras.ts) and records what it dropped, which the route reads back
 * before it writes the response headers.
 */
import type { ProtocolExtras, WireProtocol } from '@llmproxy/connector-sdk';

/** How a declared request field crosses to another API. */
export type RequestFieldClass = 'content' | 'hint';

/**
 * A front-end's declared request fields: field path pattern → class. Patterns are field paths
 * with every list index written `[]` (`tools[].defer_loading`, `messages[].content[].cache_control`).
 */
export type RequestFieldTable = Readonly<Record<string, RequestFieldClass>>;

/** What happens to a field no table names, across APIs. */
export type UnknownFieldsPolicy = 'drop' | 'refuse';

/** What was dropped building one upstream body. */
export interface DroppedFields {
  /** Field paths as the client sent them (`context_management`, `tools[3].defer_loading`), in request order. */
  fields: readonly string[];
  from: WireProtocol;
  to: WireProtocol;
  backend: string;
}

/** One request's policy, and what applying it dropped. */
export interface TranslationFidelity {
  readonly table: RequestFieldTable;
  readonly unknownFields: UnknownFieldsPolicy;
  /**
   * Paths of fields the front-end kept only for an upstream of its own API, outside the protocol
   * extras (as vendor provider options, or not at all): cache breakpoints, tool-loading hints,
   * hosted tools. Any other upstream never receives them.
   */
  readonly vendorOnlyFields: readonly string[];
  /** Set by the last body built for the request; undefined until then, or when nothing was dropped. */
  dropped: DroppedFields | undefined;
}

/** Keyed by the extras object, which every copy of the request (`{...request}`) shares. */
const fidelityByExtras = new WeakMap<ProtocolExtras, TranslationFidelity>();

export function attachTranslationFidelity(extras: ProtocolExtras, fidelity: TranslationFidelity): void {
  fidelityByExtras.set(extras, fidelity);
}

/** The policy attached to `extras`; undefined for a request that did not come through the chat route. */
export function translationFidelityOf(extras: ProtocolExtras): TranslationFidelity | undefined {
  return fidelityByExtras.get(extras);
}

/** `tools[3].defer_loading` → `tools[].defer_loading`: the table key of a field path. */
export function fieldPattern(path: string): string {
  return path.replace(/\[\d+\]/g, '[]');
}

/** The class of `path` in `table`, or undefined when the table does not declare it. */
export function classifyRequestField(table: RequestFieldTable, path: string): RequestFieldClass | undefined {
  return table[fieldPattern(path)];
}

/** Most field paths a header, log line or error message lists before it summarises the rest. */
export const FIELD_LIST_LIMIT = 32;

/**
 * `fields` made safe to repeat (see {@link headerSafePath}), each once, in order, at most
 * {@link FIELD_LIST_LIMIT} of them, and how many more there were: a request with thousands of
 * cache breakpoints or unknown keys cannot make a header, log line or error unbounded.
 */
export function limitedFieldList(fields: readonly string[]): { shown: string[]; more: number } {
  const unique = [...new Set(fields.map(headerSafePath))];
  return { shown: unique.slice(0, FIELD_LIST_LIMIT), more: Math.max(0, unique.length - FIELD_LIST_LIMIT) };
}

/**
 * The `x-llmproxy-dropped-fields` value: the paths, comma-and-space separated, duplicates
 * removed, in request order; past {@link FIELD_LIST_LIMIT} paths the list ends with `+N more`.
 */
export function formatDroppedFieldsHeader(fields: readonly string[]): string {
  const { shown, more } = limitedFieldList(fields);
  return more > 0 ? `${shown.join(', ')}, +${more} more` : shown.join(', ');
}

/** Longest field path a header or log line repeats; client-chosen keys are cut there. */
const FIELD_PATH_LIMIT = 128;

/**
 * A field path as a header-safe token: unknown keys are the client's choice, so anything outside
 * printable ASCII, and the list's own separator, becomes `?`, and the path is cut at
 * {@link FIELD_PATH_LIMIT} characters.
 */
export function headerSafePath(path: string): string {
  const safe = path.replace(/[^\x21-\x7e]|,/g, '?');
  return safe.length > FIELD_PATH_LIMIT ? `${safe.slice(0, FIELD_PATH_LIMIT)}...` : safe;
}
