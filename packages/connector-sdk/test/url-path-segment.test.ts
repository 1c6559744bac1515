import { describe, expect, it } from '@jest/globals';
import { LlmProxyError, urlPathSegment } from '../src/index.js';

describe('urlPathSegment', () => {
  it('encodes an ordinary model name as one segment', () => {
    expect(urlPathSegment('gemini-2.5-flash')).toBe('gemini-2.5-flash');
    expect(urlPathSegment('llama3.1:8b')).toBe('llama3.1%3A8b');
    expect(urlPathSegment('a b+c')).toBe('a%20b%2Bc');
    expect(urlPathSegment('100%')).toBe('100%25');
    expect(urlPathSegment('...')).toBe('...');
  });

  it.each([
    ['', 'it is empty'],
    ['.', 'the path segment "."'],
    ['..', 'the path segment ".."'],
    ['../../admin/secret', 'path separator'],
    ['a\\b', 'path separator'],
    ['model?alt=json', 'path separator'],
    ['model#x', 'path separator'],
    ['line\nbreak', 'control character'],
    ['del\u007f', 'control character'],
    ['%2E%2E', 'the path segment ".."'],
    ['..%2F..%2Fx', 'path separator'],
    ['x%5Cy', 'path separator'],
    ['%252e%252e', 'the path segment ".."'],
    ['a%00b', 'control character'],
  ])('refuses %j with a 400 MODEL_NAME_INVALID naming it', (value, problem) => {
    let thrown: unknown;
    try {
      urlPathSegment(value, 'model', `gemini:${value}`);
    } catch (error) {
      thrown = error;
    }
    expect(LlmProxyError.is(thrown)).toBe(true);
    const error = thrown as LlmProxyError;
    expect(error).toMatchObject({ code: 'MODEL_NAME_INVALID', httpStatus: 400 });
    expect(error.message).toContain(JSON.stringify(`gemini:${value}`));
    expect(error.message).toContain(problem);
  });
});
