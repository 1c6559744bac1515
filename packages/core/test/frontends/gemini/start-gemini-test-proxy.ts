/**
 * A real HTTP server built the way the app is (request tracking, the routes, the 404 and error
 * handlers) with the Gemini routes and the OpenAI Chat route, in front of the real `openai`
 * and `gemini` connectors pointed at the fake upstreams. The Gemini routes are mounted here
 * with the exact lines the app uses for them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import gemini from '../../../src/connectors/gemini/index.js';
import openai from '../../../src/connectors/openai/index.js';
import { openAIChatFrontend } from '../../../src/frontends/openai-chat/openai-chat-frontend.js';
import { errorHandler, routeNotFound } from '../../../src/server/error-handler.js';
import { InFlightRequests } from '../../../src/server/in-flight-requests.js';
import { chatRoute } from '../../../src/server/routes/chat-route.js';
import { geminiModelActionRoute } from '../../../src/server/routes/gemini-model-action-route.js';
import { geminiModelRoute, geminiModelsRoute } from '../../../src/server/routes/gemini-models-route.js';
import { trackRequests } from '../../../src/server/track-requests.js';
import { createUpstreamHttpClient } from '../../../src/upstream/create-upstream-http-client.js';
import { createTestRegistry } from '../../server/support/test-registry.js';
import { testSettings } from '../../server/support/test-settings.js';
import { createRecordingLogger, type RecordingLogger } from '../../support/recording-logger.js';

export const OPENAI_UPSTREAM_KEY = 'sk-upstream-openai';
export const GEMINI_UPSTREAM_KEY = 'AIza-upstream-gemini';

export interface GeminiTestProxy {
  /** `http://127.0.0.1:<port>`: the Google GenAI SDK's `baseUrl`. */
  url: string;
  logger: RecordingLogger;
  close(): Promise<void>;
}

export async function startGeminiTestProxy(options: { openAIBaseUrl: string; geminiBaseUrl: string; defaultBackend?: string }): Promise<GeminiTestProxy> {
  const logger = createRecordingLogger();
  const http = createUpstreamHttpClient({ timeoutMs: 10_000, logger });
  const settings = testSettings({ defaultBackend: options.defaultBackend ?? 'openai' }).values;
  const registry = await createTestRegistry([
    { name: 'openai', definition: openai, http, env: { OPENAI_API_KEY: OPENAI_UPSTREAM_KEY, OPENAI_BASE_URL: options.openAIBaseUrl } },
    { name: 'gemini', definition: gemini, http, env: { GEMINI_API_KEY: GEMINI_UPSTREAM_KEY, GEMINI_BASE_URL: options.geminiBaseUrl } },
  ]);
  const jsonBody = express.json({ limit: settings.server.bodyLimitBytes, type: () => true, inflate: true });

  const app = express();
  app.use(trackRequests({ inFlightRequests: new InFlightRequests(), logger }));
  app.get('/v1beta/models', geminiModelsRoute({ registry, logger }));
  app.get('/v1beta/models/*modelAndAction', geminiModelRoute({ settings, registry }));
  app.post('/v1beta/models/*modelAndAction', jsonBody, geminiModelActionRoute({ settings, registry }));
  app.post('/v1/chat/completions', jsonBody, chatRoute({ settings, registry, frontend: openAIChatFrontend }));
  app.use(routeNotFound());
  app.use(errorHandler({ logger, bodyLimitBytes: settings.server.bodyLimitBytes }));

  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    logger,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      http.close();
    },
  };
}
