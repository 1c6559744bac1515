import { describe, expect, it } from '@jest/globals';
import type { ChatEvent } from '../../src/canonical.js';
import { chatEventSequenceProblems, chatResultProblems } from '../../src/testing/chat-result-problems.js';

async function* streamOf(events: unknown[], failWith?: Error): AsyncGenerator<unknown> {
  for (const event of events) yield event;
  if (failWith !== undefined) throw failWith;
}

const start: ChatEvent = { type: 'response-start', id: 'r1', model: 'm', created: 1 };

describe('chatResultProblems', () => {
  it('accepts a canonical response', async () => {
    const result = {
      type: 'response',
      response: {
        id: 'r1',
        model: 'm',
        created: 1,
        content: [
          { type: 'text', text: 'hi' },
          { type: 'tool-call', id: 'call_1', name: 'lookup', arguments: '{}' },
        ],
        finishReason: 'tool-calls',
        usage: { inputTokens: 1, outputTokens: 2 },
      },
    };
    expect(await chatResultProblems(result)).toEqual([]);
  });

  it('names what is wrong with a response', async () => {
    const problems = await chatResultProblems({
      type: 'response',
      response: { id: 'r1', model: 'm', created: 1, content: [], finishReason: 'done', extra: 1 },
    });
    expect(problems).toEqual(
      expect.arrayContaining(['response: unknown property "extra"', 'response.finishReason: must be equal to constant']),
    );
  });

  it('accepts a stream in the documented order', async () => {
    const events: ChatEvent[] = [
      start,
      { type: 'text-delta', text: 'Hel' },
      { type: 'tool-call-start', index: 0, id: 'call_1', name: 'lookup' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"q":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '1}' },
      { type: 'finish', finishReason: 'tool-calls' },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 4 } },
    ];
    expect(await chatResultProblems({ type: 'stream', events: streamOf(events) })).toEqual([]);
  });

  it('reports out-of-order and malformed events', () => {
    expect(
      chatEventSequenceProblems([
        { type: 'text-delta', text: 'early' },
        start,
        { type: 'tool-call-delta', index: 2, argumentsDelta: '{}' },
        { type: 'text-delta' },
        { type: 'mystery' },
        { type: 'finish', finishReason: 'stop' },
        { type: 'text-delta', text: 'late' },
      ]),
    ).toEqual([
      'event 0: the first event must be "response-start"',
      'event 1: "response-start" may only come first',
      'event 2: a delta for tool call 2 before its "tool-call-start"',
      "event 3: must have required property 'text'",
      'event 4: unknown event type "mystery"',
      'event 6: only "usage" may follow "finish", got "text-delta"',
    ]);
  });

  it('reports a stream without finish, an empty stream and a stream that throws', async () => {
    expect(chatEventSequenceProblems([start])).toEqual(['the stream ended without a "finish" event']);
    expect(chatEventSequenceProblems([])).toEqual(['the stream yielded no events']);
    expect(await chatResultProblems({ type: 'stream', events: streamOf([start], new Error('upstream reset')) })).toEqual([
      'the event stream threw: upstream reset',
    ]);
  });

  it('reports a result of unknown type', async () => {
    expect(await chatResultProblems({ type: 'text', text: 'hi' })).toEqual([
      'the chat result\'s type must be "response" or "stream", got "text"',
    ]);
    expect(await chatResultProblems({ type: 'stream', events: [] })).toEqual(['a stream result must have `events`, an async iterable']);
  });
});
