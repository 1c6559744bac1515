import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, chatBody, exchange } from './support/http-exchange.js';
import { createRecordingLogger, type RecordingLogger } from './support/recording-logger.js';
import { startTestProxy, type TestProxy } from './support/start-test-proxy.js';
import { echoConnector } from './support/test-connectors.js';
import { TEST_API_KEY } from './support/test-settings.js';

describe('the per-request log line', () => {
  let proxy: TestProxy;
  let levelsAsked: string[];

  beforeAll(async () => {
    levelsAsked = [];
    // A logger configured for warnings and errors only, as with --log-level warn.
    const recording = createRecordingLogger();
    const warnOnly: RecordingLogger = {
      ...recording,
      isLevelEnabled: (level) => {
        levelsAsked.push(level);
        return level === 'error' || level === 'warn';
      },
    };
    proxy = await startTestProxy({ backends: [{ name: 'echo', definition: echoConnector() }], logger: warnOnly });
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('is not built when the logger drops info entries, and the request is served as usual', async () => {
    const response = await exchange(proxy.url, { method: 'POST', path: '/v1/chat/completions', headers: bearer(TEST_API_KEY), body: chatBody('echo:m') });
    expect(response.status).toBe(200);
    expect(response.headers['x-llmproxy-overhead-ms']).toMatch(/^\d+\.\d{3}$/);
    // The response 'close' that triggers logging comes just after the body.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(levelsAsked).toContain('info');
    expect(proxy.logger.entries.filter((entry) => entry.message === 'HTTP request')).toEqual([]);
  });
});
