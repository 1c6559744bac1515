/**
 * @fileoverview Claude Code in the compatibility suite: the environment from
 * docs/frontends/anthropic.md, `claude -p`, and its `Read` tool (allowed without asking for a
 * file inside the working directory) on the nonce file.
 */
import { fillPlaceholders, parseShellRecipe, requireBlock } from '../doc-recipes.mjs';
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
    const { env, commands } = parseShellRecipe(fillPlaceholders(requireBlock(blocks, 'claude-code:env', this.doc), { proxyAddress, key }));
    for (const name of ['ANTHROPIC_MODEL', 'ANTHROPIC_DEFAULT_HAIKU_MODEL']) {
      if (!(name in env)) throw new Error(`${this.doc}: the claude-code:env recipe no longer sets ${name}`);
      env[name] = model;
    }
    if (!commands.some((words) => words[0] === 'claude')) throw new Error(`${this.doc}: the claude-code:env recipe does not start \`claude\``);
    return { env, command: [bin, '-p', prompt] };
  },

  /** @type {import('./client-types.mjs').ChooseToolCall} */
  chooseToolCall(tools, { nonceFile }) {
    const read = tools.find((tool) => tool.name === 'Read');
    const property = read && firstDeclaredProperty(read.parameters, ['file_path', 'path']);
    return read && property ? { name: read.name, arguments: { [property]: nonceFile } } : null;
  },
};
