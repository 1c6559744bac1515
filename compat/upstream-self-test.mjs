/**
 * @fileoverview Checks the scripted upstream with the official SDKs (openai, @anthropic-ai/sdk,
 * @google/genai) before any cell runs: each API, streamed and not, must yield the scripted tool
 * call, then the answer nonce once a tool result carries the file nonce, and plain text for a
 * request without the tool. A cell that fails then fails because of the proxy or the client,
 * never because the suite's own upstream speaks a protocol wrong.
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { startScriptedUpstream } from './scripted-upstream.mjs';

const FILE_NONCE = 'FILE-selftest';
const ANSWER_NONCE = 'ANSWER-selftest';
const TOOL = { name: 'probe', description: 'Reads a file.', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } };

/** Resolves when every API answers as scripted; rejects naming the first that does not. */
export async function selfTestScriptedUpstream() {
  const upstream = await startScriptedUpstream({
    fileNonce: FILE_NONCE,
    answerNonce: ANSWER_NONCE,
    chooseToolCall: (tools) => (tools.some((tool) => tool.name === TOOL.name) ? { name: TOOL.name, arguments: { path: 'nonce.txt' } } : null),
    models: ['m'],
  });
  const base = `http://127.0.0.1:${upstream.port}`;
  try {
    for (const stream of [false, true]) {
      const where = (api) => `${api} (${stream ? 'streamed' : 'one body'})`;
      await checkTurn(where('OpenAI Chat'), (withResult) => chatTurn(new OpenAI({ baseURL: `${base}/v1`, apiKey: 'k', maxRetries: 0 }), stream, withResult));
      await checkTurn(where('OpenAI Responses'), (withResult) => responsesTurn(new OpenAI({ baseURL: `${base}/v1`, apiKey: 'k', maxRetries: 0 }), stream, withResult));
      await checkTurn(where('Anthropic Messages'), (withResult) => messagesTurn(new Anthropic({ baseURL: base, apiKey: 'k', maxRetries: 0 }), stream, withResult));
      await checkTurn(where('Gemini'), (withResult) => geminiTurn(new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: base } }), stream, withResult));
    }
  } finally {
    await upstream.close();
  }
}

/**
 * @param {string} api
 * @param {(withResult: boolean | 'no-tools') => Promise<{ toolName?: string, toolArguments?: unknown, text?: string }>} turn
 */
async function checkTurn(api, turn) {
  const first = await turn(false);
  if (first.toolName !== TOOL.name || JSON.stringify(first.toolArguments) !== '{"path":"nonce.txt"}') {
    throw new Error(`the scripted upstream's ${api} answer is not the tool call: ${JSON.stringify(first)}`);
  }
  const second = await turn(true);
  if (!second.text?.includes(ANSWER_NONCE)) throw new Error(`the scripted upstream's ${api} answer to the tool result lacks the nonce: ${JSON.stringify(second)}`);
  const side = await turn('no-tools');
  if (side.text !== 'OK') throw new Error(`the scripted upstream's ${api} answer to a side request is not plain text: ${JSON.stringify(side)}`);
}

const RESULT_TEXT = `The file nonce is ${FILE_NONCE}.`;

async function chatTurn(client, stream, withResult) {
  const messages = [{ role: 'user', content: 'go' }];
  if (withResult === true) {
    messages.push({ role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: TOOL.name, arguments: '{}' } }] });
    messages.push({ role: 'tool', tool_call_id: 'c1', content: RESULT_TEXT });
  }
  const tools = withResult === 'no-tools' ? undefined : [{ type: 'function', function: TOOL }];
  if (!stream) {
    const message = (await client.chat.completions.create({ model: 'm', messages, tools })).choices[0].message;
    const call = message.tool_calls?.[0];
    return call ? { toolName: call.function.name, toolArguments: JSON.parse(call.function.arguments) } : { text: message.content ?? '' };
  }
  const runner = client.chat.completions.stream({ model: 'm', messages, tools, stream: true });
  const message = (await runner.finalChatCompletion()).choices[0].message;
  const call = message.tool_calls?.[0];
  return call ? { toolName: call.function.name, toolArguments: JSON.parse(call.function.arguments) } : { text: message.content ?? '' };
}

async function responsesTurn(client, stream, withResult) {
  const input = [{ role: 'user', content: 'go' }];
  if (withResult === true) {
    input.push({ type: 'function_call', call_id: 'c1', name: TOOL.name, arguments: '{}' });
    input.push({ type: 'function_call_output', call_id: 'c1', output: RESULT_TEXT });
  }
  const tools = withResult === 'no-tools' ? undefined : [{ type: 'function', name: TOOL.name, parameters: TOOL.parameters, strict: false }];
  const response = stream ? await client.responses.stream({ model: 'm', input, tools }).finalResponse() : await client.responses.create({ model: 'm', input, tools });
  const call = response.output.find((item) => item.type === 'function_call');
  return call ? { toolName: call.name, toolArguments: JSON.parse(call.arguments) } : { text: response.output_text };
}

async function messagesTurn(client, stream, withResult) {
  const messages = [{ role: 'user', content: 'go' }];
  if (withResult === true) {
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: 'c1', name: TOOL.name, input: {} }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'c1', content: RESULT_TEXT }] });
  }
  const tools = withResult === 'no-tools' ? undefined : [{ name: TOOL.name, description: TOOL.description, input_schema: TOOL.parameters }];
  const request = { model: 'm', max_tokens: 100, messages, tools };
  const message = stream ? await client.messages.stream(request).finalMessage() : await client.messages.create(request);
  const call = message.content.find((block) => block.type === 'tool_use');
  return call ? { toolName: call.name, toolArguments: call.input } : { text: message.content.map((block) => (block.type === 'text' ? block.text : '')).join('') };
}

async function geminiTurn(client, stream, withResult) {
  const contents = [{ role: 'user', parts: [{ text: 'go' }] }];
  if (withResult === true) {
    contents.push({ role: 'model', parts: [{ functionCall: { name: TOOL.name, args: {} } }] });
    contents.push({ role: 'user', parts: [{ functionResponse: { name: TOOL.name, response: { output: RESULT_TEXT } } }] });
  }
  const config = withResult === 'no-tools' ? {} : { tools: [{ functionDeclarations: [{ name: TOOL.name, description: TOOL.description, parametersJsonSchema: TOOL.parameters }] }] };
  const parts = [];
  if (stream) {
    for await (const chunk of await client.models.generateContentStream({ model: 'm', contents, config })) parts.push(...(chunk.candidates?.[0]?.content?.parts ?? []));
  } else {
    parts.push(...((await client.models.generateContent({ model: 'm', contents, config })).candidates?.[0]?.content?.parts ?? []));
  }
  const call = parts.find((part) => part.functionCall)?.functionCall;
  return call ? { toolName: call.name, toolArguments: call.args } : { text: parts.map((part) => part.text ?? '').join('') };
}
