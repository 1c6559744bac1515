/**
 * @fileoverview Gemini `GenerateContentResponse` chunks → canonical chat events, one chunk at a
 * time, and a whole `generateContent` answer → a canonical response. Independent of HTTP: the
 * Code Assist connector feeds the same reader with the `response` objects it unwraps.
 */
import { randomBytes } from 'node:crypto';
import { isRecord, LlmProxyError, StreamEndedEarlyError } from '@llmproxy/connector-sdk';
import type { ChatEvent, ChatResponse, ProtocolExtras, ServerSentEvent, Usage } from '@llmproxy/connector-sdk';
import { collectChatStream } from '../../canonical/collect-chat-stream.js';
import { fromGeminiParts, type GeminiPartsReader } from './from-gemini-parts.js';
import { fromGeminiFinishReason } from './gemini-finish-reason.js';
import { fromGeminiUsage } from './gemini-usage.js';
import type { GeminiUsageMetadata } from './gemini-wire-types.js';
import { readGeminiStreamError } from './read-gemini-upstream-error.js';

export interface GeminiResponseOptions {
  /** The backend name, for error messages. */
  backendName: string;
  /** The model asked for; used when the answer names no `modelVersion`. */
  requestedModel: string;
  /** Names the upstream API in error messages, e.g. `the Gemini API` or `Gemini Code Assist`. */
  upstreamName?: string;
}

const KNOWN_RESPONSE_FIELDS = new Set(['candidates', 'usageMetadata', 'modelVersion', 'responseId', 'createTime']);
const KNOWN_CANDIDATE_FIELDS = new Set(['content', 'finishReason', 'index']);

/**
 * Reads the chunks of one streamed answer (each a parsed `GenerateContentResponse`). Text and
 * thoughts are passed on as they arrive; a function call arrives whole in one chunk and becomes
 * `tool-call-start` plus one `tool-call-delta` with its arguments as JSON text, with an id of
 * its own when Gemini sent none. Signatures become reasoning deltas as described in
 * thought-signature-placement.ts. Usage (Gemini repeats it on every chunk) is sent once, at the
 * end. An `error` object in the stream is thrown as an upstream error; a stream that ends
 * without a finish reason is `UPSTREAM_STREAM_INTERRUPTED`; output the canonical model cannot
 * carry (generated images, executed code) is `RESPONSE_NOT_TRANSLATABLE`.
 */
export async function* readGeminiStream(chunks: AsyncIterable<unknown>, options: GeminiResponseOptions): AsyncGenerator<ChatEvent> {
  let started = false;
  let finished = false;
  let toolCallCount = 0;
  let usage: Usage | undefined;
  let chunkIndex = 0;
  const reader = partsReader(options, () => chunkIndex);

  for await (const chunk of chunks) {
    if (!isRecord(chunk)) throw invalidResponse(options, 'a chunk is not a JSON object');
    if (isRecord(chunk['error'])) throw readGeminiStreamError(chunk['error'], options.backendName);
    const candidates = Array.isArray(chunk['candidates']) ? chunk['candidates'] : [];
    const candidate = candidates.find((entry) => isRecord(entry) && (entry['index'] ?? 0) === 0) ?? candidates[0];

    if (!started) {
      started = true;
      yield responseStart(chunk, isRecord(candidate) ? candidate : undefined, options);
    }
    if (isRecord(candidate)) {
      const content = isRecord(candidate['content']) ? candidate['content'] : undefined;
      for (const part of fromGeminiParts(content?.['parts'] ?? [], reader)) {
        switch (part.type) {
          case 'text':
            yield { type: 'text-delta', text: part.text };
            break;
          case 'reasoning':
            yield { type: 'reasoning-delta', text: part.text, ...(part.signature === undefined ? {} : { signature: part.signature }) };
            break;
          case 'tool-call': {
            const index = toolCallCount++;
            yield { type: 'tool-call-start', index, id: part.id, name: part.name };
            yield { type: 'tool-call-delta', index, argumentsDelta: part.arguments };
            break;
          }
          default:
            throw notTranslatable(options, part.type === 'image' ? 'an image or file in the answer' : `a ${part.type} part in the answer`);
        }
      }
      const finishReason = candidate['finishReason'];
      if (typeof finishReason === 'string' && finishReason !== 'FINISH_REASON_UNSPECIFIED' && !finished) {
        finished = true;
        yield { type: 'finish', finishReason: fromGeminiFinishReason(finishReason, toolCallCount > 0) };
      }
    } else if (!finished && isRecord(chunk['promptFeedback']) && typeof chunk['promptFeedback']['blockReason'] === 'string') {
      // The prompt itself was blocked: no candidate at all.
      finished = true;
      yield { type: 'finish', finishReason: 'content-filter' };
    }
    if (isRecord(chunk['usageMetadata'])) usage = fromGeminiUsage(chunk['usageMetadata'] as GeminiUsageMetadata);
    chunkIndex += 1;
  }

  if (!started) throw invalidResponse(options, 'the stream ended without a single chunk');
  if (!finished) {
    throw new StreamEndedEarlyError({ backend: options.backendName });
  }
  if (usage !== undefined) yield { type: 'usage', usage };
}

/** Reads a whole `generateContent` answer, the same way as a stream of one chunk. */
export function fromGeminiResponse(body: unknown, options: GeminiResponseOptions): Promise<ChatResponse> {
  return collectChatStream(readGeminiStream(single(body), options));
}

/** Parses the data of each server-sent event (`?alt=sse`) as one chunk. */
export async function* parseGeminiEvents(events: AsyncIterable<ServerSentEvent>, options: GeminiResponseOptions): AsyncGenerator<unknown> {
  for await (const event of events) {
    const data = event.data.trim();
    if (data === '' || data === '[DONE]') continue;
    try {
      yield JSON.parse(data) as unknown;
    } catch {
      throw invalidResponse(options, `a stream event is not JSON: ${JSON.stringify(data.slice(0, 120))}`);
    }
  }
}

/** A new tool call id, for function calls that come without one. */
export function newToolCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}

function responseStart(
  chunk: Record<string, unknown>,
  candidate: Record<string, unknown> | undefined,
  options: GeminiResponseOptions,
): ChatEvent {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(chunk)) {
    if (!KNOWN_RESPONSE_FIELDS.has(key) && value !== undefined && value !== null) fields[key] = value;
  }
  if (candidate !== undefined) {
    const candidateFields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(candidate)) {
      if (!KNOWN_CANDIDATE_FIELDS.has(key) && value !== undefined && value !== null) candidateFields[key] = value;
    }
    if (Object.keys(candidateFields).length > 0) fields['candidate'] = candidateFields;
  }
  const extras: ProtocolExtras | undefined = Object.keys(fields).length > 0 ? { protocol: 'gemini', fields } : undefined;
  const responseId = chunk['responseId'];
  const modelVersion = chunk['modelVersion'];
  return {
    type: 'response-start',
    id: typeof responseId === 'string' && responseId !== '' ? responseId : `gemini-${randomBytes(9).toString('base64url')}`,
    model: typeof modelVersion === 'string' && modelVersion !== '' ? modelVersion : options.requestedModel,
    created: Math.floor(Date.now() / 1000),
    ...(extras === undefined ? {} : { protocolExtras: extras }),
  };
}

function partsReader(options: GeminiResponseOptions, chunkIndex: () => number): GeminiPartsReader {
  return {
    toolCallId: (call) => call.id ?? newToolCallId(),
    toolResultId: () => {
      throw notTranslatable(options, 'a functionResponse part in the answer');
    },
    fail(partIndex, field, problem, unsupported) {
      const where = `candidates[0].content.parts[${partIndex}]${field === '' ? '' : `.${field}`} (chunk ${chunkIndex()})`;
      return unsupported ? notTranslatable(options, `${field} (${where})`) : invalidResponse(options, `${where} ${problem}`);
    },
  };
}

function notTranslatable(options: GeminiResponseOptions, what: string): LlmProxyError {
  return new LlmProxyError({
    code: 'RESPONSE_NOT_TRANSLATABLE',
    message: `Backend ${options.backendName} answered with ${what}, which llmproxy cannot pass on`,
    fix: 'Ask for text or function calls only (e.g. leave out tools such as codeExecution, or image output)',
    httpStatus: 502,
    details: { backend: options.backendName, from: 'gemini' },
  });
}

function invalidResponse(options: GeminiResponseOptions, reason: string): LlmProxyError {
  return new LlmProxyError({
    code: 'UPSTREAM_INVALID_RESPONSE',
    message: `The upstream of backend ${options.backendName} answered with a response that is not a valid ${options.upstreamName ?? 'Gemini API'} response: ${reason}`,
    fix: 'Check that the backend base_url points at the Gemini API (https://generativelanguage.googleapis.com)',
    httpStatus: 502,
    details: { backend: options.backendName },
  });
}

async function* single(body: unknown): AsyncGenerator<unknown> {
  yield body;
}
