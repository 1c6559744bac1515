/**
 * @fileoverview What a CLI command may touch of its process, passed in so the commands do not
 * reach for globals.
 */

export interface CommandEnvironment {
  /** Command-line arguments after the program name. */
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Only the listening line, a generated key and reports go here. */
  stdout: NodeJS.WritableStream;
  /** Errors and log output. */
  stderr: NodeJS.WritableStream;
  /** Where SIGTERM/SIGINT arrive (the process). */
  signals: { on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown };
  /** Ends the process immediately (a second stop signal). */
  exitNow(code: number): never;
}
