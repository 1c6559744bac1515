/**
 * @fileoverview Requests per second at a fixed number of connections, with autocannon, in
 * interleaved slices: each target gets several short runs in a rotating order instead of one
 * long run, so load from elsewhere on the machine spreads over all targets alike. Each target
 * may say what its client sends (an OpenAI Chat request by default), so one set of slices
 * covers the same-API and the translated requests of several processes.
 */
import { readFile } from 'node:fs/promises';
import autocannon from 'autocannon';
import { OPENAI_CHAT_CALL } from './workload.mjs';
import { percentileOf } from './statistics.mjs';

/**
 * @typedef {object} ThroughputResult
 * @property {number} requestsPerSecond completed requests over the measured seconds, all slices together
 * @property {number} latencyP50Ms under load, the median of the slices' p50
 * @property {number} latencyP99Ms under load, the median of the slices' p99
 * @property {number} total requests completed
 * @property {number} non2xx
 * @property {number} errors
 * @property {number} timeouts
 * @property {number | undefined} cpuUsPerRequest the target process's user + system CPU time over
 *   the measured slices, per completed request (undefined without a pid or without /proc)
 */

/** Linux reports process CPU time in clock ticks of 10 ms (USER_HZ 100 on every mainstream kernel). */
const MICROSECONDS_PER_TICK = 10_000;

/**
 * The CPU time a process used so far (user + system), in microseconds, from /proc; undefined
 * where there is no /proc.
 * @param {number | undefined} pid
 */
export async function cpuMicroseconds(pid) {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * MICROSECONDS_PER_TICK;
  } catch {
    return undefined;
  }
}

/**
 * @typedef {object} ThroughputTarget
 * @property {string} name unique among the targets of one measurement
 * @property {string} url
 * @property {number} [pid] the process whose CPU time is counted
 * @property {{ path: string, headers: Record<string, string>, body: string }} [call] what each request sends; an OpenAI Chat request by default
 */

/**
 * @param {{ target: ThroughputTarget, connections: number, durationSeconds: number }} options
 */
function runAutocannon(options) {
  const call = options.target.call ?? OPENAI_CHAT_CALL;
  return autocannon({
    url: new URL(call.path, options.target.url).href,
    method: 'POST',
    headers: call.headers,
    body: call.body,
    connections: options.connections,
    duration: options.durationSeconds,
    pipelining: 1,
  });
}

/**
 * @param {{ targets: ThroughputTarget[], connections: number, slices: number, sliceSeconds: number, warmupSeconds: number }} options
 * @param {(message: string) => void} progress
 * @returns {Promise<Record<string, ThroughputResult>>}
 */
export async function measureThroughput(options, progress) {
  for (const target of options.targets) {
    progress(`throughput warm-up: ${target.name}`);
    await runAutocannon({ target, connections: options.connections, durationSeconds: options.warmupSeconds });
  }
  /** @type {Map<string, Array<Awaited<ReturnType<typeof runAutocannon>>>>} */
  const runs = new Map(options.targets.map((target) => [target.name, []]));
  /** @type {Map<string, number | undefined>} CPU microseconds of each target's process over its slices */
  const cpu = new Map(options.targets.map((target) => [target.name, target.pid === undefined ? undefined : 0]));
  for (let slice = 0; slice < options.slices; slice += 1) {
    for (let offset = 0; offset < options.targets.length; offset += 1) {
      const target = options.targets[(slice + offset) % options.targets.length];
      progress(`throughput slice ${slice + 1}/${options.slices}: ${target.name}`);
      const cpuBefore = await cpuMicroseconds(target.pid);
      runs.get(target.name).push(
        await runAutocannon({ target, connections: options.connections, durationSeconds: options.sliceSeconds }),
      );
      const cpuAfter = await cpuMicroseconds(target.pid);
      const used = cpu.get(target.name);
      cpu.set(target.name, used === undefined || cpuBefore === undefined || cpuAfter === undefined ? undefined : used + cpuAfter - cpuBefore);
    }
  }
  /** @type {Record<string, ThroughputResult>} */
  const results = {};
  for (const [name, targetRuns] of runs) {
    const sum = (select) => targetRuns.reduce((total, run) => total + select(run), 0);
    results[name] = {
      requestsPerSecond: sum((run) => run.requests.total) / sum((run) => run.duration),
      latencyP50Ms: percentileOf(targetRuns.map((run) => run.latency.p50), 50),
      latencyP99Ms: percentileOf(targetRuns.map((run) => run.latency.p99), 50),
      total: sum((run) => run.requests.total),
      non2xx: sum((run) => run.non2xx),
      errors: sum((run) => run.errors),
      timeouts: sum((run) => run.timeouts),
      cpuUsPerRequest: cpu.get(name) === undefined ? undefined : cpu.get(name) / sum((run) => run.requests.total),
    };
  }
  return results;
}
