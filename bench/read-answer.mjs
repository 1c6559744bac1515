/**
 * @fileoverview Reads the answer text out of a response the way the client protocol's SDK would,
 * so a target is proved to answer correctly before it is measured.
 */

/**
 * The text of a non-streaming answer, or a problem.
 * @param {string} body @param {'openai-chat' | 'anthropic-messages'} protocol
 * @returns {{ text: string } | { problem: string }}
 */
export function answeredText(body, protocol) {
  let answer;
  try {
    answer = JSON.parse(body);
  } catch {
    return { problem: `the answer is not JSON: ${body.slice(0, 200)}` };
  }
  if (protocol === 'openai-chat') return { text: String(answer?.choices?.[0]?.message?.content) };
  const blocks = Array.isArray(answer?.content) ? answer.content : [];
  return { text: blocks.map((block) => (block?.type === 'text' ? block.text : '')).join('') };
}

/**
 * The text a stream carried, or a problem.
 * @param {string} body @param {'openai-chat' | 'anthropic-messages'} protocol
 * @returns {{ text: string } | { problem: string }}
 */
export function streamedText(body, protocol) {
  const data = body
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice('data:'.length).trim());
  if (protocol === 'openai-chat') {
    if (data.at(-1) !== '[DONE]') return { problem: 'the stream did not end with data: [DONE]' };
    return { text: data.slice(0, -1).map((frame) => JSON.parse(frame)?.choices?.[0]?.delta?.content ?? '').join('') };
  }
  const events = data.map((frame) => JSON.parse(frame));
  if (events.at(-1)?.type !== 'message_stop') return { problem: 'the stream did not end with message_stop' };
  return { text: events.map((event) => (event.type === 'content_block_delta' && event.delta?.type === 'text_delta' ? event.delta.text : '')).join('') };
}
