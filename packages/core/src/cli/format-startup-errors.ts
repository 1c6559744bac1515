/**
 * @fileoverview Renders whatever stopped a command for people: every problem on its own line,
 * with its code, and where the codes are documented.
 */
import { ERRORS_DOCS_URL, LlmProxyError } from '@llmproxy/connector-sdk';

import { listStartupErrors } from '../config/startup-errors.js';

export function formatStartupErrors(thrown: unknown): string {
  const problems = listStartupErrors(thrown);
  const lines = problems.map((problem) => {
    if (LlmProxyError.is(problem)) return `Error [${problem.code}]: ${problem.message}`;
    // Not one of ours: a bug or an environment failure; the stack is what helps.
    return problem instanceof Error ? (problem.stack ?? `Error: ${problem.message}`) : `Error: ${String(problem)}`;
  });
  if (problems.some((problem) => LlmProxyError.is(problem))) {
    lines.push(`Error codes are explained at ${ERRORS_DOCS_URL}`);
  }
  return `${lines.join('\n')}\n`;
}
