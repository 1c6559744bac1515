/**
 * @fileoverview Canonical content parts → the parts of one Gemini content. Used for the history
 * sent to a Gemini upstream and for the answer rendered to a Gemini client.
 */
import { isRecord } from '@llmproxy/connector-sdk';
import type { ContentPart, ImageSource, ReasoningPart, ToolCallPart, ToolResultPart } from '@llmproxy/connector-sdk';
import type { GeminiFunctionResponse, GeminiPart } from './gemini-wire-types.js';
import { unexpectedCanonicalType } from '../../canonical/invalid-chat-stream.js';

/** What the caller decides while parts are written. */
export interface GeminiPartsWriter {
  /** The function name a tool result answers (Gemini matches responses by name, not id). */
  toolName(part: ToolResultPart, partIndex: number): string;
  /**
   * A tool call whose arguments are not a JSON object: return the part to write instead, or
   * undefined to leave the call out; or throw.
   */
  invalidArguments(part: ToolCallPart, partIndex: number): GeminiPart | undefined;
  /** Whether to write a tool call's id (Gemini clients read it; the Gemini API does not need it). */
  includeToolCallIds: boolean;
  /**
   * The `thoughtSignature` to write for a reasoning part, or undefined for none: the Gemini API
   * takes only signatures it can decode, while a Gemini client hands back whatever it was given.
   */
  signatureOf(part: ReasoningPart): string | undefined;
}

/**
 * Writes `parts` in order. Reasoning becomes thought parts and the signatures `signatureOf`
 * gives are placed as described in thought-signature-placement.ts. Empty text parts are left
 * out. Tool calls become `functionCall` with `args` parsed from their JSON text;
 * tool results become `functionResponse` (see {@link toGeminiFunctionResponse}) followed by
 * their images as parts of their own.
 */
export function toGeminiParts(parts: readonly ContentPart[], writer: GeminiPartsWriter): GeminiPart[] {
  const result: GeminiPart[] = [];
  /** A signature waiting for the next part, and the thought part it would otherwise stay on. */
  let pending: { signature: string; thoughtPart: GeminiPart | undefined } | undefined;

  const settlePending = (): void => {
    if (pending === undefined) return;
    if (pending.thoughtPart !== undefined) pending.thoughtPart.thoughtSignature = pending.signature;
    else result.push({ text: '', thought: true, thoughtSignature: pending.signature });
    pending = undefined;
  };
  const push = (part: GeminiPart): void => {
    if (pending !== undefined) {
      part.thoughtSignature = pending.signature;
      pending = undefined;
    }
    result.push(part);
  };

  parts.forEach((part, partIndex) => {
    switch (part.type) {
      case 'reasoning': {
        settlePending();
        let thoughtPart: GeminiPart | undefined;
        if (part.text !== '') {
          thoughtPart = { text: part.text, thought: true };
          result.push(thoughtPart);
        }
        const signature = writer.signatureOf(part);
        if (signature !== undefined && signature !== '') pending = { signature, thoughtPart };
        break;
      }
      case 'text':
        if (part.text !== '') push({ text: part.text });
        break;
      case 'image':
        push(toGeminiMedia(part.source));
        break;
      case 'tool-call': {
        const args = parseArguments(part.arguments);
        const written =
          args === undefined ? writer.invalidArguments(part, partIndex) : { functionCall: { ...(writer.includeToolCallIds ? { id: part.id } : {}), name: part.name, args } };
        if (written !== undefined) push(written);
        break;
      }
      case 'tool-result': {
        push({ functionResponse: toGeminiFunctionResponse(part, writer.toolName(part, partIndex)) });
        for (const item of part.content) if (item.type === 'image') result.push(toGeminiMedia(item.source));
        break;
      }
      default:
        throw unexpectedCanonicalType(part, 'content part');
    }
  });
  settlePending();
  return result;
}

/**
 * A tool result as a `functionResponse`: text that is a JSON object is sent as that object
 * (so a Gemini client's own response object comes back unchanged), any other text as
 * `{"output": text}`, and a failed call as `{"error": text}`, the keys Gemini documents.
 */
export function toGeminiFunctionResponse(part: ToolResultPart, name: string): GeminiFunctionResponse {
  const text = part.content
    .filter((item) => item.type === 'text')
    .map((item) => item.text)
    .join('');
  if (part.isError === true) return { name, response: { error: text } };
  const parsed = parseArguments(text);
  return { name, response: parsed ?? { output: text } };
}

/** A base64 image as `inlineData`, a URL as `fileData` with the MIME type its extension implies. */
export function toGeminiMedia(source: ImageSource): GeminiPart {
  if (source.type === 'base64') return { inlineData: { mimeType: source.mediaType, data: source.data } };
  const mimeType = mimeTypeOfUrl(source.url);
  return { fileData: mimeType === undefined ? { fileUri: source.url } : { mimeType, fileUri: source.url } };
}

const MIME_TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
};

function mimeTypeOfUrl(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : MIME_TYPES_BY_EXTENSION[extension];
}

/** The JSON object in `text`, or undefined when `text` is not one. Empty text is the empty object. */
function parseArguments(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
