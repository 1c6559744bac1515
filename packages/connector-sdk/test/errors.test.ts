import { describe, expect, it } from '@jest/globals';
import { LlmProxyError, UpstreamError } from '../src/errors.js';

describe('LlmProxyError', () => {
  it('composes what failed, the current value and the fix into one message', () => {
    const error = new LlmProxyError({
      code: 'EXAMPLE_CODE',
      message: 'Something failed',
      currentValue: '42',
      fix: 'Use 7 instead',
      httpStatus: 400,
    });
    expect(error.message).toBe('Something failed. Current value: 42. Use 7 instead.');
    expect(error.summary).toBe('Something failed');
    expect(error.docsUrl).toMatch(/docs\/errors\.md#example-code$/);
  });

  it('recognises errors from another copy of the SDK by brand, not instanceof', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('llmproxy.error')]: true });
    expect(LlmProxyError.is(foreign)).toBe(true);
    expect(LlmProxyError.is(new Error('plain'))).toBe(false);
    expect(LlmProxyError.is(new UpstreamError({ backend: 'b', status: 429, error: { message: 'slow down' } }))).toBe(true);
  });
});
