/**
 * @fileoverview Picks the backend and model for a request's model field. The `model_routes`
 * come first: the first pattern that matches gives the targets (an ordered list). Otherwise
 * `backend:rest` whose prefix names a registered backend goes to that backend with model `rest`
 * (so `llama3:8b` on backend `local` is written `local:llama3:8b`); a model without `:` goes to
 * the default backend; a prefix naming no backend is a `Backend not found` error.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import { describeModelRoute, type ModelRouteRule } from '../config/model-routes.js';
import type { ProxySettings } from '../config/proxy-settings.js';
import { throwStartupErrors } from '../config/startup-errors.js';
import type { Backend, BackendRegistry } from '../plugins/load-backends.js';
import { modelRouteMatcher } from './model-route-matcher.js';

/** Used when no default backend is configured. */
export const BUILT_IN_DEFAULT_BACKEND = 'openai';

export interface ModelRoute {
  backend: Backend;
  /** The model name within the backend. */
  model: string;
}

/** Where a request goes: its targets, first first, and the model route that chose them, if any. */
export interface ModelRouteChoice {
  /** Never empty; more than one only for a model route with several targets. */
  targets: readonly ModelRoute[];
  rule: ModelRouteRule | undefined;
}

/** The targets for a request's raw model field: a model route's, else the prefix rule's one. */
export function routeModel(
  requestedModel: string,
  settings: Pick<ProxySettings, 'defaultBackend' | 'modelRoutes'>,
  registry: BackendRegistry,
): ModelRouteChoice {
  const rule = modelRouteMatcher(settings.modelRoutes)(requestedModel);
  if (rule === undefined) return { targets: [resolveModelRoute(requestedModel, settings.defaultBackend, registry)], rule };
  const targets = rule.targets.map((target) => {
    const backend = registry.get(target.backend);
    // Checked at startup (checkModelRoutes); a registry never loses a backend.
    if (backend === undefined) throw registry.notFoundError(target.backend);
    return { backend, model: target.model };
  });
  return { targets, rule };
}

/**
 * Stops startup when a model route names a backend that is not loaded, with every such route
 * and the backends there are.
 */
export function checkModelRoutes(rules: readonly ModelRouteRule[], registry: BackendRegistry): void {
  const available = registry.list().map((backend) => backend.name);
  const errors: LlmProxyError[] = [];
  rules.forEach((rule, index) => {
    for (const target of rule.targets) {
      if (registry.get(target.backend) !== undefined) continue;
      errors.push(
        new LlmProxyError({
          code: 'MODEL_ROUTE_BACKEND_UNKNOWN',
          message: `model_routes[${index}] sends models to the backend ${JSON.stringify(target.backend)}, which is not loaded (${registry.notFoundError(target.backend).summary})`,
          currentValue: describeModelRoute(rule),
          fix: `Name one of the loaded backends (${available.join(', ') || 'none'}) in model_routes[${index}].to, or declare the backend under backends in the config file`,
          details: { backend: target.backend, route: index },
        }),
      );
    }
  });
  throwStartupErrors(errors);
}

/**
 * The prefix rule alone, without the model routes.
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
