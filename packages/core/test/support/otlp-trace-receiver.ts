/**
 * @fileoverview A real OTLP/HTTP trace receiver for tests: a node:http server on 127.0.0.1
 * (port 0) implementing the collector's `POST /v1/traces` with the JSON encoding of
 * ExportTraceServiceRequest (the OTLP specification's `application/json`), answering as a
 * collector does (200 with an ExportTraceServiceResponse). Gzip bodies are inflated.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** An OTLP AnyValue, as the JSON encoding writes it (64-bit integers may be strings). */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
}

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 internal, 2 server, 3 client. */
  kind: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: OtlpKeyValue[];
  status?: { code?: number; message?: string };
}

export interface ReceivedSpan extends OtlpSpan {
  /** The attributes as a plain record (integers as numbers). */
  attributeValues: Record<string, string | number | boolean>;
  /** The resource's attributes, the same way. */
  resourceValues: Record<string, string | number | boolean>;
}

export interface OtlpTraceReceiver {
  /** `http://127.0.0.1:<port>`, to use as OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  readonly spans: readonly ReceivedSpan[];
  /** Content types of the export requests received. */
  readonly contentTypes: readonly string[];
  /** Resolves once at least `count` spans arrived (rejects after `timeoutMs`). */
  waitForSpans(count: number, timeoutMs?: number): Promise<readonly ReceivedSpan[]>;
  close(): Promise<void>;
}

interface ExportTraceServiceRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
  }>;
}

export async function startOtlpTraceReceiver(): Promise<OtlpTraceReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const contentType = request.headers['content-type'] ?? '';
      contentTypes.push(contentType);
      if (!contentType.startsWith('application/json')) {
        // A collector answers 415 to an encoding it does not take.
        response.writeHead(415, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 3, message: `unsupported content type ${contentType}` }));
        return;
      }
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const exported = JSON.parse(body.toString('utf8')) as ExportTraceServiceRequest;
      for (const resourceSpans of exported.resourceSpans ?? []) {
        const resourceValues = valuesOf(resourceSpans.resource?.attributes);
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) spans.push({ ...span, attributeValues: valuesOf(span.attributes), resourceValues });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    async waitForSpans(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (spans.length < count) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`Only ${spans.length} of ${count} spans arrived within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return spans;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function valuesOf(attributes: OtlpKeyValue[] | undefined): Record<string, string | number | boolean> {
  const values: Record<string, string | number | boolean> = {};
  for (const { key, value } of attributes ?? []) {
    if (value.stringValue !== undefined) values[key] = value.stringValue;
    else if (value.boolValue !== undefined) values[key] = value.boolValue;
    else if (value.intValue !== undefined) values[key] = Number(value.intValue);
    else if (value.doubleValue !== undefined) values[key] = value.doubleValue;
  }
  return values;
}
