/**
 * @fileoverview OpenAI Responses as the scripted upstream speaks it: reads the function tools and
 * tool outputs of a `POST /v1/responses` body and writes a text answer or one function call, as
 * one response object or as the Responses event stream (`event: <type>` + `data: {...}`, every
 * event numbered).
 */
import { splitText } from './openai-chat.mjs';
import { sendJson, startSse } from './http.mjs';

/** @param {any} body @returns {import('./types.mjs').RequestView} */
export function readResponsesRequest(body) {
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((tool) => tool?.type === 'function' && tool.name)
    .map((tool) => ({ name: tool.name, parameters: tool.parameters ?? {} }));
  const input = Array.isArray(body.input) ? body.input : [];
  const toolResults = input
    .filter((item) => item?.type === 'function_call_output' || item?.type === 'custom_tool_call_output')
    .map((item) => ({ callId: String(item.call_id ?? ''), text: JSON.stringify(item.output ?? '') }));
  return { model: String(body.model ?? ''), stream: body.stream === true, tools, toolResults };
}

/**
 * @param {import('node:http').ServerResponse} response
 * @param {import('./types.mjs').RequestView} request
 * @param {import('./types.mjs').ScriptedAnswer} answer
 */
export function writeResponsesAnswer(response, request, answer) {
  const item = answer.toolCall
    ? { type: 'function_call', id: 'fc_compat', call_id: answer.toolCall.id, name: answer.toolCall.name, arguments: JSON.stringify(answer.toolCall.arguments), status: 'completed' }
    : { type: 'message', id: 'msg_compat', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: answer.text ?? '', annotations: [] }] };
  const usage = { input_tokens: 20, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 25 };
  const responseObject = (status, output) => ({
    id: 'resp_compat',
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    model: request.model,
    output,
    usage: status === 'completed' ? usage : null,
    error: null,
    incomplete_details: null,
    instructions: null,
    metadata: {},
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    text: { format: { type: 'text' } },
  });
  if (!request.stream) {
    sendJson(response, 200, responseObject('completed', [item]));
    return;
  }
  startSse(response);
  let sequenceNumber = 0;
  const event = (type, fields) => response.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequenceNumber++, ...fields })}\n\n`);
  event('response.created', { response: responseObject('in_progress', []) });
  event('response.in_progress', { response: responseObject('in_progress', []) });
  const where = { item_id: item.id, output_index: 0 };
  if (item.type === 'function_call') {
    event('response.output_item.added', { output_index: 0, item: { ...item, arguments: '', status: 'in_progress' } });
    for (const delta of splitText(item.arguments)) event('response.function_call_arguments.delta', { ...where, delta });
    event('response.function_call_arguments.done', { ...where, arguments: item.arguments });
  } else {
    const text = item.content[0].text;
    event('response.output_item.added', { output_index: 0, item: { ...item, content: [], status: 'in_progress' } });
    event('response.content_part.added', { ...where, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    for (const delta of splitText(text)) event('response.output_text.delta', { ...where, content_index: 0, delta, logprobs: [] });
    event('response.output_text.done', { ...where, content_index: 0, text, logprobs: [] });
    event('response.content_part.done', { ...where, content_index: 0, part: item.content[0] });
  }
  event('response.output_item.done', { output_index: 0, item });
  event('response.completed', { response: responseObject('completed', [item]) });
  response.end();
}
