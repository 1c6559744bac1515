/**
 * @fileoverview Whether OpenTelemetry tracing is on, from the standard OTEL_* environment
 * variables, decided without loading the SDK: when they ask for no traces, the SDK is never
 * imported and a request costs nothing more.
 */
import { LlmProxyError } from '@llmproxy/connector-sdk';

export interface TracingEnvironment {
  /** Where spans are posted: the OTLP/HTTP `/v1/traces` URL. */
  tracesUrl: string;
  /** `OTEL_SERVICE_NAME`, or undefined for `llm-proxy`. */
  serviceName: string | undefined;
}

/**
 * The tracing settings, or undefined when tracing is off: neither `OTEL_EXPORTER_OTLP_ENDPOINT`
 * nor `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, `OTEL_SDK_DISABLED=true`, or
 * `OTEL_TRACES_EXPORTER=none`. As the specification says, the traces endpoint is used as given
 * and the general endpoint gets `/v1/traces` appended.
 */
export function tracingEnvironment(env: Readonly<Record<string, string | undefined>>): TracingEnvironment | undefined {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return undefined;
  if (env['OTEL_TRACES_EXPORTER']?.trim().toLowerCase() === 'none') return undefined;
  const tracesEndpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim();
  const endpoint = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim();
  let tracesUrl: string;
  if (tracesEndpoint !== undefined && tracesEndpoint !== '') tracesUrl = tracesEndpoint;
  else if (endpoint !== undefined && endpoint !== '') tracesUrl = `${endpoint.replace(/\/+$/, '')}/v1/traces`;
  else return undefined;
  checkTracesUrl(tracesUrl, tracesEndpoint !== undefined && tracesEndpoint !== '' ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const serviceName = env['OTEL_SERVICE_NAME']?.trim();
  return { tracesUrl, serviceName: serviceName === undefined || serviceName === '' ? undefined : serviceName };
}

/** Stops startup on an endpoint the exporter could never post to, rather than losing every span. */
function checkTracesUrl(tracesUrl: string, variable: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(tracesUrl);
  } catch {
    parsed = undefined;
  }
  if (parsed !== undefined && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) return;
  throw new LlmProxyError({
    code: 'TRACING_ENDPOINT_INVALID',
    message: `${variable} is not an http or https URL`,
    // Only the scheme and host part: a URL may carry credentials in its user info or query.
    currentValue: parsed === undefined ? '(not a URL)' : `${parsed.protocol}//${parsed.host}`,
    fix: `Set ${variable} to the collector's OTLP/HTTP address, e.g. http://127.0.0.1:4318, or unset it to turn tracing off`,
  });
}
