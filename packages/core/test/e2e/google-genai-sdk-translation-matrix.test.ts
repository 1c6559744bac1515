/**
 * @fileoverview The official Google GenAI SDK against the real `llm-proxy` CLI's Gemini
 * front-end, reaching the openai, anthropic and gemini backends (fake upstreams on 127.0.0.1
 * speaking each vendor's wire format). Every pair, with generateContent and
 * generateContentStream (the SDK's own SSE parser), for text, parallel tool calls, thoughts with
 * signatures and the MAX_TOKENS stop: each answer is checked for its meaning and against its
 * golden fixture (fixtures/golden/gemini/<backend>.json), and the model turn goes back upstream
 * with its function responses and thought signatures.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GoogleGenAI, type Content, type GenerateContentParameters, type GenerateContentResponse, type Part } from '@google/genai';
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

let matrix: TranslationMatrix;
let ai: GoogleGenAI;
const goldens = Object.fromEntries(MATRIX_BACKENDS.map((backend) => [backend, new GoldenFile(`gemini/${backend}.json`)])) as Record<MatrixBackend, GoldenFile>;

beforeAll(async () => {
  matrix = await startTranslationMatrix();
  // The SDK's own Undici dispatcher lives on Node's real global, which jest's sandbox hides;
  // the sandbox's fetch does the same job.
  ai = new GoogleGenAI({ apiKey: MATRIX_CLIENT_KEY, httpOptions: { baseUrl: matrix.url, fetch: (input, init) => fetch(input, init) } });
});

afterAll(async () => {
  for (const golden of Object.values(goldens)) golden.save();
  const stopped = await matrix.stop();
  expect(stopped.exitCode).toBe(0);
  for (const key of MATRIX_UPSTREAM_KEYS) expect(stopped.stdout + stopped.stderr).not.toContain(key);
});

function requestFor(backend: MatrixBackend, scenario: MatrixScenario): GenerateContentParameters {
  const config: NonNullable<GenerateContentParameters['config']> = { systemInstruction: SYSTEM_PROMPT, maxOutputTokens: 256 };
  switch (scenario) {
    case 'parallel-tool-calls':
      config.tools = [{ functionDeclarations: MATRIX_TOOLS.map((tool) => ({ name: tool.name, description: tool.description, parametersJsonSchema: tool.parameters })) }];
      break;
    case 'thinking':
      // Anthropic's smallest thinking budget is 1024 tokens, and it must stay below the output limit.
      config.maxOutputTokens = 2048;
      config.thinkingConfig = { includeThoughts: true, thinkingBudget: 1024 };
      break;
    case 'max-tokens':
      config.maxOutputTokens = 5;
      break;
    case 'text':
      break;
  }
  return { model: MATRIX_MODELS[backend], contents: [{ role: 'user', parts: [{ text: PROMPTS[scenario] }] }], config };
}

function partsOf(chunks: readonly GenerateContentResponse[]): Part[] {
  return chunks.flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? []);
}

function answerOf(chunks: readonly GenerateContentResponse[]): ExpectedAnswer {
  const parts = partsOf(chunks);
  const finishReason = chunks.at(-1)?.candidates?.[0]?.finishReason;
  const toolCalls = parts.flatMap((part) => (part.functionCall === undefined ? [] : [{ name: part.functionCall.name ?? '', arguments: part.functionCall.args as unknown }]));
  // Gemini ends a step with function calls as STOP; the calls themselves say what it is.
  const finish = finishReason === 'MAX_TOKENS' ? 'length' : finishReason === 'STOP' ? (toolCalls.length > 0 ? 'tool-calls' : 'stop') : undefined;
  if (finish === undefined) throw new Error(`unexpected finishReason ${String(finishReason)}`);
  return {
    reasoning: parts.map((part) => (part.thought === true ? (part.text ?? '') : '')).join(''),
    text: parts.map((part) => (part.thought === true ? '' : (part.text ?? ''))).join(''),
    toolCalls,
    finish,
  };
}

/** The response as the client got it, without the SDK's record of the HTTP headers. */
function wireViewOf(response: GenerateContentResponse): unknown {
  const { sdkHttpResponse: _headers, ...rest } = response;
  return rest;
}

async function generate(request: GenerateContentParameters, mode: 'whole' | 'streamed'): Promise<GenerateContentResponse[]> {
  if (mode === 'whole') return [await ai.models.generateContent(request)];
  const chunks: GenerateContentResponse[] = [];
  for await (const chunk of await ai.models.generateContentStream(request)) chunks.push(chunk);
  return chunks;
}

describe.each(MATRIX_BACKENDS)('Google GenAI SDK → llm-proxy → %s backend', (backend) => {
  it.each(MATRIX_SCENARIOS)('%s, generateContent', async (scenario) => {
    enqueueScenario(matrix, backend, scenario);
    const [response] = await generate(requestFor(backend, scenario), 'whole');
    expect(answerOf([response!])).toEqual(EXPECTED_ANSWERS[scenario]);
    const normalizer = new GoldenNormalizer();
    goldens[backend].check(`${scenario} whole`, {
      response: normalizer.normalize(wireViewOf(response!)),
      upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, backend)),
    });
  });

  it.each(MATRIX_SCENARIOS)('%s, generateContentStream', async (scenario) => {
    enqueueScenario(matrix, backend, scenario);
    const chunks = await generate(requestFor(backend, scenario), 'streamed');
    expect(answerOf(chunks)).toEqual(EXPECTED_ANSWERS[scenario]);
    const normalizer = new GoldenNormalizer();
    goldens[backend].check(`${scenario} streamed`, {
      chunks: chunks.map((chunk) => JSON.stringify(normalizer.normalize(wireViewOf(chunk)))),
      upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, backend)),
    });
  });

  it('sends the streamed function calls back with their responses and signatures', async () => {
    enqueueScenario(matrix, backend, 'parallel-tool-calls');
    const first = requestFor(backend, 'parallel-tool-calls');
    const chunks = await generate(first, 'streamed');
    // The model turn goes back as Gemini CLI keeps it: every part of every chunk, in order.
    const modelTurn: Content = { role: 'model', parts: partsOf(chunks) };
    const responses: Part[] = partsOf(chunks).flatMap((part) =>
      part.functionCall === undefined
        ? []
        : [{ functionResponse: { id: part.functionCall.id, name: part.functionCall.name, response: { output: TOOL_OUTPUTS[part.functionCall.name ?? ''] ?? '' } } }],
    );
    enqueueText(matrix, backend, 'Sunny, 14:05.');
    const [followUp] = await generate({ ...first, contents: [...(first.contents as Content[]), modelTurn, { role: 'user', parts: responses }] }, 'whole');
    expect(followUp?.text).toBe('Sunny, 14:05.');
    expectSignaturesReturned(matrix, backend, 'parallel-tool-calls');
    const normalizer = new GoldenNormalizer();
    normalizer.normalize(chunks);
    goldens[backend].check('function responses sent back', { upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, backend)) });
  });

  it.each(['whole', 'streamed'] as const)('sends the %s thoughts and their signatures back on the next turn', async (mode) => {
    enqueueScenario(matrix, backend, 'thinking');
    const first = requestFor(backend, 'thinking');
    const chunks = await generate(first, mode);
    enqueueText(matrix, backend, 'It is 336.');
    await generate(
      { ...first, contents: [...(first.contents as Content[]), { role: 'model', parts: partsOf(chunks) }, { role: 'user', parts: [{ text: 'And times eight?' }] }] },
      'whole',
    );
    expectSignaturesReturned(matrix, backend, 'thinking');
    const normalizer = new GoldenNormalizer();
    normalizer.normalize(chunks);
    goldens[backend].check(`${mode} thoughts sent back`, { upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, backend)) });
  });

  it('passes each text piece on before the upstream sends the next', async () => {
    const pieces = ['one', ' two', ' three', ' four'];
    const upstream = enqueueSlowText(matrix, backend, pieces, 80);
    const received: string[] = [];
    const arrivals: number[] = [];
    for await (const chunk of await ai.models.generateContentStream(requestFor(backend, 'text'))) {
      const text = partsOf([chunk]).map((part) => part.text ?? '').join('');
      if (text !== '') {
        received.push(text);
        arrivals.push(upstream.framesSent());
      }
    }
    expect(received).toEqual(pieces);
    expectArrivedIncrementally(arrivals, upstream.framesSent());
  });
});

describe('Google GenAI SDK → llm-proxy, beside generation', () => {
  it('lists the models of every backend as models/backend:model', async () => {
    const names: string[] = [];
    for await (const model of await ai.models.list()) names.push(model.name ?? '');
    expect(names).toEqual(expect.arrayContaining(['models/openai:gpt-4o-mini', 'models/anthropic:claude-sonnet-4-5', 'models/gemini:gemini-2.5-flash']));
  });
});
