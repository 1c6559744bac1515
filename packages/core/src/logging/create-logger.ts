/**
 * @fileoverview Creates the process logger: winston writing to the console (stderr, since stdout
 * carries only the listening line and a generated key) and, unless it is off, to the log file,
 * rotated by size. Every entry passes through {@link redactSecrets} first. winston stays behind
 * this module: the rest of core sees {@link AppLogger}.
 *
 * Rotation uses winston's own File transport (`maxsize`, `maxFiles`, `tailable`): it ships with
 * winston, so it adds no dependency, and size is what an operator bounds. With `tailable` the
 * current file keeps its name (`llm-proxy.log`, which `tail -F` and log shippers follow) and
 * older ones are numbered (`llm-proxy1.log` is the newest of them). winston-daily-rotate-file
 * was the alternative: it rotates by date first and names files by date, which suits archiving
 * more than a bounded disk footprint, and it brings its own dependencies.
 */
import fs from 'node:fs';
import path from 'node:path';

import winston, { format } from 'winston';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import type { ProxySettings } from '../config/proxy-settings.js';
import { DEFAULT_LOG_MAX_FILES, DEFAULT_LOG_MAX_SIZE } from '../config/settings-table.js';
import type { AppLogger } from './app-logger.js';
import { consoleColorsWanted } from './console-colors.js';
import { KnownSecrets } from './known-secrets.js';
import { redactSecrets } from './redact-secrets.js';

/** An {@link AppLogger} that can be flushed and closed at exit. */
export interface ClosableLogger extends AppLogger {
  /**
   * The exact secrets this logger redacts: the client API keys, plus whatever the upstream
   * client records as it sends credentials. The server scrubs client-bound error text with the
   * same set.
   */
  readonly knownSecrets: KnownSecrets;
  /**
   * Resolves once the log file is open (at once without one). winston's File transport loses
   * the entries of a rotation that falls before its file opened, so a process that logs a burst
   * at startup waits for this first.
   */
  ready(): Promise<void>;
  /** Writes out everything logged so far (the log file included) and releases the file. */
  close(): Promise<void>;
}

export interface CreateLoggerOptions {
  /** Where console output goes; stderr unless a test captures it. */
  consoleStream?: NodeJS.WritableStream;
  /** Whether console output is coloured; defaults to whether stderr is a terminal. */
  colors?: boolean;
  /**
   * False for commands that only report (`connectors list`): they log to the console alone and
   * leave no log file behind.
   */
  writeLogFile?: boolean;
  /** The environment whose `NO_COLOR` is respected; the process's by default. */
  env?: NodeJS.ProcessEnv;
}

type LoggerSettings = Pick<ProxySettings, 'logLevel' | 'logFile' | 'auth' | 'logRotation'>;

/** Rotation when the caller gives none (settings built by hand): the settings table's defaults. */
const DEFAULT_ROTATION: NonNullable<ProxySettings['logRotation']> = { maxSizeBytes: DEFAULT_LOG_MAX_SIZE, maxFiles: DEFAULT_LOG_MAX_FILES };

export function createLogger(settings: LoggerSettings, options: CreateLoggerOptions = {}): ClosableLogger {
  const logFile = (options.writeLogFile ?? true) ? settings.logFile : undefined;
  const knownSecrets = new KnownSecrets(settings.auth.apiKeys);
  if (logFile !== undefined) prepareLogFile(logFile);

  const colors = options.colors ?? (options.consoleStream === undefined && consoleColorsWanted(process.stderr, options.env ?? process.env));
  const consoleTransport =
    options.consoleStream === undefined
      ? new winston.transports.Console({
          // Every level to stderr: stdout is reserved for the listening line and a generated key.
          stderrLevels: ['error', 'warn', 'info', 'debug'],
          format: consoleFormat(colors),
        })
      : new winston.transports.Stream({ stream: options.consoleStream, format: consoleFormat(colors) });
  const rotation = settings.logRotation ?? DEFAULT_ROTATION;
  const fileTransport =
    logFile === undefined
      ? undefined
      : new winston.transports.File({
          filename: logFile,
          format: format.json(),
          maxsize: rotation.maxSizeBytes,
          maxFiles: rotation.maxFiles,
          tailable: true,
        });

  const logger = winston.createLogger({
    level: settings.logLevel,
    format: format.combine(
      format.errors({ stack: true }),
      redactSecrets({ apiKeys: knownSecrets }),
      format.timestamp(),
    ),
    transports: fileTransport === undefined ? [consoleTransport] : [consoleTransport, fileTransport],
    exitOnError: false,
  });

  const opened =
    fileTransport === undefined
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          fileTransport.once('open', () => resolve());
          // A file that fails to open is reported through winston's error event; logging goes on to the console.
          fileTransport.once('error', () => resolve());
        });

  // Shutdown writes every request's line before closing; an entry logged after that (a timer
  // of some connector) is dropped rather than crash the process with "write after end".
  const state = { closed: false };
  logger.on('error', () => undefined);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    state.closed = true;
    closing ??= new Promise<void>((resolve) => {
      // The file transport finishes only after its stream has written everything out.
      (fileTransport ?? consoleTransport).once('finish', () => resolve());
      logger.end();
    });
    return closing;
  };

  return Object.assign(wrap(logger, state), { close, ready: () => opened, knownSecrets });
}

/**
 * winston runs every entry through its formats (redaction, timestamp) and its stream before the
 * transports drop those below the level, so entries below the level are dropped here instead:
 * the per-request `info` line costs nothing when the level is `warn` or `error`. The level is
 * fixed for the life of the process, so it is read once.
 */
function wrap(logger: winston.Logger, state: { readonly closed: boolean }): AppLogger {
  const noop = (): void => undefined;
  const enabled = (level: 'error' | 'warn' | 'info' | 'debug'): boolean => logger.isLevelEnabled(level);
  const writer = (level: 'error' | 'warn' | 'info' | 'debug'): AppLogger['info'] =>
    enabled(level) ? (message, meta) => void (state.closed ? undefined : logger.log(level, message, meta)) : noop;
  return {
    error: writer('error'),
    warn: writer('warn'),
    info: writer('info'),
    debug: writer('debug'),
    child: (meta) => wrap(logger.child(meta), state),
    isLevelEnabled: enabled,
  };
}

function consoleFormat(colors: boolean) {
  return format.combine(
    ...(colors ? [format.colorize()] : []),
    format.printf((info) => {
      const { timestamp, level, message, stack, ...meta } = info;
      const details = Object.keys(meta).length === 0 ? '' : ` ${JSON.stringify(meta)}`;
      const trace = typeof stack === 'string' ? `\n${stack}` : '';
      return `${String(timestamp)} ${level}: ${String(message)}${details}${trace}`;
    }),
  );
}

/** Creates the log file's directory and proves the file is writable, so a bad path fails at startup. */
function prepareLogFile(logFile: string): void {
  try {
    // Only the proxy's user reads its logs: they name clients, backends and failures.
    fs.mkdirSync(path.dirname(logFile), { recursive: true, mode: 0o700 });
    fs.closeSync(fs.openSync(logFile, 'a'));
  } catch (error) {
    throw new LlmProxyError({
      code: 'LOG_FILE_UNWRITABLE',
      message: `Log file ${logFile} cannot be written`,
      currentValue: (error as NodeJS.ErrnoException).code ?? String(error),
      fix: 'Choose a writable path with --log-file, LLM_PROXY_LOG_FILE or logging.file in YAML',
      cause: error,
    });
  }
}
