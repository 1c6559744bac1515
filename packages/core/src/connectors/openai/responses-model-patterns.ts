/**
 * @fileoverview Which models a backend reaches through the Responses API (`POST /responses`)
 * rather than Chat Completions: `backends.<name>.responses_models`, a list of model names
 * where `*` matches any run of characters.
 */
import { invalidBackendConfig } from '@llmproxy/connector-sdk';

/**
 * OpenAI's models that exist only in the Responses API: the `-pro` reasoning models (o1-pro,
 * o3-pro, gpt-5-pro and their dated snapshots), the Codex models (gpt-5-codex,
 * gpt-5.1-codex-max, codex-mini-latest, ...), deep research and computer use.
 */
export const DEFAULT_OPENAI_RESPONSES_MODELS: readonly string[] = Object.freeze([
  '*-pro',
  '*-pro-*',
  '*codex*',
  '*-deep-research*',
  'computer-use-*',
]);

/** Reads `responses_models` (a list of patterns), or `defaults` when it is absent. */
export function readResponsesModels(config: Record<string, unknown>, backendName: string, defaults: readonly string[]): readonly string[] {
  const value = config['responses_models'];
  if (value === undefined || value === null) return defaults;
  const problem = 'must be a list of model names, where * matches any characters';
  if (!Array.isArray(value)) throw invalidBackendConfig(backendName, 'responses_models', problem, JSON.stringify(value));
  return value.map((entry: unknown, index) => {
    if (typeof entry !== 'string' || entry === '') {
      throw invalidBackendConfig(backendName, `responses_models[${index}]`, problem, JSON.stringify(entry));
    }
    return entry;
  });
}

/** Model names whose answer a matcher remembers: a backend serves a handful; clients may send any. */
const REMEMBERED_MODELS = 256;

/**
 * A matcher for `patterns`, case-insensitive like model names at OpenAI. It is asked on every
 * request, and each leading `*` makes the expression try every start position, so answers are
 * remembered per model name.
 */
export function compileModelPatterns(patterns: readonly string[]): (model: string) => boolean {
  if (patterns.length === 0) return () => false;
  const alternatives = patterns.map((pattern) => pattern.split('*').map(escapeRegExp).join('.*'));
  const expression = new RegExp(`^(?:${alternatives.join('|')})$`, 'i');
  const answers = new Map<string, boolean>();
  return (model) => {
    let answer = answers.get(model);
    if (answer === undefined) {
      answer = expression.test(model);
      if (answers.size >= REMEMBERED_MODELS) answers.clear();
      answers.set(model, answer);
    }
    return answer;
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
