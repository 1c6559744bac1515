/**
 * @fileoverview The logger interface the rest of core codes against, so winston stays behind
 * the logging module. Secrets are redacted by the logging module's format, not by callers.
 */
import type { ConnectorLogger } from '@llmproxy/connector-sdk';

export interface AppLogger extends ConnectorLogger {
  /** A logger that adds `meta` to every entry (e.g. `{ backend: 'openai' }`). */
  child(meta: Record<string, unknown>): AppLogger;
  /**
   * Whether entries at `level` are written, so a caller can skip assembling an entry that would
   * be dropped (the per-request log line). Loggers without it write every level.
   */
  isLevelEnabled?(level: 'error' | 'warn' | 'info' | 'debug'): boolean;
}
