/**
 * @fileoverview Renders the connector lock file and each package's verdict for
 * `llm-proxy config explain`, from an inspection that imported nothing.
 */
import { LOCK_VERDICT_LABELS, isLockProblemCode } from './connector-lock-gate.js';
import type { LockReport, PackageReport } from './plugin-report.js';

const STATE_NAMES: Record<LockReport['status'], string> = { absent: 'does not exist', invalid: 'cannot be read', read: 'present' };

export function formatLockVerdicts(lock: LockReport, packages: readonly PackageReport[]): string[] {
  const lines = [`Connector lock file: ${lock.path} (${STATE_NAMES[lock.status]}; ${lock.origin})`];
  if (!lock.applies) {
    lines.push('  Not in effect: no lock file and plugins.require_lock is off, so third-party connector packages load unchecked.');
  } else if (lock.enforced) {
    lines.push('  Multi User Mode: a third-party connector package that does not match it is refused before import.');
  } else {
    lines.push('  Single User Mode: a third-party connector package that does not match it is loaded with a warning.');
  }
  const thirdParty = packages.filter((report) => report.source !== 'core');
  if (thirdParty.length === 0) lines.push('  No third-party connector packages found; the built-in connectors need no entry.');
  for (const report of thirdParty) {
    const name = `${report.name}${report.version === undefined ? '' : `@${report.version}`}`;
    lines.push(`  ${name}: ${verdictText(report, lock)}`);
  }
  return lines;
}

function verdictText(report: PackageReport, lock: LockReport): string {
  if (report.lock !== undefined) {
    const label = LOCK_VERDICT_LABELS[report.lock.verdict];
    const code = report.problems.find((problem) => isLockProblemCode(problem.code))?.code;
    const prefix = report.lock.refused ? 'refused: ' : report.lock.verdict === 'locked' ? '' : 'warned: ';
    return `${prefix}${label}${code === undefined ? '' : ` [${code}]`}`;
  }
  if (report.status === 'invalid' || report.status === 'not-installed') return `not checked: the package is ${report.status} (see llm-proxy connectors list)`;
  if (!lock.applies) return 'not checked';
  return 'not checked: none of its connectors would be imported in this mode';
}
