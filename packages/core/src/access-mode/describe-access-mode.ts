/**
 * @fileoverview How the resolved access mode is named in logs and `config explain`.
 */
import type { AccessMode, ResolvedSettings } from '../config/proxy-settings.js';

export const ACCESS_MODE_NAMES: Readonly<Record<AccessMode, string>> = Object.freeze({
  single_user: 'Single User Mode',
  multi_user: 'Multi User Mode',
});

/** `Starting LLM Proxy in Single User Mode (default)`, `... (explicit)` or `... Multi User Mode`. */
export function startupLogLine(settings: ResolvedSettings): string {
  const mode = settings.values.accessMode;
  if (mode === 'multi_user') return `Starting LLM Proxy in ${ACCESS_MODE_NAMES.multi_user}`;
  const chosen = settings.sources['access_mode.mode'] === 'default' ? 'default' : 'explicit';
  return `Starting LLM Proxy in ${ACCESS_MODE_NAMES.single_user} (${chosen})`;
}
