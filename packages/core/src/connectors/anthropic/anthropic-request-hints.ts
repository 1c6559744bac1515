/**
 * @fileoverview What an Anthropic client sent that the canonical model has no field for and that
 * matters only to an Anthropic upstream: prompt-cache breakpoints (`cache_control`) and the exact
 * thinking configuration (`thinking`, `output_config.effort`).
 *
 * The hints are attached, in process memory, to the canonical objects they describe (a content
 * part, a tool definition, the request's `reasoning` object), so they follow those objects
 * through routing without changing the canonical shape. The `anthropic` connector puts them
 * back; other connectors never see them. Dropping a cache breakpoint for another vendor does not
 * change the answer (OpenAI and Gemini cache prompts on their own), and the thinking
 * configuration reaches every backend in its canonical form (`reasoning`).
 */
import type { AnthropicCacheControl } from './anthropic-messages-wire-types.js';

/** The thinking settings of an Anthropic request, verbatim. */
export interface AnthropicReasoningHint {
  /** The request's `thinking` object. */
  thinking?: Record<string, unknown>;
  /** The request's `output_config.effort`. */
  effort?: string;
}

const cacheControls = new WeakMap<object, AnthropicCacheControl>();
const reasoningHints = new WeakMap<object, AnthropicReasoningHint>();

/** Remembers the `cache_control` of the block or tool that became `target`. */
export function setCacheControl(target: object, cacheControl: AnthropicCacheControl): void {
  cacheControls.set(target, cacheControl);
}

export function cacheControlOf(target: object): AnthropicCacheControl | undefined {
  return cacheControls.get(target);
}

/** Remembers the Anthropic thinking settings behind a canonical `reasoning` object. */
export function setReasoningHint(reasoning: object, hint: AnthropicReasoningHint): void {
  reasoningHints.set(reasoning, hint);
}

export function reasoningHintOf(reasoning: object | undefined): AnthropicReasoningHint | undefined {
  return reasoning === undefined ? undefined : reasoningHints.get(reasoning);
}
