/**
 * @fileoverview Canonical chat response → Gemini `GenerateContentResponse`.
 */
import type { ChatResponse, ProtocolExtras, ReasoningPart, ToolCallPart } from '@llmproxy/connector-sdk';
import { redactedThinkingSignature } from '../../canonical/redacted-thinking-signature.js';
import { toGeminiFinishReason } from './gemini-finish-reason.js';
import { toGeminiUsage } from './gemini-usage.js';
import type { GeminiCandidate, GeminiGenerateContentResponse } from './gemini-wire-types.js';
import { toGeminiParts } from './to-gemini-parts.js';

/**
 * One candidate whose parts are the answer in order: thoughts as `thought` parts, text, and
 * tool calls as `functionCall` parts with their ids (Gemini clients hand ids back on their
 * `functionResponse`, which keeps the backend's call ids across turns). Signatures are placed
 * as described in thought-signature-placement.ts. A tool call whose arguments are not a JSON
 * object cannot be a Gemini function call: it is left out and the answer ends with
 * `MALFORMED_FUNCTION_CALL`, as Gemini itself reports such a call. Anthropic's redacted
 * thinking travels as an opaque signature (see {@link clientSignatureOf}). Extras from a Gemini
 * upstream (`promptFeedback`, the candidate's `safetyRatings`, ...) come back where they were.
 */
export function renderGeminiResponse(response: ChatResponse): GeminiGenerateContentResponse {
  const malformed: ToolCallPart[] = [];
  const parts = toGeminiParts(response.content, {
    includeToolCallIds: true,
    signatureOf: clientSignatureOf,
    toolName: () => {
      throw new Error('an answer has no tool results');
    },
    invalidArguments: (part) => {
      malformed.push(part);
      return undefined;
    },
  });
  const candidate: GeminiCandidate = {
    content: { role: 'model', parts },
    finishReason: malformed.length > 0 ? 'MALFORMED_FUNCTION_CALL' : toGeminiFinishReason(response.finishReason),
    index: 0,
  };
  if (malformed.length > 0) candidate.finishMessage = malformedCallMessage(malformed);
  const result: GeminiGenerateContentResponse = { candidates: [candidate] };
  if (response.usage !== undefined) result.usageMetadata = toGeminiUsage(response.usage);
  result.modelVersion = response.model;
  result.responseId = response.id;
  applyGeminiExtras(result, candidate, response.protocolExtras);
  return result;
}

/**
 * The signature a Gemini client gets for a reasoning part: its own, or for Anthropic's redacted
 * thinking the opaque marker the Anthropic connector also streams it as, so that the client hands
 * it back and the block returns to Anthropic unchanged.
 */
export function clientSignatureOf(part: ReasoningPart): string | undefined {
  if (part.signature !== undefined) return part.signature;
  return part.redactedData === undefined ? undefined : redactedThinkingSignature(part.redactedData);
}

/** The `finishMessage` for tool calls left out because their arguments are not a JSON object. */
export function malformedCallMessage(calls: readonly Pick<ToolCallPart, 'name'>[]): string {
  const names = calls.map((call) => call.name).join(', ');
  return `Malformed function call: the backend produced arguments that are not a JSON object for ${names}`;
}

/** Puts a Gemini upstream's extra fields back: `candidate` ones on the candidate, the rest on the response. Existing fields win. */
export function applyGeminiExtras(
  response: GeminiGenerateContentResponse,
  candidate: GeminiCandidate,
  extras: ProtocolExtras | undefined,
): void {
  if (extras?.protocol !== 'gemini') return;
  for (const [key, value] of Object.entries(extras.fields)) {
    if (key === 'candidate') {
      if (typeof value === 'object' && value !== null) {
        for (const [candidateKey, candidateValue] of Object.entries(value)) if (!(candidateKey in candidate)) candidate[candidateKey] = candidateValue;
      }
    } else if (!(key in response)) {
      response[key] = value;
    }
  }
}
