/**
 * @fileoverview Where a Gemini `thoughtSignature` lives in the canonical model, and back.
 *
 * Gemini may put a signature on any part: on a thought part, on the first function call of a
 * step, on the last text part, or on an otherwise empty part at the end of a stream. The
 * canonical model has one place for it, {@link ReasoningPart.signature}, so the rule is:
 *
 * - a signed thought part is a reasoning part with that signature;
 * - a signature on any other part travels on a reasoning part placed right before that part,
 *   folded into the reasoning part just before it when that one has no signature yet (which is
 *   what collecting a stream does too, so streamed and whole answers read the same);
 * - going back to Gemini, a signed reasoning part directly followed by another part of the same
 *   message gives its signature to that part; otherwise the signature stays on the thought part.
 *
 * So `[thought, functionCall+signature]` reads as `[reasoning+signature, tool-call]` and is
 * written back as it came, and an Anthropic `thinking` block with its signature, followed by a
 * `tool_use`, reaches a Gemini client as a thought part and a signed function call that the
 * client hands back unchanged.
 */
import type { ContentPart } from '@llmproxy/connector-sdk';

/**
 * Adds the signature of a Gemini part that is not a thought (text, function call, an empty
 * part) to `parts`, the canonical parts read so far from the same content, before the part
 * itself is added.
 */
export function placeThoughtSignature(parts: ContentPart[], signature: string): void {
  const previous = parts.at(-1);
  if (previous?.type === 'reasoning' && previous.signature === undefined && previous.redactedData === undefined) {
    previous.signature = signature;
    return;
  }
  parts.push({ type: 'reasoning', text: '', signature });
}

/**
 * Adds the text of a thought part, joining it to an unsigned reasoning part right before it
 * (thought summaries stream in pieces). A signature, when the part has one, closes the part.
 */
export function appendThought(parts: ContentPart[], text: string, signature: string | undefined): void {
  const previous = parts.at(-1);
  if (previous?.type === 'reasoning' && previous.signature === undefined && previous.redactedData === undefined) {
    previous.text += text;
    if (signature !== undefined) previous.signature = signature;
    return;
  }
  parts.push(signature === undefined ? { type: 'reasoning', text } : { type: 'reasoning', text, signature });
}
