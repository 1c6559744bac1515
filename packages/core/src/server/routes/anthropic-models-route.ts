/**
 * @fileoverview The model list in Anthropic's format (`{data: [{type: "model", id,
 * display_name, created_at}], has_more, first_id, last_id}`), with the model routes' exact
 * names first and then ids `backend:model` from every backend, for `GET /anthropic/v1/models`, and for `GET /v1/models` when the caller is an
 * Anthropic client.
 *
 * `/v1/models` is also OpenAI's path, with another shape. Anthropic's SDKs (and Claude Code)
 * send an `anthropic-version` header on every request and OpenAI's SDKs never do, so that header
 * picks the format. One backend failing to list is logged and left out rather than failing the
 * list. The whole list is one page (`has_more: false`).
 */
import type { RequestHandler } from 'express';
import type { ModelRouteRule } from '../../config/model-routes.js';
import type { AppLogger } from '../../logging/app-logger.js';
import type { BackendRegistry } from '../../plugins/load-backends.js';
import { routedModelNames } from '../model-route-matcher.js';
import { requestContextOf } from '../request-context.js';
import { connectorCallOptions } from '../connector-call-options.js';

/** Release date shown for a model whose upstream gives none: the epoch, as Anthropic does for unknown dates. */
const UNKNOWN_DATE = '1970-01-01T00:00:00Z';

export function anthropicModelsRoute(options: { registry: BackendRegistry; logger: AppLogger; modelRoutes?: readonly ModelRouteRule[] }): RequestHandler {
  const { registry, logger } = options;
  const routed = routedModelNames(options.modelRoutes ?? []);
  return (_request, response) =>
    (async () => {
      const context = requestContextOf(response);
      const callOptions = connectorCallOptions(context);
      const backends = registry.list();
      const listings = await Promise.allSettled(backends.map((backend) => backend.connector.listModels(callOptions)));
      const data: Array<{ type: 'model'; id: string; display_name: string; created_at: string }> = routed.map((name) => ({
        type: 'model',
        id: name.id,
        display_name: `${name.id} (${name.backend}:${name.model})`,
        created_at: UNKNOWN_DATE,
      }));
      listings.forEach((listing, index) => {
        const backend = backends[index]!;
        if (listing.status === 'rejected') {
          logger.warn('Could not list the models of a backend; leaving it out of the Anthropic model list', {
            requestId: context.requestId,
            backend: backend.name,
            error: listing.reason instanceof Error ? listing.reason.message : String(listing.reason),
          });
          return;
        }
        for (const model of listing.value) {
          const id = `${backend.name}:${model.id}`;
          data.push({
            type: 'model',
            id,
            display_name: id,
            created_at: model.created === undefined ? UNKNOWN_DATE : new Date(model.created * 1000).toISOString(),
          });
        }
      });
      if (callOptions.signal.aborted) return;
      response.json({ data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
    })();
}

/**
 * Runs `handler` for requests from Anthropic clients (those with an `anthropic-version` header)
 * and passes every other request on to the next handler of the same path.
 */
export function forAnthropicClients(handler: RequestHandler): RequestHandler {
  return (request, response, next) => {
    if (request.headers['anthropic-version'] === undefined) {
      next();
      return;
    }
    return handler(request, response, next);
  };
}
