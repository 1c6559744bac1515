/**
 * @fileoverview The official OpenAI SDK's Chat Completions client against the real `llm-proxy`
 * CLI, reaching the openai, anthropic and gemini backends (fake upstreams on 127.0.0.1 speaking
 * each vendor's wire format). Every pair, whole and streamed (through the SDK's
 * ChatCompletionStream), for text, parallel tool calls, reasoning and the length stop: each answer
 * is checked for its meaning and against its golden fixture
 * (fixtures/golden/openai-chat/<backend>.json), and the assistant turn goes back upstream with
 * its tool results.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { GoldenFile, GoldenNormalizer } from './golden-fixtures.js';
import {
  EXPECTED_ANSWERS,
  MATRIX_SCENARIOS,
  MATRIX_TOOLS,
  PROMPTS,
  SYSTEM_PROMPT,
  TOOL_OUTPUTS,
  enqueueScenario,
  enqueueSlowText,
  enqueueText,
  expectArrivedIncrementally,
  lastUpstreamRequest,
  type ExpectedAnswer,
  type MatrixScenario,
} from './matrix-scenarios.js';
import {
  MATRIX_BACKENDS,
  MATRIX_CLIENT_KEY,
  MATRIX_MODELS,
  MATRIX_UPSTREAM_KEYS,
  startTranslationMatrix,
  type MatrixBackend,
  type TranslationMatrix,
} from './start-translation-matrix.js';

/** A request without `stream`, usable whole and streamed. */
type ChatRequest = Omit<ChatCompletionCreateParamsNonStreaming, 'stream'>;

const FINISH_REASONS: Readonly<Record<ExpectedAnswer['finish'], ChatCompletion.Choice['finish_reason']>> = {
  stop: 'stop',
  length: 'length',
  'tool-calls': 'tool_calls',
};

let matrix: TranslationMatrix;
let client: OpenAI;
const goldens = Object.fromEntries(MATRIX_BACKENDS.map((backend) => [backend, new GoldenFile(`openai-chat/${backend}.json`)])) as Record<
  MatrixBackend,
  GoldenFile
>;

beforeAll(async () => {
  matrix = await startTranslationMatrix();
  client = new OpenAI({ apiKey: MATRIX_CLIENT_KEY, baseURL: `${matrix.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  for (const golden of Object.values(goldens)) golden.save();
  const stopped = await matrix.stop();
  expect(stopped.exitCode).toBe(0);
  for (const key of MATRIX_UPSTREAM_KEYS) expect(stopped.stdout + stopped.stderr).not.toContain(key);
});

function requestFor(backend: MatrixBackend, scenario: MatrixScenario): ChatRequest {
  const request: ChatRequest = {
    model: MATRIX_MODELS[backend],
    max_completion_tokens: 256,
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: PROMPTS[scenario] },
    ],
  };
  switch (scenario) {
    case 'parallel-tool-calls':
      request.tools = MATRIX_TOOLS.map((tool) => ({
        type: 'function' as const,
        function: { name: tool.name, description: tool.description, parameters: { ...tool.parameters, required: [...tool.parameters.required] } },
      }));
      break;
    case 'thinking':
      // Anthropic's smallest thinking budget is 1024 tokens, and it must stay below the output limit.
      request.max_completion_tokens = 2048;
      request.reasoning_effort = 'low';
      break;
    case 'max-tokens':
      request.max_completion_tokens = 5;
      break;
    case 'text':
      break;
  }
  return request;
}

/** `reasoning_content`, which OpenAI-compatible servers add and the SDK's types leave out. */
function reasoningOf(message: object): string {
  const reasoning = (message as { reasoning_content?: unknown }).reasoning_content;
  return typeof reasoning === 'string' ? reasoning : '';
}

function answerOf(completion: ChatCompletion, reasoning: string): ExpectedAnswer {
  const choice = completion.choices[0];
  if (choice === undefined) throw new Error('the completion has no choice');
  const finish = (Object.keys(FINISH_REASONS) as Array<ExpectedAnswer['finish']>).find((reason) => FINISH_REASONS[reason] === choice.finish_reason);
  if (finish === undefined) throw new Error(`unexpected finish_reason ${choice.finish_reason}`);
  return {
    reasoning,
    text: choice.message.content ?? '',
    toolCalls: (choice.message.tool_calls ?? []).map((call) => {
      if (call.type !== 'function') throw new Error(`unexpected tool call type ${call.type}`);
      return { name: call.function.name, arguments: JSON.parse(call.function.arguments) as unknown };
    }),
    finish,
  };
}

describe.each(MATRIX_BACKENDS)('OpenAI SDK chat.completions → llm-proxy → %s backend', (backend) => {
  it.each(MATRIX_SCENARIOS)('%s, whole completion', async (scenario) => {
    enqueueScenario(matrix, backend, scenario);
    const completion = await client.chat.completions.create(requestFor(backend, scenario));
    expect(answerOf(completion, reasoningOf(completion.choices[0]!.message))).toEqual(EXPECTED_ANSWERS[scenario]);
    const normalizer = new GoldenNormalizer();
    goldens[backend].check(`${scenario} whole`, {
      completion: normalizer.normalize(completion),
      upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, backend)),
    });
  });

  it.each(MATRIX_SCENARIOS)('%s, streamed through ChatCompletionStream', async (scenario) => {
    enqueueScenario(matrix, backend, scenario);
    const stream = client.chat.completions.stream({ ...requestFor(backend, scenario), stream_options: { include_usage: true } });
    const normalizer = new GoldenNormalizer();
    const chunks: string[] = [];
    let reasoning = '';
    for await (const chunk of stream) {
      chunks.push(JSON.stringify(normalizer.normalize(chunk)));
      reasoning += chunk.choices[0] === undefined ? '' : reasoningOf(chunk.choices[0].delta);
    }
    const completion = await stream.finalChatCompletion();
    expect(answerOf(completion, reasoning)).toEqual(EXPECTED_ANSWERS[scenario]);
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    goldens[backend].check(`${scenario} streamed`, {
      chunks,
      completion: normalizer.normalize(completion),
      upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, backend)),
    });
  });

  it('sends the streamed tool calls back with their results and ids', async () => {
    enqueueScenario(matrix, backend, 'parallel-tool-calls');
    const first = requestFor(backend, 'parallel-tool-calls');
    const answer = await client.chat.completions.stream(first).finalChatCompletion();
    const message = answer.choices[0]!.message;
    const toolResults: ChatCompletionMessageParam[] = (message.tool_calls ?? []).map((call) => ({
      role: 'tool',
      tool_call_id: call.id,
      content: call.type === 'function' ? (TOOL_OUTPUTS[call.function.name] ?? '') : '',
    }));
    enqueueText(matrix, backend, 'Sunny, 14:05.');
    // The assistant message goes back as the SDK assembled it, as applications append it.
    const followUp = await client.chat.completions.create({ ...first, messages: [...first.messages, message, ...toolResults] });
    expect(followUp.choices[0]?.message.content).toBe('Sunny, 14:05.');
    const normalizer = new GoldenNormalizer();
    normalizer.normalize(answer);
    goldens[backend].check('tool results sent back', { upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, backend)) });
  });

  it('sends the answer with its reasoning back on the next turn', async () => {
    enqueueScenario(matrix, backend, 'thinking');
    const first = requestFor(backend, 'thinking');
    const answer = await client.chat.completions.create(first);
    enqueueText(matrix, backend, 'It is 336.');
    await client.chat.completions.create({ ...first, messages: [...first.messages, answer.choices[0]!.message, { role: 'user', content: 'And times eight?' }] });
    const normalizer = new GoldenNormalizer();
    normalizer.normalize(answer);
    goldens[backend].check('reasoning sent back', { upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, backend)) });
  });

  it('passes each text piece on before the upstream sends the next', async () => {
    const pieces = ['one', ' two', ' three', ' four'];
    const upstream = enqueueSlowText(matrix, backend, pieces, 80);
    const stream = await client.chat.completions.create({ ...requestFor(backend, 'text'), stream: true });
    const received: string[] = [];
    const arrivals: number[] = [];
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) {
        received.push(content);
        arrivals.push(upstream.framesSent());
      }
    }
    expect(received).toEqual(pieces);
    expectArrivedIncrementally(arrivals, upstream.framesSent());
  });
});

describe('OpenAI SDK → llm-proxy, beside chat completions', () => {
  it('lists the models of every backend as backend:model', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['openai:gpt-4o-mini', 'anthropic:claude-sonnet-4-5', 'gemini:gemini-2.5-flash']));
  });
});
