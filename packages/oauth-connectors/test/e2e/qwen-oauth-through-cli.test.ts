/**
 * The official OpenAI SDK → the real `llm-proxy` CLI → qwen-oauth → a fake Qwen OAuth server and
 * portal on 127.0.0.1, with a temporary HOME holding Qwen Code's credentials file.
 * Run `npx tsc -b packages/core packages/oauth-connectors` first.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { assertCliBuilt, cleanUpCliRuns, startLlmProxy, type RunningCli } from '../../../core/test/support/run-llm-proxy.js';
import { startFakeQwenUpstream, type FakeQwenUpstream } from '../support/fake-qwen-upstream.js';
import { assertOAuthPackageBuilt, createOAuthProject } from '../support/oauth-project.js';
import { createTemporaryHome, fileMode, readJsonFile, removeTemporaryHomes, writeJsonFile } from '../support/temporary-home.js';

describe('qwen-oauth through the llm-proxy CLI', () => {
  let upstream: FakeQwenUpstream;
  let proxy: RunningCli;
  let client: OpenAI;
  let credentials: string;

  beforeAll(async () => {
    assertCliBuilt();
    assertOAuthPackageBuilt();
    upstream = await startFakeQwenUpstream();
    const home = createTemporaryHome();
    credentials = writeJsonFile(home, '.qwen/oauth_creds.json', {
      access_token: 'stale-qwen',
      refresh_token: 'refresh-qwen',
      token_type: 'Bearer',
      expiry_date: Date.now() - 60_000,
      resource_url: upstream.url,
    });
    upstream.refreshGrants.set('refresh-qwen', { accessToken: 'fresh-qwen' });
    const cwd = createOAuthProject({ 'llm-proxy.yaml': `backends:\n  qwen-oauth:\n    oauth_base_url: ${upstream.url}\n` });
    proxy = await startLlmProxy(
      ['--port', '0', '--disable-auth', '--disable-notifications', '--log-file', path.join(cwd, 'proxy.log'), '--enable-qwen-oauth-backend-debugging-override'],
      { cwd, env: { HOME: home } },
    );
    client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    const stopped = await proxy.stop('SIGTERM');
    await upstream.close();
    cleanUpCliRuns();
    removeTemporaryHomes();
    expect(stopped.exitCode).toBe(0);
  });

  it('refreshes the expired login and answers, plain and streamed', async () => {
    const completion = await client.chat.completions.create({ model: 'qwen-oauth:coder-model', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Qwen says hi (coder-model)');
    expect(readJsonFile(credentials)).toMatchObject({ access_token: 'fresh-qwen', refresh_token: 'refresh-qwen', resource_url: upstream.url });
    expect(fileMode(credentials)).toBe(0o600);

    const stream = await client.chat.completions.create({ model: 'qwen-oauth:qwen3-coder-plus', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Qwen says hi (qwen3-coder-plus)');

    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(expect.arrayContaining(['qwen-oauth:coder-model', 'qwen-oauth:qwen3-coder-plus']));
    expect(upstream.callsTo('/api/v1/oauth2/token')).toHaveLength(1);
  });
});
