/**
 * @fileoverview Plugin loading from discovery to a frozen backend registry, in the order the
 * design requires: everything decided from files on disk first (discovery, manifests,
 * duplicates, the access-mode gate and the lock gate, in `inspectConnectorPackages`), and only
 * then import the admitted entries and create backends. Every problem is reported with what,
 * where and how to fix it, and skips only what it concerns.
 */
import type { ConnectorContext } from '@llmproxy/connector-sdk';
import type { ProxySettings } from '../config/proxy-settings.js';
import type { AppLogger } from '../logging/app-logger.js';
import { createBackendRegistry, type BackendRegistry } from './backend-registry.js';
import { createBackends, type LoadedConnector } from './create-backends.js';
import { importConnectorDefinition } from './import-connector-definition.js';
import { isLockProblemCode } from './connector-lock-gate.js';
import { inspectConnectorPackages, markConnector } from './inspect-connector-packages.js';
import { isOAuthConnector, loadedOAuthConnectorsMessage } from './oauth-connector-gate.js';
import type { ConnectorReport, PackageReport, PluginReport } from './plugin-report.js';

export type { Backend, BackendRegistry } from './backend-registry.js';
export type { PluginReport } from './plugin-report.js';

/** How long one entry import or one `create()` may take before it is abandoned. */
export const DEFAULT_PLUGIN_INIT_TIMEOUT_MS = 10_000;

export interface LoadBackendsOptions {
  settings: Readonly<ProxySettings>;
  /** The project directory: its package.json dependencies are searched for connector packages. */
  cwd: string;
  logger: AppLogger;
  createContext(backendName: string, connectorId: string, config: Record<string, unknown>): ConnectorContext;
  /** Where core itself is installed; defaults to this package's directory. */
  coreDirectory?: string;
  /** Bound on each entry import and each `create()`; defaults to {@link DEFAULT_PLUGIN_INIT_TIMEOUT_MS}. */
  initTimeoutMs?: number;
  /** Where `plugins.require_lock` came from, in words, for refusal messages. */
  requireLockOrigin?: string;
}

export interface LoadedBackends {
  registry: BackendRegistry;
  report: PluginReport;
}

export async function loadBackends(options: LoadBackendsOptions): Promise<LoadedBackends> {
  const { settings, logger } = options;
  const timeoutMs = options.initTimeoutMs ?? DEFAULT_PLUGIN_INIT_TIMEOUT_MS;
  const inspection = await inspectConnectorPackages({
    settings,
    cwd: options.cwd,
    logger,
    ...(options.coreDirectory === undefined ? {} : { coreDirectory: options.coreDirectory }),
    ...(options.requireLockOrigin === undefined ? {} : { requireLockOrigin: options.requireLockOrigin }),
  });
  const { admitted, sdkVersion } = inspection;
  const packageReports = inspection.packages;
  const connectorReports = inspection.connectors;

  const loadedConnectors = new Map<string, LoadedConnector>();
  const imports = await Promise.all(
    admitted.map((candidate) =>
      importConnectorDefinition({
        packageName: candidate.packageName,
        declaration: candidate.declaration,
        entryFile: candidate.entryFile,
        timeoutMs,
      }),
    ),
  );
  imports.forEach((result, index) => {
    const candidate = admitted[index]!;
    if (result.ok) {
      loadedConnectors.set(candidate.declaration.id, { definition: result.definition, packageName: candidate.packageName });
    } else {
      markConnector(candidate.report, 'failed', result.problem);
    }
  });

  const { backends, reports: backendReports } = await createBackends({
    loadedConnectors,
    connectorReports,
    backendConfigs: settings.backends,
    accessMode: settings.accessMode,
    oauthDebuggingOverrides: settings.oauthDebuggingOverrides,
    createContext: options.createContext,
    timeoutMs,
  });
  for (const candidate of admitted) {
    if (!loadedConnectors.has(candidate.declaration.id)) continue;
    const ownBackends = backendReports.filter((backend) => backend.connectorId === candidate.declaration.id);
    if (ownBackends.length > 0) {
      candidate.report.status = 'loaded';
      const waiting = ownBackends.filter((backend) => backend.status === 'needs-opt-in');
      if (waiting.length === ownBackends.length) {
        candidate.report.optIn = 'needed';
        candidate.report.code = waiting[0]!.code;
        candidate.report.reason = waiting[0]!.reason;
        candidate.report.fix = waiting[0]!.fix;
      } else if (ownBackends.some((backend) => backend.optedInBy !== undefined)) {
        candidate.report.optIn = 'granted';
      }
    } else {
      candidate.report.status = 'needs-config';
      candidate.report.reason = `Connector "${candidate.declaration.id}" creates no backend by itself and no backend in the config uses it.`;
      candidate.report.fix = `Declare a backend that uses it in the config: backends: { <name>: { type: ${candidate.declaration.id}, ... } }.`;
    }
  }
  for (const packageReport of packageReports) {
    if (packageReport.status === 'not-installed' || packageReport.status === 'invalid' || packageReport.status === 'refused') continue;
    packageReport.status = summarizePackageStatus(
      connectorReports.filter((connector) => connector.packageName === packageReport.name),
    );
  }

  const report: PluginReport = {
    accessMode: settings.accessMode,
    sdkVersion,
    packages: packageReports,
    connectors: connectorReports,
    backends: backendReports,
    lock: inspection.lock,
  };
  logOutcome(report, loadedConnectors, logger);
  return {
    registry: createBackendRegistry({ backends, report, accessMode: settings.accessMode }),
    report: deepFreeze(report),
  };
}

function summarizePackageStatus(connectors: readonly ConnectorReport[]): PackageReport['status'] {
  if (connectors.some((connector) => connector.status === 'loaded' || connector.status === 'needs-config')) return 'loaded';
  if (connectors.some((connector) => connector.status === 'failed')) return 'failed';
  return 'skipped';
}

function logOutcome(report: PluginReport, loadedConnectors: ReadonlyMap<string, LoadedConnector>, logger: AppLogger): void {
  for (const packageReport of report.packages) {
    for (const problem of packageReport.problems) logger.warn(`${problem.message} ${problem.fix}`, { code: problem.code });
  }
  for (const connector of report.connectors) {
    // Gated connectors are summarised in one info line, lock refusals in one line per package;
    // everything else that was not loaded is a warning.
    if (connector.status === 'loaded' || connector.code === 'OAUTH_CONNECTOR_NOT_ALLOWED' || isLockProblemCode(connector.code)) continue;
    if (connector.status === 'needs-config') {
      logger.debug(`${connector.reason ?? ''} ${connector.fix ?? ''}`);
      continue;
    }
    logger.warn(`${connector.reason ?? ''} ${connector.fix ?? ''}`, { code: connector.code });
  }
  for (const backend of report.backends) {
    if (backend.status === 'failed') logger.warn(`${backend.reason ?? ''} ${backend.fix ?? ''}`, { code: backend.code });
  }
  if (report.accessMode === 'single_user') {
    const oauthIds = [...loadedConnectors]
      .filter(([, loaded]) => isOAuthConnector(loaded.definition))
      .map(([connectorId]) => connectorId);
    if (oauthIds.length > 0) logger.debug(loadedOAuthConnectorsMessage(oauthIds));
  }
  const waiting = report.backends.filter((backend) => backend.status === 'needs-opt-in').map((backend) => backend.name);
  if (waiting.length > 0) {
    logger.info(
      `OAuth backends loaded but waiting for opt-in (they serve no request until you pass --enable-<connector>-backend-debugging-override): ${waiting.join(', ')}`,
    );
  }
  const ready = report.backends.filter((backend) => backend.status === 'ready').map((backend) => backend.name);
  if (ready.length > 0) logger.info(`Loaded backends: ${ready.join(', ')}`);
  else logger.warn('No backends loaded. Run `llm-proxy connectors list` to see why.');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const nested of Object.values(value)) deepFreeze(nested);
  }
  return value;
}
