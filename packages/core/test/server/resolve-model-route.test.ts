import { beforeAll, describe, expect, it } from '@jest/globals';
import type { BackendRegistry } from '../../src/plugins/load-backends.js';
import { resolveModelRoute } from '../../src/server/resolve-model-route.js';
import { createTestRegistry } from './support/test-registry.js';
import { echoConnector } from './support/test-connectors.js';

describe('resolveModelRoute', () => {
  let registry: BackendRegistry;
  beforeAll(async () => {
    registry = await createTestRegistry([
      { name: 'openai', definition: echoConnector() },
      { name: 'local', definition: echoConnector() },
    ]);
  });

  const route = (model: string, defaultBackend?: string) => {
    const resolved = resolveModelRoute(model, defaultBackend, registry);
    return `${resolved.backend.name} ${resolved.model}`;
  };

  it('sends backend:rest to the named backend with everything after the first colon', () => {
    expect(route('local:llama3:8b')).toBe('local llama3:8b');
    expect(route('openai:gpt-4o', 'local')).toBe('openai gpt-4o');
  });

  it('sends a model without a colon to the default backend, openai when none is configured', () => {
    expect(route('gpt-4o')).toBe('openai gpt-4o');
    expect(route('llama3', 'local')).toBe('local llama3');
    expect(route('llama3', 'local:ignored-when-a-model-is-given')).toBe('local llama3');
  });

  it("uses the default's model only when the request's model is empty", () => {
    expect(route('', 'local:qwen2')).toBe('local qwen2');
  });

  it('throws Backend not found for a prefix that names no backend', () => {
    expect(() => route('nowhere:model')).toThrow(expect.objectContaining({ code: 'BACKEND_NOT_FOUND', httpStatus: 404 }));
    expect(() => route('model', 'missing-default')).toThrow(expect.objectContaining({ code: 'BACKEND_NOT_FOUND' }));
  });

  it('throws MODEL_NOT_SPECIFIED when no model can be found', () => {
    expect(() => route('', 'local')).toThrow(expect.objectContaining({ code: 'MODEL_NOT_SPECIFIED', httpStatus: 400 }));
    expect(() => route('local:')).toThrow(expect.objectContaining({ code: 'MODEL_NOT_SPECIFIED' }));
  });
});
