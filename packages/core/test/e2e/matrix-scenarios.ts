/**
 * @fileoverview The answers every front-end × backend pair is tested with, written once per
 * backend in that upstream's own wire format, and what a client of any front-end must read
 * from them. The same scenario yields the same {@link ExpectedAnswer} whatever the pair, so
 * each test checks the meaning as well as its golden fixture.
 */
import { expect } from '@jest/globals';
import type { FakeAnthropicReply } from '../support/fake-anthropic-upstream.js';
import type { FakeGeminiReply } from '../support/fake-gemini-upstream.js';
import type { FakeChatReply } from '../support/fake-openai-upstream.js';
import type { MatrixBackend, TranslationMatrix } from './start-translation-matrix.js';

export const MATRIX_SCENARIOS = ['text', 'parallel-tool-calls', 'thinking', 'max-tokens'] as const;
export type MatrixScenario = (typeof MATRIX_SCENARIOS)[number];

/** What the client must get, independent of wire formats. */
export interface ExpectedAnswer {
  /** All reasoning text, joined. */
  reasoning: string;
  /** All answer text, joined. */
  text: string;
  /** Tool calls in order, arguments parsed. */
  toolCalls: Array<{ name: string; arguments: unknown }>;
  /** The canonical finish reason; each front-end names it its own way. */
  finish: 'stop' | 'length' | 'tool-calls';
}

export const EXPECTED_ANSWERS: Readonly<Record<MatrixScenario, ExpectedAnswer>> = {
  text: { reasoning: '', text: 'Hello there, world.', toolCalls: [], finish: 'stop' },
  'parallel-tool-calls': {
    reasoning: '',
    text: 'Checking both.',
    toolCalls: [
      { name: 'get_weather', arguments: { city: 'Paris' } },
      { name: 'get_time', arguments: { tz: 'CET' } },
    ],
    finish: 'tool-calls',
  },
  thinking: { reasoning: 'Let me think.', text: 'It is 42.', toolCalls: [], finish: 'stop' },
  'max-tokens': { reasoning: '', text: 'Partial ans', toolCalls: [], finish: 'length' },
};

/** The user's question in each scenario. */
export const PROMPTS: Readonly<Record<MatrixScenario, string>> = {
  text: 'Say hello.',
  'parallel-tool-calls': 'Weather and time in Paris?',
  thinking: 'What is six times seven?',
  'max-tokens': 'Write a long answer.',
};

/** The instructions (system prompt) every request carries. */
export const SYSTEM_PROMPT = 'Be brief.';

/** The tools every front-end declares for the tool-call scenario, as name, description and JSON Schema. */
export const MATRIX_TOOLS = [
  {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
  {
    name: 'get_time',
    description: 'Current time in a time zone',
    parameters: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] },
  },
] as const;

/** Tool results the follow-up turn sends back, by tool name. */
export const TOOL_OUTPUTS: Readonly<Record<string, string>> = { get_weather: 'sunny, 21 C', get_time: '14:05' };

const OPENAI_REPLIES: Record<MatrixScenario, FakeChatReply> = {
  text: { type: 'answer', text: ['Hello', ' there,', ' world.'] },
  'parallel-tool-calls': {
    type: 'answer',
    text: ['Checking', ' both.'],
    toolCalls: [
      { id: 'call_weather_paris', name: 'get_weather', argumentPieces: ['{"ci', 'ty":"Pa', 'ris"}'] },
      { id: 'call_time_paris', name: 'get_time', argumentPieces: ['{"tz":', '"CET"}'] },
    ],
  },
  thinking: { type: 'answer', reasoning: ['Let me', ' think.'], text: ['It is', ' 42.'] },
  'max-tokens': { type: 'answer', text: ['Partial', ' ans'], finishReason: 'length' },
};

const ANTHROPIC_REPLIES: Record<MatrixScenario, FakeAnthropicReply> = {
  text: { type: 'answer', blocks: [{ type: 'text', pieces: ['Hello', ' there,', ' world.'] }] },
  'parallel-tool-calls': {
    type: 'answer',
    blocks: [
      { type: 'text', pieces: ['Checking', ' both.'] },
      { type: 'tool_use', id: 'toolu_weather_paris', name: 'get_weather', inputPieces: ['{"ci', 'ty":"Pa', 'ris"}'] },
      { type: 'tool_use', id: 'toolu_time_paris', name: 'get_time', inputPieces: ['{"tz":', '"CET"}'] },
    ],
  },
  thinking: {
    type: 'answer',
    blocks: [
      { type: 'thinking', pieces: ['Let me', ' think.'], signature: 'sig-anthropic-thinking' },
      { type: 'redacted_thinking', data: 'redacted-anthropic-data' },
      { type: 'text', pieces: ['It is', ' 42.'] },
    ],
  },
  'max-tokens': { type: 'answer', blocks: [{ type: 'text', pieces: ['Partial', ' ans'] }], stopReason: 'max_tokens' },
};

// Gemini sends whole function calls (no argument pieces) without ids, and signs the first
// function call of a step, or the first answer part after thoughts.
const GEMINI_REPLIES: Record<MatrixScenario, FakeGeminiReply> = {
  text: { type: 'answer', chunks: [[{ text: 'Hello' }], [{ text: ' there,' }], [{ text: ' world.' }]] },
  'parallel-tool-calls': {
    type: 'answer',
    chunks: [
      [{ text: 'Checking both.' }],
      [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'sig-gemini-tools' }],
      [{ functionCall: { name: 'get_time', args: { tz: 'CET' } } }],
    ],
  },
  thinking: {
    type: 'answer',
    chunks: [
      [{ text: 'Let me', thought: true }],
      [{ text: ' think.', thought: true }],
      [{ text: 'It is', thoughtSignature: 'sig-gemini-thinking' }],
      [{ text: ' 42.' }],
    ],
  },
  'max-tokens': { type: 'answer', chunks: [[{ text: 'Partial' }], [{ text: ' ans' }]], finishReason: 'MAX_TOKENS' },
};

/** Queues the scenario's answer on the backend's fake upstream. */
export function enqueueScenario(matrix: TranslationMatrix, backend: MatrixBackend, scenario: MatrixScenario): void {
  switch (backend) {
    case 'openai':
      matrix.openai.enqueue(OPENAI_REPLIES[scenario]);
      return;
    case 'anthropic':
      matrix.anthropic.enqueue(ANTHROPIC_REPLIES[scenario]);
      return;
    case 'gemini':
      matrix.gemini.enqueue(GEMINI_REPLIES[scenario]);
      return;
  }
}

/** Queues a plain text answer (for follow-up turns). */
export function enqueueText(matrix: TranslationMatrix, backend: MatrixBackend, text: string): void {
  switch (backend) {
    case 'openai':
      matrix.openai.enqueue({ type: 'answer', text: [text] });
      return;
    case 'anthropic':
      matrix.anthropic.enqueue({ type: 'answer', blocks: [{ type: 'text', pieces: [text] }] });
      return;
    case 'gemini':
      matrix.gemini.enqueue({ type: 'answer', chunks: [[{ text }]] });
      return;
  }
}

/** What the proxy sent upstream for the backend's latest request: path (with query, keys left out) and body. */
export function lastUpstreamRequest(matrix: TranslationMatrix, backend: MatrixBackend): { path: string; body: unknown } {
  switch (backend) {
    case 'openai': {
      const request = matrix.openai.requests.at(-1);
      if (request === undefined) throw new Error('the openai upstream received no request');
      return { path: request.path, body: request.body };
    }
    case 'anthropic': {
      const request = matrix.anthropic.requests.at(-1);
      if (request === undefined) throw new Error('the anthropic upstream received no request');
      return { path: request.path, body: request.body };
    }
    case 'gemini': {
      const request = matrix.gemini.requests.at(-1);
      if (request === undefined) throw new Error('the gemini upstream received no request');
      const query = new URLSearchParams(request.query);
      query.delete('key');
      const search = query.toString();
      return { path: search === '' ? request.path : `${request.path}?${search}`, body: request.body };
    }
  }
}

/**
 * A slow text answer for incrementality tests: `pieces` sent `delayMs` apart, and a reader of
 * how many frames (SSE events or stream chunks) the upstream has written so far for it.
 */
export function enqueueSlowText(matrix: TranslationMatrix, backend: MatrixBackend, pieces: string[], delayMs: number): { framesSent(): number } {
  switch (backend) {
    case 'openai': {
      const index = matrix.openai.requests.length;
      matrix.openai.enqueue({ type: 'answer', text: pieces, chunkDelayMs: delayMs });
      return { framesSent: () => matrix.openai.requests[index]?.framesSent ?? 0 };
    }
    case 'anthropic': {
      const index = matrix.anthropic.requests.length;
      matrix.anthropic.enqueue({ type: 'answer', blocks: [{ type: 'text', pieces }], eventDelayMs: delayMs });
      return { framesSent: () => matrix.anthropic.requests[index]?.eventsSent ?? 0 };
    }
    case 'gemini': {
      const index = matrix.gemini.requests.length;
      matrix.gemini.enqueue({ type: 'answer', chunks: pieces.map((text) => [{ text }]), chunkDelayMs: delayMs });
      return { framesSent: () => matrix.gemini.requests[index]?.framesSent ?? 0 };
    }
  }
}

/**
 * Asserts a stream was passed on as it came: `arrivals[i]` is how many frames the upstream had
 * sent when the client received piece i, `total` how many it sent in all. The first piece
 * arrived before the upstream finished, and each later piece only after the upstream sent more.
 */
export function expectArrivedIncrementally(arrivals: readonly number[], total: number): void {
  expect(arrivals.length).toBeGreaterThan(1);
  expect(arrivals[0]).toBeLessThan(total);
  for (let index = 1; index < arrivals.length; index++) expect(arrivals[index]).toBeGreaterThan(arrivals[index - 1]!);
}

/**
 * Asserts the backend's latest request gave back, in its own format and on the parts it put
 * them on, the opaque reasoning (signatures, redacted thinking) the backend sent in `scenario`'s
 * answer: what a vendor signs must come back to it unchanged. The openai backend signs nothing.
 * A client may return streamed text in the pieces it got; plain text parts that follow one
 * another are joined before comparing.
 */
export function expectSignaturesReturned(matrix: TranslationMatrix, backend: MatrixBackend, scenario: 'thinking' | 'parallel-tool-calls'): void {
  const body = lastUpstreamRequest(matrix, backend).body as Record<string, unknown>;
  if (backend === 'anthropic') {
    const assistant = (body['messages'] as Array<{ role: string; content: Array<Record<string, unknown>> }>).find((message) => message.role === 'assistant');
    // An Anthropic client gives back the blocks it got, `citations: null` included when the
    // upstream sent it (the same-API relay passes it through); it carries nothing here.
    const blocks = (assistant?.content ?? []).map((block) => {
      if (block['citations'] !== null) return block;
      const { citations: _citations, ...rest } = block;
      return rest;
    });
    const content = joinPlainText(blocks, (block) => block['type'] === 'text' && Object.keys(block).length === 2);
    if (scenario === 'thinking') {
      expect(content).toEqual([
        { type: 'thinking', thinking: 'Let me think.', signature: 'sig-anthropic-thinking' },
        { type: 'redacted_thinking', data: 'redacted-anthropic-data' },
        { type: 'text', text: 'It is 42.' },
      ]);
    } else {
      expect(content).toEqual([
        { type: 'text', text: 'Checking both.' },
        { type: 'tool_use', id: 'toolu_weather_paris', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'toolu_time_paris', name: 'get_time', input: { tz: 'CET' } },
      ]);
    }
  } else if (backend === 'gemini') {
    const model = (body['contents'] as Array<{ role: string; parts: Array<Record<string, unknown>> }>).find((content) => content.role === 'model');
    const parts = joinPlainText(model?.parts ?? [], (part) => typeof part['text'] === 'string' && Object.keys(part).length === 1);
    if (scenario === 'thinking') {
      expect(parts).toEqual([
        { text: 'Let me think.', thought: true },
        { text: 'It is 42.', thoughtSignature: 'sig-gemini-thinking' },
      ]);
    } else {
      expect(parts).toEqual([
        { text: 'Checking both.' },
        { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'sig-gemini-tools' },
        { functionCall: { name: 'get_time', args: { tz: 'CET' } } },
      ]);
    }
  }
}

function isUnsignedThought(part: Record<string, unknown>): boolean {
  return typeof part['text'] === 'string' && part['thought'] === true && Object.keys(part).length === 2;
}

/**
 * Joins each plain text part (as `isPlainText` tells) into the plain text part before it, and
 * each unsigned thought piece into the unsigned thought before it.
 */
function joinPlainText(parts: ReadonlyArray<Record<string, unknown>>, isPlainText: (part: Record<string, unknown>) => boolean): Array<Record<string, unknown>> {
  const joined: Array<Record<string, unknown>> = [];
  for (const part of parts) {
    const previous = joined.at(-1);
    // Plain text joins plain text; a Gemini client also gives back streamed thoughts in their
    // pieces (unsigned thought parts), which join the thought before them.
    const joinable =
      previous !== undefined &&
      typeof previous['text'] === 'string' &&
      (previous['thought'] === true ? isUnsignedThought(part) && previous['thoughtSignature'] === undefined : isPlainText(part));
    if (joinable) joined[joined.length - 1] = { ...previous, text: `${String(previous['text'])}${String(part['text'])}` };
    else joined.push({ ...part });
  }
  return joined;
}
