/**
 * Starts the real proxy server on 127.0.0.1, port 0, with test settings, test connectors and a
 * recording logger.
 */
import type { ResolvedSettings } from '../../../src/config/proxy-settings.js';
import type { PluginReport } from '../../../src/plugins/plugin-report.js';
import { startProxy, type RunningProxy } from '../../../src/server/start-proxy.js';
import { createRecordingLogger, type RecordingLogger } from './recording-logger.js';
import { createTestRegistry, testPluginReport, type TestBackendSpec } from './test-registry.js';
import { testSettings } from './test-settings.js';

export interface TestProxy extends RunningProxy {
  logger: RecordingLogger;
}

export async function startTestProxy(options: {
  backends: TestBackendSpec[];
  settings?: ResolvedSettings;
  report?: PluginReport;
  failedAttemptLimit?: number;
  failedAttemptWindowMs?: number;
  /** Defaults to a fresh recording logger. */
  logger?: RecordingLogger;
}): Promise<TestProxy> {
  const settings = options.settings ?? testSettings();
  const report = options.report ?? testPluginReport({ accessMode: settings.values.accessMode });
  const logger = options.logger ?? createRecordingLogger();
  const registry = await createTestRegistry(options.backends, report);
  const running = await startProxy({
    settings,
    logger,
    registry,
    report,
    version: '9.9.9-test',
    ...(options.failedAttemptLimit === undefined ? {} : { failedAttemptLimit: options.failedAttemptLimit }),
    ...(options.failedAttemptWindowMs === undefined ? {} : { failedAttemptWindowMs: options.failedAttemptWindowMs }),
  });
  return { ...running, logger };
}
