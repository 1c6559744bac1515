/**
 * @fileoverview Stop reasons between Anthropic Messages and the canonical model.
 */
import type { FinishReason } from '@llmproxy/connector-sdk';
import type { AnthropicStopReason } from './anthropic-messages-wire-types.js';

/**
 * Reads an upstream `stop_reason`. Running out of context is a length stop; `pause_turn` (a
 * server tool paused a long turn) has no canonical equivalent and is `other`.
 */
export function fromAnthropicStopReason(reason: unknown): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}

/**
 * Writes a `stop_reason` for an Anthropic client. An answer that holds tool calls ends in
 * `tool_use` even when its upstream said `stop` (some OpenAI-compatible servers do), because
 * Anthropic clients such as Claude Code run the tools only after a `tool_use` stop.
 */
export function toAnthropicStopReason(reason: FinishReason, hasToolCalls: boolean): AnthropicStopReason {
  switch (reason) {
    case 'tool-calls':
      return 'tool_use';
    case 'length':
      return 'max_tokens';
    case 'content-filter':
      return 'refusal';
    default:
      return hasToolCalls ? 'tool_use' : 'end_turn';
  }
}
