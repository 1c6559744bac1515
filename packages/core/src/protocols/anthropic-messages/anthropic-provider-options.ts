/**
 * @fileoverview The Anthropic hints a request carries in canonical `providerOptions.anthropic`:
 * what an Anthropic client sent that matters only to an Anthropic upstream — prompt-cache
 * breakpoints (`cache_control` on a content part or tool definition) and the exact thinking
 * configuration (`thinking`, `effort` for `output_config.effort`) on the request.
 *
 * Being plain data on the canonical model, they follow the request through routing and reach
 * any connector, built in or third-party; connectors for other vendors ignore them. Dropping a
 * cache breakpoint for another vendor does not change the answer (OpenAI and Gemini cache
 * prompts on their own), and the thinking configuration reaches every backend in its canonical
 * form (`reasoning`).
 */
import { isRecord } from '@llmproxy/connector-sdk';
import type { ChatRequest, ProviderOptions } from '@llmproxy/connector-sdk';
import type { AnthropicCacheControl } from './anthropic-messages-wire-types.js';

/** The `providerOptions` key of Anthropic hints. */
export const ANTHROPIC_PROVIDER_OPTIONS_KEY = 'anthropic';

/** Key of a client tool's fields beyond the canonical ones (`defer_loading`, ...), verbatim. */
export const ANTHROPIC_TOOL_FIELDS_KEY = 'tool_fields';

/** Key of the request's server tools (Anthropic-run, e.g. `web_search_20250305`), verbatim. */
export const ANTHROPIC_SERVER_TOOLS_KEY = 'server_tools';

/** The thinking settings of an Anthropic request, verbatim. */
export interface AnthropicReasoningOptions {
  /** The request's `thinking` object. */
  thinking?: Record<string, unknown>;
  /** The request's `output_config.effort`. */
  effort?: string;
}

/** Anything on the canonical model that may carry provider options. */
interface WithProviderOptions {
  providerOptions?: ProviderOptions;
}

/** Merges `options` into `target.providerOptions.anthropic`; returns `target`. */
export function withAnthropicOptions<T extends WithProviderOptions>(target: T, options: Record<string, unknown>): T {
  const existing = target.providerOptions?.[ANTHROPIC_PROVIDER_OPTIONS_KEY];
  target.providerOptions = { ...target.providerOptions, [ANTHROPIC_PROVIDER_OPTIONS_KEY]: { ...existing, ...options } };
  return target;
}

/** The `cache_control` breakpoint of a content part or tool definition, if any. */
export function cacheControlOf(target: WithProviderOptions): AnthropicCacheControl | undefined {
  const cacheControl = target.providerOptions?.[ANTHROPIC_PROVIDER_OPTIONS_KEY]?.['cache_control'];
  return isRecord(cacheControl) ? (cacheControl as AnthropicCacheControl) : undefined;
}

/** The verbatim Anthropic thinking settings of `request`, if it carries any. */
export function reasoningOptionsOf(request: ChatRequest): AnthropicReasoningOptions | undefined {
  const options = request.providerOptions?.[ANTHROPIC_PROVIDER_OPTIONS_KEY];
  if (options === undefined) return undefined;
  const thinking = options['thinking'];
  const effort = options['effort'];
  const result: AnthropicReasoningOptions = {};
  if (isRecord(thinking)) result.thinking = thinking;
  if (typeof effort === 'string') result.effort = effort;
  return result.thinking === undefined && result.effort === undefined ? undefined : result;
}

/** A tool definition's fields beyond the canonical ones, as its Anthropic client sent them. */
export function toolFieldsOf(target: WithProviderOptions): Record<string, unknown> {
  const fields = target.providerOptions?.[ANTHROPIC_PROVIDER_OPTIONS_KEY]?.[ANTHROPIC_TOOL_FIELDS_KEY];
  return isRecord(fields) ? fields : {};
}

/** The server tools of `request`, as its Anthropic client sent them. */
export function serverToolsOf(request: ChatRequest): Array<Record<string, unknown>> {
  const tools = request.providerOptions?.[ANTHROPIC_PROVIDER_OPTIONS_KEY]?.[ANTHROPIC_SERVER_TOOLS_KEY];
  return Array.isArray(tools) ? tools.filter(isRecord) : [];
}
