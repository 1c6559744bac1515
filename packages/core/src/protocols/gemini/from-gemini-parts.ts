/**
 * @fileoverview The parts of one Gemini content → canonical content parts. Used for what a
 * Gemini client sends (its history) and for what a Gemini upstream answers, so both read the
 * wire format the same way; only the errors and the tool-call ids differ, and the caller
 * supplies those.
 */
import { isRecord } from '@llmproxy/connector-sdk';
import type { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ContentPart, ImagePart, TextPart, ToolResultPart } from '@llmproxy/connector-sdk';
import type { GeminiFunctionCall, GeminiFunctionResponse } from './gemini-wire-types.js';
import { appendThought, placeThoughtSignature } from './thought-signature-placement.js';

/** What the caller decides while parts are read. */
export interface GeminiPartsReader {
  /** The canonical id of a function call (Gemini rarely sends one of its own). */
  toolCallId(call: GeminiFunctionCall, partIndex: number): string;
  /** The canonical id of the call a function response answers. */
  toolResultId(response: GeminiFunctionResponse, partIndex: number): string;
  /**
   * The error for a part that cannot be read: `field` is the part's field (e.g.
   * `functionCall.args`), `problem` what is wrong with it, `unsupported` true when the part is
   * valid Gemini that llmproxy cannot carry (e.g. `executableCode`).
   */
  fail(partIndex: number, field: string, problem: string, unsupported: boolean): LlmProxyError;
}

/** Part fields that carry data; a part has exactly one of them. */
const DATA_FIELDS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse'] as const;
/** Snake-case spellings the API accepts in requests. */
const SNAKE_CASE: Readonly<Record<string, string>> = {
  inline_data: 'inlineData',
  file_data: 'fileData',
  function_call: 'functionCall',
  function_response: 'functionResponse',
  thought_signature: 'thoughtSignature',
  mime_type: 'mimeType',
  file_uri: 'fileUri',
};

/**
 * Reads `parts`. Thought parts become reasoning parts and every `thoughtSignature` is placed as
 * described in thought-signature-placement.ts; `text` becomes text, `inlineData` a base64 image
 * (any MIME type: a PDF travels the same way and only upstreams that accept it will), `fileData`
 * an image by URL, `functionCall` a tool call with its `args` as JSON text, `functionResponse` a
 * tool result (see {@link functionResponseContent}). Parts Gemini can send that the canonical
 * model cannot carry (`executableCode`, `codeExecutionResult`, ...) are refused by name.
 */
export function fromGeminiParts(parts: unknown, reader: GeminiPartsReader): ContentPart[] {
  if (!Array.isArray(parts)) throw reader.fail(-1, 'parts', 'must be an array of parts', false);
  const result: ContentPart[] = [];
  parts.forEach((value: unknown, partIndex) => {
    if (!isRecord(value)) throw reader.fail(partIndex, '', 'must be an object', false);
    const part = normaliseKeys(value);
    const signature = part['thoughtSignature'];
    if (signature !== undefined && signature !== null && typeof signature !== 'string') {
      throw reader.fail(partIndex, 'thoughtSignature', 'must be a base64 string', false);
    }
    const thought = part['thought'] === true;
    for (const key of Object.keys(part)) {
      if (key === 'thought' || key === 'thoughtSignature' || (DATA_FIELDS as readonly string[]).includes(key)) continue;
      if (part[key] === undefined || part[key] === null) continue;
      throw reader.fail(partIndex, key, 'is not supported by llmproxy', true);
    }
    const dataFields = DATA_FIELDS.filter((field) => part[field] !== undefined && part[field] !== null);
    if (dataFields.length > 1) throw reader.fail(partIndex, dataFields[1] ?? '', `cannot be set together with ${dataFields[0]} in one part`, false);
    const signatureText = typeof signature === 'string' && signature !== '' ? signature : undefined;

    if (thought && (dataFields.length === 0 || dataFields[0] === 'text')) {
      appendThought(result, expectText(part['text'] ?? '', partIndex, reader), signatureText);
      return;
    }
    if (signatureText !== undefined) placeThoughtSignature(result, signatureText);
    switch (dataFields[0]) {
      case undefined:
        // A part holding only a signature (streams end with one) has nothing else to add.
        return;
      case 'text': {
        const text = expectText(part['text'], partIndex, reader);
        if (text !== '') result.push({ type: 'text', text });
        return;
      }
      case 'inlineData':
        result.push(inlineImage(part['inlineData'], partIndex, 'inlineData', reader));
        return;
      case 'fileData':
        result.push(fileImage(part['fileData'], partIndex, 'fileData', reader));
        return;
      case 'functionCall':
        result.push(toolCall(part['functionCall'], partIndex, reader));
        return;
      case 'functionResponse':
        result.push(toolResult(part['functionResponse'], partIndex, reader));
        return;
    }
  });
  return result;
}

function toolCall(value: unknown, partIndex: number, reader: GeminiPartsReader): ContentPart {
  if (!isRecord(value)) throw reader.fail(partIndex, 'functionCall', 'must be an object', false);
  const name = value['name'];
  if (typeof name !== 'string' || name === '') throw reader.fail(partIndex, 'functionCall.name', 'must be a non-empty string', false);
  const args = value['args'] ?? {};
  if (!isRecord(args)) throw reader.fail(partIndex, 'functionCall.args', 'must be a JSON object', false);
  const id = value['id'];
  const call: GeminiFunctionCall = { name, args };
  if (typeof id === 'string' && id !== '') call.id = id;
  return { type: 'tool-call', id: reader.toolCallId(call, partIndex), name, arguments: JSON.stringify(args) };
}

function toolResult(value: unknown, partIndex: number, reader: GeminiPartsReader): ToolResultPart {
  if (!isRecord(value)) throw reader.fail(partIndex, 'functionResponse', 'must be an object', false);
  const name = value['name'];
  if (typeof name !== 'string' || name === '') throw reader.fail(partIndex, 'functionResponse.name', 'must be a non-empty string', false);
  const response = value['response'] ?? {};
  if (!isRecord(response)) throw reader.fail(partIndex, 'functionResponse.response', 'must be a JSON object', false);
  const id = value['id'];
  const functionResponse: GeminiFunctionResponse = { name, response };
  if (typeof id === 'string' && id !== '') functionResponse.id = id;
  const { content, isError } = functionResponseContent(response);
  const extraParts = value['parts'];
  if (extraParts !== undefined && extraParts !== null) {
    if (!Array.isArray(extraParts)) throw reader.fail(partIndex, 'functionResponse.parts', 'must be an array', false);
    extraParts.forEach((extra: unknown, extraIndex) => {
      const field = `functionResponse.parts[${extraIndex}]`;
      const normalised = isRecord(extra) ? normaliseKeys(extra) : undefined;
      if (normalised?.['inlineData'] !== undefined) content.push(inlineImage(normalised['inlineData'], partIndex, `${field}.inlineData`, reader));
      else if (normalised?.['fileData'] !== undefined) content.push(fileImage(normalised['fileData'], partIndex, `${field}.fileData`, reader));
      else throw reader.fail(partIndex, field, 'must hold inlineData or fileData', false);
    });
  }
  const result: ToolResultPart = { type: 'tool-result', toolCallId: reader.toolResultId(functionResponse, partIndex), content };
  if (isError) result.isError = true;
  return result;
}

/**
 * A function response object as tool-result text. Gemini's convention is `{"output": ...}` for
 * a result and `{"error": ...}` for a failure; a response that is only one of those gives its
 * value (text as is, anything else as JSON) and marks the failure. Any other object is the
 * result as JSON text, which {@link toGeminiFunctionResponse} parses back into the same object.
 */
export function functionResponseContent(response: Record<string, unknown>): { content: Array<TextPart | ImagePart>; isError: boolean } {
  const keys = Object.keys(response);
  if (keys.length === 1 && (keys[0] === 'output' || keys[0] === 'error')) {
    const value = response[keys[0]];
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return { content: [{ type: 'text', text }], isError: keys[0] === 'error' };
  }
  return { content: [{ type: 'text', text: JSON.stringify(response) }], isError: false };
}

function inlineImage(value: unknown, partIndex: number, field: string, reader: GeminiPartsReader): ImagePart {
  const blob = isRecord(value) ? normaliseKeys(value) : undefined;
  const mimeType = blob?.['mimeType'];
  const data = blob?.['data'];
  if (typeof mimeType !== 'string' || mimeType === '') throw reader.fail(partIndex, `${field}.mimeType`, 'must be a MIME type such as image/png', false);
  if (typeof data !== 'string') throw reader.fail(partIndex, `${field}.data`, 'must be base64 text', false);
  return { type: 'image', source: { type: 'base64', mediaType: mimeType, data } };
}

function fileImage(value: unknown, partIndex: number, field: string, reader: GeminiPartsReader): ImagePart {
  const file = isRecord(value) ? normaliseKeys(value) : undefined;
  const uri = file?.['fileUri'];
  if (typeof uri !== 'string' || uri === '') throw reader.fail(partIndex, `${field}.fileUri`, 'must be a URI', false);
  return { type: 'image', source: { type: 'url', url: uri } };
}

function expectText(value: unknown, partIndex: number, reader: GeminiPartsReader): string {
  if (typeof value !== 'string') throw reader.fail(partIndex, 'text', 'must be a string', false);
  return value;
}

/** The record with the API's accepted snake_case field names spelled in camelCase. */
function normaliseKeys(record: Record<string, unknown>): Record<string, unknown> {
  let result: Record<string, unknown> | undefined;
  for (const [snake, camel] of Object.entries(SNAKE_CASE)) {
    if (record[snake] === undefined) continue;
    result ??= { ...record };
    if (result[camel] === undefined) result[camel] = record[snake];
    delete result[snake];
  }
  return result ?? record;
}
