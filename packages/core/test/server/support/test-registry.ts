/**
 * A hand-built backend registry for server tests: connectors made with defineConnector,
 * created with a minimal context and put in core's registry (for its real not-found errors).
 */
import type { ConnectorContext, ConnectorDefinition, UpstreamHttpClient } from '@llmproxy/connector-sdk';
import { createBackendRegistry } from '../../../src/plugins/backend-registry.js';
import type { Backend, BackendRegistry } from '../../../src/plugins/load-backends.js';
import type { PluginReport } from '../../../src/plugins/plugin-report.js';
import { createRecordingLogger } from './recording-logger.js';

export interface TestBackendSpec {
  name: string;
  definition: ConnectorDefinition;
  config?: Record<string, unknown>;
  /** The upstream client; by default one that refuses, for connectors that make no calls. */
  http?: UpstreamHttpClient;
  env?: Record<string, string>;
}

export async function createTestRegistry(
  specs: TestBackendSpec[],
  report: PluginReport = testPluginReport(),
): Promise<BackendRegistry> {
  const backends: Backend[] = [];
  for (const spec of specs) {
    const context: ConnectorContext = {
      backendName: spec.name,
      logger: createRecordingLogger(),
      http: spec.http ?? { send: () => Promise.reject(new Error('test connectors make no upstream calls')) },
      notifier: { notify: () => undefined },
      config: spec.config ?? {},
      env: spec.env ?? {},
    };
    backends.push({
      name: spec.name,
      connectorId: spec.definition.id,
      packageName: '@llmproxy/server-test-connectors',
      hasStaticCredentials: spec.definition.hasStaticCredentials,
      connector: await spec.definition.create(context),
    });
  }
  return createBackendRegistry({ backends, report, accessMode: report.accessMode });
}

export function testPluginReport(overrides: Partial<PluginReport> = {}): PluginReport {
  return { accessMode: 'single_user', sdkVersion: '1.0.0', packages: [], connectors: [], backends: [], ...overrides };
}
