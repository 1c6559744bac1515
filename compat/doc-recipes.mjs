/**
 * @fileoverview Reads the client recipes out of docs/frontends/*.md, so the suite runs exactly
 * what the docs tell users to do. A recipe block is a fenced code block right after a marker
 * line `<!-- compat-suite: <name> -->` (invisible when the Markdown is rendered). The suite
 * replaces only what differs per machine and per cell: the proxy's address `127.0.0.1:8000`,
 * the client key placeholder `<the key llm-proxy printed>`, and the model the cell asks for.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const MARKER = /^<!--\s*compat-suite:\s*([\w.:-]+)\s*-->\s*$/;
const FENCE = /^(```+|~~~+)/;

export const DOCUMENTED_ADDRESS = '127.0.0.1:8000';
export const DOCUMENTED_KEY = '<the key llm-proxy printed>';

/**
 * Every marked block of one Markdown file, by name.
 * @param {string} file
 * @returns {Promise<Map<string, string>>}
 */
export async function readMarkedBlocks(file) {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const blocks = new Map();
  for (let index = 0; index < lines.length; index++) {
    const marker = MARKER.exec(lines[index].trim());
    if (!marker) continue;
    const fence = FENCE.exec(lines[index + 1]?.trim() ?? '');
    if (!fence) throw new Error(`${path.basename(file)}:${index + 1}: the marker "${marker[1]}" must be followed directly by a fenced code block`);
    const body = [];
    let end = index + 2;
    for (; end < lines.length && !lines[end].trim().startsWith(fence[1]); end++) body.push(lines[end]);
    if (end >= lines.length) throw new Error(`${path.basename(file)}:${index + 2}: the code block marked "${marker[1]}" is never closed`);
    if (blocks.has(marker[1])) throw new Error(`${path.basename(file)}: the marker "${marker[1]}" appears twice`);
    blocks.set(marker[1], body.join('\n'));
    index = end;
  }
  return blocks;
}

/**
 * The block named `name`, or an error naming the doc and the marker it lacks.
 * @param {Map<string, string>} blocks @param {string} name @param {string} file
 */
export function requireBlock(blocks, name, file) {
  const block = blocks.get(name);
  if (block === undefined) throw new Error(`${file} has no code block marked <!-- compat-suite: ${name} -->`);
  return block;
}

/**
 * A shell recipe: its `export NAME=value` lines and its other commands, comments removed.
 * @param {string} script
 * @returns {{ env: Record<string, string>, commands: string[][] }}
 */
export function parseShellRecipe(script) {
  /** @type {Record<string, string>} */
  const env = {};
  const commands = [];
  for (const rawLine of script.split('\n')) {
    const words = shellWords(rawLine);
    if (words.length === 0) continue;
    if (words[0] === 'export') {
      for (const assignment of words.slice(1)) {
        const equals = assignment.indexOf('=');
        if (equals <= 0) throw new Error(`cannot read the shell line "${rawLine.trim()}"`);
        env[assignment.slice(0, equals)] = assignment.slice(equals + 1);
      }
    } else {
      commands.push(words);
    }
  }
  return { env, commands };
}

/** Splits one shell line into words: single and double quotes, `#` comments; no expansions. */
function shellWords(line) {
  const words = [];
  let current = '';
  let inWord = false;
  let quote = '';
  for (const character of line) {
    if (quote) {
      if (character === quote) quote = '';
      else current += character;
    } else if (character === '"' || character === "'") {
      quote = character;
      inWord = true;
    } else if (character === '#' && !inWord) {
      break;
    } else if (/\s/.test(character)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += character;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated quote in the shell line "${line.trim()}"`);
  if (inWord) words.push(current);
  return words;
}

/**
 * The documented proxy start command's own arguments (`npx llm-proxy --default-backend gemini`
 * gives `['--default-backend', 'gemini']`).
 * @param {string} script
 */
export function proxyArgumentsOf(script) {
  const command = parseShellRecipe(script).commands.find((words) => words[0] === 'npx' && words[1] === 'llm-proxy');
  if (!command) throw new Error('the proxy recipe has no `npx llm-proxy` line');
  return command.slice(2);
}

/**
 * Puts the running proxy's address and key where the docs have their placeholders.
 * @param {string} text @param {{ proxyAddress: string, key: string }} actual
 */
export function fillPlaceholders(text, actual) {
  return text.split(DOCUMENTED_ADDRESS).join(actual.proxyAddress).split(DOCUMENTED_KEY).join(actual.key);
}

/**
 * A documented headless run (`claude -p "..."`): the variables its block exports, and its
 * command with the installed executable first and the suite's prompt in place of the
 * documented one (the last word).
 * @param {string} script The block, placeholders filled.
 * @param {{ name: string, path: string }} executable The command's documented name and the installed path.
 * @param {string} prompt
 */
export function headlessRecipe(script, executable, prompt) {
  const { env, commands } = parseShellRecipe(script);
  const command = commands.find((words) => words[0] === executable.name);
  if (!command || command.length < 2) throw new Error(`the recipe does not run \`${executable.name} ... "<prompt>"\``);
  return { env, command: [executable.path, ...command.slice(1, -1), prompt] };
}
