import { describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import { parseRetryAfter } from '../../../src/connectors/api-key-pool/parse-retry-after.js';
import { readApiKeys } from '../../../src/connectors/api-key-pool/read-api-keys.js';

describe('readApiKeys', () => {
  it('reads ENV then ENV_1..N in numeric order, skipping empties and duplicates', () => {
    const env = {
      OPENAI_API_KEY: 'sk-main',
      OPENAI_API_KEY_10: 'sk-ten',
      OPENAI_API_KEY_2: 'sk-two',
      OPENAI_API_KEY_1: 'sk-one',
      OPENAI_API_KEY_3: '',
      OPENAI_API_KEY_4: 'sk-one',
      OPENAI_API_KEY_EXTRA: 'not-a-pool-key',
    };
    expect(readApiKeys({ env, config: {}, envVar: 'OPENAI_API_KEY' })).toEqual(['sk-main', 'sk-one', 'sk-two', 'sk-ten']);
  });

  it('reads YAML api_key then api_keys when no variable is set', () => {
    const config = { api_key: 'sk-yaml', api_keys: ['sk-list-1', 'sk-list-2', 'sk-yaml'] };
    expect(readApiKeys({ env: {}, config, envVar: 'OPENAI_API_KEY' })).toEqual(['sk-yaml', 'sk-list-1', 'sk-list-2']);
  });

  it('environment wins over YAML', () => {
    const config = { api_keys: ['sk-yaml'] };
    expect(readApiKeys({ env: { OPENAI_API_KEY_1: 'sk-env' }, config, envVar: 'OPENAI_API_KEY' })).toEqual(['sk-env']);
  });

  it('nothing configured → empty list', () => {
    expect(readApiKeys({ env: { OPENAI_API_KEY: '' }, config: {}, envVar: 'OPENAI_API_KEY' })).toEqual([]);
  });

  it('a YAML value of the wrong type is BACKEND_CONFIG_INVALID without repeating it', () => {
    let caught: unknown;
    try {
      readApiKeys({ env: {}, config: { api_keys: ['sk-ok', 42] }, envVar: 'X', backendName: 'qwen' });
    } catch (error) {
      caught = error;
    }
    expect(LlmProxyError.is(caught)).toBe(true);
    const error = caught as LlmProxyError;
    expect(error.code).toBe('BACKEND_CONFIG_INVALID');
    expect(error.message).toContain('backends.qwen.api_keys[1] must be a string');
    expect(error.message).not.toContain('sk-ok');
  });
});

describe('parseRetryAfter', () => {
  it('reads retry-after-ms, retry-after seconds and HTTP dates', () => {
    expect(parseRetryAfter({ 'retry-after-ms': '1500' })).toBe(2);
    expect(parseRetryAfter({ 'retry-after': '7' })).toBe(7);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter({ 'retry-after': 'Wed, 01 Jan 2025 00:00:20 GMT' }, now)).toBe(20);
    expect(parseRetryAfter({})).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': 'soon' })).toBeUndefined();
  });
});
