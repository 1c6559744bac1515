/**
 * @fileoverview An AppLogger that keeps its entries in memory, so tests can assert what was
 * logged (and that no secret was).
 */
import type { AppLogger } from '../../src/logging/app-logger.js';

export interface LogEntry {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  meta: Record<string, unknown>;
}

export interface RecordingLogger extends AppLogger {
  readonly entries: LogEntry[];
  /** Every entry serialised, for "this secret never appears" assertions. */
  text(): string;
}

export function createRecordingLogger(baseMeta: Record<string, unknown> = {}, entries: LogEntry[] = []): RecordingLogger {
  const log =
    (level: LogEntry['level']) =>
    (message: string, meta: Record<string, unknown> = {}): void => {
      entries.push({ level, message, meta: { ...baseMeta, ...meta } });
    };
  return {
    entries,
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: (meta) => createRecordingLogger({ ...baseMeta, ...meta }, entries),
    text: () => JSON.stringify(entries),
  };
}
