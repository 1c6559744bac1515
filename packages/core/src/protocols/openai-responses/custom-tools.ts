/**
 * @fileoverview Custom (free-form) tools, which Codex CLI declares for some models (e.g. its
 * `apply_patch`): the model calls them with plain text instead of JSON arguments. No other API
 * has them, so each becomes a function with one string parameter, `input`, and its calls are
 * turned back into `custom_tool_call` items for the client. A grammar the input must follow is
 * put into the description, since only OpenAI can enforce it.
 */
import type { ToolDefinition } from '@llmproxy/connector-sdk';

/** The function that stands in for a custom tool. */
export function customToolDefinition(name: string, description: string | undefined, format: Record<string, unknown> | undefined): ToolDefinition {
  let note = 'Call this tool with its free-form input as the `input` string';
  if (format !== undefined && format['type'] === 'grammar' && typeof format['definition'] === 'string') {
    const syntax = typeof format['syntax'] === 'string' ? format['syntax'] : 'lark';
    note += `; the input must match this ${syntax} grammar:\n${format['definition']}`;
  }
  return {
    name,
    description: description === undefined || description === '' ? `${note}.` : `${description}\n\n${note}.`,
    parameters: {
      type: 'object',
      properties: { input: { type: 'string', description: 'The free-form input' } },
      required: ['input'],
      additionalProperties: false,
    },
  };
}

/** A custom tool call's input as the arguments of its stand-in function. */
export function wrapCustomToolInput(input: string): string {
  return JSON.stringify({ input });
}

/** The input inside stand-in arguments; arguments that are not `{"input": "..."}` are passed on as they are. */
export function unwrapCustomToolInput(argumentsText: string): string {
  try {
    const parsed = JSON.parse(argumentsText) as unknown;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { input?: unknown }).input === 'string') {
      return (parsed as { input: string }).input;
    }
  } catch {
    // Not JSON: the model wrote the input directly.
  }
  return argumentsText;
}
