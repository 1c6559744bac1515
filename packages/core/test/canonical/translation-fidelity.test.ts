import { describe, expect, it } from '@jest/globals';
import { LlmProxyError, type ChatRequest, type WireProtocol } from '@llmproxy/connector-sdk';
import { forwardableProtocolExtras } from '../../src/canonical/forwardable-protocol-extras.js';
import {
  attachTranslationFidelity,
  classifyRequestField,
  fieldPattern,
  formatDroppedFieldsHeader,
  type RequestFieldTable,
  type TranslationFidelity,
} from '../../src/canonical/translation-fidelity.js';
import { MESSAGES_REQUEST_FIELDS } from '../../src/protocols/anthropic-messages/messages-request-fields.js';
import { GEMINI_REQUEST_FIELDS } from '../../src/protocols/gemini/gemini-request-fields.js';
import { CHAT_COMPLETION_REQUEST_FIELDS } from '../../src/protocols/openai-chat/chat-completion-request-fields.js';
import { RESPONSES_REQUEST_FIELDS } from '../../src/protocols/openai-responses/responses-request-fields.js';

function requestWith(protocol: WireProtocol, fields: Record<string, unknown>, fidelity?: Omit<TranslationFidelity, 'dropped'>): { request: ChatRequest; fidelity: TranslationFidelity | undefined } {
  const request: ChatRequest = { model: 'm', messages: [], stream: false, protocolExtras: { protocol, fields } };
  if (fidelity === undefined) return { request, fidelity: undefined };
  const attached: TranslationFidelity = { ...fidelity, dropped: undefined };
  attachTranslationFidelity(request.protocolExtras!, attached);
  return { request, fidelity: attached };
}

function refusal(run: () => unknown): LlmProxyError {
  try {
    run();
  } catch (error) {
    if (LlmProxyError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the front-end field tables', () => {
  // One field of each class per front-end, as clients send them.
  const cases: Array<[string, RequestFieldTable, string, 'content' | 'hint' | undefined]> = [
    ['anthropic-messages', MESSAGES_REQUEST_FIELDS, 'top_k', 'content'],
    ['anthropic-messages', MESSAGES_REQUEST_FIELDS, 'context_management', 'hint'],
    ['anthropic-messages', MESSAGES_REQUEST_FIELDS, 'tools[12].defer_loading', 'hint'],
    ['anthropic-messages', MESSAGES_REQUEST_FIELDS, 'messages[3].content[0].cache_control', 'hint'],
    ['anthropic-messages', MESSAGES_REQUEST_FIELDS, 'tools[2]', 'hint'],
    ['anthropic-messages', MESSAGES_REQUEST_FIELDS, 'next_months_field', undefined],
    ['openai-responses', RESPONSES_REQUEST_FIELDS, 'text', 'content'],
    ['openai-responses', RESPONSES_REQUEST_FIELDS, 'client_metadata', 'hint'],
    ['openai-responses', RESPONSES_REQUEST_FIELDS, 'prompt_cache_key', 'hint'],
    ['openai-responses', RESPONSES_REQUEST_FIELDS, 'tools[0]', 'hint'],
    ['openai-responses', RESPONSES_REQUEST_FIELDS, 'next_months_field', undefined],
    ['openai-chat', CHAT_COMPLETION_REQUEST_FIELDS, 'response_format', 'content'],
    ['openai-chat', CHAT_COMPLETION_REQUEST_FIELDS, 'store', 'hint'],
    ['openai-chat', CHAT_COMPLETION_REQUEST_FIELDS, 'web_search_options', 'hint'],
    ['openai-chat', CHAT_COMPLETION_REQUEST_FIELDS, 'next_months_field', undefined],
    ['gemini', GEMINI_REQUEST_FIELDS, 'generationConfig.responseSchema', 'content'],
    ['gemini', GEMINI_REQUEST_FIELDS, 'safetySettings', 'hint'],
    ['gemini', GEMINI_REQUEST_FIELDS, 'tools.googleSearch', 'hint'],
    ['gemini', GEMINI_REQUEST_FIELDS, 'generationConfig.nextMonthsField', undefined],
  ];

  it.each(cases)('%s: %s', (_frontend, table, path, expected) => {
    expect(classifyRequestField(table, path)).toBe(expected);
  });

  it('writes every list index of a path as []', () => {
    expect(fieldPattern('messages[10].content[2].content[0].cache_control')).toBe('messages[].content[].content[].cache_control');
    expect(fieldPattern('generationConfig.seed')).toBe('generationConfig.seed');
  });
});

describe('forwardableProtocolExtras under a fidelity policy', () => {
  const policy = { table: MESSAGES_REQUEST_FIELDS, unknownFields: 'drop' as const, vendorOnlyFields: ['tools[1].defer_loading'] };

  it('forwards every extra to an upstream of the same API and drops nothing', () => {
    const { request, fidelity } = requestWith('anthropic-messages', { context_management: { edits: [] }, top_k: 3 }, policy);
    expect(forwardableProtocolExtras(request, 'anthropic-messages', 'anthropic')).toEqual({ context_management: { edits: [] }, top_k: 3 });
    expect(fidelity?.dropped).toBeUndefined();
  });

  it('drops hints, unknown fields and vendor-only fields across APIs, and records them with the pair', () => {
    const { request, fidelity } = requestWith('anthropic-messages', { context_management: {}, surprise: 1 }, policy);
    expect(forwardableProtocolExtras(request, 'openai-chat', 'openai')).toBeUndefined();
    expect(fidelity?.dropped).toEqual({ fields: ['context_management', 'surprise', 'tools[1].defer_loading'], from: 'anthropic-messages', to: 'openai-chat', backend: 'openai' });
  });

  it('refuses content by name and the pair, and unknown fields too under refuse', () => {
    const content = requestWith('anthropic-messages', { top_k: 3, context_management: {} }, policy);
    const error = refusal(() => forwardableProtocolExtras(content.request, 'gemini', 'gemini'));
    expect([error.code, error.httpStatus, error.details['fields']]).toEqual(['REQUEST_NOT_TRANSLATABLE', 400, ['top_k']]);
    expect(error.message).toContain('cannot be translated from anthropic-messages to gemini (backend gemini)');

    const strict = requestWith('anthropic-messages', { surprise: 1, context_management: {} }, { ...policy, unknownFields: 'refuse' });
    expect(refusal(() => forwardableProtocolExtras(strict.request, 'gemini', 'gemini')).details['fields']).toEqual(['surprise']);
    const hintsOnly = requestWith('anthropic-messages', { context_management: {} }, { ...policy, unknownFields: 'refuse' });
    expect(forwardableProtocolExtras(hintsOnly.request, 'gemini', 'gemini')).toBeUndefined();
    expect(hintsOnly.fidelity?.dropped?.fields).toEqual(['context_management', 'tools[1].defer_loading']);
  });

  it('names a bounded number of refused fields', () => {
    const fields = Object.fromEntries(Array.from({ length: 40 }, (_, index) => [`unknown_${index}`, index]));
    const { request } = requestWith('anthropic-messages', fields, { ...policy, unknownFields: 'refuse' });
    const error = refusal(() => forwardableProtocolExtras(request, 'gemini', 'gemini'));
    expect(error.message).toContain('`unknown_31` and 8 more cannot be translated');
    expect(error.details['fields']).toHaveLength(32);
  });

  it('refuses every extra across APIs when no policy is attached (a request from outside the chat route)', () => {
    const { request } = requestWith('anthropic-messages', { context_management: {} });
    expect(refusal(() => forwardableProtocolExtras(request, 'openai-chat', 'openai')).details['fields']).toEqual(['context_management']);
  });

  it('applies the policy to copies of the request, which share its extras', () => {
    const { request, fidelity } = requestWith('anthropic-messages', { metadata: { tenant: 'x' } }, policy);
    forwardableProtocolExtras({ ...request, model: 'other' }, 'gemini', 'gemini');
    expect(fidelity?.dropped?.fields).toEqual(['metadata', 'tools[1].defer_loading']);
  });
});

describe('the x-llmproxy-dropped-fields value', () => {
  it('lists each path once, in order, separated by a comma and a space', () => {
    expect(formatDroppedFieldsHeader(['a', 'tools[3].defer_loading', 'a'])).toBe('a, tools[3].defer_loading');
  });

  it('summarises past 32 paths and keeps client-chosen keys header-safe and short', () => {
    const many = Array.from({ length: 40 }, (_, index) => `messages[${index}].content[0].cache_control`);
    const value = formatDroppedFieldsHeader(many);
    expect(value.split(', ')).toHaveLength(33);
    expect(value.endsWith(', +8 more')).toBe(true);
    expect(formatDroppedFieldsHeader(['bad\nkey,é'])).toBe('bad?key??');
    expect(formatDroppedFieldsHeader(['k'.repeat(500)])).toBe(`${'k'.repeat(128)}...`);
  });
});
