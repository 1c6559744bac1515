/**
 * @fileoverview The Gemini API as the scripted upstream speaks it: reads the function
 * declarations and `functionResponse` parts of a `generateContent` body and writes a text answer
 * or one `functionCall`, as one response, as server-sent events (`alt=sse`: `data: {...}\r\n\r\n`)
 * or as a streamed JSON array (`streamGenerateContent` without `alt=sse`).
 */
import { splitText } from './openai-chat.mjs';
import { sendJson, startSse } from './http.mjs';

/**
 * @param {any} body
 * @param {string} model From the path, `models/{model}:method`.
 * @param {boolean} stream
 * @returns {import('./types.mjs').RequestView}
 */
export function readGenerateContentRequest(body, model, stream) {
  const tools = [];
  for (const tool of Array.isArray(body.tools) ? body.tools : []) {
    for (const declaration of Array.isArray(tool?.functionDeclarations) ? tool.functionDeclarations : []) {
      if (declaration?.name) tools.push({ name: declaration.name, parameters: declaration.parametersJsonSchema ?? declaration.parameters ?? {} });
    }
  }
  const toolResults = [];
  for (const content of Array.isArray(body.contents) ? body.contents : []) {
    for (const part of Array.isArray(content?.parts) ? content.parts : []) {
      if (part?.functionResponse) toolResults.push({ callId: String(part.functionResponse.id ?? part.functionResponse.name ?? ''), text: JSON.stringify(part.functionResponse.response ?? {}) });
    }
  }
  return { model, stream, tools, toolResults };
}

/**
 * @param {import('node:http').ServerResponse} response
 * @param {import('./types.mjs').RequestView} request
 * @param {import('./types.mjs').ScriptedAnswer} answer
 * @param {boolean} asSse `alt=sse` was asked for.
 */
export function writeGenerateContentAnswer(response, request, answer, asSse) {
  const usageMetadata = { promptTokenCount: 20, candidatesTokenCount: 5, totalTokenCount: 25 };
  const chunk = (parts, finishReason) => ({
    candidates: [{ content: { role: 'model', parts }, index: 0, ...(finishReason ? { finishReason } : {}) }],
    usageMetadata,
    modelVersion: request.model,
    responseId: 'compat-response',
  });
  const chunks = answer.toolCall
    ? [chunk([{ functionCall: { name: answer.toolCall.name, args: answer.toolCall.arguments } }], 'STOP')]
    : splitText(answer.text ?? '').map((text, index, all) => chunk([{ text }], index === all.length - 1 ? 'STOP' : undefined));
  if (!request.stream) {
    const parts = chunks.flatMap((each) => each.candidates[0].content.parts);
    sendJson(response, 200, chunk(answer.toolCall ? parts : [{ text: answer.text ?? '' }], 'STOP'));
    return;
  }
  if (asSse) {
    startSse(response);
    for (const each of chunks) response.write(`data: ${JSON.stringify(each)}\r\n\r\n`);
    response.end();
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(`[${chunks.map((each) => JSON.stringify(each)).join(',\r\n')}]`);
}
