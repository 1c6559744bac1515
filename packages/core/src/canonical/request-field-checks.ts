/**
 * @fileoverview Checks of client request fields shared by the protocols' request parsers, with
 * errors that name the offending parameter the way the OpenAI API does
 * (`Invalid type for 'messages[0].content': expected a string, but got a number`). The
 * Anthropic parser keeps its own wording, since Anthropic clients expect Anthropic's.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';

/** A 400 `CHAT_REQUEST_INVALID` naming `param`. */
export function invalid(param: string | undefined, message: string): LlmProxyError {
  return new LlmProxyError({ code: 'CHAT_REQUEST_INVALID', message, httpStatus: 400, details: param === undefined ? {} : { param } });
}

/** A 400 `CHAT_REQUEST_UNSUPPORTED`: a valid field llmproxy refuses rather than drops. */
export function unsupported(param: string, message: string): LlmProxyError {
  return new LlmProxyError({
    code: 'CHAT_REQUEST_UNSUPPORTED',
    message,
    fix: `Remove \`${param}\` from the request`,
    httpStatus: 400,
    details: { param },
  });
}

export function invalidType(param: string, value: unknown, expected: string): LlmProxyError {
  const actual = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  return invalid(param, `Invalid type for '${param}': expected ${expected}, but got ${actual}`);
}

export function expectString(value: unknown, param: string): string {
  if (typeof value !== 'string') {
    if (value === undefined) throw invalid(param, `Missing required parameter: '${param}'`);
    throw invalidType(param, value, 'a string');
  }
  return value;
}

export function expectBoolean(value: unknown, param: string): boolean {
  if (typeof value !== 'boolean') throw invalidType(param, value, 'a boolean');
  return value;
}

export function expectNumber(value: unknown, param: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidType(param, value, 'a number');
  return value;
}

/** A token count: an integer of at least 1. */
export function expectTokenCount(value: unknown, param: string): number {
  const count = expectNumber(value, param);
  if (!Number.isInteger(count) || count < 1) throw invalid(param, `Invalid value for '${param}': ${count}. Expected an integer of at least 1`);
  return count;
}
