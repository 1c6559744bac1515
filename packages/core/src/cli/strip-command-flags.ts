/**
 * @fileoverview Removes a subcommand's own flags from the argument list before the settings
 * are resolved: the settings parser knows only the settings' flags and rejects any other.
 */

export interface CommandFlags {
  /** Flags followed by a value (`--user alice` or `--user=alice`). */
  withValue: readonly string[];
  /** Flags without a value. */
  switches: readonly string[];
}

export function stripCommandFlags(argv: readonly string[], flags: CommandFlags): string[] {
  const kept: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    const name = argument.startsWith('--') ? argument.slice(2).split('=', 1)[0] ?? '' : undefined;
    if (name !== undefined && flags.withValue.includes(name)) {
      if (!argument.includes('=')) index += 1;
      continue;
    }
    if (name !== undefined && flags.switches.includes(name)) continue;
    kept.push(argument);
  }
  return kept;
}
