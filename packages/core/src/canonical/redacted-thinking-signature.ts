/**
 * @fileoverview Anthropic `redacted_thinking` blocks inside canonical stream events.
 *
 * A redacted thinking block is opaque data that must go back to Anthropic unchanged in the
 * next turn. Canonical responses carry it in `ReasoningPart.redactedData`, but the canonical
 * `reasoning-delta` event has no such field, so a streamed block travels as a reasoning delta
 * with empty text whose signature is the data behind a fixed marker. Anthropic renderers and the
 * Anthropic request builder turn it back into a `redacted_thinking` block; other front-ends see
 * an empty reasoning delta with an opaque signature, which they may hand back as they would any
 * signature.
 */

const MARKER = 'llmproxy.redacted_thinking:';

/** The signature that stands for a redacted thinking block's `data`. */
export function redactedThinkingSignature(data: string): string {
  return MARKER + data;
}

/** The redacted thinking `data` a signature stands for, or undefined for an ordinary signature. */
export function redactedThinkingData(signature: string | undefined): string | undefined {
  return signature !== undefined && signature.startsWith(MARKER) ? signature.slice(MARKER.length) : undefined;
}
