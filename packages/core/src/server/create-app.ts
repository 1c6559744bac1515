/**
 * @fileoverview Assembles the Express app, in the order that makes the guarantees hold:
 * request tracking first (abort signal, overhead header, request log), then the browser and
 * Host guards, then client authentication over every route, then the routes with their body
 * parsers, then the 404 and error handlers. Nothing here listens; see start-proxy.ts.
 */
import express, { type Express } from 'express';
import type { Store } from 'express-rate-limit';
import type { ResolvedSettings } from '../config/proxy-settings.js';
import { anthropicMessagesFrontend } from '../frontends/anthropic-messages/anthropic-messages-frontend.js';
import { openAIChatFrontend } from '../frontends/openai-chat/openai-chat-frontend.js';
import type { ConversationStore } from '../frontends/openai-responses/conversation-store.js';
import { createOpenAIResponsesFrontend } from '../frontends/openai-responses/openai-responses-frontend.js';
import type { AppLogger } from '../logging/app-logger.js';
import type { PrometheusMetrics } from '../observability/prometheus-metrics.js';
import type { RequestObserver } from '../observability/request-observer.js';
import type { BackendRegistry } from '../plugins/load-backends.js';
import type { PluginReport } from '../plugins/plugin-report.js';
import type { SsoService } from '../sso/sso-service.js';
import { browserOriginPolicy } from './browser-origin-policy.js';
import type { CallerAccounting } from './caller-accounting.js';
import { ADMIN_USAGE_PATH, adminUsageRoute } from './routes/admin-usage-route.js';
import { createClientAuthentication, HEALTH_PATH } from './client-authentication.js';
import { errorHandler, routeNotFound } from './error-handler.js';
import { InFlightRequests } from './in-flight-requests.js';
import { refuseDeepJson } from './json-depth-limit.js';
import { loopbackHostGuard } from './loopback-host-guard.js';
import { keepRawBody } from './raw-request-body.js';
import { installProxyOverheadHeader } from './proxy-overhead-header.js';
import { anthropicModelsRoute, forAnthropicClients } from './routes/anthropic-models-route.js';
import { proxyLoopGuard } from './proxy-loop-guard.js';
import { checkModelRoutes } from './resolve-model-route.js';
import { chatRoute } from './routes/chat-route.js';
import { TargetRests, type TargetFallback } from './routes/model-target-fallback.js';
import { countTokensRoute } from './routes/count-tokens-route.js';
import { geminiModelActionRoute } from './routes/gemini-model-action-route.js';
import { geminiModelRoute, geminiModelsRoute } from './routes/gemini-models-route.js';
import { healthRoute } from './routes/health-route.js';
import { METRICS_PATH, metricsRoute } from './routes/metrics-route.js';
import { modelsRoute } from './routes/models-route.js';
import { trackRequests } from './track-requests.js';

export interface CreateAppOptions {
  settings: ResolvedSettings;
  logger: AppLogger;
  registry: BackendRegistry;
  report: PluginReport;
  version: string;
  /** With SSO on: the `/auth` pages and the checks of SSO credentials. */
  sso?: SsoService | undefined;
  /** Failed authentication attempts per client address and window before 429 (defaults in client-authentication.ts). */
  failedAttemptLimit?: number;
  failedAttemptWindowMs?: number;
  /** Where failed attempts are counted; default this process's memory (a shared Redis across replicas). */
  failedAttemptStore?: Store | undefined;
  /** Where `previous_response_id` conversations are kept; default this app's memory (a shared Redis across replicas). */
  conversationStore?: ConversationStore | undefined;
  /**
   * The exact secrets the process holds (client keys, credentials sent upstream), scrubbed from
   * every client-bound error; the logger's set. Secret shapes are scrubbed without it too.
   */
  knownSecrets?: Iterable<string>;
  /** With metrics on: the registry `GET /metrics` renders (for clients with a configured API key). */
  metrics?: Pick<PrometheusMetrics, 'contentType' | 'render'> | undefined;
  /** Metrics and traces, told about every request; undefined when neither is on. */
  observer?: RequestObserver | undefined;
  /** Callers' models, limits, budgets and usage records; without it every caller may do anything. */
  accounting?: CallerAccounting | undefined;
}

export interface ProxyApp {
  app: Express;
  inFlightRequests: InFlightRequests;
  /** Releases the app's timers; call after the server closed. */
  dispose(): void;
}

export function createApp(options: CreateAppOptions): ProxyApp {
  const settings = options.settings.values;
  const { logger, registry, report, version } = options;
  const knownSecrets = options.knownSecrets ?? [];
  const { accounting } = options;
  const inFlightRequests = new InFlightRequests();
  // Model routes name only loaded backends, or the proxy does not start.
  checkModelRoutes(settings.modelRoutes, registry);
  const fallback: TargetFallback = { rests: new TargetRests(settings.server.fallbackRestMs), logger: logger.child({ component: 'model-routes' }) };
  const authentication = createClientAuthentication({
    settings,
    logger,
    sso: options.sso,
    failedAttemptStore: options.failedAttemptStore,
    ...(options.failedAttemptLimit === undefined ? {} : { failedAttemptLimit: options.failedAttemptLimit }),
    ...(options.failedAttemptWindowMs === undefined ? {} : { failedAttemptWindowMs: options.failedAttemptWindowMs }),
  });
  // Bodies are JSON whatever the content type says (curl -d sends form encoding), and the limit
  // is applied by body-parser to the decompressed bytes, so a small gzip bomb is still refused.
  // The depth check sees those raw bytes before parsing, so no deep body reaches a handler.
  const jsonBody = express.json({
    limit: settings.server.bodyLimitBytes,
    type: () => true,
    inflate: true,
    verify: (request, _response, body, encoding) => {
      refuseDeepJson(body, encoding);
      // Kept for the same-API relay, which sends these bytes on instead of re-serialising.
      keepRawBody(request as express.Request, body);
    },
  });

  const app = express();
  // Paths are case-sensitive, as the vendors' APIs are: /V1/MESSAGES is no route, just as it
  // is no Anthropic path to route-family.ts (error format) or to authentication (`?key=`), so
  // routing, auth and the error format always agree on which API a request belongs to.
  app.set('case sensitive routing', true);
  installProxyOverheadHeader(app.response);
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(trackRequests({ inFlightRequests, logger, observer: options.observer }));
  // A request this proxy sent itself is answered 508 before anything else looks at it.
  app.use(proxyLoopGuard());
  if (settings.accessMode === 'single_user') app.use(loopbackHostGuard());
  // The sign-in pages are for browsers on this site: they check their own Origin and CSRF
  // tokens, and need no API key, so they come before the origin policy and authentication.
  if (options.sso !== undefined) app.use('/auth', options.sso.router);
  app.use(browserOriginPolicy(settings.server.allowedOrigins));
  app.use(authentication.middleware);
  app.get(HEALTH_PATH, healthRoute({ settings, registry, report, version }));
  if (options.metrics !== undefined) {
    app.get(METRICS_PATH, metricsRoute(options.metrics, (caller, groups) => accounting?.policies.policyFor(caller, groups).admin === true));
  }
  // OpenAI: Chat Completions, Responses, and the model list (Anthropic clients, which always
  // send anthropic-version, get Anthropic's list format on the same path).
  app.get('/v1/models', forAnthropicClients(anthropicModelsRoute({ registry, logger, modelRoutes: settings.modelRoutes })), modelsRoute({ registry, logger, modelRoutes: settings.modelRoutes }));
  app.post('/v1/chat/completions', jsonBody, chatRoute({ settings, registry, frontend: openAIChatFrontend, logger, knownSecrets, fallback, accounting }));
  const openAIResponsesFrontend = createOpenAIResponsesFrontend({
    ...(options.conversationStore === undefined ? {} : { store: options.conversationStore }),
    onStoreError: (error) => logger.warn('Keeping a Responses conversation for previous_response_id failed', { error }),
  });
  app.post('/v1/responses', jsonBody, chatRoute({ settings, registry, frontend: openAIResponsesFrontend, logger, knownSecrets, fallback, accounting }));
  // Anthropic Messages, at the root (Claude Code's ANTHROPIC_BASE_URL=http://host:port) and under /anthropic.
  for (const prefix of ['', '/anthropic']) {
    app.post(`${prefix}/v1/messages`, jsonBody, chatRoute({ settings, registry, frontend: anthropicMessagesFrontend, logger, knownSecrets, fallback, accounting }));
    app.post(`${prefix}/v1/messages/count_tokens`, jsonBody, countTokensRoute({ settings, registry, logger }));
  }
  app.get('/anthropic/v1/models', anthropicModelsRoute({ registry, logger, modelRoutes: settings.modelRoutes }));
  // Gemini: model names contain ':' and '/', so one wildcard route parses `{model}:{action}`.
  app.get('/v1beta/models', geminiModelsRoute({ registry, logger, modelRoutes: settings.modelRoutes }));
  app.get('/v1beta/models/*modelAndAction', geminiModelRoute({ settings, registry }));
  app.post('/v1beta/models/*modelAndAction', jsonBody, geminiModelActionRoute({ settings, registry, logger, knownSecrets, fallback, accounting }));
  app.get(ADMIN_USAGE_PATH, adminUsageRoute({ accounting }));
  app.use(routeNotFound());
  app.use(errorHandler({ logger, bodyLimitBytes: settings.server.bodyLimitBytes, knownSecrets }));
  return { app, inFlightRequests, dispose: () => authentication.close() };
}
