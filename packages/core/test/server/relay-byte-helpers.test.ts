/**
 * @fileoverview The byte-level helpers of the same-API relay: the top-level model rewrite, the
 * event boundary of a relayed stream chunk, and usage read on the side.
 */
import { describe, expect, it } from '@jest/globals';
import { replaceTopLevelModel } from '../../src/server/replace-json-model.js';
import { mergeWireUsage } from '../../src/server/wire-usage.js';
import { endOfLastEvent, relayServerSentEvents } from '../../src/upstream/relay-server-sent-events.js';

describe('replaceTopLevelModel', () => {
  it('replaces only the top-level model value and keeps every other byte', () => {
    const body = '{ "messages":[{"model":"inner","content":"\\"model\\": \\"x\\""}],\n  "model" : "openai:gpt-4o",\t"metadata":{"model":"kept"}}';
    expect(replaceTopLevelModel(Buffer.from(body), 'gpt-4o')?.toString()).toBe(body.replace('"openai:gpt-4o"', '"gpt-4o"'));
  });

  it('escapes the new model as a JSON string', () => {
    expect(replaceTopLevelModel(Buffer.from('{"model":"a"}'), 'we"ird')?.toString()).toBe('{"model":"we\\"ird"}');
  });

  it('gives up when there is no top-level model string to replace', () => {
    expect(replaceTopLevelModel(Buffer.from('{"inner":{"model":"x"}}'), 'y')).toBeUndefined();
    expect(replaceTopLevelModel(Buffer.from('{"model":7}'), 'y')).toBeUndefined();
    expect(replaceTopLevelModel(Buffer.from('{"mod\\u0065l":"x"}'), 'y')).toBeUndefined();
  });
});

describe('endOfLastEvent', () => {
  it('finds the end of the last blank line in each line-ending style', () => {
    expect(endOfLastEvent(Buffer.from('data: a\n\ndata: b'))).toBe(9);
    expect(endOfLastEvent(Buffer.from('data: a\r\n\r\ndata: b\r\n\r\n'))).toBe(22);
    expect(endOfLastEvent(Buffer.from('data: a\r\rdata'))).toBe(9);
    expect(endOfLastEvent(Buffer.from('data: a\r\n\r'))).toBe(0);
    expect(endOfLastEvent(Buffer.from('data: a\ndata: b\n'))).toBe(0);
  });
});

describe('relayServerSentEvents', () => {
  const guards = { maxEventBytes: 64, firstContentTimeoutMs: 1_000, idleTimeoutMs: 1_000, startedAt: performance.now(), trip: () => new Error('tripped') };

  async function* chunks(...pieces: string[]): AsyncGenerator<Uint8Array> {
    for (const piece of pieces) yield Buffer.from(piece);
  }

  it('yields whole events, holding an unfinished one for its end, and observes marked chunks', async () => {
    const observed: string[] = [];
    const out: string[] = [];
    const watch = { marker: '"usage"', observe: (bytes: Uint8Array) => observed.push(Buffer.from(bytes).toString()) };
    for await (const piece of relayServerSentEvents(chunks('data: 1\n\ndata: {"us', 'age":{}}\n\n', 'data: tail'), guards, watch)) out.push(Buffer.from(piece).toString());
    expect(out).toEqual(['data: 1\n\n', 'data: {"usage":{}}\n\n', 'data: tail']);
    expect(observed).toEqual(['data: {"usage":{}}\n\n']);
  });

  it('finds an event end split across chunks, byte by byte', async () => {
    const out: string[] = [];
    for await (const piece of relayServerSentEvents(chunks(...'data: a\r\n\r\ndata: b\n'.split(''), '\n'), guards)) out.push(Buffer.from(piece).toString());
    expect(out).toEqual(['data: a\r\n\r\n', 'data: b\n\n']);
  });

  it('fails when one event grows past the event limit', async () => {
    const consume = async (): Promise<void> => {
      for await (const _piece of relayServerSentEvents(chunks(`data: ${'x'.repeat(100)}`), guards)) void _piece;
    };
    await expect(consume()).rejects.toThrow('tripped');
  });
});

describe('mergeWireUsage', () => {
  it('merges every usage object, later fields over earlier ones, skipping nulls', () => {
    const usage: Record<string, unknown> = {};
    mergeWireUsage('{"usage":null}\n{"message":{"usage":{"input_tokens":5,"output_tokens":1}}}\n{"usage": {"output_tokens":9,"x":{"y":"}"}}}', 'usage', usage);
    expect(usage).toEqual({ input_tokens: 5, output_tokens: 9, x: { y: '}' } });
  });
});
