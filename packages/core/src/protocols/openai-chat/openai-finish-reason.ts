/**
 * @fileoverview Finish reasons between OpenAI Chat Completions and the canonical model.
 */
import type { FinishReason } from '@llmproxy/connector-sdk';
import type { OpenAIFinishReason } from './openai-chat-wire-types.js';

/** Reads an upstream `finish_reason`. The legacy `function_call` means a tool call too. */
export function fromOpenAIFinishReason(reason: unknown): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}

/**
 * Writes a `finish_reason` for an OpenAI client. OpenAI has no value for `error` or `other`;
 * `stop` is what its clients handle as a normal end.
 */
export function toOpenAIFinishReason(reason: FinishReason): OpenAIFinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}
