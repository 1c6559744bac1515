import { describe, expect, it } from '@jest/globals';
import type { ChatEvent, ChatResponse } from '@llmproxy/connector-sdk';
import { collectChatStream } from '../../src/canonical/collect-chat-stream.js';
import { budgetTokensFromEffort, effortFromBudgetTokens } from '../../src/canonical/reasoning-budget.js';
import { replayChatResponse } from '../../src/canonical/replay-chat-response.js';

async function* eventsOf(events: ChatEvent[]): AsyncGenerator<ChatEvent> {
  yield* events;
}

const start: ChatEvent = { type: 'response-start', id: 'r1', model: 'm', created: 5 };

describe('collectChatStream', () => {
  it('joins deltas into parts in the order they began, with signatures closing reasoning parts', async () => {
    const response = await collectChatStream(
      eventsOf([
        { ...start, protocolExtras: { protocol: 'openai-chat', fields: { system_fingerprint: 'fp' } } },
        { type: 'reasoning-delta', text: 'first ' },
        { type: 'reasoning-delta', text: 'thought' },
        { type: 'reasoning-delta', text: '', signature: 'sig-1' },
        { type: 'reasoning-delta', text: 'second thought', signature: 'sig-2' },
        { type: 'text-delta', text: 'Hel' },
        { type: 'text-delta', text: 'lo' },
        { type: 'tool-call-start', index: 0, id: 'a', name: 'fa' },
        { type: 'tool-call-start', index: 1, id: 'b', name: 'fb' },
        { type: 'tool-call-delta', index: 1, argumentsDelta: '{"y"' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{"x":1}' },
        { type: 'tool-call-delta', index: 1, argumentsDelta: ':2}' },
        { type: 'finish', finishReason: 'tool-calls' },
        { type: 'usage', usage: { inputTokens: 1, outputTokens: 2 } },
      ]),
    );
    expect(response).toEqual({
      id: 'r1',
      model: 'm',
      created: 5,
      protocolExtras: { protocol: 'openai-chat', fields: { system_fingerprint: 'fp' } },
      content: [
        { type: 'reasoning', text: 'first thought', signature: 'sig-1' },
        { type: 'reasoning', text: 'second thought', signature: 'sig-2' },
        { type: 'text', text: 'Hello' },
        { type: 'tool-call', id: 'a', name: 'fa', arguments: '{"x":1}' },
        { type: 'tool-call', id: 'b', name: 'fb', arguments: '{"y":2}' },
      ],
      finishReason: 'tool-calls',
      usage: { inputTokens: 1, outputTokens: 2 },
    });
  });

  it('refuses a stream that breaks the event contract', async () => {
    await expect(collectChatStream(eventsOf([{ type: 'text-delta', text: 'x' }]))).rejects.toMatchObject({ code: 'CHAT_STREAM_INVALID' });
    await expect(collectChatStream(eventsOf([start, { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' }]))).rejects.toMatchObject({
      code: 'CHAT_STREAM_INVALID',
    });
    await expect(collectChatStream(eventsOf([]))).rejects.toMatchObject({ code: 'CHAT_STREAM_INVALID' });
  });

  it('marks a stream without a finish event as finished for another reason', async () => {
    expect((await collectChatStream(eventsOf([start, { type: 'text-delta', text: 'x' }]))).finishReason).toBe('other');
  });

  it('is the inverse of replayChatResponse', async () => {
    const response: ChatResponse = {
      id: 'r2',
      model: 'm',
      created: 9,
      content: [
        { type: 'reasoning', text: 'why', signature: 's' },
        { type: 'text', text: 'answer' },
        { type: 'tool-call', id: 'c1', name: 'f', arguments: '{"a":[1,2]}' },
        { type: 'tool-call', id: 'c2', name: 'g', arguments: '' },
      ],
      finishReason: 'tool-calls',
      usage: { inputTokens: 3, outputTokens: 4, cachedInputTokens: 1 },
    };
    expect(await collectChatStream(replayChatResponse(response))).toEqual(response);
  });

  it('keeps the stop sequence a finish event names, both ways', async () => {
    const response: ChatResponse = { id: 'r3', model: 'm', created: 1, content: [{ type: 'text', text: 'One, two' }], finishReason: 'stop', stopSequence: 'three' };
    expect(await collectChatStream(replayChatResponse(response))).toEqual(response);
  });
});

describe('reasoning budget', () => {
  it('maps effort to budget and back to the same effort', () => {
    for (const effort of ['minimal', 'low', 'medium', 'high'] as const) {
      expect(effortFromBudgetTokens(budgetTokensFromEffort(effort))).toBe(effort);
    }
    expect(effortFromBudgetTokens(0)).toBe('minimal');
    expect(effortFromBudgetTokens(2000)).toBe('low');
    expect(effortFromBudgetTokens(100_000)).toBe('high');
  });
});
