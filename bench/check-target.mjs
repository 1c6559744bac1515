/**
 * @fileoverview Before measuring a target, proves it answers correctly: a chat.completion with
 * the mock's text, and an SSE stream whose deltas spell the same text and end with [DONE].
 * Measuring a target that answers errors fast would be meaningless.
 */
import { ANSWER_TEXT, CHAT_PATH, CHAT_REQUEST_BODY, REQUEST_HEADERS, STREAM_REQUEST_BODY } from './workload.mjs';
import { createSequentialAgent, timedRequest } from './timed-request.mjs';

/**
 * @param {string} url
 * @returns {Promise<string | undefined>} what is wrong, or undefined when the target answers correctly
 */
export async function checkTarget(url) {
  const agent = createSequentialAgent();
  try {
    const plain = await timedRequest({ agent, url, path: CHAT_PATH, headers: REQUEST_HEADERS, body: CHAT_REQUEST_BODY });
    if (plain.status !== 200) return `chat completion answered ${plain.status}: ${plain.body.slice(0, 300)}`;
    const content = JSON.parse(plain.body)?.choices?.[0]?.message?.content;
    if (content !== ANSWER_TEXT) return `chat completion content was ${JSON.stringify(content)}, expected ${JSON.stringify(ANSWER_TEXT)}`;

    const stream = await timedRequest({ agent, url, path: CHAT_PATH, headers: REQUEST_HEADERS, body: STREAM_REQUEST_BODY });
    if (stream.status !== 200) return `stream answered ${stream.status}: ${stream.body.slice(0, 300)}`;
    if (!String(stream.headers['content-type']).startsWith('text/event-stream')) {
      return `stream content-type was ${stream.headers['content-type']}`;
    }
    const dataLines = stream.body
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice('data:'.length).trim());
    if (dataLines.at(-1) !== '[DONE]') return 'stream did not end with data: [DONE]';
    const streamedText = dataLines
      .slice(0, -1)
      .map((data) => JSON.parse(data)?.choices?.[0]?.delta?.content ?? '')
      .join('');
    if (streamedText !== ANSWER_TEXT) return `stream text was ${JSON.stringify(streamedText)}, expected ${JSON.stringify(ANSWER_TEXT)}`;
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    agent.destroy();
  }
}
