/**
 * The SDK's conformance kit over this package as core loads it (built dist/): manifest, exports,
 * each connector's definition, create(), listModels() and chat() (answer, stream, abort), with
 * every connector pointed at the fake Google, Qwen, ChatGPT and Kiro servers on 127.0.0.1.
 * Run `npx tsc -b packages/oauth-connectors` first.
 */
import path from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { createTestConnectorContext, describeConnectorConformance } from '@llmproxy/connector-sdk/testing';
import { coreWireCodecs, createCoreHttpClient } from './support/core-services.js';
import { startFakeGoogleUpstream, type FakeGoogleUpstream } from './support/fake-google-upstream.js';
import { codexAuthFile, fakeAccessToken, fakeIdToken, startFakeChatGptUpstream, type FakeChatGptUpstream } from './support/fake-chatgpt-upstream.js';
import { builderIdAccount, startFakeKiroUpstream, type FakeKiroUpstream } from './support/fake-kiro-upstream.js';
import { startFakeQwenUpstream, type FakeQwenUpstream } from './support/fake-qwen-upstream.js';
import { OAUTH_PACKAGE_DIRECTORY } from './support/oauth-project.js';
import { createTemporaryHome, geminiCredentials, removeTemporaryHomes, writeJsonFile } from './support/temporary-home.js';

let google: FakeGoogleUpstream;
let qwen: FakeQwenUpstream;
let chatgpt: FakeChatGptUpstream;
let kiro: FakeKiroUpstream;
let home: string;
const clients: Array<{ close(): void }> = [];

beforeAll(async () => {
  google = await startFakeGoogleUpstream();
  qwen = await startFakeQwenUpstream();
  home = createTemporaryHome();
  writeJsonFile(home, '.gemini/oauth_creds.json', geminiCredentials({ accessToken: 'cli-token', refreshToken: 'r', expiresInMs: 3_600_000 }));
  writeJsonFile(home, 'pool/one.json', geminiCredentials({ accessToken: 'pool-token', refreshToken: 'r', expiresInMs: 3_600_000 }));
  google.addAccount({ accessToken: 'cli-token', load: { kind: 'onboarded', project: 'p' } });
  google.addAccount({ accessToken: 'pool-token', load: { kind: 'onboarded', project: 'p' } });
  writeJsonFile(home, '.qwen/oauth_creds.json', { access_token: 'qwen-token', refresh_token: 'r', token_type: 'Bearer', expiry_date: Date.now() + 3_600_000, resource_url: qwen.url });
  qwen.validTokens.add('qwen-token');
  chatgpt = await startFakeChatGptUpstream();
  const codexToken = fakeAccessToken('conformance', 'account-conformance', 3600);
  chatgpt.validTokens.set(codexToken, 'account-conformance');
  chatgpt.addAccount({ accountId: 'account-conformance' });
  writeJsonFile(home, '.codex/auth.json', codexAuthFile({ accessToken: codexToken, refreshToken: 'r', idToken: fakeIdToken('c@example.com', 'account-conformance'), accountId: null }));
  kiro = await startFakeKiroUpstream();
  kiro.addAccount({ accessToken: 'kiro-token', profileArn: null });
  writeJsonFile(home, 'kiro-pool/one.json', builderIdAccount({ accessToken: 'kiro-token', refreshToken: 'r', expiresInMs: 3_600_000, clientId: 'c' }));
});

afterAll(async () => {
  for (const client of clients.splice(0)) client.close();
  await google.close();
  await qwen.close();
  await chatgpt.close();
  await kiro.close();
  removeTemporaryHomes();
});

describeConnectorConformance({
  packageDirectory: OAUTH_PACKAGE_DIRECTORY,
  createContext(connectorId) {
    const config: Record<string, unknown> =
      connectorId === 'qwen-oauth'
        ? { oauth_base_url: qwen.url }
        : connectorId === 'openai-codex'
          ? { base_url: chatgpt.backendUrl, oauth_issuer: chatgpt.url, accounts_directory: path.join(home, 'codex-pool') }
          : connectorId === 'kiro-oauth-auto'
            ? { accounts_directory: path.join(home, 'kiro-pool'), api_base_url: kiro.apiUrl, sso_oidc_url: kiro.oidcUrl, kiro_auth_url: kiro.kiroAuthUrl }
            : {
                code_assist_endpoint: google.url,
                oauth_token_url: google.tokenUrl,
                ...(connectorId === 'gemini-oauth-auto' ? { accounts_directory: path.join(home, 'pool') } : {}),
              };
    const test = createTestConnectorContext({ backendName: connectorId, config, env: { HOME: home, GOOGLE_CLOUD_PROJECT: 'p' }, codecs: coreWireCodecs });
    const http = createCoreHttpClient(test.context.logger);
    clients.push(http);
    return { ...test.context, http };
  },
});
