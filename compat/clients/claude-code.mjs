/**
 * @fileoverview Claude Code in the compatibility suite: the environment and the `claude -p` run
 * from docs/frontends/anthropic.md, and its `Read` tool (allowed without asking for a file inside
 * the working directory) on the nonce file.
 */
import { fillPlaceholders, headlessRecipe, parseShellRecipe, requireBlock } from '../doc-recipes.mjs';
import { firstDeclaredProperty } from './tool-arguments.mjs';

export const claudeCode = {
  id: 'claude-code',
  title: 'Claude Code',
  doc: 'docs/frontends/anthropic.md',

  /**
   * @param {import('./client-types.mjs').PrepareInput} input
   * @returns {Promise<import('./client-types.mjs').PreparedRun>}
   */
  async prepare({ blocks, proxyAddress, key, model, prompt, bin }) {
    const fill = (name) => fillPlaceholders(requireBlock(blocks, name, this.doc), { proxyAddress, key });
    const { env } = parseShellRecipe(fill('claude-code:env'));
    for (const name of ['ANTHROPIC_MODEL', 'ANTHROPIC_DEFAULT_HAIKU_MODEL']) {
      if (!(name in env)) throw new Error(`${this.doc}: the claude-code:env recipe no longer sets ${name}`);
      env[name] = model;
    }
    const headless = headlessRecipe(fill('claude-code:headless'), { name: 'claude', path: bin }, prompt);
    if (!headless.command.includes('-p')) throw new Error(`${this.doc}: the claude-code:headless recipe no longer runs \`claude -p\``);
    return { env: { ...env, ...headless.env }, command: headless.command };
  },

  /** @type {import('./client-types.mjs').ChooseToolCall} */
  chooseToolCall(tools, { nonceFile }) {
    const read = tools.find((tool) => tool.name === 'Read');
    const property = read && firstDeclaredProperty(read.parameters, ['file_path', 'path']);
    return read && property ? { name: read.name, arguments: { [property]: nonceFile } } : null;
  },
};
