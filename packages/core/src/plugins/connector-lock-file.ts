/**
 * @fileoverview The connector lock file, `llm-proxy.connectors.lock`: the third-party connector
 * packages an operator reviewed, each with its version, connector ids and integrity. It lives
 * beside the config file (or in the working directory when there is none) and is meant to be
 * committed with the deployment. JSON, so diffs in review show exactly what changed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import { listingIntegrity } from './hash-connector-package.js';

export const CONNECTOR_LOCK_FILE_NAME = 'llm-proxy.connectors.lock';
export const CONNECTOR_LOCK_FILE_VERSION = 1;

export interface LockedPackage {
  version: string;
  /** The connector ids the package's manifest declared when it was locked. */
  connectors: string[];
  /** See `hashConnectorPackage`: ssri `sha512-…` over the package's file listing. */
  integrity: string;
  /** Each file's integrity, so a refusal can name the files that changed. */
  files: Record<string, string>;
}

export interface ConnectorLock {
  lockfileVersion: typeof CONNECTOR_LOCK_FILE_VERSION;
  /** By package name, sorted. */
  packages: Record<string, LockedPackage>;
}

export interface ConnectorLockLocation {
  path: string;
  /** Why this path, in words, for `config explain`. */
  origin: string;
}

export type ConnectorLockState =
  | { status: 'absent'; location: ConnectorLockLocation }
  | { status: 'invalid'; location: ConnectorLockLocation; detail: string }
  | { status: 'read'; location: ConnectorLockLocation; lock: ConnectorLock };

/** Beside the config file that was loaded, or in the working directory when none was. */
export function connectorLockLocation(configFile: string | undefined, cwd: string): ConnectorLockLocation {
  if (configFile !== undefined) {
    return { path: path.join(path.dirname(configFile), CONNECTOR_LOCK_FILE_NAME), origin: `beside the config file ${configFile}` };
  }
  return { path: path.join(cwd, CONNECTOR_LOCK_FILE_NAME), origin: 'in the working directory, since no config file was loaded' };
}

/** Reads and checks the lock file; never throws (an unreadable file is a state the gate decides on). */
export function readConnectorLock(location: ConnectorLockLocation): ConnectorLockState {
  if (!existsSync(location.path)) return { status: 'absent', location };
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(location.path, 'utf8'));
  } catch (error) {
    return { status: 'invalid', location, detail: error instanceof Error ? error.message : String(error) };
  }
  const problem = lockShapeProblem(data);
  if (problem !== undefined) return { status: 'invalid', location, detail: problem };
  return { status: 'read', location, lock: data as ConnectorLock };
}

/** Writes the lock file whole (through a temporary file, so a reader never sees half of it). */
export async function writeConnectorLock(location: ConnectorLockLocation, lock: ConnectorLock): Promise<void> {
  const sorted: ConnectorLock = {
    lockfileVersion: CONNECTOR_LOCK_FILE_VERSION,
    packages: Object.fromEntries(Object.keys(lock.packages).sort().map((name) => [name, lock.packages[name]!])),
  };
  const temporary = `${location.path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(sorted, null, 2)}\n`);
    await rename(temporary, location.path);
  } catch (error) {
    throw new LlmProxyError({
      code: 'PLUGIN_LOCK_FILE_UNWRITABLE',
      message: `Cannot write the connector lock file ${location.path}: ${error instanceof Error ? error.message : String(error)}`,
      currentValue: location.path,
      fix: `Make ${path.dirname(location.path)} writable by this user, or run llm-proxy connectors lock where the config file is`,
    });
  }
}

/** What is wrong with a parsed lock file, in words; undefined when it is well formed. */
function lockShapeProblem(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'it does not hold a JSON object';
  const record = data as Record<string, unknown>;
  if (record['lockfileVersion'] !== CONNECTOR_LOCK_FILE_VERSION) {
    return `lockfileVersion is ${JSON.stringify(record['lockfileVersion'])}, this llm-proxy reads ${CONNECTOR_LOCK_FILE_VERSION}`;
  }
  const packages = record['packages'];
  if (typeof packages !== 'object' || packages === null || Array.isArray(packages)) return '"packages" is not an object';
  for (const [name, entry] of Object.entries(packages as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null) return `the entry of ${name} is not an object`;
    const locked = entry as Record<string, unknown>;
    if (typeof locked['version'] !== 'string') return `the entry of ${name} has no "version" string`;
    if (!Array.isArray(locked['connectors']) || !locked['connectors'].every((id) => typeof id === 'string')) {
      return `the entry of ${name} has no "connectors" list of ids`;
    }
    if (typeof locked['integrity'] !== 'string' || !locked['integrity'].startsWith('sha512-')) {
      return `the entry of ${name} has no sha512 "integrity"`;
    }
    const files = locked['files'];
    if (typeof files !== 'object' || files === null || !Object.values(files).every((value) => typeof value === 'string')) {
      return `the entry of ${name} has no "files" object`;
    }
    // A hand-edited file list that no longer adds up to the integrity would make messages lie.
    if (listingIntegrity(files as Record<string, string>) !== locked['integrity']) {
      return `the "files" of ${name} do not add up to its "integrity" (edited by hand?)`;
    }
  }
  return undefined;
}
