/**
 * The official Anthropic SDK → a real HTTP server assembled from core's pieces the way the
 * proxy's app is (the generic chat route with the Anthropic Messages front-end, the error
 * handler) → backends loaded by core's plugin loader from this package (discovered as a project
 * dependency, built dist/, opted in) → openai-codex and kiro-oauth-auto → their fakes on
 * 127.0.0.1. Claude clients reach the ChatGPT backend through the Responses conversion and Kiro
 * through its event stream, tool calls included.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { anthropicMessagesFrontend } from '../../../core/src/frontends/anthropic-messages/anthropic-messages-frontend.js';
import { loadBackends } from '../../../core/src/plugins/load-backends.js';
import { errorHandler, routeNotFound } from '../../../core/src/server/error-handler.js';
import { InFlightRequests } from '../../../core/src/server/in-flight-requests.js';
import { chatRoute } from '../../../core/src/server/routes/chat-route.js';
import { trackRequests } from '../../../core/src/server/track-requests.js';
import { testSettings } from '../../../core/test/plugins/plugin-fixtures.js';
import { createRecordingLogger } from '../../../core/test/support/recording-logger.js';
import { cleanUpCliRuns } from '../../../core/test/support/run-llm-proxy.js';
import { createCoreHttpClient } from '../support/core-services.js';
import { codexAuthFile, fakeAccessToken, fakeIdToken, startFakeChatGptUpstream, type FakeChatGptUpstream } from '../support/fake-chatgpt-upstream.js';
import { builderIdAccount, startFakeKiroUpstream, type FakeKiroUpstream } from '../support/fake-kiro-upstream.js';
import { OAUTH_PACKAGE_DIRECTORY, assertOAuthPackageBuilt, createOAuthProject } from '../support/oauth-project.js';
import { createTemporaryHome, removeTemporaryHomes, writeJsonFile } from '../support/temporary-home.js';

describe('Anthropic SDK to openai-codex and kiro-oauth-auto', () => {
  let chatgpt: FakeChatGptUpstream;
  let kiro: FakeKiroUpstream;
  let client: Anthropic;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    assertOAuthPackageBuilt();
    // Jest's module linker can fail on two entries that share modules being imported at once;
    // importing them one after the other first leaves the plugin loader nothing to race on.
    for (const entry of ['openai-codex', 'kiro-oauth-auto']) await import(path.join(OAUTH_PACKAGE_DIRECTORY, 'dist', entry, 'index.js'));
    chatgpt = await startFakeChatGptUpstream();
    kiro = await startFakeKiroUpstream();
    const home = createTemporaryHome();
    const codexToken = fakeAccessToken('claude-client', 'account-claude', 3600);
    chatgpt.validTokens.set(codexToken, 'account-claude');
    chatgpt.addAccount({ accountId: 'account-claude' });
    writeJsonFile(home, '.codex/auth.json', codexAuthFile({ accessToken: codexToken, refreshToken: 'r', idToken: fakeIdToken('c@example.com', 'account-claude'), accountId: 'account-claude' }));
    const kiroPool = path.join(home, 'kiro');
    writeJsonFile(kiroPool, 'main.json', builderIdAccount({ accessToken: 'kiro-claude', refreshToken: 'r', expiresInMs: 3_600_000, clientId: 'c' }));
    kiro.addAccount({ accessToken: 'kiro-claude', profileArn: null });

    const logger = createRecordingLogger();
    const http = createCoreHttpClient(logger);
    const settings = testSettings({
      oauthDebuggingOverrides: ['openai-codex', 'kiro-oauth-auto'],
      backends: {
        'openai-codex': { base_url: chatgpt.backendUrl, oauth_issuer: chatgpt.url, accounts_directory: path.join(home, 'codex-pool') },
        'kiro-oauth-auto': { accounts_directory: kiroPool, api_base_url: kiro.apiUrl, sso_oidc_url: kiro.oidcUrl, kiro_auth_url: kiro.kiroAuthUrl },
      },
    });
    const { registry } = await loadBackends({
      settings,
      cwd: createOAuthProject(),
      logger,
      createContext: (backendName, _connectorId, config) => ({ backendName, logger: logger.child({ backend: backendName }), http, notifier: { notify() {} }, config, env: { HOME: home } }),
    });
    const app = express();
    app.use(trackRequests({ inFlightRequests: new InFlightRequests(), logger }));
    app.post('/v1/messages', express.json({ type: () => true }), chatRoute({ settings, registry, frontend: anthropicMessagesFrontend }));
    app.use(routeNotFound());
    app.use(errorHandler({ logger, bodyLimitBytes: settings.server.bodyLimitBytes }));
    const server: Server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const backend of registry.list()) await backend.connector.close?.();
      http.close();
    });
    client = new Anthropic({ baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    for (const close of closers.splice(0)) await close();
    await chatgpt.close();
    await kiro.close();
    cleanUpCliRuns();
    removeTemporaryHomes();
  });

  it('a Claude message answered by the ChatGPT backend, plain and streamed, with the system prompt as instructions', async () => {
    const message = await client.messages.create({ model: 'openai-codex:gpt-5.1-codex', max_tokens: 64, system: 'Answer tersely.', messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'Codex says hi from account-claude (gpt-5.1-codex)' })]);
    expect(message.stop_reason).toBe('end_turn');
    const final = await client.messages.stream({ model: 'openai-codex:gpt-5.1-codex', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
    expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: 'Codex says hi from account-claude (gpt-5.1-codex)' })]);
    const sent = JSON.parse(chatgpt.callsTo('/backend-api/codex/responses')[0]!.body) as Record<string, unknown>;
    expect(sent['instructions']).toBe('Answer tersely.');
    expect(sent).not.toHaveProperty('max_output_tokens');
  });

  it('a Claude tool call streamed from Kiro\'s event stream', async () => {
    kiro.accounts.get('kiro-claude')!.behaviours.push({ kind: 'tool-use', text: 'Checking.', name: 'get_weather', toolUseId: 'tooluse_42', inputPieces: ['{"city"', ': "Lima"}'], chunkBytes: 17 });
    const final = await client.messages
      .stream({
        model: 'kiro-oauth-auto:claude-sonnet-4.5',
        max_tokens: 256,
        tools: [{ name: 'get_weather', description: 'Weather of a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
        messages: [{ role: 'user', content: 'Weather in Lima?' }],
      })
      .finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content).toEqual([
      expect.objectContaining({ type: 'text', text: 'Checking.' }),
      expect.objectContaining({ type: 'tool_use', id: 'tooluse_42', name: 'get_weather', input: { city: 'Lima' } }),
    ]);
    const sent = JSON.parse(kiro.callsTo('/kiro/generateAssistantResponse').at(-1)!.body) as { conversationState: { currentMessage: { userInputMessage: { userInputMessageContext: { tools: unknown[] } } } } };
    expect(sent.conversationState.currentMessage.userInputMessage.userInputMessageContext.tools).toEqual([
      { toolSpecification: { name: 'get_weather', description: 'Weather of a city', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } },
    ]);
  });
});
