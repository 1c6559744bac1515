/**
 * @fileoverview The `llm-proxy` bin's work, imported by main.ts once the young generation is capped.
 */
import { hideBin } from 'yargs/helpers';

import { runCli } from './run-cli.js';

/** Runs the CLI on this process's arguments and exits with its code. */
export async function runMain(): Promise<void> {
  const exitCode = await runCli({
    argv: hideBin(process.argv),
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    signals: process,
    exitNow: (code) => process.exit(code),
  });

  // Connector timers or sockets must not keep a finished command alive; flush stdout first.
  process.stdout.write('', () => process.exit(exitCode));
}
