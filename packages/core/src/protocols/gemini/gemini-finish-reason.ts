/**
 * @fileoverview Finish reasons between the Gemini API and the canonical model.
 */
import type { FinishReason } from '@llmproxy/connector-sdk';
import type { GeminiFinishReason } from './gemini-wire-types.js';

/** The reasons Gemini gives when a safety, recitation or policy filter cut the answer. */
const FILTER_REASONS: ReadonlySet<string> = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

/** The reasons Gemini gives when the model's function call could not be used. */
const TOOL_FAILURE_REASONS: ReadonlySet<string> = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS']);

/**
 * Reads a candidate's `finishReason`. Gemini says `STOP` after function calls too, so
 * `answeredWithToolCalls` turns that into `tool-calls`, which is what other clients expect.
 */
export function fromGeminiFinishReason(reason: unknown, answeredWithToolCalls: boolean): FinishReason {
  if (reason === 'STOP') return answeredWithToolCalls ? 'tool-calls' : 'stop';
  if (reason === 'MAX_TOKENS') return 'length';
  if (typeof reason === 'string' && FILTER_REASONS.has(reason)) return 'content-filter';
  if (typeof reason === 'string' && TOOL_FAILURE_REASONS.has(reason)) return 'error';
  return answeredWithToolCalls ? 'tool-calls' : 'other';
}

/** Writes a `finishReason` for a Gemini client; Gemini ends an answer with function calls with `STOP`. */
export function toGeminiFinishReason(reason: FinishReason): GeminiFinishReason {
  switch (reason) {
    case 'stop':
    case 'tool-calls':
      return 'STOP';
    case 'length':
      return 'MAX_TOKENS';
    case 'content-filter':
      return 'SAFETY';
    default:
      return 'OTHER';
  }
}
