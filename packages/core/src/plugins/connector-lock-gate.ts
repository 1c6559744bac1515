/**
 * @fileoverview The lock gate: whether an installed third-party connector package matches the
 * connector lock file, decided from files on disk before any of its code is imported (like the
 * access-mode gate). Multi User Mode refuses a package that does not match; Single User Mode
 * warns and loads it. Core's built-in connectors are trusted by core's own version and are never
 * checked here.
 */
import { hashConnectorPackage, differingFiles } from './hash-connector-package.js';
import type { ConnectorLockState } from './connector-lock-file.js';
import type { PluginProblem } from './plugin-report.js';

/**
 * - `locked`: name, version and integrity match the lock file.
 * - `not-locked`: the lock file has no entry for the package.
 * - `version-changed`: the lock file pins another version.
 * - `content-changed`: same version, but its files differ from the locked integrity.
 * - `no-lock-file`: a lock is required (`plugins.require_lock`) and there is no lock file.
 * - `lock-file-invalid`: the lock file cannot be read or is malformed.
 * - `unchecked`: no lock file and none required, so nothing was compared.
 */
export type LockVerdict =
  | 'locked'
  | 'not-locked'
  | 'version-changed'
  | 'content-changed'
  | 'no-lock-file'
  | 'lock-file-invalid'
  | 'unchecked';

/** The error codes of the lock gate's verdicts, documented in docs/errors.md. */
export const PLUGIN_NOT_LOCKED = 'PLUGIN_NOT_LOCKED';
export const PLUGIN_LOCK_VERSION_CHANGED = 'PLUGIN_LOCK_VERSION_CHANGED';
export const PLUGIN_LOCK_CONTENT_CHANGED = 'PLUGIN_LOCK_CONTENT_CHANGED';
export const PLUGIN_LOCK_FILE_MISSING = 'PLUGIN_LOCK_FILE_MISSING';
export const PLUGIN_LOCK_FILE_INVALID = 'PLUGIN_LOCK_FILE_INVALID';

const LOCK_PROBLEM_CODES: ReadonlySet<string> = new Set([
  PLUGIN_NOT_LOCKED,
  PLUGIN_LOCK_VERSION_CHANGED,
  PLUGIN_LOCK_CONTENT_CHANGED,
  PLUGIN_LOCK_FILE_MISSING,
  PLUGIN_LOCK_FILE_INVALID,
]);

/** How a verdict reads after "refused: " (Multi User Mode) or in a warning (Single User Mode). */
export const LOCK_VERDICT_LABELS: Readonly<Record<LockVerdict, string>> = {
  locked: 'matches the lock file',
  'not-locked': 'not in the lock file',
  'version-changed': 'version changed since locked',
  'content-changed': 'changed since locked',
  'no-lock-file': 'no lock file',
  'lock-file-invalid': 'lock file unreadable',
  unchecked: 'not checked (no lock file)',
};

export interface ConnectorLockPolicy {
  state: ConnectorLockState;
  /** `plugins.require_lock`: a missing lock file refuses every third-party package. */
  required: boolean;
  /** Where `required` came from, in words, for messages. */
  requiredOrigin: string;
  /** True in Multi User Mode (refuse); false in Single User Mode (warn and load). */
  enforce: boolean;
}

export interface InstalledConnectorPackage {
  name: string;
  version: string | undefined;
  directory: string;
}

export interface LockCheck {
  verdict: LockVerdict;
  /** True when the package must not be imported. */
  refused: boolean;
  /** Set for every verdict but `locked` and `unchecked`. */
  problem?: PluginProblem;
}

/** True for the codes the lock gate reports (said once per package, not again per connector). */
export function isLockProblemCode(code: string | undefined): boolean {
  return code !== undefined && LOCK_PROBLEM_CODES.has(code);
}

/** True when packages are compared with the lock at all (a lock file exists, or one is required). */
export function lockGateApplies(policy: ConnectorLockPolicy): boolean {
  return policy.state.status !== 'absent' || policy.required;
}

export async function checkPackageAgainstLock(installed: InstalledConnectorPackage, policy: ConnectorLockPolicy): Promise<LockCheck> {
  const { state } = policy;
  const lockPath = state.location.path;
  const version = installed.version ?? '(no version)';
  const subject = `Connector package ${installed.name}@${version} (${installed.directory})`;
  const outcome = (verdict: LockVerdict, code: string, detail: string, fix: string): LockCheck => ({
    verdict,
    refused: policy.enforce,
    problem: {
      code,
      message: policy.enforce
        ? `${subject} is refused: ${LOCK_VERDICT_LABELS[verdict]}; ${detail}. Its code was not loaded.`
        : `${subject}: ${LOCK_VERDICT_LABELS[verdict]}; ${detail}. Loaded anyway: Single User Mode only warns, Multi User Mode would refuse it.`,
      fix: `${fix}.`,
    },
  });
  const relock = `Review ${installed.name} (its package.json and files in ${installed.directory}), then run \`llm-proxy connectors lock\` to record it in ${lockPath} and restart llm-proxy`;

  if (state.status === 'absent') {
    if (!policy.required) return { verdict: 'unchecked', refused: false };
    return outcome(
      'no-lock-file',
      PLUGIN_LOCK_FILE_MISSING,
      `plugins.require_lock is on (${policy.requiredOrigin}) and there is no lock file at ${lockPath}`,
      `Review the connector packages \`llm-proxy connectors list\` shows, then run \`llm-proxy connectors lock\` to write ${lockPath}, commit it with the deployment and restart llm-proxy`,
    );
  }
  if (state.status === 'invalid') {
    return outcome(
      'lock-file-invalid',
      PLUGIN_LOCK_FILE_INVALID,
      `the lock file ${lockPath} cannot be used: ${state.detail}`,
      `Restore ${lockPath} from version control, or review the connector packages and run \`llm-proxy connectors lock\` to rewrite it`,
    );
  }

  const locked = state.lock.packages[installed.name];
  if (locked === undefined) {
    return outcome('not-locked', PLUGIN_NOT_LOCKED, `${lockPath} has no entry for ${installed.name}`, relock);
  }
  if (locked.version !== installed.version) {
    return outcome(
      'version-changed',
      PLUGIN_LOCK_VERSION_CHANGED,
      `version ${version} is installed, but ${lockPath} pins ${locked.version}`,
      `${relock}; or reinstall the locked release (npm install ${installed.name}@${locked.version})`,
    );
  }
  const installedHash = await hashConnectorPackage(installed.directory);
  if (installedHash.integrity !== locked.integrity) {
    const differing = differingFiles(locked.files, installedHash.files);
    const more = differing.total > differing.paths.length ? ` and ${differing.total - differing.paths.length} more` : '';
    return outcome(
      'content-changed',
      PLUGIN_LOCK_CONTENT_CHANGED,
      `its files differ from the integrity in ${lockPath} (${differing.paths.join(', ')}${more})`,
      `Find out why ${installed.name}@${version} changed on disk (a local edit, a reinstall from another source, a tampered release), ` +
        `then reinstall it (npm ci) or, once reviewed, run \`llm-proxy connectors lock\` and restart llm-proxy`,
    );
  }
  return { verdict: 'locked', refused: false };
}
