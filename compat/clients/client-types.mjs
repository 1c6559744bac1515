/**
 * @fileoverview The contract each client module of the compatibility suite fulfils (JSDoc only).
 *
 * @typedef {object} PrepareInput
 * @property {Map<string, string>} blocks The marked recipe blocks of the client's doc.
 * @property {string} proxyAddress `127.0.0.1:<port>` of the running proxy.
 * @property {string} key The proxy's client key.
 * @property {string} model The `backend:model` the cell asks for.
 * @property {string} prompt
 * @property {string} home The client's HOME (a temporary directory).
 * @property {string} workspace The client's working directory, holding the nonce file.
 * @property {string} bin The installed client executable.
 *
 * @typedef {object} PreparedRun
 * @property {Record<string, string>} env Variables the recipe sets.
 * @property {string[]} command The executable and its arguments.
 *
 * @typedef {(tools: import('../wire/types.mjs').OfferedTool[], context: { nonceFile: string, workspace: string }) =>
 *   ({ name: string, arguments: Record<string, unknown> } | null)} ChooseToolCall
 */
export {};
