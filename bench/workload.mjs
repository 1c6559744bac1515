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

/** Headers every benchmark request carries; the direct and passthrough targets ignore the key. */
export const REQUEST_HEADERS = {
  'content-type': 'application/json',
  authorization: 'Bearer bench-client',
};
