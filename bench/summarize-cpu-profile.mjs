/**
 * @fileoverview Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and sums self time by where
 * the code lives: each npm package, each folder of llmproxy's own code, Node internals, GC and
 * idle. Answers "which library is the cost" without opening a profiler UI.
 *
 * Run alone: `node bench/summarize-cpu-profile.mjs <file.cpuprofile> [rows]` (by package, then by function).
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

/** Pseudo-frames V8 reports on their own: GC, idle, program (native code outside JavaScript). */
const PSEUDO_FRAME = /^\(.*\)$/;

/**
 * Where a frame's code lives, or undefined for a native function (such as `writev`), which is
 * charged to its JavaScript caller instead.
 * @param {{ url: string, functionName: string }} callFrame
 * @returns {string | undefined}
 */
function locationOf(callFrame) {
  const { url, functionName } = callFrame;
  if (url === '') return PSEUDO_FRAME.test(functionName) ? functionName : undefined;
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (packageMatch?.[1] !== undefined) return packageMatch[1];
  const ownCode = /packages\/([^/]+)\/dist\/([^/]+)/.exec(url);
  if (ownCode !== null) return `@llmproxy/${ownCode[1]} ${ownCode[2]?.endsWith('.js') ? '(top level)' : `${ownCode[2]}/`}`;
  if (url.startsWith('node:')) {
    const module = url.slice('node:'.length).replace(/^internal\//, '').split('/')[0] ?? '';
    return `node ${module.startsWith('_http_') ? 'http' : module}`;
  }
  return url;
}

/**
 * @param {string} file
 * @returns {Promise<Array<{ location: string, selfMs: number, share: number }>>} largest first
 */
export async function summarizeCpuProfile(file) {
  const profile = JSON.parse(await readFile(file, 'utf8'));
  /** @type {Map<number, number>} */
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @type {Map<number, string>} */
  const locationByNode = new Map();
  const resolveLocation = (nodeId) => {
    let currentId = nodeId;
    while (currentId !== undefined) {
      const location = locationOf(nodeById.get(currentId).callFrame);
      if (location !== undefined) return location;
      currentId = parentOf.get(currentId);
    }
    return '(native)';
  };
  for (const node of profile.nodes) locationByNode.set(node.id, resolveLocation(node.id));
  /** @type {Map<string, number>} */
  const selfMicroseconds = new Map();
  profile.samples.forEach((nodeId, index) => {
    const location = locationByNode.get(nodeId) ?? '(unknown)';
    selfMicroseconds.set(location, (selfMicroseconds.get(location) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const busy = [...selfMicroseconds].filter(([location]) => location !== '(idle)');
  const busyTotal = busy.reduce((total, [, microseconds]) => total + microseconds, 0);
  return busy
    .map(([location, microseconds]) => ({ location, selfMs: microseconds / 1000, share: microseconds / busyTotal }))
    .sort((left, right) => right.selfMs - left.selfMs);
}

/**
 * Self time by function (name, file and line), for naming the functions behind a package's
 * share. Native functions such as `writev` (the socket write system call) count on their own.
 * @param {string} file
 * @returns {Promise<Array<{ location: string, selfMs: number, share: number }>>} largest first
 */
export async function summarizeCpuProfileFunctions(file) {
  const profile = JSON.parse(await readFile(file, 'utf8'));
  const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @type {Map<string, number>} */
  const selfMicroseconds = new Map();
  profile.samples.forEach((nodeId, index) => {
    const { functionName, url, lineNumber } = nodeById.get(nodeId).callFrame;
    if (functionName === '(idle)') return;
    const where = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/packages\//, '');
    const label = `${functionName || '(anonymous)'}${where === '' ? '' : ` ${where}:${lineNumber + 1}`}`;
    selfMicroseconds.set(label, (selfMicroseconds.get(label) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const busyTotal = [...selfMicroseconds.values()].reduce((total, microseconds) => total + microseconds, 0);
  return [...selfMicroseconds]
    .map(([location, microseconds]) => ({ location, selfMs: microseconds / 1000, share: microseconds / busyTotal }))
    .sort((left, right) => right.selfMs - left.selfMs);
}

/**
 * @param {Array<{ location: string, selfMs: number, share: number }>} summary
 * @param {number} rows
 */
export function formatCpuProfileSummary(summary, rows) {
  const width = Math.max(...summary.slice(0, rows).map((entry) => entry.location.length), 10);
  return summary
    .slice(0, rows)
    .map((entry) => `  ${entry.location.padEnd(width)}  ${entry.selfMs.toFixed(0).padStart(7)} ms  ${(entry.share * 100).toFixed(1).padStart(5)} %`)
    .join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, rows = '20'] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('Usage: node bench/summarize-cpu-profile.mjs <file.cpuprofile> [rows]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatCpuProfileSummary(await summarizeCpuProfile(file), Number(rows))}\n\nby function:\n`);
  process.stdout.write(`${formatCpuProfileSummary(await summarizeCpuProfileFunctions(file), Number(rows))}\n`);
}
