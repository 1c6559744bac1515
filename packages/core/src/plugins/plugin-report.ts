/**
 * @fileoverview What plugin discovery found and decided, as plain data: read by
 * `llm-proxy connectors list`, by the backend registry's not-found errors and by the health
 * endpoint. Nothing in here is a secret.
 */
import type { AccessMode } from '../config/proxy-settings.js';
import type { LockVerdict } from './connector-lock-gate.js';

/**
 * How a connector package was found: core's own package.json, `plugins:` in the config, a
 * dependency of the project in the working directory, or a package installed beside core.
 */
export type PluginSource = 'core' | 'config' | 'project' | 'beside-core';

/** One problem found with a package, a connector or a backend. */
export interface PluginProblem {
  /** Stable error code, documented in docs/errors.md. */
  code: string;
  /** What failed and where (package name and path). */
  message: string;
  /** How to fix it. */
  fix: string;
}

/**
 * - `loaded`: at least one of its connectors loaded.
 * - `skipped`: nothing failed, but none of its connectors is in use (gated or shadowed).
 * - `failed`: its manifest was accepted, but none of its connectors could be loaded.
 * - `invalid`: installed but broken before any import (package.json, manifest, SDK range).
 * - `not-installed`: named in the config or the project's dependencies, but not resolvable.
 * - `refused`: Multi User Mode, and it does not match the connector lock file; nothing imported.
 */
export type PackageStatus = 'loaded' | 'skipped' | 'failed' | 'invalid' | 'not-installed' | 'refused';

export interface PackageReport {
  name: string;
  source: PluginSource;
  /** The installed version, when its package.json could be read. */
  version?: string;
  /** The package directory, when it is installed. */
  path?: string;
  status: PackageStatus;
  /** Package-level problems (connector-level ones are on the connectors). */
  problems: PluginProblem[];
  /**
   * How it compares with the connector lock file; set for third-party packages that would be
   * imported, when a lock file exists or one is required.
   */
  lock?: { verdict: LockVerdict; refused: boolean };
}

/** The connector lock file as the loading saw it. */
export interface LockReport {
  path: string;
  /** Why this path, in words. */
  origin: string;
  status: 'absent' | 'invalid' | 'read';
  /** `plugins.require_lock`. */
  required: boolean;
  /** True in Multi User Mode: packages that do not match are refused, not just warned about. */
  enforced: boolean;
  /** Whether packages were compared with it at all (a lock file exists, or one is required). */
  applies: boolean;
}

/**
 * - `loaded`: imported, checked, and used by at least one backend (see the backends for
 *   whether each one started).
 * - `needs-config`: imported and checked, but it creates no backend by itself and no
 *   `backends.<name>` entry uses it.
 * - `skipped`: not imported on purpose (the access-mode gate, or a duplicate id).
 * - `failed`: its entry is not exported, could not be imported, or disagrees with its manifest.
 */
export type ConnectorStatus = 'loaded' | 'needs-config' | 'skipped' | 'failed';

export interface ConnectorReport {
  id: string;
  packageName: string;
  /** The `exports` subpath named by the manifest. */
  entry: string;
  hasStaticCredentials: boolean;
  description?: string;
  status: ConnectorStatus;
  /**
   * For a loaded personal-credential (OAuth) connector in Single User Mode: `needed` while none
   * of its backends was opted in (it serves no request), `granted` once one was.
   */
  optIn?: 'needed' | 'granted';
  /** Set for every status but `loaded`, and for a connector whose opt-in is `needed`. */
  code?: string;
  reason?: string;
  fix?: string;
}

/** `default`: created for a connector that creates a backend by itself; `yaml`: `backends.<name>`. */
export type BackendOrigin = 'default' | 'yaml';

/**
 * - `ready`: created and serving.
 * - `needs-opt-in`: a personal-credential (OAuth) backend the user has not opted in to; it was
 *   not created and requests to it get `OAUTH_CONNECTOR_OPT_IN_REQUIRED` (403).
 * - `failed`: it could not be created.
 */
export type BackendStatus = 'ready' | 'needs-opt-in' | 'failed';

export interface BackendReport {
  name: string;
  connectorId: string;
  origin: BackendOrigin;
  status: BackendStatus;
  /** For an OAuth backend that was opted in: the flag or YAML key that did it. */
  optedInBy?: string;
  code?: string;
  reason?: string;
  fix?: string;
}

export interface PluginReport {
  accessMode: AccessMode;
  /** The installed @llmproxy/connector-sdk version that manifests' `sdk` ranges are checked against. */
  sdkVersion: string;
  packages: PackageReport[];
  connectors: ConnectorReport[];
  backends: BackendReport[];
  /** Absent in reports built by hand (tests) and before the lock gate existed. */
  lock?: LockReport;
}
