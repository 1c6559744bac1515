/**
 * @fileoverview The shapes the scripted upstream passes between a wire protocol and the script
 * (JSDoc only; this module exports nothing at run time).
 *
 * @typedef {object} OfferedTool A function tool the client offered, under the name the upstream sees.
 * @property {string} name
 * @property {any} parameters Its JSON schema.
 *
 * @typedef {object} ToolResult A tool result found anywhere in the request's conversation.
 * @property {string} callId
 * @property {string} text The result as JSON text, whatever its shape in this API.
 *
 * @typedef {object} RequestView What the script needs from one model request, whatever its API.
 * @property {string} model
 * @property {boolean} stream
 * @property {OfferedTool[]} tools
 * @property {ToolResult[]} toolResults
 *
 * @typedef {object} ScriptedAnswer Either text or one tool call.
 * @property {string} [text]
 * @property {{ id: string, name: string, arguments: Record<string, unknown> }} [toolCall]
 */
export {};
