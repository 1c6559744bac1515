/**
 * @fileoverview `llm-proxy connectors lock`: records every installed third-party connector
 * package (name, version, connector ids, integrity of its files) in `llm-proxy.connectors.lock`
 * beside the config file, and prints what changed since the last lock so the operator reviews
 * exactly that. Reads files only: no connector code is imported. Core's built-in connectors need
 * no entry.
 */
import { resolveSettings } from '../config/resolve-settings.js';
import { createLogger } from '../logging/create-logger.js';
import { connectorLockLocation, readConnectorLock, writeConnectorLock, type LockedPackage } from '../plugins/connector-lock-file.js';
import { differingFiles, hashConnectorPackage } from '../plugins/hash-connector-package.js';
import { inspectConnectorPackages } from '../plugins/inspect-connector-packages.js';
import type { CommandLineArguments } from '../config/define-setting.js';
import type { CommandEnvironment } from './command-environment.js';
import { formatStartupErrors } from './format-startup-errors.js';

export async function connectorsLockCommand(environment: CommandEnvironment, commandLine: CommandLineArguments): Promise<number> {
  try {
    const settings = await resolveSettings({ commandLine, env: environment.env, cwd: environment.cwd });
    const logger = createLogger({ ...settings.values, logLevel: 'warn' }, { writeLogFile: false, env: environment.env });
    try {
      const inspection = await inspectConnectorPackages({ settings: settings.values, cwd: environment.cwd, logger });
      const location = connectorLockLocation(settings.values.configFile, environment.cwd);
      const previous = readConnectorLock(location);
      const previousPackages = previous.status === 'read' ? previous.lock.packages : {};

      const lines: string[] = [];
      const packages: Record<string, LockedPackage> = {};
      // Packages that are broken or missing could not be imported either; they have nothing to lock.
      const lockable = inspection.packages.filter(
        (report) => report.source !== 'core' && report.path !== undefined && report.status !== 'invalid' && report.status !== 'not-installed',
      );
      for (const report of lockable) {
        const hash = await hashConnectorPackage(report.path!);
        const entry: LockedPackage = {
          version: report.version ?? '',
          connectors: inspection.connectors.filter((connector) => connector.packageName === report.name).map((connector) => connector.id),
          integrity: hash.integrity,
          files: hash.files,
        };
        packages[report.name] = entry;
        lines.push(
          `  ${report.name}@${entry.version}  ${describeChange(previousPackages[report.name], entry)}`,
          `    connectors: ${entry.connectors.join(', ') || '(none)'}`,
          `    path: ${report.path!}`,
          `    integrity: ${entry.integrity}`,
        );
      }
      const removed = Object.keys(previousPackages).filter((name) => packages[name] === undefined);

      await writeConnectorLock(location, { lockfileVersion: 1, packages });

      const output = [
        `Wrote ${location.path} (${location.origin}):`,
        `${lockable.length} third-party connector package(s) locked; ${inspection.coreName}'s built-in connectors need no entry.`,
        ...(lines.length > 0 ? ['', ...lines] : []),
        ...(removed.length > 0 ? ['', `Removed (no longer installed): ${removed.join(', ')}`] : []),
        ...(previous.status === 'invalid' ? ['', `The previous lock file could not be read (${previous.detail}); it was replaced.`] : []),
        '',
        'Review each added or changed package (its package.json and files at the path shown) before committing the lock file with the deployment.',
        'In Multi User Mode only these packages, at these versions and with these files, are imported.',
      ];
      environment.stdout.write(`${output.join('\n')}\n`);
    } finally {
      await logger.close();
    }
    return 0;
  } catch (error) {
    environment.stderr.write(formatStartupErrors(error));
    return 1;
  }
}

function describeChange(previous: LockedPackage | undefined, current: LockedPackage): string {
  if (previous === undefined) return '(added)';
  if (previous.version !== current.version) return `(version changed: was ${previous.version})`;
  if (previous.integrity !== current.integrity) {
    const differing = differingFiles(previous.files, current.files);
    const more = differing.total > differing.paths.length ? ` and ${differing.total - differing.paths.length} more` : '';
    return `(files changed since locked: ${differing.paths.join(', ')}${more})`;
  }
  return '(unchanged)';
}
