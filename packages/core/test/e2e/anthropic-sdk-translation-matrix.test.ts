/**
 * @fileoverview The official Anthropic SDK against the real `llm-proxy` CLI, reaching the
 * openai, anthropic and gemini backends (fake upstreams on 127.0.0.1 speaking each vendor's
 * wire format). Every pair, whole and streamed (through the SDK's MessageStream), for text,
 * parallel tool calls, thinking with signatures and the max-tokens stop: each answer is checked
 * for its meaning and against its golden fixture (fixtures/golden/anthropic-messages/<backend>.json),
 * and the assistant turn with its tool results and signed thinking goes back upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
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
  expectSignaturesReturned,
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

const STOP_REASONS: Readonly<Record<ExpectedAnswer['finish'], Anthropic.StopReason>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  'tool-calls': 'tool_use',
};

let matrix: TranslationMatrix;
let claude: Anthropic;
const goldens = Object.fromEntries(MATRIX_BACKENDS.map((backend) => [backend, new GoldenFile(`anthropic-messages/${backend}.json`)])) as Record<
  MatrixBackend,
  GoldenFile
>;

beforeAll(async () => {
  matrix = await startTranslationMatrix();
  claude = new Anthropic({ apiKey: MATRIX_CLIENT_KEY, baseURL: matrix.url, maxRetries: 0 });
});

afterAll(async () => {
  for (const golden of Object.values(goldens)) golden.save();
  const stopped = await matrix.stop();
  expect(stopped.exitCode).toBe(0);
  for (const key of MATRIX_UPSTREAM_KEYS) expect(stopped.stdout + stopped.stderr).not.toContain(key);
});

function requestFor(backend: MatrixBackend, scenario: MatrixScenario): Anthropic.MessageCreateParamsNonStreaming {
  const request: Anthropic.MessageCreateParamsNonStreaming = {
    model: MATRIX_MODELS[backend],
    max_tokens: 256,
    system: SYSTEM_PROMPT,
    messages: [{ role: 'user', content: PROMPTS[scenario] }],
  };
  switch (scenario) {
    case 'parallel-tool-calls':
      request.tools = MATRIX_TOOLS.map((tool) => ({ name: tool.name, description: tool.description, input_schema: { ...tool.parameters, required: [...tool.parameters.required] } }));
      break;
    case 'thinking':
      request.max_tokens = 2048;
      request.thinking = { type: 'enabled', budget_tokens: 1024 };
      break;
    case 'max-tokens':
      request.max_tokens = 5;
      break;
    case 'text':
      break;
  }
  return request;
}

function answerOf(message: Anthropic.Message): ExpectedAnswer {
  const finish = (Object.keys(STOP_REASONS) as Array<ExpectedAnswer['finish']>).find((reason) => STOP_REASONS[reason] === message.stop_reason);
  if (finish === undefined) throw new Error(`unexpected stop_reason ${String(message.stop_reason)}`);
  return {
    reasoning: message.content.map((block) => (block.type === 'thinking' ? block.thinking : '')).join(''),
    text: message.content.map((block) => (block.type === 'text' ? block.text : '')).join(''),
    toolCalls: message.content.flatMap((block) => (block.type === 'tool_use' ? [{ name: block.name, arguments: block.input }] : [])),
    finish,
  };
}

function toolResultsFor(message: Anthropic.Message): Anthropic.ToolResultBlockParam[] {
  return message.content.flatMap((block) =>
    block.type === 'tool_use' ? [{ type: 'tool_result' as const, tool_use_id: block.id, content: TOOL_OUTPUTS[block.name] ?? '' }] : [],
  );
}

describe.each(MATRIX_BACKENDS)('Anthropic SDK → llm-proxy → %s backend', (backend) => {
  it.each(MATRIX_SCENARIOS)('%s, whole message', async (scenario) => {
    enqueueScenario(matrix, backend, scenario);
    const message = await claude.messages.create(requestFor(backend, scenario));
    expect(answerOf(message)).toEqual(EXPECTED_ANSWERS[scenario]);
    const normalizer = new GoldenNormalizer();
    goldens[backend].check(`${scenario} whole`, {
      message: normalizer.normalize(message),
      upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, backend)),
    });
  });

  it.each(MATRIX_SCENARIOS)('%s, streamed through MessageStream', async (scenario) => {
    enqueueScenario(matrix, backend, scenario);
    const stream = claude.messages.stream(requestFor(backend, scenario));
    const normalizer = new GoldenNormalizer();
    // Recorded on arrival: the SDK goes on to fill message_start's message as it accumulates.
    const events: string[] = [];
    for await (const event of stream) events.push(JSON.stringify(normalizer.normalize(event)));
    const message = await stream.finalMessage();
    expect(answerOf(message)).toEqual(EXPECTED_ANSWERS[scenario]);
    goldens[backend].check(`${scenario} streamed`, {
      events,
      message: normalizer.normalize(message),
      upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, backend)),
    });
  });

  it('sends the streamed tool calls back with their results, ids and signatures intact', async () => {
    enqueueScenario(matrix, backend, 'parallel-tool-calls');
    const first = requestFor(backend, 'parallel-tool-calls');
    const answer = await claude.messages.stream(first).finalMessage();
    enqueueText(matrix, backend, 'Sunny, 14:05.');
    const followUp = await claude.messages.create({
      ...first,
      messages: [...first.messages, { role: 'assistant', content: answer.content }, { role: 'user', content: toolResultsFor(answer) }],
    });
    // The anthropic backend's answer is relayed as the upstream sent it (with `citations: null`).
    expect(followUp.content).toEqual([expect.objectContaining({ type: 'text', text: 'Sunny, 14:05.' })]);
    expectSignaturesReturned(matrix, backend, 'parallel-tool-calls');
    const normalizer = new GoldenNormalizer();
    normalizer.normalize(answer);
    goldens[backend].check('tool results sent back', { upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, backend)) });
  });

  it.each(['whole', 'streamed'] as const)('sends %s signed thinking back to the backend on the next turn', async (mode) => {
    enqueueScenario(matrix, backend, 'thinking');
    const first = requestFor(backend, 'thinking');
    const answer = mode === 'whole' ? await claude.messages.create(first) : await claude.messages.stream(first).finalMessage();
    enqueueText(matrix, backend, 'It is 336.');
    await claude.messages.create({
      ...first,
      messages: [...first.messages, { role: 'assistant', content: answer.content }, { role: 'user', content: 'And times eight?' }],
    });
    expectSignaturesReturned(matrix, backend, 'thinking');
    const normalizer = new GoldenNormalizer();
    normalizer.normalize(answer);
    goldens[backend].check(`${mode} thinking sent back`, { upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, backend)) });
  });

  it('passes each text piece on before the upstream sends the next', async () => {
    const pieces = ['one', ' two', ' three', ' four'];
    const upstream = enqueueSlowText(matrix, backend, pieces, 80);
    const stream = claude.messages.stream(requestFor(backend, 'text'));
    const received: string[] = [];
    const arrivals: number[] = [];
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
        received.push(event.delta.text);
        arrivals.push(upstream.framesSent());
      }
    }
    expect(received).toEqual(pieces);
    expectArrivedIncrementally(arrivals, upstream.framesSent());
  });
});

describe.each(MATRIX_BACKENDS)('Anthropic SDK → llm-proxy → %s backend, a system turn inside messages', (backend) => {
  it('is accepted, forwarded as is to an anthropic upstream and merged into the system text elsewhere', async () => {
    enqueueText(matrix, backend, 'Noted.');
    const reminder = 'Reminder from the client: answer briefly.';
    const messages = [
      { role: 'user', content: 'Hi' },
      { role: 'system', content: reminder },
      { role: 'user', content: 'Go on' },
    ] as unknown as Anthropic.MessageParam[];
    const message = await claude.messages.create({ model: MATRIX_MODELS[backend], max_tokens: 64, system: SYSTEM_PROMPT, messages });
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'Noted.' })]);
    const body = lastUpstreamRequest(matrix, backend).body as Record<string, unknown>;
    if (backend === 'anthropic') {
      // Same API in and out: the request is relayed as the client sent it.
      expect(body['messages']).toEqual(messages);
      expect(body['system']).toBe(SYSTEM_PROMPT);
      return;
    }
    const systemText = {
      openai: () => (body['messages'] as Array<{ role: string; content: unknown }>).filter((entry) => entry.role === 'system').map((entry) => JSON.stringify(entry.content)),
      gemini: () => [JSON.stringify(body['systemInstruction'])],
    }[backend]();
    expect(systemText.join('\n')).toContain(reminder);
    expect(systemText.join('\n')).toContain(SYSTEM_PROMPT);
  });
});

describe('Anthropic SDK → llm-proxy, beside messages', () => {
  it('lists the models of every backend', async () => {
    const ids: string[] = [];
    for await (const model of claude.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['openai:gpt-4o-mini', 'anthropic:claude-sonnet-4-5', 'gemini:gemini-2.5-flash']));
  });

  it('counts tokens at the anthropic backend and estimates them for the others', async () => {
    const request = { system: SYSTEM_PROMPT, messages: [{ role: 'user' as const, content: PROMPTS.text }] };
    const counted = await claude.messages.countTokens({ ...request, model: MATRIX_MODELS.anthropic });
    expect(counted.input_tokens).toBe(matrix.anthropic.countTokensAnswer);
    for (const backend of ['openai', 'gemini'] as const) {
      const estimated = await claude.messages.countTokens({ ...request, model: MATRIX_MODELS[backend] });
      expect(estimated.input_tokens).toBeGreaterThan(0);
    }
  });
});
