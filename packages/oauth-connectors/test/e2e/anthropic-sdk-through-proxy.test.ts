/**
 * The official Anthropic SDK → a real HTTP server assembled from core's pieces the way the
 * proxy's app is (the generic chat route with the Anthropic Messages front-end, the error
 * handler) → backends loaded by core's plugin loader from this package (discovered as a project
 * dependency, built dist/) → gemini-oauth-free → fake Google services on 127.0.0.1.
 * Shows the opt-in refusal in Anthropic's error format and the opted-in answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
import { startFakeGoogleUpstream, type FakeGoogleUpstream } from '../support/fake-google-upstream.js';
import { assertOAuthPackageBuilt, createOAuthProject } from '../support/oauth-project.js';
import { createTemporaryHome, geminiCredentials, removeTemporaryHomes, writeJsonFile } from '../support/temporary-home.js';

describe('Anthropic SDK to gemini-oauth-free', () => {
  let upstream: FakeGoogleUpstream;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    assertOAuthPackageBuilt();
    upstream = await startFakeGoogleUpstream();
  });
  afterAll(async () => {
    for (const close of closers.splice(0)) await close();
    await upstream.close();
    cleanUpCliRuns();
    removeTemporaryHomes();
  });

  async function startProxy(optedIn: boolean): Promise<Anthropic> {
    const home = createTemporaryHome();
    writeJsonFile(home, '.gemini/oauth_creds.json', geminiCredentials({ accessToken: 'anthropic-test-token', refreshToken: 'r', expiresInMs: 3_600_000 }));
    upstream.addAccount({ accessToken: 'anthropic-test-token', load: { kind: 'onboarded', project: 'claude-side-project' } });
    const logger = createRecordingLogger();
    const http = createCoreHttpClient(logger);
    const settings = testSettings({
      oauthDebuggingOverrides: optedIn ? ['gemini-oauth-free'] : [],
      backends: { 'gemini-oauth-free': { code_assist_endpoint: upstream.url, oauth_token_url: upstream.tokenUrl } },
    });
    const { registry } = await loadBackends({
      settings,
      cwd: createOAuthProject(),
      logger,
      createContext: (backendName, _connectorId, config) => ({
        backendName,
        logger: logger.child({ backend: backendName }),
        http,
        notifier: { notify() {} },
        config,
        env: { HOME: home },
      }),
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
      http.close();
    });
    return new Anthropic({ baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: 'unused', maxRetries: 0 });
  }

  it('without opt-in: a permission_error naming the terms and the flag', async () => {
    const client = await startProxy(false);
    const error = await client.messages
      .create({ model: 'gemini-oauth-free:gemini-2.5-pro', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] })
      .then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
    const refused = error as InstanceType<typeof Anthropic.PermissionDeniedError>;
    expect(refused.status).toBe(403);
    expect((refused.error as { type?: string }).type).toBe('error');
    expect(refused.message).toContain("Google's Gemini CLI terms");
    expect(refused.message).toContain('--enable-gemini-oauth-free-backend-debugging-override');
  });

  it('opted in: answers as a Claude message, plain and streamed', async () => {
    const client = await startProxy(true);
    const message = await client.messages.create({ model: 'gemini-oauth-free:gemini-2.5-pro', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'Hello from claude-side-project' })]);
    expect(message.stop_reason).toBe('end_turn');

    const stream = client.messages.stream({ model: 'gemini-oauth-free:gemini-2.5-pro', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: 'Hello from claude-side-project' })]);
  });
});
