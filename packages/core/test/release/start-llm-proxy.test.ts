/**
 * @fileoverview The package's `.` export as a user's code meets it: a module in a folder whose
 * node_modules holds @llmproxy/core imports it by name (through `exports`, to the built
 * dist/index.js: run `npx tsc -b` first), in its own node process. `startLlmProxy()` starts a
 * proxy that serves a chat completion from a fake OpenAI upstream and `close()` frees its port;
 * settings it would refuse reject with their codes and leave nothing running.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readCoreVersion } from '../../src/cli/core-version.js';
import { REPOSITORY_ROOT } from '../plugins/plugin-fixtures.js';
import { startFakeOpenAIUpstream, type FakeOpenAIUpstream } from '../support/fake-openai-upstream.js';

const runFile = promisify(execFile);
const CLIENT_KEY = 'programmatic-client-key';

/** What the consumer module below prints: one JSON line. */
interface ConsumerReport {
  url: string;
  port: number;
  accessMode: string;
  version: string;
  generatedKeyShape: boolean;
  status: number;
  content: string | undefined;
  portClosedAfterClose: boolean;
  unknownFlag: { code: string; message: string };
  refusedHost: { code: string; message: string };
}

const CONSUMER = `
import { createConnection } from 'node:net';
import { startLlmProxy } from '@llmproxy/core';

const portIsClosed = (port) => new Promise((resolve) => {
  const socket = createConnection({ host: '127.0.0.1', port });
  socket.once('connect', () => { socket.destroy(); resolve(false); });
  socket.once('error', () => resolve(true));
});
const failure = (promise) => promise.then(
  (proxy) => proxy.close().then(() => ({ code: 'STARTED', message: proxy.url })),
  (error) => ({ code: error.code, message: error.message }),
);

const proxy = await startLlmProxy({
  args: ['--port', '0', '--api-keys', '${CLIENT_KEY}', '--disable-notifications', '--log-level', 'warn'],
  env: { OPENAI_API_KEY: 'sk-upstream', OPENAI_BASE_URL: process.env.UPSTREAM_BASE_URL },
});
const response = await fetch(proxy.url + '/v1/chat/completions', {
  method: 'POST',
  headers: { authorization: 'Bearer ${CLIENT_KEY}', 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
});
const body = await response.json();
await proxy.close();
await proxy.close();

const generated = await startLlmProxy({ args: ['--port', '0', '--disable-notifications', '--log-level', 'warn'], env: {} });
const generatedKeyShape = /^llmproxy-/.test(generated.generatedApiKey ?? '');
await generated.close();

console.log(JSON.stringify({
  url: proxy.url,
  port: proxy.port,
  accessMode: proxy.accessMode,
  version: proxy.version,
  generatedKeyShape,
  status: response.status,
  content: body.choices?.[0]?.message?.content,
  portClosedAfterClose: await portIsClosed(proxy.port),
  unknownFlag: await failure(startLlmProxy({ args: ['--no-such-flag'], env: {} })),
  refusedHost: await failure(startLlmProxy({ args: ['--port', '0', '--host', '0.0.0.0', '--disable-notifications'], env: {} })),
}));
`;

describe("@llmproxy/core's startLlmProxy()", () => {
  let upstream: FakeOpenAIUpstream;
  let folder: string;
  let report: ConsumerReport;

  beforeAll(async () => {
    upstream = await startFakeOpenAIUpstream({ apiKey: 'sk-upstream' });
    upstream.enqueue({ type: 'answer', text: ['Hello from the fake'] });
    folder = await mkdtemp(path.join(tmpdir(), 'llmproxy-start-api-'));
    await symlink(path.join(REPOSITORY_ROOT, 'node_modules'), path.join(folder, 'node_modules'), 'dir');
    await writeFile(path.join(folder, 'consumer.mjs'), CONSUMER);
    const { stdout } = await runFile(process.execPath, ['consumer.mjs'], {
      cwd: folder,
      env: { PATH: process.env['PATH'], UPSTREAM_BASE_URL: upstream.baseUrl },
      timeout: 60_000,
    });
    report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ConsumerReport;
  }, 90_000);

  afterAll(async () => {
    await upstream.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('starts a proxy on the port it reports, in Single User Mode, with the package version', () => {
    expect(report.url).toBe(`http://127.0.0.1:${report.port}`);
    expect(report.accessMode).toBe('single_user');
    expect(report.version).toBe(readCoreVersion());
  });

  it('serves a chat completion through the configured upstream', () => {
    expect({ status: report.status, content: report.content }).toEqual({ status: 200, content: 'Hello from the fake' });
  });

  it('frees the port on close() (twice is harmless)', () => {
    expect(report.portClosedAfterClose).toBe(true);
  });

  it('generates a key for the run when none is configured', () => {
    expect(report.generatedKeyShape).toBe(true);
  });

  it('rejects an unknown flag and a host Single User Mode refuses, with their codes', () => {
    expect(report.unknownFlag).toEqual({ code: 'CLI_ARGUMENT_INVALID', message: expect.stringContaining('--no-such-flag') });
    expect(report.refusedHost.code).not.toBe('STARTED');
    expect(report.refusedHost.message).toContain('0.0.0.0');
  });
});
