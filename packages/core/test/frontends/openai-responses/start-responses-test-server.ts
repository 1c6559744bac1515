/**
 * A real HTTP server on 127.0.0.1 built the way the proxy's app is (request tracking, the
 * generic chat route, 404 and error handlers), serving `POST /v1/responses` and
 * `POST /v1/chat/completions`, with real openai connectors and the real upstream client.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import openaiConnector from '../../../src/connectors/openai/index.js';
import { openAIChatFrontend } from '../../../src/frontends/openai-chat/openai-chat-frontend.js';
import { createOpenAIResponsesFrontend } from '../../../src/frontends/openai-responses/openai-responses-frontend.js';
import { ResponseStore } from '../../../src/frontends/openai-responses/response-store.js';
import { errorHandler, routeNotFound } from '../../../src/server/error-handler.js';
import { InFlightRequests } from '../../../src/server/in-flight-requests.js';
import { chatRoute } from '../../../src/server/routes/chat-route.js';
import { trackRequests } from '../../../src/server/track-requests.js';
import { createUpstreamHttpClient } from '../../../src/upstream/create-upstream-http-client.js';
import { createTestRegistry } from '../../server/support/test-registry.js';
import { testSettings } from '../../server/support/test-settings.js';
import { createRecordingLogger, type RecordingLogger } from '../../support/recording-logger.js';

export interface ResponsesTestServer {
  /** `http://127.0.0.1:<port>/v1`, the OpenAI SDK's baseURL. */
  baseUrl: string;
  logger: RecordingLogger;
  store: ResponseStore;
  close(): Promise<void>;
}

/**
 * Backends: `openai` (the default) pointed at a Chat Completions upstream, and `codex`, an
 * openai backend pointed at a Responses upstream (`gpt-5-codex` and friends use its Responses path).
 */
export async function startResponsesTestServer(options: {
  chatUpstreamUrl: string;
  responsesUpstreamUrl: string;
  upstreamKey: string;
  store?: ResponseStore;
}): Promise<ResponsesTestServer> {
  const logger = createRecordingLogger();
  const http = createUpstreamHttpClient({ timeoutMs: 10_000, logger });
  const settings = testSettings({ defaultBackend: 'openai' });
  const registry = await createTestRegistry([
    { name: 'openai', definition: openaiConnector, http, env: { OPENAI_API_KEY: options.upstreamKey, OPENAI_BASE_URL: options.chatUpstreamUrl } },
    { name: 'codex', definition: openaiConnector, http, config: { base_url: options.responsesUpstreamUrl, api_key: options.upstreamKey } },
  ]);
  const store = options.store ?? new ResponseStore();
  const frontend = createOpenAIResponsesFrontend({ store });
  const jsonBody = express.json({ limit: '1mb', type: () => true });
  const app = express();
  app.use(trackRequests({ inFlightRequests: new InFlightRequests(), logger }));
  app.post('/v1/responses', jsonBody, chatRoute({ settings: settings.values, registry, frontend }));
  app.post('/v1/chat/completions', jsonBody, chatRoute({ settings: settings.values, registry, frontend: openAIChatFrontend }));
  app.use(routeNotFound());
  app.use(errorHandler({ logger, bodyLimitBytes: 1024 * 1024 }));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    logger,
    store,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      http.close();
    },
  };
}
