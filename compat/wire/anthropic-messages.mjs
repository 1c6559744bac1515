/**
 * @fileoverview Anthropic Messages as the scripted upstream speaks it: reads the tools and
 * `tool_result` blocks of a `POST /v1/messages` body and writes a text answer or one `tool_use`
 * block, as one message or as Anthropic's event sequence (`event: <type>` + `data: {...}`).
 */
import { splitText } from './openai-chat.mjs';
import { sendJson, startSse } from './http.mjs';

/** @param {any} body @returns {import('./types.mjs').RequestView} */
export function readMessagesRequest(body) {
  // Server tools (web search, ...) carry a `type` and no schema; only client tools can be called.
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((tool) => tool?.name && tool.input_schema)
    .map((tool) => ({ name: tool.name, parameters: tool.input_schema }));
  const toolResults = [];
  for (const message of Array.isArray(body.messages) ? body.messages : []) {
    for (const block of Array.isArray(message?.content) ? message.content : []) {
      if (block?.type === 'tool_result') toolResults.push({ callId: String(block.tool_use_id ?? ''), text: JSON.stringify(block.content ?? '') });
    }
  }
  return { model: String(body.model ?? ''), stream: body.stream === true, tools, toolResults };
}

/**
 * @param {import('node:http').ServerResponse} response
 * @param {import('./types.mjs').RequestView} request
 * @param {import('./types.mjs').ScriptedAnswer} answer
 */
export function writeMessagesAnswer(response, request, answer) {
  const block = answer.toolCall
    ? { type: 'tool_use', id: answer.toolCall.id, name: answer.toolCall.name, input: answer.toolCall.arguments }
    : { type: 'text', text: answer.text ?? '' };
  const stopReason = answer.toolCall ? 'tool_use' : 'end_turn';
  const message = { id: 'msg_compat', type: 'message', role: 'assistant', model: request.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 20, output_tokens: 1 } };
  if (!request.stream) {
    sendJson(response, 200, { ...message, content: [block], stop_reason: stopReason, usage: { input_tokens: 20, output_tokens: 5 } });
    return;
  }
  startSse(response);
  const event = (type, fields) => response.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`);
  event('message_start', { message });
  if (block.type === 'tool_use') {
    event('content_block_start', { index: 0, content_block: { ...block, input: {} } });
    for (const piece of splitText(JSON.stringify(block.input))) event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: piece } });
  } else {
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    for (const piece of splitText(block.text)) event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } });
  }
  event('content_block_stop', { index: 0 });
  event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 5 } });
  event('message_stop', {});
  response.end();
}
