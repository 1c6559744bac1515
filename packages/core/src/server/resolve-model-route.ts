/**
 * @fileoverview Picks the backend and model for a request's model field. `backend:rest` whose
 * prefix names a registered backend goes to that backend with model `rest` (so `llama3:8b` on
 * backend `local` is written `local:llama3:8b`); a model without `:` goes to the default
 * backend; a prefix naming no backend is a `Backend not found` error.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { Backend, BackendRegistry } from '../plugins/load-backends.js';

/** Used when no default backend is configured. */
export const BUILT_IN_DEFAULT_BACKEND = 'openai';

export interface ModelRoute {
  backend: Backend;
  /** The model name within the backend. */
  model: string;
}

/**
 * @param requestedModel the request's raw model field
 * @param defaultBackend `settings.defaultBackend`: `backend` or `backend:model`; its model is used
 *   only when the request's model is empty
 */
export function resolveModelRoute(
  requestedModel: string,
  defaultBackend: string | undefined,
  registry: BackendRegistry,
): ModelRoute {
  const separator = requestedModel.indexOf(':');
  if (separator !== -1) {
    const backendName = requestedModel.slice(0, separator);
    const model = requestedModel.slice(separator + 1);
    const backend = registry.get(backendName);
    if (backend === undefined) throw registry.notFoundError(backendName);
    if (model === '') throw modelMissing(requestedModel);
    return { backend, model };
  }
  const fallback = defaultBackend ?? BUILT_IN_DEFAULT_BACKEND;
  const fallbackSeparator = fallback.indexOf(':');
  const fallbackBackendName = fallbackSeparator === -1 ? fallback : fallback.slice(0, fallbackSeparator);
  const fallbackModel = fallbackSeparator === -1 ? '' : fallback.slice(fallbackSeparator + 1);
  const backend = registry.get(fallbackBackendName);
  if (backend === undefined) throw registry.notFoundError(fallbackBackendName);
  const model = requestedModel === '' ? fallbackModel : requestedModel;
  if (model === '') throw modelMissing(requestedModel);
  return { backend, model };
}

function modelMissing(requestedModel: string): LlmProxyError {
  return new LlmProxyError({
    code: 'MODEL_NOT_SPECIFIED',
    message: 'No model given: the request names no model and the default backend has none',
    currentValue: `model: ${JSON.stringify(requestedModel)}`,
    fix: 'Set the request\'s model to "backend:model" (e.g. "openai:gpt-4o"), or configure one with --default-backend backend:model',
    httpStatus: 400,
  });
}
