/**
 * @fileoverview Gemini CLI in the compatibility suite: the environment and
 * `~/.gemini/settings.json` from docs/frontends/gemini.md, its `gemini -m <model> -p` run, and its
 * `read_file` tool (read-only, so it runs without approval) on the nonce file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fillPlaceholders, headlessRecipe, parseShellRecipe, requireBlock } from '../doc-recipes.mjs';
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
    const fill = (name) => fillPlaceholders(requireBlock(blocks, name, this.doc), { proxyAddress, key });
    const { env } = parseShellRecipe(fill('gemini-cli:env'));
    const headless = headlessRecipe(fill('gemini-cli:headless'), { name: 'gemini', path: bin }, prompt);
    const modelFlag = headless.command.indexOf('-m');
    if (modelFlag < 0 || !headless.command.includes('-p')) throw new Error(`${this.doc}: the gemini-cli:headless recipe no longer runs \`gemini -m <model> -p\``);
    headless.command[modelFlag + 1] = model;
    const settings = requireBlock(blocks, 'gemini-cli:settings.json', this.doc);
    JSON.parse(settings);
    await mkdir(path.join(home, '.gemini'), { recursive: true });
    await writeFile(path.join(home, '.gemini', 'settings.json'), settings);
    return { env: { ...env, ...headless.env }, command: headless.command };
  },

  /** @type {import('./client-types.mjs').ChooseToolCall} */
  chooseToolCall(tools, { nonceFile }) {
    const read = tools.find((tool) => tool.name === 'read_file');
    const property = read && firstDeclaredProperty(read.parameters, ['file_path', 'absolute_path', 'path']);
    return read && property ? { name: read.name, arguments: { [property]: nonceFile } } : null;
  },
};
