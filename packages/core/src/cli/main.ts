#!/usr/bin/env node
/**
 * @fileoverview The `llm-proxy` bin.
 */
// First, so the young generation stays small while the other modules load too.
import './young-generation-cap.js';
import { hideBin } from 'yargs/helpers';

import { runCli } from './run-cli.js';

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
