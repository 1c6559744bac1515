/**
 * @fileoverview Anthropic `redacted_thinking` data carried through a Responses client as a
 * reasoning item's `encrypted_content`. The client returns it unchanged on the next turn, so a
 * marker prefix is enough to tell it from a signature when it comes back.
 */

const REDACTED_PREFIX = 'llmproxy-redacted-thinking:';

export function encodeRedactedReasoning(data: string): string {
  return `${REDACTED_PREFIX}${data}`;
}

/** The redacted data inside `encryptedContent`, or undefined when it is an ordinary signature. */
export function decodeRedactedReasoning(encryptedContent: string): string | undefined {
  return encryptedContent.startsWith(REDACTED_PREFIX) ? encryptedContent.slice(REDACTED_PREFIX.length) : undefined;
}
