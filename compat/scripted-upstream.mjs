/**
 * @fileoverview The scripted upstream of one compatibility cell: one HTTP server on 127.0.0.1
 * port 0 that speaks OpenAI Chat Completions, OpenAI Responses, Anthropic Messages and the
 * Gemini API (each on its real paths and wire format), so every backend of the proxy can point
 * at it. Whatever the API, it plays one agent turn:
 *
 * 1. A request that offers the tool the cell chose (and carries no tool result yet) is answered
 *    with a call to that tool, whose arguments make the client read the nonce file.
 * 2. A request whose conversation carries a tool result is answered with the answer nonce as
 *    text when the result contains the file's nonce (the proof that the client ran the tool and
 *    the proxy carried its result), and with a text saying it did not otherwise.
 * 3. Anything else is a side request (titles, summaries, routing, the small-fast model) and gets
 *    a short plain-text answer.
 *
 * Every request is recorded (API, model, what it was answered with) for the cell's report.
 */
import { createServer } from 'node:http';
import { readChatRequest, writeChatAnswer } from './wire/openai-chat.mjs';
import { readResponsesRequest, writeResponsesAnswer } from './wire/openai-responses.mjs';
import { readMessagesRequest, writeMessagesAnswer } from './wire/anthropic-messages.mjs';
import { readGenerateContentRequest, writeGenerateContentAnswer } from './wire/gemini.mjs';
import { sendJson } from './wire/http.mjs';

/** Bodies above this are refused; no client turn in this suite comes near it. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const SIDE_ANSWER = 'OK';

/**
 * @typedef {object} RecordedRequest
 * @property {string} api `chat`, `responses`, `messages`, `gemini` or `other`.
 * @property {string} method
 * @property {string} path
 * @property {string} [model]
 * @property {boolean} [stream]
 * @property {string[]} [tools] Names of the tools offered.
 * @property {string} answer `tool-call`, `nonce`, `tool-result-without-nonce`, `side`, or a fixed answer's name.
 *
 * @typedef {object} ScriptedUpstream
 * @property {number} port
 * @property {RecordedRequest[]} requests
 * @property {string[]} toolResultTexts Every tool result seen, as JSON text.
 * @property {() => Promise<void>} close
 */

/**
 * @param {object} script
 * @param {string} script.fileNonce The nonce in the file the tool call reads.
 * @param {string} script.answerNonce The nonce the final answer carries.
 * @param {(tools: import('./wire/types.mjs').OfferedTool[]) => ({ name: string, arguments: Record<string, unknown> } | null)} script.chooseToolCall
 *   The call to make among the offered tools, or null when none of them is the one the cell uses.
 * @param {string[]} script.models Model names every model list reports.
 * @returns {Promise<ScriptedUpstream>}
 */
export async function startScriptedUpstream(script) {
  /** @type {RecordedRequest[]} */
  const requests = [];
  /** @type {string[]} */
  const toolResultTexts = [];
  let callCounter = 0;

  /** @param {import('./wire/types.mjs').RequestView} request @returns {{ answer: import('./wire/types.mjs').ScriptedAnswer, name: string }} */
  function decide(request) {
    if (request.toolResults.length > 0) {
      toolResultTexts.push(...request.toolResults.map((result) => result.text));
      return request.toolResults.some((result) => result.text.includes(script.fileNonce))
        ? { answer: { text: `The answer nonce is ${script.answerNonce}.` }, name: 'nonce' }
        : { answer: { text: 'The tool result did not contain the file nonce.' }, name: 'tool-result-without-nonce' };
    }
    const call = script.chooseToolCall(request.tools);
    if (call) return { answer: { toolCall: { id: `call_compat_${++callCounter}`, ...call } }, name: 'tool-call' };
    return { answer: { text: SIDE_ANSWER }, name: 'side' };
  }

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const record = { api: 'other', method: request.method ?? '', path: url.pathname, answer: '' };
    requests.push(record);
    try {
      const body = request.method === 'POST' ? await readJsonBody(request) : {};
      route(url, request, response, body, record);
    } catch (error) {
      record.answer = `error: ${error instanceof Error ? error.message : String(error)}`;
      if (!response.headersSent) sendJson(response, 500, { error: { message: record.answer } });
      else response.destroy();
    }
  });

  /**
   * @param {URL} url
   * @param {import('node:http').IncomingMessage} request
   * @param {import('node:http').ServerResponse} response
   * @param {any} body
   * @param {RecordedRequest} record
   */
  function route(url, request, response, body, record) {
    const path = url.pathname;
    const answerWith = (api, view, write) => {
      const { answer, name } = decide(view);
      Object.assign(record, { api, model: view.model, stream: view.stream, tools: view.tools.map((tool) => tool.name), answer: name });
      write(answer);
    };
    if (request.method === 'POST' && path === '/v1/chat/completions') {
      const view = readChatRequest(body);
      answerWith('chat', view, (answer) => writeChatAnswer(response, view, answer));
    } else if (request.method === 'POST' && path === '/v1/responses') {
      const view = readResponsesRequest(body);
      answerWith('responses', view, (answer) => writeResponsesAnswer(response, view, answer));
    } else if (request.method === 'POST' && path === '/v1/messages/count_tokens') {
      Object.assign(record, { api: 'messages', answer: 'count_tokens' });
      sendJson(response, 200, { input_tokens: 42 });
    } else if (request.method === 'POST' && path === '/v1/messages') {
      const view = readMessagesRequest(body);
      answerWith('messages', view, (answer) => writeMessagesAnswer(response, view, answer));
    } else if (request.method === 'POST' && path.startsWith('/v1beta/models/')) {
      const [model, method] = splitModelMethod(decodeURIComponent(path.slice('/v1beta/models/'.length)));
      if (method === 'countTokens') {
        Object.assign(record, { api: 'gemini', model, answer: 'countTokens' });
        sendJson(response, 200, { totalTokens: 42 });
      } else if (method === 'generateContent' || method === 'streamGenerateContent') {
        const view = readGenerateContentRequest(body, model, method === 'streamGenerateContent');
        answerWith('gemini', view, (answer) => writeGenerateContentAnswer(response, view, answer, url.searchParams.get('alt') === 'sse'));
      } else {
        record.answer = 'not-found';
        sendJson(response, 404, { error: { code: 404, message: `no method ${method}`, status: 'NOT_FOUND' } });
      }
    } else if (request.method === 'GET' && path === '/v1/models') {
      record.answer = 'models';
      if (request.headers['anthropic-version']) {
        const data = script.models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' }));
        sendJson(response, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
      } else {
        sendJson(response, 200, { object: 'list', data: script.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'compat' })) });
      }
    } else if (request.method === 'GET' && path === '/v1beta/models') {
      record.answer = 'models';
      sendJson(response, 200, { models: script.models.map(geminiModel) });
    } else if (request.method === 'GET' && path.startsWith('/v1beta/models/')) {
      record.answer = 'model';
      sendJson(response, 200, geminiModel(decodeURIComponent(path.slice('/v1beta/models/'.length))));
    } else {
      record.answer = 'not-found';
      sendJson(response, 404, { error: { message: `The scripted upstream has no route ${request.method} ${path}`, type: 'not_found_error' } });
    }
  }

  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the scripted upstream has no TCP address');
  return {
    port: address.port,
    requests,
    toolResultTexts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}

/** `gpt-4.1:generateContent` -> ['gpt-4.1', 'generateContent']; the method follows the last colon. */
function splitModelMethod(modelAndMethod) {
  const colon = modelAndMethod.lastIndexOf(':');
  return colon < 0 ? [modelAndMethod, ''] : [modelAndMethod.slice(0, colon), modelAndMethod.slice(colon + 1)];
}

function geminiModel(name) {
  return { name: `models/${name}`, displayName: name, supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'], inputTokenLimit: 1048576, outputTokenLimit: 65536 };
}

/** @param {import('node:http').IncomingMessage} request */
async function readJsonBody(request) {
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body above ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}
