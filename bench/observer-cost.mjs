/**
 * @fileoverview What metrics and traces cost per request, in-process and CPU only: the built
 * observers told about one chat request (start, first byte, end with usage) many times over, as
 * the server tells them, beside doing nothing. `node bench/observer-cost.mjs` after `npx tsc -b`.
 * Tracing posts its spans to a local sink that answers 200 at once, so export is included.
 *
 * Options: --requests (100000).
 */
import { createServer } from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({ options: { requests: { type: 'string', default: '100000' } } });
const requests = Number(options.requests);
const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '../packages/core/dist/observability');
const { PrometheusMetrics } = await import(pathToFileURL(path.join(dist, 'prometheus-metrics.js')).href);
const { startRequestTracer } = await import(pathToFileURL(path.join(dist, 'otel-request-tracer.js')).href);

const sink = createServer((request, response) => request.resume().on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}')));
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const silentLogger = { info() {}, warn() {}, error() {}, debug() {}, child: () => silentLogger, isLevelEnabled: () => false };

/** One chat request as the server reports it. */
function oneRequest(observer, index) {
  const startedAt = performance.now();
  // A new signal per request, as the server makes one: the tracer's upstream-call watcher hangs on it.
  const signal = new AbortController().signal;
  const observation = observer.requestStarted({ method: 'POST', path: '/v1/chat/completions', startedAt, signal });
  const chat = { frontend: 'openai-chat', backend: 'openai', connectorId: 'openai', model: `gpt-4o-mini`, stream: index % 2 === 0 };
  observation?.firstByte(startedAt + 1, chat);
  chat.responseModel = 'gpt-4o-mini-2024-07-18';
  chat.usage = { inputTokens: 11, outputTokens: 7, cachedInputTokens: 3, reasoningTokens: 2 };
  observation?.ended({ method: 'POST', status: 200, startedAt, endedAt: startedAt + 2, firstByteAt: startedAt + 1, chat, caller: 'api-key#1', errorCode: undefined, clientDisconnected: false });
}

function microsecondsPerRequest(observer) {
  for (let index = 0; index < 10_000; index += 1) oneRequest(observer, index);
  const started = performance.now();
  for (let index = 0; index < requests; index += 1) oneRequest(observer, index);
  return ((performance.now() - started) * 1000) / requests;
}

const nothing = { requestStarted: () => undefined };
const metrics = new PrometheusMetrics({ callerLabel: false, credentialCounts: () => [], processMetrics: false });
const tracer = startRequestTracer({ environment: { tracesUrl: `http://127.0.0.1:${sink.address().port}/v1/traces`, serviceName: 'bench' }, version: 'bench', logger: silentLogger });

const rows = [
  ['off (no observer)', microsecondsPerRequest(nothing)],
  ['metrics', microsecondsPerRequest(metrics)],
  ['traces (spans built; batches exported)', microsecondsPerRequest(tracer.observer)],
];
await tracer.shutdown();
sink.close();
process.stdout.write(`observer cost per chat request, ${requests} requests, CPU in this process (lower is better)\n`);
for (const [name, microseconds] of rows) process.stdout.write(`  ${name.padEnd(40)} ${microseconds.toFixed(2).padStart(8)} µs\n`);
