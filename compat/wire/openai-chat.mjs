/**
 * @fileoverview OpenAI Chat Completions as the scripted upstream speaks it: reads the tools and
 * tool results of a `POST /v1/chat/completions` body and writes a text answer or one tool call,
 * as one JSON body or as `data: {...}` chunks ending in `data: [DONE]`.
 */
import { sendJson, startSse } from './http.mjs';

/** @param {any} body @returns {import('./types.mjs').RequestView} */
export function readChatRequest(body) {
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((tool) => tool?.type === 'function' && tool.function?.name)
    .map((tool) => ({ name: tool.function.name, parameters: tool.function.parameters ?? {} }));
  const toolResults = (Array.isArray(body.messages) ? body.messages : [])
    .filter((message) => message?.role === 'tool')
    .map((message) => ({ callId: String(message.tool_call_id ?? ''), text: JSON.stringify(message.content ?? '') }));
  return { model: String(body.model ?? ''), stream: body.stream === true, tools, toolResults };
}

/**
 * @param {import('node:http').ServerResponse} response
 * @param {import('./types.mjs').RequestView} request
 * @param {import('./types.mjs').ScriptedAnswer} answer
 */
export function writeChatAnswer(response, request, answer) {
  const id = 'chatcmpl-compat';
  const created = Math.floor(Date.now() / 1000);
  const usage = { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 };
  const toolCall = answer.toolCall && {
    id: answer.toolCall.id,
    type: 'function',
    function: { name: answer.toolCall.name, arguments: JSON.stringify(answer.toolCall.arguments) },
  };
  const finishReason = toolCall ? 'tool_calls' : 'stop';
  if (!request.stream) {
    const message = toolCall ? { role: 'assistant', content: null, tool_calls: [toolCall] } : { role: 'assistant', content: answer.text };
    sendJson(response, 200, { id, object: 'chat.completion', created, model: request.model, choices: [{ index: 0, message, finish_reason: finishReason }], usage });
    return;
  }
  startSse(response);
  const chunk = (delta, finish = null, extra = {}) =>
    response.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`);
  if (toolCall) {
    // Arguments in two pieces, as OpenAI streams them.
    const argumentsText = toolCall.function.arguments;
    const half = Math.floor(argumentsText.length / 2);
    chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.function.name, arguments: '' } }] });
    chunk({ tool_calls: [{ index: 0, function: { arguments: argumentsText.slice(0, half) } }] });
    chunk({ tool_calls: [{ index: 0, function: { arguments: argumentsText.slice(half) } }] });
  } else {
    chunk({ role: 'assistant', content: '' });
    for (const piece of splitText(answer.text ?? '')) chunk({ content: piece });
  }
  chunk({}, finishReason);
  response.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [], usage })}\n\n`);
  response.end('data: [DONE]\n\n');
}

/** Two pieces, so every client sees more than one delta. */
export function splitText(text) {
  const half = Math.ceil(text.length / 2);
  return text.length < 2 ? [text] : [text.slice(0, half), text.slice(half)];
}
