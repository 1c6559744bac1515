/**
 * @fileoverview Everything plugin loading decides before any plugin code runs, from files on
 * disk alone: find packages by name, read and check their manifests, drop duplicate ids, run the
 * access-mode gate, then the lock gate. `loadBackends` imports what this admits;
 * `llm-proxy config explain` and `llm-proxy connectors lock` use it to report and lock without
 * importing anything.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProxySettings } from '../config/proxy-settings.js';
import type { AppLogger } from '../logging/app-logger.js';
import { checkConnectorPackage, type CheckedConnector, type InstalledPluginPackage } from './check-connector-package.js';
import { connectorLockLocation, readConnectorLock } from './connector-lock-file.js';
import { checkPackageAgainstLock, lockGateApplies, type ConnectorLockPolicy } from './connector-lock-gate.js';
import { discoverPluginCandidates } from './discover-plugin-candidates.js';
import { installedSdkVersion } from './installed-sdk-version.js';
import { isOAuthConnector, oauthConnectorGatedProblem, skippedOAuthConnectorsMessage } from './oauth-connector-gate.js';
import type { ConnectorReport, LockReport, PackageReport, PluginProblem, PluginSource } from './plugin-report.js';
import { readPluginPackageJson, resolvePluginPackage, type PackageResolution } from './resolve-plugin-package.js';

/** This package's directory (two levels above this module, in src/ and in dist/ alike). */
const OWN_PACKAGE_DIRECTORY = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));

export interface InspectConnectorPackagesOptions {
  settings: Readonly<ProxySettings>;
  /** The project directory: its package.json dependencies are searched for connector packages. */
  cwd: string;
  logger: AppLogger;
  /** Where core itself is installed; defaults to this package's directory. */
  coreDirectory?: string;
  /** Where `plugins.require_lock` came from, in words, for refusal messages. */
  requireLockOrigin?: string;
}

/** A connector that passed every check and both gates, ready to import. */
export interface AdmittedConnector extends CheckedConnector {
  packageName: string;
  report: ConnectorReport;
}

export interface ConnectorPackageInspection {
  coreName: string;
  coreDirectory: string;
  sdkVersion: string;
  packages: PackageReport[];
  connectors: ConnectorReport[];
  admitted: AdmittedConnector[];
  lock: LockReport;
}

export async function inspectConnectorPackages(options: InspectConnectorPackagesOptions): Promise<ConnectorPackageInspection> {
  const { settings, logger } = options;
  const coreDirectory = path.resolve(options.coreDirectory ?? OWN_PACKAGE_DIRECTORY);
  const sdkVersion = installedSdkVersion();

  const packageReports: PackageReport[] = [];
  const connectorReports: ConnectorReport[] = [];
  const candidates: AdmittedConnector[] = [];

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

  const lockState = readConnectorLock(connectorLockLocation(settings.configFile, options.cwd));
  const lockPolicy: ConnectorLockPolicy = {
    state: lockState,
    required: settings.requirePluginLock ?? false,
    requiredOrigin: options.requireLockOrigin ?? 'set for this run',
    enforce: settings.accessMode === 'multi_user',
  };
  const admitted = await applyLockGate(applyAccessModeGate(removeDuplicateIds(candidates)));

  return {
    coreName,
    coreDirectory,
    sdkVersion,
    packages: packageReports,
    connectors: connectorReports,
    admitted,
    lock: {
      path: lockState.location.path,
      origin: lockState.location.origin,
      status: lockState.status,
      required: lockPolicy.required,
      enforced: lockPolicy.enforce,
      applies: lockGateApplies(lockPolicy),
    },
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
  function removeDuplicateIds(connectors: AdmittedConnector[]): AdmittedConnector[] {
    const owners = new Map<string, AdmittedConnector>();
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
  function applyAccessModeGate(connectors: AdmittedConnector[]): AdmittedConnector[] {
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

  /**
   * Compares each third-party package that still has a connector to import with the lock file.
   * It runs after the access-mode gate so that a package Multi User Mode never imports anyway
   * (OAuth connectors only) is not asked to be locked. A refusal skips all of the package.
   */
  async function applyLockGate(connectors: AdmittedConnector[]): Promise<AdmittedConnector[]> {
    if (!lockGateApplies(lockPolicy)) return connectors;
    const packageNames = [...new Set(connectors.map((candidate) => candidate.packageName))].filter((name) => name !== coreName);
    const refused = new Map<string, PluginProblem>();
    for (const name of packageNames) {
      const packageReport = packageReports.find((candidate) => candidate.name === name);
      if (packageReport?.path === undefined) continue;
      const check = await checkPackageAgainstLock({ name, version: packageReport.version, directory: packageReport.path }, lockPolicy);
      packageReport.lock = { verdict: check.verdict, refused: check.refused };
      if (check.problem !== undefined) packageReport.problems.push(check.problem);
      if (check.refused && check.problem !== undefined) {
        packageReport.status = 'refused';
        refused.set(name, check.problem);
      }
    }
    return connectors.filter((candidate) => {
      const problem = refused.get(candidate.packageName);
      if (problem === undefined) return true;
      markConnector(candidate.report, 'skipped', problem);
      return false;
    });
  }

  function packagePath(name: string): string {
    return packageReports.find((packageReport) => packageReport.name === name)?.path ?? 'unknown path';
  }
}

export function markConnector(report: ConnectorReport, status: 'skipped' | 'failed', problem: PluginProblem): void {
  report.status = status;
  report.code = problem.code;
  report.reason = problem.message;
  report.fix = problem.fix;
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
