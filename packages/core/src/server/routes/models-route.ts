/**
 * @fileoverview `GET /v1/models` in OpenAI's list format: the exact names of the model routes
 * first (owned by their first target's backend), then ids `backend:model` from every backend. One
 * backend failing to list is logged and left out rather than failing the list.
 */
import type { RequestHandler } from 'express';
import type { ModelRouteRule } from '../../config/model-routes.js';
import type { AppLogger } from '../../logging/app-logger.js';
import type { BackendRegistry } from '../../plugins/load-backends.js';
import { routedModelNames } from '../model-route-matcher.js';
import { requestContextOf } from '../request-context.js';
import { connectorCallOptions } from '../connector-call-options.js';

export function modelsRoute(options: { registry: BackendRegistry; logger: AppLogger; modelRoutes?: readonly ModelRouteRule[] }): RequestHandler {
  const { registry, logger } = options;
  const routed = routedModelNames(options.modelRoutes ?? []);
  return async (_request, response) => {
    // Upstream waits are counted in the context's upstreamTiming through the signal.
    const context = requestContextOf(response);
    const callOptions = connectorCallOptions(context);
    const backends = registry.list();
    const listings = await Promise.allSettled(backends.map((backend) => backend.connector.listModels(callOptions)));
    const data: object[] = routed.map((name) => ({ id: name.id, object: 'model', created: 0, owned_by: name.backend }));
    listings.forEach((listing, index) => {
      const backend = backends[index]!;
      if (listing.status === 'rejected') {
        logger.warn('Could not list the models of a backend; leaving it out of /v1/models', {
          requestId: context.requestId,
          backend: backend.name,
          error: listing.reason instanceof Error ? listing.reason.message : String(listing.reason),
        });
        return;
      }
      for (const model of listing.value) {
        data.push({
          id: `${backend.name}:${model.id}`,
          object: 'model',
          created: model.created ?? 0,
          owned_by: model.ownedBy ?? backend.name,
        });
      }
    });
    if (!callOptions.signal.aborted) response.json({ object: 'list', data });
  };
}
