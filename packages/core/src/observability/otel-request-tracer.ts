/**
 * @fileoverview OpenTelemetry traces of the proxy's requests: one span per request following
 * the GenAI semantic conventions (`chat {model}` with `gen_ai.*` and `http.*` attributes), and a
 * child span per upstream HTTP call, exported over OTLP/HTTP (JSON encoding) in batches. The one
 * module that imports the OpenTelemetry SDK, and only by a dynamic import when the OTEL_*
 * variables ask for traces (see tracing-environment.ts).
 *
 * No global tracer provider or context manager is installed: a request's span is found through
 * its abort signal (as the upstream timing is), so the async-hooks cost of context propagation
 * is never paid.
 */
import { performance } from 'node:perf_hooks';
import { diag, DiagLogLevel, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { AppLogger } from '../logging/app-logger.js';
import { watchUpstreamCalls, type UpstreamCallObservation, type UpstreamCallStart } from '../upstream/upstream-call-watch.js';
import type { ChatExchange, ObservedRequest, RequestObservation, RequestObserver } from './request-observer.js';
import type { TracingEnvironment } from './tracing-environment.js';

/** Paths not traced: probes and scrapes every few seconds would bury the requests. */
const UNTRACED_PATHS = new Set(['/internal/health', '/metrics']);

/** `gen_ai.provider.name` of the connectors the conventions name; others use their connector id. */
const PROVIDER_NAMES: Readonly<Record<string, string>> = { gemini: 'gcp.gemini' };

export interface RequestTracer {
  observer: RequestObserver;
  /** Ends the exporter after sending the spans still buffered; call once every request ended. */
  shutdown(): Promise<void>;
}

export function startRequestTracer(options: { environment: TracingEnvironment; version: string; logger: AppLogger }): RequestTracer {
  const { environment, version, logger } = options;
  // Export failures (collector down, refused) reach the proxy's log, once per failed batch.
  diag.setLogger(
    {
      error: (message, ...args) => logger.warn(`OpenTelemetry: ${message}`, { details: args.map(String) }),
      warn: (message, ...args) => logger.warn(`OpenTelemetry: ${message}`, { details: args.map(String) }),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (read by envDetector) win over the defaults.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': environment.serviceName ?? 'llm-proxy', 'service.version': version }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: environment.tracesUrl }))],
  });
  const tracer = provider.getTracer('llmproxy', version);
  logger.info('Tracing requests with OpenTelemetry', { tracesUrl: withoutQuery(environment.tracesUrl) });
  return {
    observer: { requestStarted: (request) => (UNTRACED_PATHS.has(request.path) ? undefined : traceRequest(tracer, request)) },
    shutdown: () => provider.shutdown(),
  };
}

function traceRequest(
  tracer: Tracer,
  request: { method: string; path: string; startedAt: number; signal: AbortSignal },
): RequestObservation {
  const span = tracer.startSpan(request.method, {
    kind: SpanKind.SERVER,
    startTime: epochMilliseconds(request.startedAt),
    attributes: { 'http.request.method': request.method, 'url.path': request.path },
  });
  const parent = trace.setSpan(ROOT_CONTEXT, span);
  // Calls whose body is still being drained when the request ends (a reader that stopped at a
  // stream's end marker) end with it, so a child never outlives its parent.
  const openCalls = new Set<Span>();
  watchUpstreamCalls(request.signal, {
    callStarted: (call) => traceUpstreamCall(tracer, parent, call, openCalls),
  });
  return {
    firstByte() {},
    ended(observed) {
      for (const call of openCalls) call.end(epochMilliseconds(observed.endedAt));
      openCalls.clear();
      if (observed.chat !== undefined) {
        span.updateName(`chat ${observed.chat.model}`);
        span.setAttributes(chatAttributes(observed.chat));
      }
      span.setAttribute('http.response.status_code', observed.status);
      if (observed.firstByteAt !== undefined) span.setAttribute('llmproxy.time_to_first_byte_ms', observed.firstByteAt - observed.startedAt);
      endWithOutcome(span, observed);
    },
  };
}

function chatAttributes(chat: ChatExchange): Attributes {
  const provider = PROVIDER_NAMES[chat.connectorId] ?? chat.connectorId;
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': provider,
    // The name before semantic conventions 1.37, still what many backends read.
    'gen_ai.system': provider,
    'gen_ai.request.model': chat.model,
    'llmproxy.frontend': chat.frontend,
    'llmproxy.backend': chat.backend,
    'llmproxy.stream': chat.stream,
  };
  if (chat.responseModel !== undefined) attributes['gen_ai.response.model'] = chat.responseModel;
  if (chat.usage !== undefined) {
    attributes['gen_ai.usage.input_tokens'] = chat.usage.inputTokens;
    attributes['gen_ai.usage.output_tokens'] = chat.usage.outputTokens;
    if (chat.usage.cachedInputTokens !== undefined) attributes['gen_ai.usage.cache_read.input_tokens'] = chat.usage.cachedInputTokens;
    if (chat.usage.reasoningTokens !== undefined) attributes['gen_ai.usage.reasoning.output_tokens'] = chat.usage.reasoningTokens;
  }
  if (chat.costUsd !== undefined) attributes['llmproxy.cost_usd'] = chat.costUsd;
  return attributes;
}

/** A server span is an error for 5xx answers and for failures inside a stream (its status was already 200). */
function endWithOutcome(span: Span, observed: ObservedRequest): void {
  const failed = observed.status >= 500 || (observed.errorCode !== undefined && observed.status < 400);
  if (observed.errorCode !== undefined) span.setAttribute('error.type', observed.errorCode);
  else if (observed.status >= 500) span.setAttribute('error.type', String(observed.status));
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR, ...(observed.errorCode === undefined ? {} : { message: observed.errorCode }) });
  span.end(epochMilliseconds(observed.endedAt));
}

function traceUpstreamCall(
  tracer: Tracer,
  parent: ReturnType<typeof trace.setSpan>,
  call: UpstreamCallStart,
  openCalls: Set<Span>,
): UpstreamCallObservation {
  const target = safeUrl(call.url);
  const attributes: Attributes = { 'http.request.method': call.method };
  if (target !== undefined) {
    attributes['server.address'] = target.hostname;
    attributes['server.port'] = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
    // Never the query string: Gemini's `?key=` is a credential.
    attributes['url.full'] = `${target.protocol}//${target.host}${target.pathname}`;
  }
  // Timed on the same clock as the request span: the SDK's default is Date.now(), whose whole
  // milliseconds can place the child before its parent.
  const span = tracer.startSpan(call.method, { kind: SpanKind.CLIENT, attributes, startTime: epochMilliseconds(performance.now()) }, parent);
  openCalls.add(span);
  return {
    responded(status) {
      span.setAttribute('http.response.status_code', status);
      if (status < 400) return;
      span.setAttribute('error.type', String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    },
    ended(outcome) {
      // Already ended with its request.
      if (!openCalls.delete(span)) return;
      if (outcome.error !== undefined) {
        const errorCode = (outcome.error as { code?: unknown }).code;
        span.setAttribute('error.type', typeof errorCode === 'string' ? errorCode : 'error');
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end(epochMilliseconds(performance.now()));
    },
  };
}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function withoutQuery(url: string): string {
  const parsed = safeUrl(url);
  return parsed === undefined ? '(invalid URL)' : `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/** A `performance.now()` time as epoch milliseconds, as span times take it. */
function epochMilliseconds(performanceTime: number): number {
  return performance.timeOrigin + performanceTime;
}
