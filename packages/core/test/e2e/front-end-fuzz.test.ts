/**
 * Fuzzes every front-end of the built CLI with seeded malformed requests (mutated valid requests,
 * broken JSON, odd content types and encodings, random paths and queries, prototype-pollution
 * keys, nesting up to 100 levels) over keep-alive connections, against one child process with a
 * fake upstream that answers every well-formed upstream request with success. Asserts that the
 * proxy's own parsing never answers 5xx, that every error body is in the calling API's format,
 * that the process keeps serving after each batch, and that no built-in prototype changed inside
 * the child.
 *
 * Reproduce a failure with the seed it prints: LLM_PROXY_FUZZ_SEED=<seed> (the case number locates
 * the request within the run).
 */
import fs from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeEchoingUpstream, type FakeEchoingUpstream } from '../support/fake-echoing-upstream.js';
import { errorFamilyOf, errorShapeProblem, type FrontEnd } from '../support/front-end-requests.js';
import { damageText, mutateJson, oddHeaders, oddQuery, Picker, seededRandom, type MalformedRequest } from '../support/malformed-requests.js';
import { assertCliBuilt, cleanUpCliRuns, createWorkingDirectory, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

/** LLM_PROXY_FUZZ_CASES raises the count for a longer local hunt; CI runs the default. */
const CASES_PER_FRONT_END = process.env['LLM_PROXY_FUZZ_CASES'] === undefined ? 2_000 : Number(process.env['LLM_PROXY_FUZZ_CASES']);
const BATCH_SIZE = 250;
const CONCURRENCY = 4;
const BASE_SEED = process.env['LLM_PROXY_FUZZ_SEED'] === undefined ? 0x5eed_1202 : Number(process.env['LLM_PROXY_FUZZ_SEED']);
const CLIENT_KEY = 'fuzz-client-key-0a9b8c7d';
const PROTOTYPE_RECORDER = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), '../support/fixtures/record-prototypes.mjs')).href;

const TOOL = { type: 'function', function: { name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } };

/** Valid requests each front-end accepts; the fuzzer starts from one of them. */
const VALID_BODIES: Record<FrontEnd, readonly object[]> = {
  'openai-chat': [
    { model: 'openai:fuzz', messages: [{ role: 'user', content: 'hi' }] },
    {
      model: 'anthropic:fuzz',
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 20,
      temperature: 0.5,
      tools: [TOOL],
      tool_choice: 'auto',
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'found' },
      ],
    },
    { model: 'gemini:fuzz', response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } }, messages: [{ role: 'user', content: 'hi' }] },
  ],
  'openai-responses': [
    { model: 'openai:fuzz', input: 'hi' },
    {
      model: 'anthropic:fuzz',
      stream: true,
      instructions: 'Be brief',
      max_output_tokens: 20,
      tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } }],
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
        { type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'found' },
      ],
    },
    { model: 'gemini:fuzz', reasoning: { effort: 'low' }, text: { format: { type: 'text' } }, input: [{ role: 'user', content: 'hi' }] },
  ],
  anthropic: [
    { model: 'anthropic:fuzz', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] },
    {
      model: 'openai:fuzz',
      max_tokens: 16,
      stream: true,
      system: [{ type: 'text', text: 'Be brief', cache_control: { type: 'ephemeral' } }],
      tools: [{ name: 'lookup', input_schema: { type: 'object', properties: {} } }],
      tool_choice: { type: 'auto' },
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'tu_1', name: 'lookup', input: { q: 'x' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: 'found' }] },
      ],
    },
    { model: 'gemini:fuzz', max_tokens: 16, stop_sequences: ['x'], metadata: { user_id: 'u' }, messages: [{ role: 'user', content: 'hi' }] },
  ],
  gemini: [
    { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
    {
      systemInstruction: { parts: [{ text: 'Be brief' }] },
      generationConfig: { maxOutputTokens: 16, temperature: 0.2, thinkingConfig: { thinkingBudget: 128 }, responseMimeType: 'application/json' },
      tools: [{ functionDeclarations: [{ name: 'lookup', parameters: { type: 'OBJECT', properties: { q: { type: 'STRING' } } } }] }],
      toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
      contents: [
        { role: 'user', parts: [{ text: 'hi' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] },
        { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { q: 'x' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { result: 'found' } } }] },
      ],
    },
    { generateContentRequest: { contents: [{ role: 'user', parts: [{ text: 'count me' }] }] } },
  ],
};

const GEMINI_MODELS = ['openai:fuzz', 'anthropic:fuzz', 'gemini:fuzz', 'gemini-2.0-flash', 'tunedModels/x', 'a%20b', '%F0%9F%A6%84', '', 'x'.repeat(300), '%E0%A4%A', 'gemini:a:b:c'];
const GEMINI_ACTIONS = ['generateContent', 'streamGenerateContent', 'streamGenerateContent?alt=sse', 'countTokens', 'embedContent', '', 'generateContent:generateContent'];

function pathFor(frontEnd: FrontEnd, pick: Picker): { method: 'POST' | 'GET'; path: string } {
  switch (frontEnd) {
    case 'openai-chat':
      return { method: 'POST', path: `/v1/chat/completions${pick.chance(0.03) ? '/extra' : ''}` };
    case 'openai-responses':
      return { method: 'POST', path: `/v1/responses${pick.chance(0.03) ? '/resp_1' : ''}` };
    case 'anthropic':
      return { method: 'POST', path: `${pick.one(['', '/anthropic'])}/v1/messages${pick.chance(0.3) ? '/count_tokens' : ''}` };
    case 'gemini': {
      const model = pick.one(GEMINI_MODELS);
      // The model path: GET /v1beta/models/{model}.
      if (pick.chance(0.1)) return { method: 'GET', path: `/v1beta/models/${model}` };
      return { method: 'POST', path: `/v1beta/models/${model}:${pick.one(GEMINI_ACTIONS)}` };
    }
  }
}

function authHeaders(frontEnd: FrontEnd): Record<string, string> {
  if (frontEnd === 'anthropic') return { 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01' };
  if (frontEnd === 'gemini') return { 'x-goog-api-key': CLIENT_KEY };
  return { authorization: `Bearer ${CLIENT_KEY}` };
}

/** Case `index` of `frontEnd` under `seed`: the same request every run. */
function generate(frontEnd: FrontEnd, seed: number, index: number): MalformedRequest {
  const pick = new Picker(seededRandom(seed ^ Math.imul(index + 1, 0x9e3779b1)));
  const { method, path: basePath } = pathFor(frontEnd, pick);
  const valid = pick.one(VALID_BODIES[frontEnd]);
  const mutated = pick.chance(0.85) ? mutateJson(valid, pick) : valid;
  let text = JSON.stringify(mutated);
  if (pick.chance(0.25)) text = damageText(text, pick);
  const headers = { ...(pick.chance(0.6) ? { 'content-type': 'application/json' } : oddHeaders(pick)), ...authHeaders(frontEnd) };
  return { method, path: `${basePath}${basePath.includes('?') ? '' : oddQuery(pick)}`, headers, body: method === 'GET' ? '' : text };
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

function send(baseUrl: URL, agent: Agent, request: MalformedRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: baseUrl.hostname, port: baseUrl.port, method: request.method, path: request.path, headers: request.headers, agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/** Why `answer` breaks the rules, or undefined. */
function problemWith(request: MalformedRequest, answer: Answer): string | undefined {
  if (answer.status >= 500) return `HTTP ${answer.status} from the proxy's own handling`;
  if (answer.status < 400) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return `HTTP ${answer.status} with a body that is not JSON (${answer.contentType})`;
  }
  const shape = errorShapeProblem(errorFamilyOf(request.path), parsed);
  return shape === undefined ? undefined : `HTTP ${answer.status} error body in the wrong format: ${shape}`;
}

function describeCase(frontEnd: FrontEnd, seed: number, index: number, request: MalformedRequest, answer: Answer, problem: string): string {
  const body = typeof request.body === 'string' ? request.body : request.body.toString('utf8');
  return [
    `${frontEnd} case ${index} (LLM_PROXY_FUZZ_SEED=${seed}): ${problem}`,
    `request: ${request.method} ${request.path} ${JSON.stringify(request.headers)}`,
    `body: ${body.length > 600 ? `${body.slice(0, 600)}… (${body.length} characters)` : body}`,
    `answer: ${answer.body.slice(0, 600)}`,
  ].join('\n');
}

describe('fuzzing the front-ends with malformed requests', () => {
  let upstream: FakeEchoingUpstream;
  let proxy: RunningCli;
  let agent: Agent;
  let prototypeRecord: string;

  beforeAll(async () => {
    assertCliBuilt();
    upstream = await startFakeEchoingUpstream();
    prototypeRecord = path.join(createWorkingDirectory(), 'prototypes.json');
    proxy = await startLlmProxy(['--port', '0', '--api-keys', CLIENT_KEY, '--disable-notifications', '--log-level', 'warn'], {
      env: {
        NODE_OPTIONS: `--import ${PROTOTYPE_RECORDER}`,
        PROTOTYPE_RECORD_FILE: prototypeRecord,
        OPENAI_API_KEY: 'fuzz-upstream-openai-key',
        OPENAI_BASE_URL: `${upstream.baseUrl}/v1`,
        ANTHROPIC_API_KEY: 'fuzz-upstream-anthropic-key',
        ANTHROPIC_BASE_URL: upstream.baseUrl,
        GEMINI_API_KEY: 'fuzz-upstream-gemini-key',
        GEMINI_BASE_URL: upstream.baseUrl,
      },
    });
    agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  });
  afterAll(async () => {
    agent?.destroy();
    await proxy?.stop();
    await upstream?.close();
    cleanUpCliRuns();
  });

  const frontEnds: readonly FrontEnd[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
  it.each(frontEnds.map((frontEnd, position) => ({ frontEnd, seed: (BASE_SEED + position) >>> 0 })))(
    `$frontEnd: ${CASES_PER_FRONT_END} malformed requests, no 5xx, every error in its API format, still serving`,
    async ({ frontEnd, seed }) => {
      const baseUrl = new URL(proxy.url);
      const failures: string[] = [];
      const statuses = new Map<number, number>();
      for (let batchStart = 0; batchStart < CASES_PER_FRONT_END; batchStart += BATCH_SIZE) {
        let next = batchStart;
        const worker = async (): Promise<void> => {
          while (next < Math.min(batchStart + BATCH_SIZE, CASES_PER_FRONT_END)) {
            const index = next;
            next += 1;
            const request = generate(frontEnd, seed, index);
            const answer = await send(baseUrl, agent, request);
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
            const problem = problemWith(request, answer);
            if (problem !== undefined && failures.length < 5) failures.push(describeCase(frontEnd, seed, index, request, answer, problem));
          }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
        // Still serving after the batch.
        const health = await send(baseUrl, agent, { method: 'GET', path: '/internal/health', headers: {}, body: '' });
        if (health.status !== 200) failures.push(`${frontEnd} (LLM_PROXY_FUZZ_SEED=${seed}): health answered ${health.status} after case ${batchStart + BATCH_SIZE - 1}`);
      }
      expect(failures).toEqual([]);
      // Both outcomes were exercised: the generator is not refusing everything at the door.
      expect([...statuses.keys()].some((status) => status === 200)).toBe(true);
      expect([...statuses.keys()].some((status) => status >= 400)).toBe(true);
    },
    // About 5 s per front-end on a quiet machine; generous for a loaded CI runner.
    Math.max(45_000, CASES_PER_FRONT_END * 25),
  );

  it('leaves the built-in prototypes untouched inside the proxy process', async () => {
    const result = await proxy.stop();
    expect(result.exitCode).toBe(0);
    const record = JSON.parse(fs.readFileSync(prototypeRecord, 'utf8')) as { atStart: unknown; atExit: unknown };
    expect(record.atExit).toEqual(record.atStart);
  });
});
