/**
 * @fileoverview Before measuring a target, proves it answers correctly: the mock's text in a
 * plain answer and in an SSE stream (ending as the client's protocol ends a stream), read the
 * way the client's SDK would. Measuring a target that answers errors fast would be meaningless.
 */
import { ANSWER_TEXT, OPENAI_CHAT_CALL } from './workload.mjs';
import { answeredText, streamedText } from './read-answer.mjs';
import { createSequentialAgent, timedRequest } from './timed-request.mjs';

/**
 * @param {string} url
 * @param {Pick<import('./workload.mjs').ClientCall, 'path' | 'headers' | 'body' | 'protocol'> & { streamBody?: string }} [call]
 *   what to send; an OpenAI Chat client by default; without streamBody only the plain answer is checked
 * @returns {Promise<string | undefined>} what is wrong, or undefined when the target answers correctly
 */
export async function checkTarget(url, call = OPENAI_CHAT_CALL) {
  const agent = createSequentialAgent();
  try {
    const plain = await timedRequest({ agent, url, path: call.path, headers: call.headers, body: call.body });
    if (plain.status !== 200) return `the plain request answered ${plain.status}: ${plain.body.slice(0, 300)}`;
    const plainText = answeredText(plain.body, call.protocol);
    if ('problem' in plainText) return plainText.problem;
    if (plainText.text !== ANSWER_TEXT) return `the plain answer was ${JSON.stringify(plainText.text)}, expected ${JSON.stringify(ANSWER_TEXT)}`;
    if (call.streamBody === undefined) return undefined;

    const stream = await timedRequest({ agent, url, path: call.path, headers: call.headers, body: call.streamBody });
    if (stream.status !== 200) return `the stream answered ${stream.status}: ${stream.body.slice(0, 300)}`;
    if (!String(stream.headers['content-type']).startsWith('text/event-stream')) {
      return `the stream's content-type was ${stream.headers['content-type']}`;
    }
    const text = streamedText(stream.body, call.protocol);
    if ('problem' in text) return text.problem;
    if (text.text !== ANSWER_TEXT) return `the stream text was ${JSON.stringify(text.text)}, expected ${JSON.stringify(ANSWER_TEXT)}`;
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    agent.destroy();
  }
}
