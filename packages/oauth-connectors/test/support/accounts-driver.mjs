// Runs core's `llm-proxy accounts` command (built dist) in this process, as the CLI would:
//   node accounts-driver.mjs '<argv JSON>' '<action JSON>'
// The working directory and environment are this process's own.
import { accountsCommand } from '../../../core/dist/cli/accounts-command.js';

const [argvJson, actionJson] = process.argv.slice(2);
const exitCode = await accountsCommand(
  {
    argv: JSON.parse(argvJson ?? '[]'),
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    signals: process,
    exitNow: (code) => process.exit(code),
  },
  JSON.parse(actionJson ?? '{}'),
);
process.stdout.write('', () => process.exit(exitCode));
