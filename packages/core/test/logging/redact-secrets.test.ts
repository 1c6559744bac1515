import { describe, expect, it } from '@jest/globals';
import { redactText } from '../../src/logging/redact-secrets.js';

describe('redactText', () => {
  it('redacts token fields in logged JSON text, snake_case and camelCase alike', () => {
    const logged =
      '{"access_token":"ya29.snake","refreshToken":"camel-refresh","accessToken":"camel-access","clientSecret":"camel-secret","idToken":"camel-id","expiresIn":3600}';
    const redacted = redactText(logged, { apiKeys: [] });
    for (const secret of ['ya29.snake', 'camel-refresh', 'camel-access', 'camel-secret', 'camel-id']) {
      expect(redacted).not.toContain(secret);
    }
    expect(redacted).toContain('"expiresIn":3600');
  });
});
