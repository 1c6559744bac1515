/**
 * @fileoverview CPU per streamed event: streams of many small upstream SSE events (the OpenAI
 * mock's long-stream mode), one after another, through the bare passthrough, through llmproxy
 * same-API (OpenAI client → openai) and translated (Anthropic client → openai). The target
 * process's CPU time over the streams (from /proc) divided by the events relayed; a stream that
 * does not arrive whole (every content event and the end) is counted as incomplete.
 */
import { cpuMicroseconds } from './measure-throughput.mjs';
import { createSequentialAgent, timedRequest } from './timed-request.mjs';
import { ANTHROPIC_REQUEST_HEADERS, CHAT_PATH, MESSAGES_PATH, MODEL, REQUEST_HEADERS } from './workload.mjs';

/**
 * @param {{ targets: Array<{ name: string, url: string, pid?: number }>, events: number, streams: number }} options
 * @returns {Promise<Record<string, { cpuUsPerEvent: number | undefined, streams: number, events: number, incomplete: number }>>}
 */
export async function measureEventCost(options) {
  const content = `stream ${options.events} events`;
  const kinds = [
    { name: 'bare', target: 'bare', path: CHAT_PATH, headers: REQUEST_HEADERS, body: { model: MODEL, messages: [{ role: 'user', content }], stream: true }, complete: isWholeOpenAIStream },
    { name: 'llmproxy same-API (openai-chat → openai)', target: 'llmproxy', path: CHAT_PATH, headers: REQUEST_HEADERS, body: { model: MODEL, messages: [{ role: 'user', content }], stream: true }, complete: isWholeOpenAIStream },
    {
      name: 'llmproxy translated (anthropic-messages → openai)',
      target: 'llmproxy',
      path: MESSAGES_PATH,
      headers: ANTHROPIC_REQUEST_HEADERS,
      body: { model: `openai:${MODEL}`, max_tokens: 64, messages: [{ role: 'user', content }], stream: true },
      complete: isWholeAnthropicStream,
    },
  ];
  /** @type {Record<string, { cpuUsPerEvent: number | undefined, streams: number, events: number, incomplete: number }>} */
  const results = {};
  for (const kind of kinds) {
    const target = options.targets.find((candidate) => candidate.name === kind.target);
    if (target === undefined) continue;
    const agent = createSequentialAgent();
    const send = () => timedRequest({ agent, url: target.url, path: kind.path, headers: kind.headers, body: JSON.stringify(kind.body) });
    let incomplete = 0;
    try {
      for (let warmup = 0; warmup < 2; warmup += 1) await send();
      const before = await cpuMicroseconds(target.pid);
      for (let stream = 0; stream < options.streams; stream += 1) {
        const answer = await send();
        if (answer.status !== 200 || !kind.complete(answer.body, options.events)) incomplete += 1;
      }
      const after = await cpuMicroseconds(target.pid);
      const events = options.streams * options.events;
      results[kind.name] = {
        cpuUsPerEvent: before === undefined || after === undefined ? undefined : (after - before) / events,
        streams: options.streams,
        events: options.events,
        incomplete,
      };
    } finally {
      agent.destroy();
    }
  }
  return results;
}

/** Every content event arrived, in order, and the stream ended with `[DONE]`. */
function isWholeOpenAIStream(body, events) {
  return countOccurrences(body, '"content":"Hello"') === events && body.trimEnd().endsWith('data: [DONE]');
}

/** Every text delta arrived and the stream ended with message_stop. */
function isWholeAnthropicStream(body, events) {
  return countOccurrences(body, '"text":"Hello"') === events && body.includes('event: message_stop');
}

function countOccurrences(text, needle) {
  let count = 0;
  for (let index = text.indexOf(needle); index !== -1; index = text.indexOf(needle, index + needle.length)) count += 1;
  return count;
}
