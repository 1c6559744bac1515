/**
 * An upstream that echoes the credential it received must not hand the operator's key to a
 * client: upstream error messages, the proxy's quotes of non-JSON upstream bodies, and errors
 * inside a stream all reach the client scrubbed. Drives the built CLI against a fake upstream
 * that echoes, for every front-end × every built-in backend, streamed and not. The keys are not
 * shaped like any provider's, so only the exact-match scrub can catch them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeEchoingUpstream, type FakeEchoingUpstream } from '../support/fake-echoing-upstream.js';
import { chatRequest, errorFamilyOf, errorShapeProblem, FRONT_ENDS } from '../support/front-end-requests.js';
import { assertCliBuilt, cleanUpCliRuns, startLlmProxy, type RunningCli } from '../support/run-llm-proxy.js';

const CLIENT_KEY = 'echo-test-client-key-3c1d';
const UPSTREAM_KEYS = {
  openai: 'opaque-openai-upstream-7Qm2ZxK9',
  anthropic: 'opaque-anthropic-upstream-Lp4Wv8Rt',
  gemini: 'opaque-gemini-upstream-Hs6Nc3Jy',
} as const;
const BACKENDS = Object.keys(UPSTREAM_KEYS) as (keyof typeof UPSTREAM_KEYS)[];

describe('upstream text that echoes the operator key', () => {
  let upstream: FakeEchoingUpstream;
  let proxy: RunningCli;

  beforeAll(async () => {
    assertCliBuilt();
    upstream = await startFakeEchoingUpstream();
    proxy = await startLlmProxy(['--port', '0', '--api-keys', CLIENT_KEY, '--disable-notifications'], {
      env: {
        OPENAI_API_KEY: UPSTREAM_KEYS.openai,
        OPENAI_BASE_URL: `${upstream.baseUrl}/v1`,
        ANTHROPIC_API_KEY: UPSTREAM_KEYS.anthropic,
        ANTHROPIC_BASE_URL: upstream.baseUrl,
        GEMINI_API_KEY: UPSTREAM_KEYS.gemini,
        GEMINI_BASE_URL: upstream.baseUrl,
      },
    });
  });
  afterAll(async () => {
    await proxy?.stop();
    await upstream?.close();
    cleanUpCliRuns();
  });

  const cases = FRONT_ENDS.flatMap((frontEnd) =>
    BACKENDS.flatMap((backend) =>
      (
        [
          ['echo-json', false],
          ['echo-json', true],
          ['echo-html', false],
          ['echo-stream', true],
        ] as const
      ).map(([model, stream]) => ({ frontEnd, backend, model, stream })),
    ),
  );

  it.each(cases)('$frontEnd → $backend, $model, stream $stream: the key never reaches the client', async ({ frontEnd, backend, model, stream }) => {
    const request = chatRequest(frontEnd, `${backend}:${model}`, stream, CLIENT_KEY);
    const response = await fetch(`${proxy.url}${request.path}`, { method: 'POST', headers: request.headers, body: request.body });
    const text = await response.text();

    // The fake really received and echoed the key: the scrub, not luck, keeps it out.
    expect(upstream.credentialsSeen.at(-1)).toContain(UPSTREAM_KEYS[backend]);
    for (const key of Object.values(UPSTREAM_KEYS)) expect(text).not.toContain(key);
    expect(text).toContain('[REDACTED]');
    if (model === 'echo-stream') {
      expect(response.status).toBe(200);
    } else {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(errorShapeProblem(errorFamilyOf(request.path), JSON.parse(text))).toBeUndefined();
    }
  });
});
