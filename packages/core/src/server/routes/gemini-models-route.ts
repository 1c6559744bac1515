/**
 * @fileoverview `GET /v1beta/models` and `GET /v1beta/models/{model}` in the Gemini API's
 * format, with the model routes' exact names first (`models/<name>`) and then every backend's
 * models named `models/backend:model`. One backend failing to list is logged and left out rather
 * than failing the list.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';
import type { ModelInfo } from '@llmproxy/connector-sdk';
import type { RequestHandler } from 'express';
import type { ModelRouteRule } from '../../config/model-routes.js';
import type { ProxySettings } from '../../config/proxy-settings.js';
import type { AppLogger } from '../../logging/app-logger.js';
import type { BackendRegistry } from '../../plugins/load-backends.js';
import type { GeminiModel } from '../../protocols/gemini/gemini-wire-types.js';
import { modelPathOf } from '../../protocols/gemini/parse-gemini-model-action.js';
import { routedModelNames } from '../model-route-matcher.js';
import { requestContextOf } from '../request-context.js';
import { connectorCallOptions } from '../connector-call-options.js';
import { routeModel } from '../resolve-model-route.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
/** What the proxy answers for every model, whatever the backend. */
const SUPPORTED_METHODS = ['generateContent', 'streamGenerateContent', 'countTokens'];

/** `GET /v1beta/models`, paged with `pageSize` (default 50, at most 1000) and `pageToken`. */
export function geminiModelsRoute(options: { registry: BackendRegistry; logger: AppLogger; modelRoutes?: readonly ModelRouteRule[] }): RequestHandler {
  const { registry, logger } = options;
  const routed = routedModelNames(options.modelRoutes ?? []);
  return async (request, response) => {
    // Upstream waits are counted in the context's upstreamTiming through the signal.
    const context = requestContextOf(response);
    const callOptions = connectorCallOptions(context);
    const { pageSize, offset } = pageOf(request.query);
    const backends = registry.list();
    const listings = await Promise.allSettled(backends.map((backend) => backend.connector.listModels(callOptions)));
    const models: GeminiModel[] = routed.map((name) => geminiModel(name.id, name.backend, { id: name.model }));
    listings.forEach((listing, index) => {
      const backend = backends[index]!;
      if (listing.status === 'rejected') {
        logger.warn('Could not list the models of a backend; leaving it out of /v1beta/models', {
          requestId: context.requestId,
          backend: backend.name,
          error: listing.reason instanceof Error ? listing.reason.message : String(listing.reason),
        });
        return;
      }
      for (const model of listing.value) models.push(geminiModel(`${backend.name}:${model.id}`, backend.name, model));
    });
    if (callOptions.signal.aborted) return;
    const page = models.slice(offset, offset + pageSize);
    const next = offset + pageSize < models.length ? String(offset + pageSize) : undefined;
    response.json(next === undefined ? { models: page } : { models: page, nextPageToken: next });
  };
}

/**
 * `GET /v1beta/models/{model}`: the model routed the way a request for it would be, described
 * when its backend lists it, else a 404.
 */
export function geminiModelRoute(options: { settings: Readonly<ProxySettings>; registry: BackendRegistry }): RequestHandler {
  const { settings, registry } = options;
  return async (request, response) => {
    const context = requestContextOf(response);
    const requested = modelPathOf(request.params);
    const route = routeModel(requested, settings, registry).targets[0]!;
    context.backend = route.backend.name;
    const listed = await route.backend.connector.listModels(connectorCallOptions(context));
    const model = listed.find((entry) => entry.id === route.model);
    if (model === undefined) {
      throw new LlmProxyError({
        code: 'MODEL_NOT_FOUND',
        message: `Model not found: backend ${route.backend.name} does not list ${JSON.stringify(route.model)}`,
        fix: 'GET /v1beta/models lists the models of every backend as models/backend:model',
        httpStatus: 404,
        details: { backend: route.backend.name, model: route.model },
      });
    }
    if (!context.abortController.signal.aborted) response.json(geminiModel(requested, route.backend.name, model));
  };
}

function geminiModel(name: string, backendName: string, model: ModelInfo): GeminiModel {
  return {
    name: `models/${name}`,
    baseModelId: model.id,
    version: '001',
    displayName: name,
    description: `${model.id} on backend ${backendName}${model.ownedBy === undefined ? '' : ` (${model.ownedBy})`}, served by llmproxy`,
    supportedGenerationMethods: SUPPORTED_METHODS,
  };
}

function pageOf(query: Readonly<Record<string, unknown>>): { pageSize: number; offset: number } {
  const size = Number(query['pageSize']);
  const token = Number(query['pageToken']);
  return {
    pageSize: Number.isInteger(size) && size > 0 ? Math.min(size, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE,
    offset: Number.isInteger(token) && token > 0 ? token : 0,
  };
}
