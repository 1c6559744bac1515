/**
 * A proxy never calls itself, through the real CLI: a backend base URL that is the proxy's own
 * address stops startup naming the variable or setting; every upstream request carries the hops
 * header with the proxy's instance id (after the ids the request arrived with); a request that
 * carries the proxy's own id, or too many hops, is answered 508 in the client's error format; two
 * proxies pointed at each other end the loop at once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream.js';
import { assertCliBuilt, cleanUpCliRuns, createWorkingDirectory, findFreePort, runLlmProxy, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

const CLIENT_KEY = 'proxy-loop-client-key-1';
const HOPS = 'x-llmproxy-hops';

let upstream: FakeOpenAIUpstream;
let proxy: RunningCli;

beforeAll(async () => {
  assertCliBuilt();
  upstream = await startFakeOpenAIUpstream();
  const cwd = createWorkingDirectory({
    'llm-proxy.yaml': `notifications: { enabled: false }\nauth: { api_keys: [${CLIENT_KEY}] }\nbackends:\n  fake: { type: openai-compatible, base_url: "${upstream.baseUrl}" }\n`,
  });
  proxy = await startLlmProxy(['--port', '0'], { cwd });
});

afterAll(async () => {
  cleanUpCliRuns();
  await upstream.close();
});

function chat(url: string, key: string, model: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello' }] }),
  });
}

describe('the hops header', () => {
  let instanceId: string;

  it('is sent on every upstream request with the proxy instance id, after the hops the request arrived with', async () => {
    expect((await chat(proxy.url, CLIENT_KEY, 'fake:m1')).status).toBe(200);
    const sent = String(upstream.requests.at(-1)?.headers[HOPS]);
    expect(sent).toMatch(/^[A-Za-z0-9_-]{16}$/);
    instanceId = sent;

    expect((await chat(proxy.url, CLIENT_KEY, 'fake:m2', { [HOPS]: 'other-proxy-id' })).status).toBe(200);
    expect(upstream.requests.at(-1)?.headers[HOPS]).toBe(`other-proxy-id, ${instanceId}`);
  });

  it("answers 508 in the client's format to a request that carries the proxy's own id", async () => {
    const before = upstream.requests.length;
    const response = await fetch(`${proxy.url}/v1/messages`, {
      method: 'POST',
      // No valid key: the loop is named before authentication, which would only say 401.
      headers: { 'x-api-key': 'the-upstream-key-the-proxy-sent', 'anthropic-version': '2023-06-01', 'content-type': 'application/json', [HOPS]: `someone-else, ${instanceId}` },
      body: JSON.stringify({ model: 'fake:m3', max_tokens: 10, messages: [{ role: 'user', content: 'Hello' }] }),
    });
    expect(response.status).toBe(508);
    const body = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.message).toContain('Request refused: it was sent by this llm-proxy itself, so a backend base URL leads back to the proxy');
    expect(body.error.message).toContain("unset ANTHROPIC_BASE_URL, OPENAI_BASE_URL and GEMINI_BASE_URL in the proxy's shell");
    expect(upstream.requests.length).toBe(before);
  });

  it('answers 508 to a request that passed too many proxies', async () => {
    const hops = Array.from({ length: 8 }, (_, index) => `proxy-${index}`).join(', ');
    const response = await chat(proxy.url, CLIENT_KEY, 'fake:m4', { [HOPS]: hops });
    expect(response.status).toBe(508);
    const body = (await response.json()) as { error: { message: string; code: string } };
    expect(body.error.code).toBe('PROXY_HOP_LIMIT_EXCEEDED');
    expect(body.error.message).toContain('it already passed 8 or more llm-proxy instances');
  });
});

describe('two proxies pointed at each other', () => {
  it('end the loop with 508 on the first round trip', async () => {
    const [portA, portB] = await Promise.all([findFreePort(), findFreePort()]);
    const config = (key: string, peerPort: number, peerKey: string): string =>
      `notifications: { enabled: false }\nauth: { api_keys: [${key}] }\nbackends:\n  peer: { type: openai-compatible, base_url: "http://127.0.0.1:${peerPort}/v1", api_key: ${peerKey} }\n`;
    const [proxyA, proxyB] = await Promise.all([
      startLlmProxy(['--port', String(portA)], { cwd: createWorkingDirectory({ 'llm-proxy.yaml': config('loop-key-a-123', portB, 'loop-key-b-123') }) }),
      startLlmProxy(['--port', String(portB)], { cwd: createWorkingDirectory({ 'llm-proxy.yaml': config('loop-key-b-123', portA, 'loop-key-a-123') }) }),
    ]);
    // A sends `peer:gpt-x` to B, B sends `gpt-x`... to A's `peer`, which would go round forever.
    const response = await chat(proxyA.url, 'loop-key-a-123', 'peer:peer:gpt-x');
    expect(response.status).toBe(508);
    expect(JSON.stringify(await response.json())).toContain('it was sent by this llm-proxy itself');
    await Promise.all([proxyA.stop(), proxyB.stop()]);
  });
});

describe('a backend base URL that is the proxy itself', () => {
  it('stops startup naming the environment variable, when a client variable was exported in the proxy shell', async () => {
    const port = await findFreePort();
    const result = await runLlmProxy(['--port', String(port), '--disable-notifications'], { env: { ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}` } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `[BACKEND_POINTS_AT_PROXY]: Backend anthropic would send its requests to this proxy itself: its base URL http://127.0.0.1:${port} is the proxy's own address (port ${port} on 127.0.0.1). ` +
        `Current value: ANTHROPIC_BASE_URL = http://127.0.0.1:${port}. Unset ANTHROPIC_BASE_URL in the shell that starts the proxy`,
    );
    expect(result.stdout).not.toContain('listening');
  });

  it('sees localhost as the wildcard bind it reaches, for OPENAI_BASE_URL', async () => {
    const port = await findFreePort();
    const result = await runLlmProxy(['--multi-user-mode', '--host', '0.0.0.0', '--api-keys', 'self-loop-key-1', '--disable-notifications', '--port', String(port)], {
      env: { OPENAI_BASE_URL: `http://localhost:${port}/v1` },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`Current value: OPENAI_BASE_URL = http://localhost:${port}/v1.`);
  });

  it('names the YAML key of a backend pointed at the wildcard address of a loopback proxy', async () => {
    const port = await findFreePort();
    const cwd = createWorkingDirectory({ 'llm-proxy.yaml': `notifications: { enabled: false }\nbackends:\n  local: { type: openai-compatible, base_url: "http://0.0.0.0:${port}/v1" }\n` });
    const result = await runLlmProxy(['--port', String(port)], { cwd });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`Current value: backends.local.base_url = http://0.0.0.0:${port}/v1. Set backends.local.base_url to the backend's real API, not to the proxy.`);
  });

  it("starts when a backend uses the proxy's port on another machine", async () => {
    const port = await findFreePort();
    // 192.0.2.1 is TEST-NET-1: never an address of this machine.
    const cwd = createWorkingDirectory({ 'llm-proxy.yaml': `notifications: { enabled: false }\nbackends:\n  remote: { type: openai-compatible, base_url: "http://192.0.2.1:${port}/v1" }\n` });
    const running = await startLlmProxy(['--port', String(port)], { cwd });
    expect(running.port).toBe(port);
    expect((await running.stop()).exitCode).toBe(0);
  });
});
