/**
 * @fileoverview Prints the compatibility matrix (clients down, backends across) and, for each
 * failed cell, why: the failed checks, the proxy's 4xx log entries, the HTTP errors the client
 * quoted, the requests the upstream saw and where the cell's files were kept.
 */

/**
 * @typedef {object} MatrixEntry
 * @property {string} client
 * @property {string} backend
 * @property {'pass' | 'fail' | 'skip'} status
 * @property {string[]} failures
 * @property {number} [seconds]
 * @property {Record<string, unknown>[]} [proxyClientErrors]
 * @property {{ method: string, path: string, status: number, body: string }[]} [proxyErrorAnswers]
 * @property {string[]} [clientErrorLines]
 * @property {string} [clientOutputTail]
 * @property {string[]} [upstreamRequests]
 * @property {string} [keptDirectory]
 */

/**
 * @param {MatrixEntry[]} results
 * @param {{ id: string, title: string }[]} clients
 * @param {{ id: string, title: string }[]} backends
 * @param {Record<string, string>} versions
 */
export function formatMatrix(results, clients, backends, versions) {
  const rows = [['client', ...backends.map((backend) => backend.title)]];
  for (const client of clients) {
    const cells = backends.map((backend) => {
      const result = results.find((each) => each.client === client.id && each.backend === backend.id);
      if (!result) return '-';
      return result.seconds === undefined ? result.status.toUpperCase() : `${result.status.toUpperCase()} ${result.seconds}s`;
    });
    if (cells.every((cell) => cell === '-')) continue;
    rows.push([`${client.title} ${versions[client.id] ?? ''}`.trim(), ...cells]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

/** @param {MatrixEntry[]} results */
export function formatFailures(results) {
  const sections = [];
  for (const result of results.filter((each) => each.status !== 'pass')) {
    const lines = [`=== ${result.status.toUpperCase()} ${result.client} / ${result.backend}`];
    for (const failure of result.failures) lines.push(`  - ${failure}`);
    for (const entry of result.proxyClientErrors ?? []) lines.push(`  proxy log: ${describeLogEntry(entry)}`);
    for (const answer of distinct(result.proxyErrorAnswers ?? [])) lines.push(`  proxy answered ${answer}`);
    if (!result.proxyErrorAnswers?.length) for (const errorLine of result.clientErrorLines ?? []) lines.push(`  client said: ${errorLine}`);
    if (result.upstreamRequests?.length) lines.push('  upstream saw:', ...result.upstreamRequests.map((request) => `    ${request}`));
    if (result.clientOutputTail) lines.push('  client output (last lines):', ...result.clientOutputTail.split('\n').map((text) => `    ${text.slice(0, 400)}`));
    if (result.keptDirectory) lines.push(`  files: ${result.keptDirectory}`);
    sections.push(lines.join('\n'));
  }
  return sections.join('\n\n');
}

/** Each different 4xx answer once, with how often it came. */
function distinct(answers) {
  const counts = new Map();
  for (const answer of answers) {
    const text = `${answer.status} to ${answer.method} ${answer.path}: ${answer.body.replace(/\s+/g, ' ').trim().slice(0, 700)}`;
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts].map(([text, count]) => (count > 1 ? `${text} (${count} times)` : text));
}

/** The fields of a 4xx log entry that say what failed, without the timestamp noise. */
function describeLogEntry(entry) {
  const rest = Object.fromEntries(Object.entries(entry).filter(([name]) => name !== 'timestamp' && name !== 'level'));
  return JSON.stringify(rest).slice(0, 600);
}
