import { describe, expect, it } from '@jest/globals';
import { KnownSecrets } from '../../src/logging/known-secrets.js';
import { redactText } from '../../src/logging/redact-secrets.js';

describe('KnownSecrets', () => {
  it('records the credentials of an outbound request: headers, bearer tokens, key query parameters and token fields', () => {
    const secrets = new KnownSecrets();
    secrets.addRequestCredentials({
      url: 'https://vendor.example/v1/x?key=query-key-12345678&alt=sse',
      headers: { authorization: 'Bearer bearer-token-12345678', 'x-goog-api-key': 'goog-key-12345678', accept: 'application/json-long-value' },
      json: { refresh_token: 'refresh-token-12345678', model: 'a-long-model-name' },
    });
    secrets.addRequestCredentials({ url: 'https://auth.example/token', body: 'grant_type=refresh_token&client_secret=client-secret-12345678' });
    expect(new Set(secrets)).toEqual(
      new Set([
        'Bearer bearer-token-12345678',
        'bearer-token-12345678',
        'goog-key-12345678',
        'query-key-12345678',
        'refresh-token-12345678',
        'client-secret-12345678',
      ]),
    );
  });

  it('ignores values too short to search for, and redacts a key that contains another key whole', () => {
    const secrets = new KnownSecrets(['short', 'abcdefgh', 'abcdefgh-longer-key']);
    expect([...secrets]).toEqual(['abcdefgh-longer-key', 'abcdefgh']);
    expect(redactText('x abcdefgh-longer-key y abcdefgh', { apiKeys: secrets })).toBe('x [REDACTED] y [REDACTED]');
  });
});
