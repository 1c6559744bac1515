/**
 * @fileoverview Codex CLI in the compatibility suite: `~/.codex/config.toml` and the environment
 * from docs/frontends/openai.md, its `codex exec` run, and its shell tool running `cat` on the nonce file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fillPlaceholders, headlessRecipe, parseShellRecipe, requireBlock } from '../doc-recipes.mjs';
import { firstDeclaredProperty, isArrayProperty } from './tool-arguments.mjs';

/** Codex has named its shell tool differently across releases; the first one offered is used. */
const SHELL_TOOLS = ['shell_command', 'exec_command', 'shell', 'local_shell'];

export const codex = {
  id: 'codex',
  title: 'Codex CLI',
  doc: 'docs/frontends/openai.md',

  /**
   * @param {import('./client-types.mjs').PrepareInput} input
   * @returns {Promise<import('./client-types.mjs').PreparedRun>}
   */
  async prepare({ blocks, proxyAddress, key, model, prompt, home, bin }) {
    const filled = { proxyAddress, key };
    const toml = fillPlaceholders(requireBlock(blocks, 'codex:config.toml', this.doc), filled);
    const modelLine = /^model\s*=.*$/m;
    if (!modelLine.test(toml)) throw new Error(`${this.doc}: the codex:config.toml recipe no longer sets \`model\``);
    await mkdir(path.join(home, '.codex'), { recursive: true });
    await writeFile(path.join(home, '.codex', 'config.toml'), toml.replace(modelLine, `model = ${JSON.stringify(model)}`));
    const { env } = parseShellRecipe(fillPlaceholders(requireBlock(blocks, 'codex:env', this.doc), filled));
    const headless = headlessRecipe(fillPlaceholders(requireBlock(blocks, 'codex:headless', this.doc), filled), { name: 'codex', path: bin }, prompt);
    if (headless.command[1] !== 'exec') throw new Error(`${this.doc}: the codex:headless recipe no longer runs \`codex exec\``);
    return { env: { ...env, ...headless.env }, command: headless.command };
  },

  /** @type {import('./client-types.mjs').ChooseToolCall} */
  chooseToolCall(tools, { nonceFile }) {
    for (const name of SHELL_TOOLS) {
      const tool = tools.find((offered) => offered.name === name);
      const property = tool && firstDeclaredProperty(tool.parameters, ['command', 'cmd']);
      if (!tool || !property) continue;
      const command = isArrayProperty(tool.parameters, property) ? ['cat', nonceFile] : `cat ${JSON.stringify(nonceFile)}`;
      return { name, arguments: { [property]: command } };
    }
    return null;
  },
};
