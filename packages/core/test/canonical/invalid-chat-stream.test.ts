/**
 * A connector built against a newer SDK may send an event or content part this core does not
 * know. Every switch over those types ends in unexpectedCanonicalType: the client gets a clear
 * CHAT_STREAM_INVALID error, never an answer with a piece silently missing.
 */
import { describe, expect, it } from '@jest/globals';
import type { ChatEvent, ChatResponse } from '@llmproxy/connector-sdk';
import { collectChatStream } from '../../src/canonical/collect-chat-stream.js';
import { replayChatResponse } from '../../src/canonical/replay-chat-response.js';
import { renderMessageStream } from '../../src/protocols/anthropic-messages/render-message-stream.js';
import { renderMessage } from '../../src/protocols/anthropic-messages/render-message.js';
import { renderGeminiStream } from '../../src/protocols/gemini/render-gemini-stream.js';
import { renderChatCompletionStream } from '../../src/protocols/openai-chat/render-chat-completion-stream.js';

const futureEvent = { type: 'citation-delta', text: 'from a newer SDK' } as unknown as ChatEvent;
const events = (): AsyncIterable<ChatEvent> =>
  (async function* () {
    yield { type: 'response-start', id: 'r1', model: 'm', created: 1 };
    yield { type: 'text-delta', text: 'Hello' };
    yield futureEvent;
    yield { type: 'finish', finishReason: 'stop' };
  })();

async function framesOf(frames: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const frame of frames) text += frame;
  return text;
}

describe('an event or content part of an unknown type', () => {
  it('is refused when a stream is collected', async () => {
    await expect(collectChatStream(events())).rejects.toMatchObject({
      code: 'CHAT_STREAM_INVALID',
      httpStatus: 502,
      summary: 'A connector produced an invalid chat event stream: a chat event of unknown type "citation-delta"',
    });
  });

  it.each([
    ['OpenAI Chat', () => renderChatCompletionStream(events()), /data: \{"error":\{.*unknown type \\"citation-delta\\"/],
    ['Anthropic Messages', () => renderMessageStream(events()), /event: error\ndata: \{"type":"error","error":\{.*unknown type \\"citation-delta\\"/],
    ['Gemini', () => renderGeminiStream(events(), { sse: true }), /"error":\{"code":502,.*unknown type \\"citation-delta\\"/],
  ])('ends a %s stream with that API’s error, after the text already sent', async (_api, render, errorFrame) => {
    const text = await framesOf(render());
    expect(text).toContain('Hello');
    expect(text).toMatch(errorFrame);
  });

  it('is refused when a whole answer is replayed or rendered', async () => {
    const response = {
      id: 'r1',
      model: 'm',
      created: 1,
      content: [{ type: 'text', text: 'Hi' }, { type: 'citation', text: 'from a newer SDK' }],
      finishReason: 'stop',
    } as unknown as ChatResponse;
    await expect(collectChatStream(replayChatResponse(response))).rejects.toMatchObject({ code: 'CHAT_STREAM_INVALID' });
    expect(() => renderMessage(response)).toThrow('a content part of unknown type "citation"');
  });
});
