/**
 * @fileoverview Shows that a command is waiting (for a device-code or browser login): on a
 * terminal a spinner line, redrawn in place, with the time left when there is a deadline; off a
 * terminal (a log, a CI job) or on a `dumb` one, a plain line now and then instead, since
 * carriage returns and line erasing only make sense where a cursor is. It writes to stderr, so
 * stdout keeps only the command's results.
 *
 * A few lines over the stream rather than a spinner package: ora brings a dozen dependencies
 * (chalk, cli-cursor, log-symbols...), nanospinner is small but draws nothing off a terminal and
 * shows no deadline, and both would still need the plain-line mode written here.
 */
import type { ProgressIndicator } from '@llmproxy/connector-sdk';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** Epoch milliseconds after which waiting is pointless (a device code expires); shown as time left. */
  expiresAt?: number | undefined;
  env: NodeJS.ProcessEnv;
  now?: () => number;
  /** How often the spinner is redrawn on a terminal. */
  frameIntervalMs?: number;
  /** How often a plain line is written off a terminal. */
  lineIntervalMs?: number;
}

const FRAMES = ['-', '\\', '|', '/'];
/** Moves to the start of the line and erases it. */
const CLEAR_LINE = '\r\u001b[K';

export function startProgressIndicator(stream: ProgressStream, message: string, options: ProgressOptions): ProgressIndicator {
  const now = options.now ?? Date.now;
  const timeLeft = (): string => (options.expiresAt === undefined ? '' : ` (${minutesAndSeconds(options.expiresAt - now())} left)`);
  const interactive = stream.isTTY === true && options.env['TERM'] !== 'dumb';

  let frame = 0;
  const draw = interactive
    ? (): void => void stream.write(`${CLEAR_LINE}${FRAMES[frame++ % FRAMES.length]} ${message}${timeLeft()}`)
    : (): void => void stream.write(`${message}${timeLeft()}\n`);
  const timer = setInterval(draw, interactive ? (options.frameIntervalMs ?? 120) : (options.lineIntervalMs ?? 30_000));
  // A pending login must not keep the process alive on its own.
  timer.unref();
  if (interactive) draw();

  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (interactive) stream.write(CLEAR_LINE);
    },
  };
}

/** `9:05` for 545 seconds; never negative. */
function minutesAndSeconds(milliseconds: number): string {
  const seconds = Math.max(0, Math.ceil(milliseconds / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
