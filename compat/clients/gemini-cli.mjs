/**
 * @fileoverview Gemini CLI in the compatibility suite: the environment and
 * `~/.gemini/settings.json` from docs/frontends/gemini.md, `gemini -m <model> -p`, and its
 * `read_file` tool (read-only, so it runs without approval) on the nonce file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fillPlaceholders, parseShellRecipe, requireBlock } from '../doc-recipes.mjs';
import { firstDeclaredProperty } from './tool-arguments.mjs';

export const geminiCli = {
  id: 'gemini-cli',
  title: 'Gemini CLI',
  doc: 'docs/frontends/gemini.md',

  /**
   * @param {import('./client-types.mjs').PrepareInput} input
   * @returns {Promise<import('./client-types.mjs').PreparedRun>}
   */
  async prepare({ blocks, proxyAddress, key, model, prompt, home, bin }) {
    const { env, commands } = parseShellRecipe(fillPlaceholders(requireBlock(blocks, 'gemini-cli:env', this.doc), { proxyAddress, key }));
    const documented = commands.find((words) => words[0] === 'gemini');
    const args = documented?.slice(1) ?? [];
    const modelFlag = args.indexOf('-m');
    if (!documented || modelFlag < 0 || modelFlag + 1 >= args.length) throw new Error(`${this.doc}: the gemini-cli:env recipe no longer runs \`gemini -m <model>\``);
    const settings = requireBlock(blocks, 'gemini-cli:settings.json', this.doc);
    JSON.parse(settings);
    await mkdir(path.join(home, '.gemini'), { recursive: true });
    await writeFile(path.join(home, '.gemini', 'settings.json'), settings);
    args[modelFlag + 1] = model;
    return { env, command: [bin, ...args, '-p', prompt] };
  },

  /** @type {import('./client-types.mjs').ChooseToolCall} */
  chooseToolCall(tools, { nonceFile }) {
    const read = tools.find((tool) => tool.name === 'read_file');
    const property = read && firstDeclaredProperty(read.parameters, ['file_path', 'absolute_path', 'path']);
    return read && property ? { name: read.name, arguments: { [property]: nonceFile } } : null;
  },
};
