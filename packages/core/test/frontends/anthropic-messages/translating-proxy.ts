/**
 * A real HTTP server assembled the way the proxy's app is (request tracking, the generic chat
 * route with each front-end, the Anthropic token-count and model routes, the 404 and error
 * handlers), with two real connectors behind it: `openai` pointed at the fake OpenAI upstream
 * and `anthropic` pointed at the fake Anthropic upstream. The default backend is `openai`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Connector, ConnectorDefinition } from '@llmproxy/connector-sdk';
import anthropicConnector from '../../../src/connectors/anthropic/index.js';
import openaiConnector from '../../../src/connectors/openai/index.js';
import { anthropicMessagesFrontend } from '../../../src/frontends/anthropic-messages/anthropic-messages-frontend.js';
import { openAIChatFrontend } from '../../../src/frontends/openai-chat/openai-chat-frontend.js';
import { createBackendRegistry } from '../../../src/plugins/backend-registry.js';
import type { Backend } from '../../../src/plugins/load-backends.js';
import { errorHandler, routeNotFound } from '../../../src/server/error-handler.js';
import { InFlightRequests } from '../../../src/server/in-flight-requests.js';
import { anthropicModelsRoute, forAnthropicClients } from '../../../src/server/routes/anthropic-models-route.js';
import { chatRoute } from '../../../src/server/routes/chat-route.js';
import { countTokensRoute } from '../../../src/server/routes/count-tokens-route.js';
import { modelsRoute } from '../../../src/server/routes/models-route.js';
import { trackRequests } from '../../../src/server/track-requests.js';
import { createUpstreamHttpClient } from '../../../src/upstream/create-upstream-http-client.js';
import { testSettings } from '../../server/support/test-settings.js';
import type { FakeAnthropicUpstream } from '../../support/fake-anthropic-upstream.js';
import type { FakeOpenAIUpstream } from '../../support/fake-openai-upstream.js';
import { createRecordingLogger, type RecordingLogger } from '../../support/recording-logger.js';

export const OPENAI_UPSTREAM_KEY = 'sk-openai-upstream';
export const ANTHROPIC_UPSTREAM_KEY = 'sk-ant-upstream';

export interface TranslatingProxy {
  url: string;
  logger: RecordingLogger;
  close(): Promise<void>;
}

export async function startTranslatingProxy(upstreams: { openai: FakeOpenAIUpstream; anthropic: FakeAnthropicUpstream }): Promise<TranslatingProxy> {
  const logger = createRecordingLogger();
  const http = createUpstreamHttpClient({ timeoutMs: 10_000, logger });
  const env = {
    OPENAI_API_KEY: OPENAI_UPSTREAM_KEY,
    OPENAI_BASE_URL: upstreams.openai.baseUrl,
    ANTHROPIC_API_KEY: ANTHROPIC_UPSTREAM_KEY,
    ANTHROPIC_BASE_URL: upstreams.anthropic.baseUrl,
  };
  const backend = async (name: string, definition: ConnectorDefinition): Promise<Backend> => ({
    name,
    connectorId: definition.id,
    packageName: '@llmproxy/core',
    hasStaticCredentials: true,
    connector: (await definition.create({ backendName: name, logger: logger.child({ backend: name }), http, notifier: { notify() {} }, config: {}, env })) as Connector,
  });
  const settings = testSettings({ defaultBackend: 'openai' }).values;
  const registry = createBackendRegistry({
    backends: [await backend('openai', openaiConnector), await backend('anthropic', anthropicConnector)],
    report: { accessMode: 'single_user', sdkVersion: '1.0.0', packages: [], connectors: [], backends: [] },
    accessMode: 'single_user',
  });

  const jsonBody = express.json({ limit: settings.server.bodyLimitBytes, type: () => true });
  const app = express();
  app.use(trackRequests({ inFlightRequests: new InFlightRequests(), logger }));
  app.get('/v1/models', forAnthropicClients(anthropicModelsRoute({ registry, logger })), modelsRoute({ registry, logger }));
  app.get('/anthropic/v1/models', anthropicModelsRoute({ registry, logger }));
  app.post('/v1/chat/completions', jsonBody, chatRoute({ settings, registry, frontend: openAIChatFrontend }));
  app.post('/v1/messages', jsonBody, chatRoute({ settings, registry, frontend: anthropicMessagesFrontend }));
  app.post('/anthropic/v1/messages', jsonBody, chatRoute({ settings, registry, frontend: anthropicMessagesFrontend }));
  app.post('/v1/messages/count_tokens', jsonBody, countTokensRoute({ settings, registry }));
  app.post('/anthropic/v1/messages/count_tokens', jsonBody, countTokensRoute({ settings, registry }));
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
