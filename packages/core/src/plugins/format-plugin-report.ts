/**
 * @fileoverview Renders a plugin report for people (`llm-proxy connectors list`): every package
 * discovered and how, every connector with its status, and for anything not loaded, why and
 * how to fix it.
 */
import { LOCK_VERDICT_LABELS, isLockProblemCode } from './connector-lock-gate.js';
import type { BackendReport, ConnectorReport, LockReport, PackageReport, PluginReport } from './plugin-report.js';

const MODE_NAMES = { single_user: 'Single User Mode', multi_user: 'Multi User Mode' } as const;

const SOURCE_NAMES: Record<PackageReport['source'], string> = {
  core: 'built in',
  config: 'plugins in config',
  project: 'project dependency',
  'beside-core': 'installed beside @llmproxy/core',
};

export function formatPluginReport(report: PluginReport): string {
  const lines: string[] = [
    `Connector packages (${MODE_NAMES[report.accessMode]}, @llmproxy/connector-sdk ${report.sdkVersion}):`,
  ];
  if (report.lock !== undefined) lines.push(formatLockLine(report.lock));
  if (report.packages.length === 0) lines.push('  none found');
  for (const packageReport of report.packages) {
    lines.push('', ...formatPackage(packageReport, report.connectors));
  }

  lines.push('', 'Backends:');
  if (report.backends.length === 0) lines.push('  none');
  const nameWidth = Math.max(0, ...report.backends.map((backend) => backend.name.length));
  for (const backend of report.backends) lines.push(...formatBackend(backend, nameWidth));

  const counts = countConnectors(report.connectors);
  lines.push(
    '',
    `${report.packages.length} package(s), ${report.connectors.length} connector(s): ${counts}; ` +
      `${report.backends.filter((backend) => backend.status === 'ready').length} of ${report.backends.length} backend(s) ready.`,
  );
  return `${lines.join('\n')}\n`;
}

/** Where the lock file is and what it does in this mode, so a refusal below reads in context. */
function formatLockLine(lock: LockReport): string {
  const state = { absent: 'none', invalid: 'unreadable', read: 'present' }[lock.status];
  const effect = !lock.applies
    ? 'third-party packages load without a lock (plugins.require_lock is off)'
    : lock.enforced
      ? 'third-party packages that do not match it are refused'
      : 'third-party packages that do not match it are loaded with a warning (Single User Mode)';
  return `Connector lock file: ${lock.path} (${state}); ${effect}.`;
}

function formatPackage(packageReport: PackageReport, connectors: readonly ConnectorReport[]): string[] {
  const version = packageReport.version === undefined ? '' : `@${packageReport.version}`;
  const status =
    packageReport.status === 'refused' && packageReport.lock !== undefined
      ? `refused: ${LOCK_VERDICT_LABELS[packageReport.lock.verdict]}`
      : packageReport.status;
  const lines = [`${packageReport.name}${version}  [${status}]  (${SOURCE_NAMES[packageReport.source]})`];
  if (packageReport.path !== undefined) lines.push(`  path: ${packageReport.path}`);
  for (const problem of packageReport.problems) {
    lines.push(`  ${problem.code}: ${problem.message}`, `    fix: ${problem.fix}`);
  }
  const own = connectors.filter((connector) => connector.packageName === packageReport.name);
  const idWidth = Math.max(0, ...own.map((connector) => connector.id.length));
  for (const connector of own) {
    const credentials = connector.hasStaticCredentials ? 'static credentials' : 'OAuth (personal credentials)';
    lines.push(`  ${connector.id.padEnd(idWidth)}  ${connectorLabel(connector).padEnd(12)}  ${credentials}`);
    if (connector.status === 'loaded' && connector.optIn !== 'needed') continue;
    if (isLockProblemCode(connector.code)) {
      // The package's refusal, just above, already says why and how to fix it.
      lines.push(`    why: ${connector.code ?? ''}: its package was refused (see above)`);
      continue;
    }
    lines.push(`    why: ${connector.code === undefined ? '' : `${connector.code}: `}${connector.reason ?? ''}`);
    if (connector.fix !== undefined) lines.push(`    fix: ${connector.fix}`);
  }
  return lines;
}

function formatBackend(backend: BackendReport, nameWidth: number): string[] {
  const origin = backend.origin === 'yaml' ? `backends.${backend.name}` : 'default';
  const status = backend.status === 'needs-opt-in' ? 'needs opt-in' : backend.status;
  const optedIn = backend.optedInBy === undefined ? '' : `, opted in by ${backend.optedInBy}`;
  const lines = [`  ${backend.name.padEnd(nameWidth)}  ${status.padEnd(6)}  connector ${backend.connectorId} (${origin}${optedIn})`];
  if (backend.status === 'needs-opt-in') {
    // Why is said once, on the connector; here only how to opt this backend in.
    if (backend.fix !== undefined) lines.push(`    fix: ${backend.fix}`);
  } else if (backend.status === 'failed') {
    lines.push(`    why: ${backend.code === undefined ? '' : `${backend.code}: `}${backend.reason ?? ''}`);
    if (backend.fix !== undefined) lines.push(`    fix: ${backend.fix}`);
  }
  return lines;
}

function connectorLabel(connector: ConnectorReport): string {
  if (connector.optIn === 'needed') return 'loaded, needs opt-in';
  if (connector.optIn === 'granted') return 'loaded, opted in';
  return statusLabel(connector.status);
}

function statusLabel(status: ConnectorReport['status']): string {
  return status === 'needs-config' ? 'needs config' : status;
}

function countConnectors(connectors: readonly ConnectorReport[]): string {
  const order: ConnectorReport['status'][] = ['loaded', 'needs-config', 'skipped', 'failed'];
  return order.map((status) => `${connectors.filter((connector) => connector.status === status).length} ${statusLabel(status)}`).join(', ');
}
