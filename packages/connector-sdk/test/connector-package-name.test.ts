import { describe, expect, it } from '@jest/globals';
import { isConnectorPackageName } from '../src/connector-package-name.js';

describe('isConnectorPackageName', () => {
  it.each([
    '@llmproxy/oauth-connectors',
    '@llmproxy/connector-anthropic',
    'llmproxy-connector-minimal',
    '@example/llmproxy-connector-minimal',
  ])('matches %s', (name) => {
    expect(isConnectorPackageName(name)).toBe(true);
  });

  it.each([
    '@llmproxy/connector-sdk',
    '@llmproxy/core',
    'llmproxy-connector-',
    'my-llmproxy-connector-x',
    '@example/connector-x',
    'express',
  ])('does not match %s', (name) => {
    expect(isConnectorPackageName(name)).toBe(false);
  });
});
