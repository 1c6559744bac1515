/**
 * @fileoverview Canonical chat events → one chat response, for a client that did not ask for a
 * stream while its connector answered with one.
 */
import type { ChatEvent, ChatResponse, ReasoningPart, TextPart, ToolCallPart } from '@llmproxy/connector-sdk';
import { invalidChatStream, unexpectedCanonicalType } from './invalid-chat-stream.js';

/**
 * Reads `events` to the end. Consecutive text deltas join into one text part and consecutive
 * reasoning deltas into one reasoning part; a signature closes its reasoning part, so the next
 * reasoning delta starts another (as Anthropic's separate thinking blocks do). Parts keep the
 * order in which they began. A stream that breaks the event contract (no `response-start`, a
 * tool-call delta before its start) is an error rather than a guess.
 */
export async function collectChatStream(events: AsyncIterable<ChatEvent>): Promise<ChatResponse> {
  let response: ChatResponse | undefined;
  let currentText: TextPart | undefined;
  let currentReasoning: ReasoningPart | undefined;
  const toolCalls = new Map<number, ToolCallPart>();
  let finished = false;

  for await (const event of events) {
    if (event.type === 'response-start') {
      if (response !== undefined) throw invalidChatStream('it has a second response-start event');
      response = { id: event.id, model: event.model, created: event.created, content: [], finishReason: 'other' };
      if (event.protocolExtras !== undefined) response.protocolExtras = event.protocolExtras;
      continue;
    }
    if (response === undefined) throw invalidChatStream(`its first event is ${event.type}, not response-start`);
    switch (event.type) {
      case 'text-delta':
        currentReasoning = undefined;
        if (currentText === undefined) {
          currentText = { type: 'text', text: '' };
          response.content.push(currentText);
        }
        currentText.text += event.text;
        break;
      case 'reasoning-delta':
        currentText = undefined;
        if (currentReasoning === undefined || (currentReasoning.signature !== undefined && event.text !== '')) {
          currentReasoning = { type: 'reasoning', text: '' };
          response.content.push(currentReasoning);
        }
        currentReasoning.text += event.text;
        if (event.signature !== undefined) currentReasoning.signature = event.signature;
        break;
      case 'tool-call-start': {
        currentText = undefined;
        currentReasoning = undefined;
        if (toolCalls.has(event.index)) throw invalidChatStream(`tool call ${event.index} starts twice`);
        const part: ToolCallPart = { type: 'tool-call', id: event.id, name: event.name, arguments: '' };
        toolCalls.set(event.index, part);
        response.content.push(part);
        break;
      }
      case 'tool-call-delta': {
        const part = toolCalls.get(event.index);
        if (part === undefined) throw invalidChatStream(`tool call ${event.index} has arguments before its start`);
        part.arguments += event.argumentsDelta;
        break;
      }
      case 'finish':
        finished = true;
        response.finishReason = event.finishReason;
        if (event.stopSequence !== undefined) response.stopSequence = event.stopSequence;
        break;
      case 'usage':
        response.usage = event.usage;
        break;
      default:
        throw unexpectedCanonicalType(event, 'chat event');
    }
  }
  if (response === undefined) throw invalidChatStream('it has no events');
  if (!finished) response.finishReason = 'other';
  return response;
}
