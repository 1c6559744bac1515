/**
 * @fileoverview The fidelity policy (docs/translation.md) through the real `llm-proxy` CLI and
 * fake upstreams: a Claude Code-shaped Messages request and a Codex-shaped Responses request
 * reach backends of other APIs with their hints dropped and named in `x-llmproxy-dropped-fields`,
 * namespace tools are flattened on the way up and their calls namespaced again on the way down
 * (whole and streamed), the same requests reach an upstream of their own API with every field,
 * and content that cannot be translated, or an unknown field under `--unknown-fields refuse`,
 * is still refused by name. Each case is checked for its meaning and against its golden fixture
 * (fixtures/golden/translation-fidelity/*.json).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GoldenFile, GoldenNormalizer } from './golden-fixtures.js';
import { enqueueText, lastUpstreamRequest } from './matrix-scenarios.js';
import { MATRIX_CLIENT_KEY, MATRIX_MODELS, startTranslationMatrix, type MatrixBackend, type TranslationMatrix } from './start-translation-matrix.js';

const DROPPED_HEADER = 'x-llmproxy-dropped-fields';

let matrix: TranslationMatrix;
let strict: TranslationMatrix;
const claudeGolden = new GoldenFile('translation-fidelity/claude-code-messages.json');
const codexGolden = new GoldenFile('translation-fidelity/codex-responses.json');
const classesGolden = new GoldenFile('translation-fidelity/dropped-field-classes.json');

beforeAll(async () => {
  [matrix, strict] = await Promise.all([startTranslationMatrix(), startTranslationMatrix(['--unknown-fields', 'refuse'])]);
});

afterAll(async () => {
  claudeGolden.save();
  codexGolden.save();
  classesGolden.save();
  const [stopped, stoppedStrict] = await Promise.all([matrix.stop(), strict.stop()]);
  expect([stopped.exitCode, stoppedStrict.exitCode]).toEqual([0, 0]);
});

/** The proxy's first log line (stderr) with every one of `parts`, waiting up to two seconds for it. */
async function logLineWith(proxy: TranslationMatrix, parts: readonly string[]): Promise<string | undefined> {
  for (let waited = 0; waited <= 2000; waited += 50) {
    const line = proxy.output().stderr.split('\n').find((candidate) => parts.every((part) => candidate.includes(part)));
    if (line !== undefined) return line;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

interface ProxyAnswer {
  status: number;
  dropped: string | null;
  /** The JSON body, or the data of every server-sent event for a stream. */
  body: unknown;
}

async function post(proxy: TranslationMatrix, path: string, body: Record<string, unknown>): Promise<ProxyAnswer> {
  const response = await fetch(`${proxy.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${MATRIX_CLIENT_KEY}`, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const events = body['stream'] === true && response.status === 200;
  return {
    status: response.status,
    dropped: response.headers.get(DROPPED_HEADER),
    body: events
      ? text
          .split('\n')
          .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
          .map((line) => JSON.parse(line.slice(6)) as unknown)
      : (JSON.parse(text) as unknown),
  };
}

// ---------------------------------------------------------------------------------------------
// Claude Code (Anthropic Messages)

/** A request shaped as Claude Code sends it: cache breakpoints, deferred tools, context editing, a system turn. */
function claudeCodeRequest(backend: MatrixBackend, stream: boolean): Record<string, unknown> {
  return {
    model: MATRIX_MODELS[backend],
    max_tokens: 256,
    stream,
    system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'List the files.', cache_control: { type: 'ephemeral' } }] },
      { role: 'system', content: 'Reminder: answer briefly.' },
      { role: 'user', content: 'Go on.' },
    ],
    tools: [
      { name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } } }, defer_loading: false },
      {
        name: 'Read',
        description: 'Read a file',
        input_schema: { type: 'object', properties: { path: { type: 'string' } } },
        defer_loading: true,
        cache_control: { type: 'ephemeral' },
      },
    ],
    metadata: { user_id: 'user_0123_account__session_4567' },
    context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  };
}

const CLAUDE_CODE_DROPS =
  'context_management, system[0].cache_control, messages[0].content[0].cache_control, tools[0].defer_loading, tools[1].defer_loading, tools[1].cache_control';

describe.each(['openai', 'gemini'] as const)('a Claude Code request → llm-proxy → %s backend', (backend) => {
  it.each([false, true])('succeeds with its hints dropped and named (stream: %s)', async (stream) => {
    enqueueText(matrix, backend, 'Two files.');
    const answer = await post(matrix, '/v1/messages', claudeCodeRequest(backend, stream));
    expect(answer.status).toBe(200);
    expect(answer.dropped).toBe(CLAUDE_CODE_DROPS);
    const upstream = lastUpstreamRequest(matrix, backend);
    const sent = JSON.stringify(upstream.body);
    for (const hint of ['context_management', 'defer_loading', 'cache_control']) expect(sent).not.toContain(hint);
    expect(sent).toContain('Reminder: answer briefly.');
    // One info line with the request id, the fields and the pair.
    const to = backend === 'openai' ? 'openai-chat' : 'gemini';
    const logged = await logLineWith(matrix, ['info', 'Request fields dropped', '"from":"anthropic-messages"', `"to":"${to}"`, `"backend":"${backend}"`]);
    expect(logged).toMatch(/"requestId":"[0-9a-f-]{36}"/);
    expect(logged).toContain('"fields":["context_management","system[0].cache_control"');
    const normalizer = new GoldenNormalizer();
    claudeGolden.check(`${backend} ${stream ? 'streamed' : 'whole'}`, {
      dropped: answer.dropped,
      answer: normalizer.normalize(answer.body),
      upstreamRequest: normalizer.normalize(upstream),
    });
  });
});

describe('a Claude Code request → llm-proxy → anthropic backend', () => {
  it('reaches the upstream with every field and no header', async () => {
    enqueueText(matrix, 'anthropic', 'Two files.');
    const answer = await post(matrix, '/v1/messages', claudeCodeRequest('anthropic', false));
    expect([answer.status, answer.dropped]).toEqual([200, null]);
    const body = lastUpstreamRequest(matrix, 'anthropic').body as Record<string, unknown>;
    expect(body['context_management']).toEqual({ edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] });
    expect(body['tools']).toEqual((claudeCodeRequest('anthropic', false)['tools'] as unknown[]).map((tool) => expect.objectContaining(tool as object)));
    const normalizer = new GoldenNormalizer();
    claudeGolden.check('anthropic whole', { dropped: answer.dropped, upstreamRequest: normalizer.normalize(lastUpstreamRequest(matrix, 'anthropic')) });
  });

  it('keeps an Anthropic server tool for the anthropic backend and drops it for another', async () => {
    const withServerTool = (backend: MatrixBackend): Record<string, unknown> => ({
      ...claudeCodeRequest(backend, false),
      tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 2 }],
      context_management: undefined,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Search.' }],
    });
    enqueueText(matrix, 'anthropic', 'Found.');
    const same = await post(matrix, '/v1/messages', withServerTool('anthropic'));
    expect([same.status, same.dropped]).toEqual([200, null]);
    expect((lastUpstreamRequest(matrix, 'anthropic').body as Record<string, unknown>)['tools']).toEqual([{ type: 'web_search_20250305', name: 'web_search', max_uses: 2 }]);
    enqueueText(matrix, 'openai', 'From memory.');
    const other = await post(matrix, '/v1/messages', withServerTool('openai'));
    expect([other.status, other.dropped]).toEqual([200, 'tools[0]']);
    expect((lastUpstreamRequest(matrix, 'openai').body as Record<string, unknown>)['tools']).toBeUndefined();
  });
});

describe('content that cannot be translated, and unknown fields', () => {
  it('refuses a content field by name and the pair, whatever the setting', async () => {
    const answer = await post(matrix, '/v1/messages', { ...claudeCodeRequest('openai', false), top_k: 5 });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain('`top_k` cannot be translated from anthropic-messages to openai-chat (backend openai)');
  });

  it('drops an unknown field by default and names it', async () => {
    enqueueText(matrix, 'openai', 'Fine.');
    const answer = await post(matrix, '/v1/messages', { ...claudeCodeRequest('openai', false), surprise_field: 'secret-surprise-value' });
    expect(answer.status).toBe(200);
    expect(answer.dropped).toBe(`context_management, surprise_field, ${CLAUDE_CODE_DROPS.slice('context_management, '.length)}`);
    expect(JSON.stringify(lastUpstreamRequest(matrix, 'openai').body)).not.toContain('surprise');
  });

  it('refuses an unknown field by name under --unknown-fields refuse, and still drops hints', async () => {
    const refused = await post(strict, '/v1/messages', { ...claudeCodeRequest('openai', false), surprise_field: 'secret-surprise-value' });
    expect(refused.status).toBe(400);
    const text = JSON.stringify(refused.body);
    expect(text).toContain('`surprise_field` cannot be translated from anthropic-messages to openai-chat');
    expect(text).not.toContain('context_management');
    // Every 4xx the proxy answers itself is logged with its code and field, never the value.
    const refusal = await logLineWith(strict, ['info', 'Request refused', 'REQUEST_NOT_TRANSLATABLE', 'surprise_field']);
    expect(refusal).toMatch(/"requestId":"[0-9a-f-]{36}"/);
    expect(strict.output().stderr).not.toContain('secret-surprise-value');
    enqueueText(strict, 'openai', 'Fine.');
    const hintsOnly = await post(strict, '/v1/messages', claudeCodeRequest('openai', false));
    expect([hintsOnly.status, hintsOnly.dropped]).toEqual([200, CLAUDE_CODE_DROPS]);
  });

  it('treats null, an empty object and Gemini *_UNSPECIFIED values as unset', async () => {
    enqueueText(matrix, 'openai', 'Fine.');
    const gemini = await post(matrix, `/v1beta/models/${MATRIX_MODELS.openai}:generateContent`, {
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      generationConfig: { mediaResolution: 'MEDIA_RESOLUTION_UNSPECIFIED', thinkingConfig: { thinkingLevel: 'THINKING_LEVEL_UNSPECIFIED' } },
      toolConfig: {},
      labels: null,
    });
    expect([gemini.status, gemini.dropped]).toEqual([200, null]);
  });
});

// ---------------------------------------------------------------------------------------------
// Codex CLI (OpenAI Responses)

/** A request shaped as Codex CLI sends it: a namespace tool, a hosted tool, bookkeeping and cache hints. */
function codexRequest(backend: MatrixBackend, stream: boolean, input: unknown[] = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Read README.md' }] }]): Record<string, unknown> {
  return {
    model: MATRIX_MODELS[backend],
    instructions: 'You are Codex.',
    input,
    tools: [
      {
        type: 'function',
        name: 'shell',
        description: 'Run a command',
        strict: false,
        parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } }, required: ['command'] },
      },
      {
        type: 'namespace',
        name: 'mcp__files',
        description: 'Tools of the files MCP server',
        tools: [
          { type: 'function', name: 'read', description: 'Read a file', strict: false, parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
        ],
      },
      { type: 'web_search', external_web_access: false },
    ],
    tool_choice: 'auto',
    parallel_tool_calls: false,
    reasoning: { effort: 'medium', summary: 'auto' },
    store: false,
    stream,
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: 'thread-0001',
    client_metadata: { originator: 'codex_exec' },
  };
}

const CODEX_DROPS = 'client_metadata, reasoning.summary, store, include, prompt_cache_key, tools[2]';

/** Queues an answer that calls the flattened namespace function. */
function enqueueFlattenedCall(backend: 'openai' | 'anthropic'): void {
  if (backend === 'openai') {
    matrix.openai.enqueue({ type: 'answer', toolCalls: [{ id: 'call_read_readme', name: 'mcp__files__read', argumentPieces: ['{"path":', '"README.md"}'] }] });
  } else {
    matrix.anthropic.enqueue({ type: 'answer', blocks: [{ type: 'tool_use', id: 'toolu_read_readme', name: 'mcp__files__read', inputPieces: ['{"path":', '"README.md"}'] }] });
  }
}

/** The function calls a Responses answer (or its stream's finished items) holds. */
function functionCallsOf(body: unknown, stream: boolean): Array<Record<string, unknown>> {
  const items = stream
    ? (body as Array<Record<string, unknown>>).filter((event) => event['type'] === 'response.output_item.done').map((event) => event['item'] as Record<string, unknown>)
    : ((body as Record<string, unknown>)['output'] as Array<Record<string, unknown>>);
  return items.filter((item) => item['type'] === 'function_call');
}

describe.each(['anthropic', 'openai'] as const)('a Codex request → llm-proxy → %s backend', (backend) => {
  it.each([false, true])('flattens the namespace tool, drops the hints, and namespaces the call again (stream: %s)', async (stream) => {
    enqueueFlattenedCall(backend);
    const answer = await post(matrix, '/v1/responses', codexRequest(backend, stream));
    expect(answer.status).toBe(200);
    expect(answer.dropped).toBe(CODEX_DROPS);
    const upstream = lastUpstreamRequest(matrix, backend);
    const toolNames = ((upstream.body as Record<string, unknown>)['tools'] as Array<Record<string, unknown>>).map((tool) =>
      backend === 'anthropic' ? tool['name'] : (tool['function'] as Record<string, unknown>)['name'],
    );
    expect(toolNames).toEqual(['shell', 'mcp__files__read']);
    const calls = functionCallsOf(answer.body, stream);
    expect(calls).toEqual([expect.objectContaining({ name: 'read', namespace: 'mcp__files', arguments: '{"path":"README.md"}' })]);
    const normalizer = new GoldenNormalizer();
    codexGolden.check(`${backend} ${stream ? 'streamed' : 'whole'}`, {
      dropped: answer.dropped,
      answer: normalizer.normalize(answer.body),
      upstreamRequest: normalizer.normalize(upstream),
    });
  });

  it('sends a namespaced call back upstream under its flattened name', async () => {
    enqueueText(matrix, backend, 'README says hello.');
    const followUp = await post(
      matrix,
      '/v1/responses',
      codexRequest(backend, false, [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Read README.md' }] },
        { type: 'function_call', call_id: 'call_read_readme', name: 'read', namespace: 'mcp__files', arguments: '{"path":"README.md"}' },
        { type: 'function_call_output', call_id: 'call_read_readme', output: 'hello' },
      ]),
    );
    expect(followUp.status).toBe(200);
    const upstream = lastUpstreamRequest(matrix, backend);
    expect(JSON.stringify(upstream.body)).toContain('"name":"mcp__files__read"');
    const normalizer = new GoldenNormalizer();
    codexGolden.check(`${backend} call sent back`, { upstreamRequest: normalizer.normalize(upstream) });
  });
});

// ---------------------------------------------------------------------------------------------
// Each front-end's hints and an unknown field, to a backend of another API

describe('hints and unknown fields of every front-end, to a backend of another API', () => {
  const cases: Array<{ name: string; backend: MatrixBackend; path: string; body: Record<string, unknown>; dropped: string }> = [
    {
      name: 'openai-chat → anthropic',
      backend: 'anthropic',
      path: '/v1/chat/completions',
      body: {
        model: MATRIX_MODELS.anthropic,
        messages: [{ role: 'user', content: 'Hi' }],
        store: true,
        metadata: { run: 'r1' },
        prompt_cache_key: 'k1',
        service_tier: 'flex',
        web_search_options: { search_context_size: 'low' },
        next_months_field: { on: true },
      },
      dropped: 'store, metadata, prompt_cache_key, service_tier, web_search_options, next_months_field',
    },
    {
      name: 'gemini → openai',
      backend: 'openai',
      path: `/v1beta/models/${MATRIX_MODELS.openai}:generateContent`,
      body: {
        contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
        safetySettings: [{ category: 'HARM_CATEGORY_HATE_SPEECH', threshold: 'BLOCK_NONE' }],
        labels: { team: 'a' },
        tools: [{ googleSearch: {} }],
        generationConfig: { mediaResolution: 'MEDIA_RESOLUTION_LOW', nextMonthsSetting: 3 },
      },
      dropped: 'safetySettings, labels, tools.googleSearch, generationConfig.mediaResolution, generationConfig.nextMonthsSetting',
    },
    {
      name: 'openai-responses → gemini',
      backend: 'gemini',
      path: '/v1/responses',
      body: {
        model: MATRIX_MODELS.gemini,
        input: 'Hi',
        store: false,
        safety_identifier: 'u1',
        truncation: 'auto',
        text: { verbosity: 'low' },
        tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }, { type: 'code_interpreter', container: { type: 'auto' } }],
        next_months_field: 1,
      },
      dropped: 'next_months_field, store, safety_identifier, truncation, text.verbosity, tools[0], tools[1]',
    },
  ];

  it.each(cases.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
    enqueueText(matrix, entry.backend, 'Hello.');
    const answer = await post(matrix, entry.path, entry.body);
    expect([answer.status, answer.dropped]).toEqual([200, entry.dropped]);
    const upstream = lastUpstreamRequest(matrix, entry.backend);
    for (const field of ['next_months', 'nextMonths', 'safety', 'googleSearch', 'file_search', 'prompt_cache_key']) expect(JSON.stringify(upstream.body)).not.toContain(field);
    const normalizer = new GoldenNormalizer();
    classesGolden.check(entry.name, { dropped: answer.dropped, answer: normalizer.normalize(answer.body), upstreamRequest: normalizer.normalize(upstream) });
  });
});
