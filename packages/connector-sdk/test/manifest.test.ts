import { describe, expect, it } from '@jest/globals';
import { validateManifest } from '../src/manifest.js';

describe('validateManifest', () => {
  const validManifest = {
    manifestVersion: 1,
    sdk: '^1.0.0',
    connectors: [{ id: 'acme', entry: './acme', hasStaticCredentials: true }],
  };

  it('accepts a complete manifest', () => {
    expect(validateManifest(validManifest)).toEqual({ valid: true, manifest: validManifest });
  });

  it('reports every problem at once, naming each path', () => {
    const result = validateManifest({
      manifestVersion: 2,
      sdk: '^1.0.0',
      connectors: [{ id: 'Acme Bad', entry: 'dist/acme.js' }],
    });
    expect(result.valid).toBe(false);
    if (result.valid) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        'llmproxy.manifestVersion: must be equal to constant',
        'llmproxy.connectors.0: missing required property "hasStaticCredentials"',
        expect.stringMatching(/^llmproxy\.connectors\.0\.id: must match pattern/),
        expect.stringMatching(/^llmproxy\.connectors\.0\.entry: must match pattern/),
      ]),
    );
  });

  it('has no default for hasStaticCredentials', () => {
    const result = validateManifest({ manifestVersion: 1, sdk: '^1', connectors: [{ id: 'x', entry: './x' }] });
    expect(result).toEqual({
      valid: false,
      problems: ['llmproxy.connectors.0: missing required property "hasStaticCredentials"'],
    });
  });
});
