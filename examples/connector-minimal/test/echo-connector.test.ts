import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import type { ChatEvent, ChatRequest } from '@llmproxy/connector-sdk';
import { createTestConnectorContext, describeConnectorConformance } from '@llmproxy/connector-sdk/testing';
import echoConnector from '../src/echo-connector.js';

// The package as llmproxy loads it: manifest, exports and the built entry (dist/).
describeConnectorConformance({ packageDirectory: fileURLToPath(new URL('..', import.meta.url)) });

function request(stream: boolean, ...userTexts: string[]): ChatRequest {
  return {
    model: 'echo',
    stream,
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'You are a parrot.' }] },
      ...userTexts.flatMap((text) => [
        { role: 'user' as const, content: [{ type: 'text' as const, text }] },
        { role: 'assistant' as const, content: [{ type: 'text' as const, text: 'ignored' }] },
      ]),
    ],
  };
}

describe('echo connector', () => {
  const connector = echoConnector.create(createTestConnectorContext({ backendName: 'echo' }).context);

  it('answers with the last user message', async () => {
    const result = await (await connector).chat(request(false, 'first question', 'say  this back'), {
      signal: new AbortController().signal,
    });
    expect(result.type).toBe('response');
    if (result.type !== 'response') return;
    expect(result.response.content).toEqual([{ type: 'text', text: 'say  this back' }]);
    expect(result.response.finishReason).toBe('stop');
    expect(result.response.usage).toEqual({ inputTokens: 3, outputTokens: 3, totalTokens: 6 });
  });

  it('streams one text delta per word, which concatenate to the message', async () => {
    const result = await (await connector).chat(request(true, ' hello   streaming world\n'), {
      signal: new AbortController().signal,
    });
    expect(result.type).toBe('stream');
    if (result.type !== 'stream') return;
    const events: ChatEvent[] = [];
    for await (const event of result.events) events.push(event);
    const deltas = events.flatMap((event) => (event.type === 'text-delta' ? [event.text] : []));
    expect(deltas).toEqual([' hello   ', 'streaming ', 'world\n']);
    expect(events.map((event) => event.type)).toEqual([
      'response-start',
      'text-delta',
      'text-delta',
      'text-delta',
      'finish',
      'usage',
    ]);
  });

  it('stops streaming when the client goes away mid-stream', async () => {
    const controller = new AbortController();
    const result = await (await connector).chat(request(true, 'one two three four'), { signal: controller.signal });
    if (result.type !== 'stream') throw new Error('expected a stream');
    const received: string[] = [];
    await expect(
      (async () => {
        for await (const event of result.events) {
          received.push(event.type);
          if (event.type === 'text-delta') controller.abort(new Error('client went away'));
        }
      })(),
    ).rejects.toThrow('client went away');
    expect(received).toEqual(['response-start', 'text-delta']);
  });

  it('lists its one model', async () => {
    expect(await (await connector).listModels({ signal: new AbortController().signal })).toEqual([
      { id: 'echo', ownedBy: 'llmproxy-connector-minimal' },
    ]);
  });
});
