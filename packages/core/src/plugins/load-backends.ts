/**
 * @fileoverview Plugin loading from discovery to a frozen backend registry, in the order the
 * design requires: find packages by name, read and check their manifests, drop duplicates, run
 * the access-mode gate, and only then import the admitted entries and create backends. Every
 * problem is reported with what, where and how to fix it, and skips only what it concerns.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorContext } from '@llmproxy/connector-sdk';
import type { ProxySettings } from '../config/proxy-settings.js';
import type { AppLogger } from '../logging/app-logger.js';
import { createBackendRegistry, type BackendRegistry } from './backend-registry.js';
import { checkConnectorPackage, type CheckedConnector, type InstalledPluginPackage } from './check-connector-package.js';
import { createBackends, type LoadedConnector } from './create-backends.js';
import { discoverPluginCandidates } from './discover-plugin-candidates.js';
import { importConnectorDefinition } from './import-connector-definition.js';
import { installedSdkVersion } from './installed-sdk-version.js';
import {
  isOAuthConnector,
  loadedOAuthConnectorsMessage,
  oauthConnectorGatedProblem,
  skippedOAuthConnectorsMessage,
} from './oauth-connector-gate.js';
import type { ConnectorReport, PackageReport, PluginProblem, PluginReport, PluginSource } from './plugin-report.js';
import { readPluginPackageJson, resolvePluginPackage, type PackageResolution } from './resolve-plugin-package.js';

export type { Backend, BackendRegistry } from './backend-registry.js';
export type { PluginReport } from './plugin-report.js';

/** How long one entry import or one `create()` may take before it is abandoned. */
export const DEFAULT_PLUGIN_INIT_TIMEOUT_MS = 10_000;

/** This package's directory (two levels above this module, in src/ and in dist/ alike). */
const OWN_PACKAGE_DIRECTORY = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));

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
}

export interface LoadedBackends {
  registry: BackendRegistry;
  report: PluginReport;
}

/** A connector still in the running after the package checks, with where it came from. */
interface CandidateConnector extends CheckedConnector {
  packageName: string;
  report: ConnectorReport;
}

export async function loadBackends(options: LoadBackendsOptions): Promise<LoadedBackends> {
  const { settings, logger } = options;
  const coreDirectory = path.resolve(options.coreDirectory ?? OWN_PACKAGE_DIRECTORY);
  const timeoutMs = options.initTimeoutMs ?? DEFAULT_PLUGIN_INIT_TIMEOUT_MS;
  const sdkVersion = installedSdkVersion();

  const packageReports: PackageReport[] = [];
  const connectorReports: ConnectorReport[] = [];
  const candidates: CandidateConnector[] = [];

  const corePackageJsonPath = path.join(coreDirectory, 'package.json');
  const coreResolution = readPluginPackageJson('@llmproxy/core', corePackageJsonPath);
  const coreName =
    coreResolution.status === 'found' && typeof coreResolution.packageJson.name === 'string'
      ? coreResolution.packageJson.name
      : '@llmproxy/core';
  examinePackage(coreName, 'core', coreResolution);

  const discovery = discoverPluginCandidates({
    plugins: settings.plugins,
    cwd: options.cwd,
    coreDirectory,
    excludeNames: [coreName],
  });
  for (const warning of discovery.warnings) logger.warn(warning);
  for (const candidate of discovery.candidates) {
    examinePackage(candidate.name, candidate.source, resolvePluginPackage(candidate.name, candidate.baseDirectories));
  }

  const admitted = applyAccessModeGate(removeDuplicateIds(candidates));

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
    if (packageReport.status === 'not-installed' || packageReport.status === 'invalid') continue;
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
  };
  logOutcome(report, loadedConnectors, logger);
  return {
    registry: createBackendRegistry({ backends, report, accessMode: settings.accessMode }),
    report: deepFreeze(report),
  };

  /** Records one package and queues its checked connectors. */
  function examinePackage(name: string, source: PluginSource, resolution: PackageResolution): void {
    if (resolution.status === 'not-installed') {
      packageReports.push({
        name,
        source,
        status: 'not-installed',
        problems: [notInstalledProblem(name, source, options.cwd, coreDirectory)],
      });
      return;
    }
    if (resolution.status === 'invalid-name') {
      packageReports.push({ name, source, status: 'invalid', problems: [resolution.problem] });
      return;
    }
    if (resolution.status === 'broken') {
      packageReports.push({
        name,
        source,
        ...(resolution.version === undefined ? {} : { version: resolution.version }),
        path: resolution.directory,
        status: 'invalid',
        problems: [resolution.problem],
      });
      return;
    }
    const version = typeof resolution.packageJson.version === 'string' ? resolution.packageJson.version : undefined;
    const packageReport: PackageReport = {
      name,
      source,
      ...(version === undefined ? {} : { version }),
      path: resolution.directory,
      status: 'loaded',
      problems: [],
    };
    packageReports.push(packageReport);
    const installed: InstalledPluginPackage = { name, ...resolution };
    const check = checkConnectorPackage(installed, sdkVersion);
    if (!check.ok) {
      packageReport.status = 'invalid';
      packageReport.problems.push(...check.problems);
      return;
    }
    for (const connector of check.connectors) {
      const connectorReport: ConnectorReport = {
        id: connector.declaration.id,
        packageName: name,
        entry: connector.declaration.entry,
        hasStaticCredentials: connector.declaration.hasStaticCredentials,
        ...(connector.declaration.description === undefined ? {} : { description: connector.declaration.description }),
        status: 'loaded',
      };
      connectorReports.push(connectorReport);
      if (connector.ok) {
        candidates.push({ declaration: connector.declaration, entryFile: connector.entryFile, packageName: name, report: connectorReport });
      } else {
        markConnector(connectorReport, connector.problem.code === 'PLUGIN_CONNECTOR_DUPLICATE' ? 'skipped' : 'failed', connector.problem);
      }
    }
  }

  /** The first package to declare an id keeps it (core first, then config, project, beside core). */
  function removeDuplicateIds(connectors: CandidateConnector[]): CandidateConnector[] {
    const owners = new Map<string, CandidateConnector>();
    return connectors.filter((candidate) => {
      const owner = owners.get(candidate.declaration.id);
      if (owner === undefined) {
        owners.set(candidate.declaration.id, candidate);
        return true;
      }
      markConnector(candidate.report, 'skipped', {
        code: 'PLUGIN_CONNECTOR_DUPLICATE',
        message: `Connector id "${candidate.declaration.id}" is declared by two packages: ${owner.packageName} (${packagePath(owner.packageName)}) and ${candidate.packageName} (${packagePath(candidate.packageName)}); the one from ${owner.packageName} is used.`,
        fix: `Uninstall one of ${owner.packageName} and ${candidate.packageName}, or remove one from plugins in the config.`,
      });
      return false;
    });
  }

  /** In Multi User Mode, removes OAuth connectors before anything is imported. */
  function applyAccessModeGate(connectors: CandidateConnector[]): CandidateConnector[] {
    if (settings.accessMode !== 'multi_user') return connectors;
    const gated = connectors.filter((candidate) => isOAuthConnector(candidate.declaration));
    const gatedEntryFiles = new Map(gated.map((candidate) => [candidate.entryFile, candidate.declaration.id]));
    for (const candidate of gated) {
      markConnector(candidate.report, 'skipped', oauthConnectorGatedProblem(candidate.declaration.id, candidate.packageName));
    }
    const admittedConnectors = connectors.filter((candidate) => {
      if (gated.includes(candidate)) return false;
      // Importing a module shared with a gated connector would run the gated connector's code.
      const sharedWith = gatedEntryFiles.get(candidate.entryFile);
      if (sharedWith === undefined) return true;
      const problem = oauthConnectorGatedProblem(sharedWith, candidate.packageName);
      markConnector(candidate.report, 'skipped', {
        ...problem,
        message: `Connector "${candidate.declaration.id}" (package ${candidate.packageName}) shares its entry module with OAuth connector "${sharedWith}", which is not available in Multi User Mode; its code was not loaded.`,
        fix: `Ask the author of ${candidate.packageName} to give each connector its own entry module.`,
      });
      return false;
    });
    if (gated.length > 0) {
      logger.info(skippedOAuthConnectorsMessage(gated.map((candidate) => candidate.declaration.id)));
    }
    return admittedConnectors;
  }

  function packagePath(name: string): string {
    return packageReports.find((packageReport) => packageReport.name === name)?.path ?? 'unknown path';
  }
}

function markConnector(report: ConnectorReport, status: 'skipped' | 'failed', problem: PluginProblem): void {
  report.status = status;
  report.code = problem.code;
  report.reason = problem.message;
  report.fix = problem.fix;
}

function summarizePackageStatus(connectors: readonly ConnectorReport[]): PackageReport['status'] {
  if (connectors.some((connector) => connector.status === 'loaded' || connector.status === 'needs-config')) return 'loaded';
  if (connectors.some((connector) => connector.status === 'failed')) return 'failed';
  return 'skipped';
}

function notInstalledProblem(name: string, source: PluginSource, cwd: string, coreDirectory: string): PluginProblem {
  if (source === 'project') {
    return {
      code: 'PLUGIN_NOT_INSTALLED',
      message: `Connector package ${name} is listed in ${path.join(cwd, 'package.json')} but is not installed.`,
      fix: `Run npm install in ${cwd}.`,
    };
  }
  return {
    code: 'PLUGIN_NOT_INSTALLED',
    message: `Connector package ${name} (named in plugins in the config) is not installed: it was found neither from ${cwd} nor beside @llmproxy/core (${coreDirectory}).`,
    fix: `Run npm install ${name} in ${cwd} (or npm install --global ${name} beside a global @llmproxy/core), or remove it from plugins.`,
  };
}

function logOutcome(report: PluginReport, loadedConnectors: ReadonlyMap<string, LoadedConnector>, logger: AppLogger): void {
  for (const packageReport of report.packages) {
    for (const problem of packageReport.problems) logger.warn(`${problem.message} ${problem.fix}`, { code: problem.code });
  }
  for (const connector of report.connectors) {
    // Gated connectors are summarised in one info line; everything else that was not loaded is a warning.
    if (connector.status === 'loaded' || connector.code === 'OAUTH_CONNECTOR_NOT_ALLOWED') continue;
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
