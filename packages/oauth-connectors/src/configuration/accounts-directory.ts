/**
 * @fileoverview Where an account pool lives: the backend's `accounts_directory` when set
 * (relative paths start at the working directory), else a directory of the pool's own name in
 * the operator's data directory (`data_dir`, from core), or in `var/` of the working directory
 * from a host that gives no data directory, where pools always lived.
 */
import path from 'node:path';
import { optionalConfigString } from '@llmproxy/connector-sdk';

/** The paths a pool's location is resolved against. */
export interface PoolLocation {
  /** The directory llm-proxy runs in. */
  cwd: string;
  /** The host's data directory (absolute), when it gives one. */
  dataDirectory?: string | undefined;
}

export function resolveAccountsDirectory(
  config: Record<string, unknown>,
  backendName: string,
  location: PoolLocation,
  poolName: string,
): string {
  const configured = optionalConfigString(config, 'accounts_directory', backendName);
  if (configured !== undefined) return path.resolve(location.cwd, configured);
  return path.join(location.dataDirectory ?? path.resolve(location.cwd, 'var'), poolName);
}
