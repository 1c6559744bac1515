/**
 * @fileoverview Whether output to a stream may carry colour: only to a terminal, and never when
 * the user set `NO_COLOR` (https://no-color.org: any non-empty value) or the terminal is `dumb`.
 */

export function consoleColorsWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}
