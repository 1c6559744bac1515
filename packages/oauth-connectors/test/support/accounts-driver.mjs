// Runs core's `llm-proxy accounts` command (built dist) in this process, as the CLI would:
//   node accounts-driver.mjs '<argv JSON>' '<action JSON>'
// The argv's flags are parsed by core's own command-line parser (the command's `--name` and
// words pass through), and the parsed result goes to the command, as the CLI hands it over.
// The working directory and environment are this process's own.
import { accountsCommand } from '../../../core/dist/cli/accounts-command.js';
import { createCommandLineParser } from '../../../core/dist/cli/create-command-line-parser.js';

const [argvJson, actionJson] = process.argv.slice(2);
const argv = JSON.parse(argvJson ?? '[]');
const commandLine = await createCommandLineParser(argv).help(false).version(false).parseAsync();
const exitCode = await accountsCommand(
  {
    argv,
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    signals: process,
    exitNow: (code) => process.exit(code),
  },
  commandLine,
  JSON.parse(actionJson ?? '{}'),
);
process.stdout.write('', () => process.exit(exitCode));
