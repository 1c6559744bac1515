/**
 * @fileoverview The errors for canonical values that break the connector contract: a chat event
 * stream out of order, or an event or content part of a type this core does not know (a
 * connector built against a newer SDK than its manifest's range admits). Switches over those
 * types end in {@link unexpectedCanonicalType}, so a new member of the union is a compile error
 * here and a clear 502 at run time, never a silently dropped piece of the answer.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';

/** `CHAT_STREAM_INVALID`: a connector's events broke the order `ChatEvent` describes. */
export function invalidChatStream(reason: string): LlmProxyError {
  return new LlmProxyError({
    code: 'CHAT_STREAM_INVALID',
    message: `A connector produced an invalid chat event stream: ${reason}`,
    fix: 'Report this to the connector author; events must follow the order described by ChatEvent',
    httpStatus: 502,
  });
}

/** For the `default` of an exhaustive switch over chat events or content parts. */
export function unexpectedCanonicalType(value: never, what: 'chat event' | 'content part'): LlmProxyError {
  const type = (value as { type?: unknown } | undefined)?.type;
  return invalidChatStream(`a ${what} of unknown type ${JSON.stringify(type)}`);
}
