/**
 * @fileoverview The official OpenAI SDK's Responses client against the real `llm-proxy` CLI,
 * reaching the openai, anthropic and gemini backends (fake upstreams on 127.0.0.1 speaking each
 * vendor's wire format). Every pair, whole and streamed (through the SDK's ResponseStream), for
 * text, parallel tool calls, reasoning with signatures (`encrypted_content`) and the
 * max-output-tokens stop: each answer is checked for its meaning and against its golden fixture
 * (fixtures/golden/openai-responses/<backend>.json). Follow-up turns go upstream both through
 * `previous_response_id` and by sending the output items back, as Codex does.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import type { Response, ResponseCreateParamsNonStreaming, ResponseInputItem } from 'openai/resources/responses/responses';
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

/** A request without `stream`, usable whole and streamed. */
type ResponsesRequest = Omit<ResponseCreateParamsNonStreaming, 'stream'>;

let matrix: TranslationMatrix;
let client: OpenAI;
const goldens = Object.fromEntries(MATRIX_BACKENDS.map((backend) => [backend, new GoldenFile(`openai-responses/${backend}.json`)])) as Record<
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

function requestFor(backend: MatrixBackend, scenario: MatrixScenario): ResponsesRequest {
  const request: ResponsesRequest = {
    model: MATRIX_MODELS[backend],
    instructions: SYSTEM_PROMPT,
    input: PROMPTS[scenario],
    max_output_tokens: 256,
  };
  switch (scenario) {
    case 'parallel-tool-calls':
      request.tools = MATRIX_TOOLS.map((tool) => ({
        type: 'function' as const,
        name: tool.name,
        description: tool.description,
        parameters: { ...tool.parameters, required: [...tool.parameters.required] },
        strict: false,
      }));
      break;
    case 'thinking':
      // Anthropic's smallest thinking budget is 1024 tokens, and it must stay below the output limit.
      request.max_output_tokens = 2048;
      request.reasoning = { effort: 'low', summary: 'auto' };
      request.include = ['reasoning.encrypted_content'];
      break;
    case 'max-tokens':
      request.max_output_tokens = 16;
      break;
    case 'text':
      break;
  }
  return request;
}

function answerOf(response: Response): ExpectedAnswer {
  let reasoning = '';
  let text = '';
  const toolCalls: ExpectedAnswer['toolCalls'] = [];
  for (const item of response.output) {
    if (item.type === 'reasoning') reasoning += item.summary.map((part) => part.text).join('');
    else if (item.type === 'message') text += item.content.map((part) => (part.type === 'output_text' ? part.text : '')).join('');
    else if (item.type === 'function_call') toolCalls.push({ name: item.name, arguments: JSON.parse(item.arguments) as unknown });
    else throw new Error(`unexpected output item ${item.type}`);
  }
  const finish =
    response.status === 'incomplete' && response.incomplete_details?.reason === 'max_output_tokens'
      ? 'length'
      : response.status === 'completed'
        ? toolCalls.length > 0
          ? 'tool-calls'
          : 'stop'
        : undefined;
  if (finish === undefined) throw new Error(`unexpected status ${String(response.status)}`);
  return { reasoning, text, toolCalls, finish };
}

describe.each(MATRIX_BACKENDS)('OpenAI SDK responses → llm-proxy → %s backend', (backend) => {
  it.each(MATRIX_SCENARIOS)('%s, whole response', async (scenario) => {
    enqueueScenario(matrix, backend, scenario);
    const response = await client.responses.create(requestFor(backend, scenario));
    expect(answerOf(response)).toEqual(EXPECTED_ANSWERS[scenario]);
    const normalizer = new GoldenNormalizer();
    goldens[backend].check(`${scenario} whole`, {
      response: normalizer.normalize(response),
      upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, backend)),
    });
  });

  // With the anthropic backend, a redacted thinking block follows a signed one: the stream must
  // close the signed block's reasoning item first (one item per signed or redacted block, as the
  // whole response has), or the redacted data would overwrite the signature.
  it.each(MATRIX_SCENARIOS)('%s, streamed through ResponseStream', async (scenario) => {
    enqueueScenario(matrix, backend, scenario);
    const stream = client.responses.stream(requestFor(backend, scenario));
    const normalizer = new GoldenNormalizer();
    const events: string[] = [];
    for await (const event of stream) events.push(JSON.stringify(normalizer.normalize(event)));
    const response = await stream.finalResponse();
    expect(answerOf(response)).toEqual(EXPECTED_ANSWERS[scenario]);
    goldens[backend].check(`${scenario} streamed`, {
      events,
      response: normalizer.normalize(response),
      upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, backend)),
    });
  });

  it('continues a streamed tool-call response through previous_response_id with the results', async () => {
    enqueueScenario(matrix, backend, 'parallel-tool-calls');
    const first = requestFor(backend, 'parallel-tool-calls');
    const answer = await client.responses.stream(first).finalResponse();
    const results: ResponseInputItem[] = answer.output.flatMap((item) =>
      item.type === 'function_call' ? [{ type: 'function_call_output' as const, call_id: item.call_id, output: TOOL_OUTPUTS[item.name] ?? '' }] : [],
    );
    enqueueText(matrix, backend, 'Sunny, 14:05.');
    const followUp = await client.responses.create({ ...first, input: results, previous_response_id: answer.id });
    expect(followUp.output_text).toBe('Sunny, 14:05.');
    expectSignaturesReturned(matrix, backend, 'parallel-tool-calls');
    const normalizer = new GoldenNormalizer();
    normalizer.normalize(answer);
    goldens[backend].check('tool results sent through previous_response_id', { upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, backend)) });
  });

  // Streamed or whole, the signed thinking block must go back to Anthropic with its signature.
  it.each(['whole', 'streamed'] as const)('sends the %s output items back with their encrypted reasoning on the next turn', async (mode) => {
    enqueueScenario(matrix, backend, 'thinking');
    const first = { ...requestFor(backend, 'thinking'), store: false };
    const answer = mode === 'whole' ? await client.responses.create(first) : await client.responses.stream(first).finalResponse();
    enqueueText(matrix, backend, 'It is 336.');
    // The output items go back as the SDK returned them, as Codex does with store: false.
    const input: ResponseInputItem[] = [{ role: 'user', content: PROMPTS.thinking }, ...(answer.output as ResponseInputItem[]), { role: 'user', content: 'And times eight?' }];
    await client.responses.create({ ...first, input });
    expectSignaturesReturned(matrix, backend, 'thinking');
    const normalizer = new GoldenNormalizer();
    normalizer.normalize(answer);
    goldens[backend].check(`${mode} reasoning items sent back`, { upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, backend)) });
  });

  it('passes each text piece on before the upstream sends the next', async () => {
    const pieces = ['one', ' two', ' three', ' four'];
    const upstream = enqueueSlowText(matrix, backend, pieces, 80);
    const stream = await client.responses.create({ ...requestFor(backend, 'text'), stream: true });
    const received: string[] = [];
    const arrivals: number[] = [];
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') {
        received.push(event.delta);
        arrivals.push(upstream.framesSent());
      }
    }
    expect(received).toEqual(pieces);
    expectArrivedIncrementally(arrivals, upstream.framesSent());
  });
});
