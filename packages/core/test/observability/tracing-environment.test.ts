/**
 * @fileoverview Which OTEL_* variables turn tracing on, and where spans go.
 */
import { describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import { tracingEnvironment } from '../../src/observability/tracing-environment.js';

describe('tracingEnvironment', () => {
  it('is off without an endpoint, or when the SDK or the traces exporter is disabled', () => {
    expect(tracingEnvironment({})).toBeUndefined();
    expect(tracingEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toBeUndefined();
    expect(tracingEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'TRUE' })).toBeUndefined();
    expect(tracingEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it('appends /v1/traces to the general endpoint and takes the traces endpoint as given', () => {
    expect(tracingEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })?.tracesUrl).toBe('http://collector:4318/v1/traces');
    expect(
      tracingEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/in' })?.tracesUrl,
    ).toBe('https://traces.example.com/in');
  });

  it('carries OTEL_SERVICE_NAME', () => {
    expect(tracingEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SERVICE_NAME: 'gateway' })?.serviceName).toBe('gateway');
    expect(tracingEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })?.serviceName).toBeUndefined();
  });

  it('refuses an endpoint that is not an http URL without echoing its credentials', () => {
    let thrown: unknown;
    try {
      tracingEnvironment({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://user:secret-pass@collector/v1/traces' });
    } catch (error) {
      thrown = error;
    }
    expect(LlmProxyError.is(thrown)).toBe(true);
    const error = thrown as LlmProxyError;
    expect(error.code).toBe('TRACING_ENDPOINT_INVALID');
    expect(error.message).toContain('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
    expect(JSON.stringify({ message: error.message, currentValue: error.currentValue, fix: error.fix })).not.toContain('secret-pass');
  });
});
