/**
 * An AppLogger that keeps every entry, so tests can check what was logged (and what was not).
 */
import type { AppLogger } from '../../../src/logging/app-logger.js';

export interface LogEntry {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  meta: Record<string, unknown>;
}

export interface RecordingLogger extends AppLogger {
  readonly entries: LogEntry[];
}

export function createRecordingLogger(entries: LogEntry[] = [], baseMeta: Record<string, unknown> = {}): RecordingLogger {
  const record =
    (level: LogEntry['level']) =>
    (message: string, meta: Record<string, unknown> = {}): void => {
      entries.push({ level, message, meta: { ...baseMeta, ...meta } });
    };
  return {
    entries,
    error: record('error'),
    warn: record('warn'),
    info: record('info'),
    debug: record('debug'),
    child: (meta) => createRecordingLogger(entries, { ...baseMeta, ...meta }),
  };
}
