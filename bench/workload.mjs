/**
 * @fileoverview What the benchmark sends and what the mock upstream answers: one small chat
 * request, and a fixed small chat.completion and SSE stream in the OpenAI wire format.
 */

/** The model name every request uses; it has no `backend:` prefix, so llmproxy routes it to its default backend. */
export const MODEL = 'gpt-4o-mini';

export const CHAT_PATH = '/v1/chat/completions';

export const CHAT_REQUEST_BODY = JSON.stringify({
  model: MODEL,
  messages: [{ role: 'user', content: 'Say hello in five words.' }],
});

export const STREAM_REQUEST_BODY = JSON.stringify({
  model: MODEL,
  messages: [{ role: 'user', content: 'Say hello in five words.' }],
  stream: true,
});

/** The assistant text in both the plain and the streamed answer. */
export const ANSWER_TEXT = 'Hello from the mock upstream.';

export const STREAM_PIECES = ['Hello', ' from the', ' mock upstream.'];

export function chatCompletion() {
  return {
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content: ANSWER_TEXT }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 14, completion_tokens: 7, total_tokens: 21 },
  };
}

/** The SSE frames of the streamed answer, `data: [DONE]` last. */
export function chatCompletionStreamFrames() {
  const chunk = (delta, finishReason) =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: MODEL,
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    })}\n\n`;
  return [
    chunk({ role: 'assistant', content: '' }, null),
    ...STREAM_PIECES.map((piece) => chunk({ content: piece }, null)),
    chunk({}, 'stop'),
    'data: [DONE]\n\n',
  ];
}

/** A streamed request whose last message matches this gets that many content events from the OpenAI mock. */
export const LONG_STREAM_REQUEST = /^stream (\d+) events$/;

/** The SSE frames of a stream of `events` content events: the role first, then the pieces, stop, `[DONE]`. */
export function longStreamFrames(events) {
  const [role, , , , stop, done] = chatCompletionStreamFrames();
  const piece = chatCompletionStreamFrames()[1];
  return [role, ...Array.from({ length: events }, () => piece), stop, done];
}

/**
 * A streamed request whose last message matches this gets that many numbered content events
 * from the OpenAI mock, one every given milliseconds: the open-streams scale test.
 */
export const SLOW_STREAM_REQUEST = /^slow stream (\d+) events every (\d+) ms$/;

/** What precedes a slow stream event's sequence number, so a client finds the numbers with a byte scan. */
export const SLOW_STREAM_SEQUENCE_MARKER = '"content":"#';

/** The SSE frame of slow stream event number `sequence` (its content is `#<sequence>`). */
export function slowStreamFrame(sequence) {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: MODEL,
    choices: [{ index: 0, delta: { content: `#${sequence}` }, finish_reason: null, logprobs: null }],
  })}\n\n`;
}

/** Headers every benchmark request carries; the direct and passthrough targets ignore the key. */
export const REQUEST_HEADERS = {
  'content-type': 'application/json',
  authorization: 'Bearer bench-client',
};

/** The Anthropic model the mock Anthropic upstream serves (reached as `anthropic:<model>`). */
export const ANTHROPIC_MODEL = 'claude-sonnet-4-5';

export const MESSAGES_PATH = '/v1/messages';

/** Headers of an Anthropic client (the proxy runs with auth disabled; the key is ignored). */
export const ANTHROPIC_REQUEST_HEADERS = {
  'content-type': 'application/json',
  'x-api-key': 'bench-client',
  'anthropic-version': '2023-06-01',
};

/** The small Messages request of an Anthropic client; the mock Anthropic upstream ignores the model, so direct and passthrough calls send the same bytes. */
export const ANTHROPIC_MESSAGE_REQUEST_BODY = JSON.stringify({
  model: `anthropic:${ANTHROPIC_MODEL}`,
  max_tokens: 64,
  messages: [{ role: 'user', content: 'Say hello in five words.' }],
});

export const ANTHROPIC_STREAM_REQUEST_BODY = JSON.stringify({ ...JSON.parse(ANTHROPIC_MESSAGE_REQUEST_BODY), stream: true });

/**
 * @typedef {object} ClientCall what one kind of client sends: where, with which headers, the plain and the streamed body
 * @property {string} path
 * @property {Record<string, string>} headers
 * @property {string} body
 * @property {string} streamBody
 * @property {'openai-chat' | 'anthropic-messages'} protocol what the client speaks, to check the answer
 */

/** @type {ClientCall} An OpenAI Chat client asking the default backend (openai). */
export const OPENAI_CHAT_CALL = { path: CHAT_PATH, headers: REQUEST_HEADERS, body: CHAT_REQUEST_BODY, streamBody: STREAM_REQUEST_BODY, protocol: 'openai-chat' };

/** @type {ClientCall} An Anthropic Messages client asking the anthropic backend. */
export const ANTHROPIC_MESSAGES_CALL = {
  path: MESSAGES_PATH,
  headers: ANTHROPIC_REQUEST_HEADERS,
  body: ANTHROPIC_MESSAGE_REQUEST_BODY,
  streamBody: ANTHROPIC_STREAM_REQUEST_BODY,
  protocol: 'anthropic-messages',
};

/**
 * The non-streaming translated requests whose CPU cost is measured, each beside the bare
 * passthrough to the same mock upstream (`upstream`): the bodies of the translated streams
 * without `stream`.
 * @type {Array<{ name: string, path: string, headers: Record<string, string>, body: string, protocol: ClientCall['protocol'], upstream: 'openai' | 'anthropic' }>}
 */
export const TRANSLATED_REQUEST_ROUTES = [
  {
    name: 'anthropic-messages → openai',
    path: MESSAGES_PATH,
    headers: ANTHROPIC_REQUEST_HEADERS,
    body: JSON.stringify({ model: `openai:${MODEL}`, max_tokens: 64, messages: [{ role: 'user', content: 'Say hello in five words.' }] }),
    protocol: 'anthropic-messages',
    upstream: 'openai',
  },
  {
    name: 'openai-chat → anthropic',
    path: CHAT_PATH,
    headers: REQUEST_HEADERS,
    body: JSON.stringify({ model: `anthropic:${ANTHROPIC_MODEL}`, messages: [{ role: 'user', content: 'Say hello in five words.' }] }),
    protocol: 'openai-chat',
    upstream: 'anthropic',
  },
];

/**
 * The streamed requests of the translated-stream comparison, one per front-end × backend pair.
 * Each pair's untranslated counterpart reaches the same mock upstream through its own protocol.
 */
export const TRANSLATED_STREAM_ROUTES = [
  {
    name: 'openai-chat → openai (untranslated)',
    path: CHAT_PATH,
    headers: REQUEST_HEADERS,
    body: JSON.stringify({ model: `openai:${MODEL}`, messages: [{ role: 'user', content: 'Say hello in five words.' }], stream: true }),
    protocol: 'openai-chat',
  },
  {
    name: 'anthropic-messages → openai',
    path: MESSAGES_PATH,
    headers: ANTHROPIC_REQUEST_HEADERS,
    body: JSON.stringify({ model: `openai:${MODEL}`, max_tokens: 64, messages: [{ role: 'user', content: 'Say hello in five words.' }], stream: true }),
    protocol: 'anthropic-messages',
    untranslated: 'openai-chat → openai (untranslated)',
  },
  {
    name: 'anthropic-messages → anthropic (untranslated)',
    path: MESSAGES_PATH,
    headers: ANTHROPIC_REQUEST_HEADERS,
    body: JSON.stringify({ model: `anthropic:${ANTHROPIC_MODEL}`, max_tokens: 64, messages: [{ role: 'user', content: 'Say hello in five words.' }], stream: true }),
    protocol: 'anthropic-messages',
  },
  {
    name: 'openai-chat → anthropic',
    path: CHAT_PATH,
    headers: REQUEST_HEADERS,
    body: JSON.stringify({ model: `anthropic:${ANTHROPIC_MODEL}`, messages: [{ role: 'user', content: 'Say hello in five words.' }], stream: true }),
    protocol: 'openai-chat',
    untranslated: 'anthropic-messages → anthropic (untranslated)',
  },
];

/**
 * The Anthropic Messages SSE events of the streamed answer, grouped by when the mock sends
 * them: the first group at once (what a real upstream sends before the first token), the rest
 * after the pause, like the OpenAI stream.
 */
export function anthropicMessageStreamEvents() {
  const event = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const usage = { input_tokens: 14, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const first = [
    event('message_start', {
      message: { id: 'msg_bench', type: 'message', role: 'assistant', model: ANTHROPIC_MODEL, content: [], stop_reason: null, stop_sequence: null, usage },
    }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ];
  const rest = [
    ...STREAM_PIECES.map((text) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } })),
    event('content_block_stop', { index: 0 }),
    event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 7 } }),
    event('message_stop', {}),
  ];
  return { first, rest };
}
