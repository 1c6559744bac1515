/**
 * @fileoverview The SSO settings with their defaults applied. `resolveSettings` always fills
 * every field; settings built by hand (tests, embedders) may leave them out when SSO is off.
 */
import path from 'node:path';

import type { SsoProviderSettings, SsoSettings } from '../config/proxy-settings.js';
import { DEFAULT_DATA_DIRECTORY, DEFAULT_SSO_DATABASE_FILE_IN_DATA_DIRECTORY, DEFAULT_TOKEN_LIFETIME_DAYS } from '../config/settings-table.js';

/** SSO settings with nothing left to default. */
export interface SsoOptions {
  providers: readonly SsoProviderSettings[];
  /** Without a trailing slash; undefined derives the address from each request. */
  publicUrl: string | undefined;
  tokenLifetimeDays: number;
  /** Absolute path. */
  databaseFile: string;
}

export function ssoOptionsOf(settings: SsoSettings, cwd: string): SsoOptions {
  return {
    providers: settings.providers ?? [],
    publicUrl: settings.publicUrl?.replace(/\/+$/, ''),
    tokenLifetimeDays: settings.tokenLifetimeDays ?? DEFAULT_TOKEN_LIFETIME_DAYS,
    databaseFile: path.resolve(cwd, settings.databaseFile ?? path.join(DEFAULT_DATA_DIRECTORY, DEFAULT_SSO_DATABASE_FILE_IN_DATA_DIRECTORY)),
  };
}
