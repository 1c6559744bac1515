/**
 * @fileoverview Turns measurements into the printed table and the goal checks of the
 * performance targets (ratios within the same run, so the machine cancels out).
 */

/** The performance goals (the hot-path issue's targets), as ratios and differences within one run. */
export const GOALS = {
  /** 1 / 1.5: a same-API request may cost at most 1.5x the passthrough's CPU. */
  minimumThroughputRatioToBare: 0.67,
  /** Over the bare passthrough's own added p50, not over the direct call. */
  maximumAddedLatencyOverBareP50Us: 100,
  maximumStreamingFirstByteOverBareMs: 0.3,
  maximumPeakRssMb: 100,
  /** Same-API requests: the proxy's CPU per request at most this many times the bare passthrough's. */
  maximumCpuRatioToBare: 1.5,
  maximumTranslationFirstByteP50Ms: 0.5,
};

/**
 * Goals of the translated streams: each adds at most the allowed time to time-to-first-byte
 * over its untranslated counterpart (p50 of the paired differences).
 * @param {Record<string, any> | undefined} translatedStreams
 * @returns {Array<{ goal: string, value: string, met: boolean }>}
 */
export function checkTranslationGoals(translatedStreams) {
  if (translatedStreams?.status !== 'measured') return [];
  return Object.entries(translatedStreams.routes)
    .filter(([, route]) => route.comparedWith !== undefined)
    .map(([name, route]) => ({
      goal: `${name} stream: time-to-first-byte at most ${GOALS.maximumTranslationFirstByteP50Ms} ms over ${route.comparedWith}`,
      value: `${formatSigned(route.firstByteOverUntranslatedP50Ms, 3)} ms`,
      met: route.firstByteOverUntranslatedP50Ms <= GOALS.maximumTranslationFirstByteP50Ms,
    }));
}

/**
 * @param {Record<string, any>} llmproxy the llmproxy target's results
 * @param {Record<string, any>} bare the bare passthrough's results
 * @returns {Array<{ goal: string, value: string, met: boolean }>}
 */
export function checkGoals(llmproxy, bare) {
  const throughputRatio = llmproxy.throughput.requestsPerSecond / bare.throughput.requestsPerSecond;
  return [
    {
      goal: `requests/s at least ${GOALS.minimumThroughputRatioToBare}x the bare passthrough's`,
      value: `${throughputRatio.toFixed(2)}x`,
      met: throughputRatio >= GOALS.minimumThroughputRatioToBare,
    },
    {
      goal: `added latency p50 at most ${GOALS.maximumAddedLatencyOverBareP50Us} µs over the bare passthrough's`,
      value: `${formatSigned(llmproxy.latency.addedP50Us - bare.latency.addedP50Us, 0)} µs`,
      met: llmproxy.latency.addedP50Us - bare.latency.addedP50Us <= GOALS.maximumAddedLatencyOverBareP50Us,
    },
    {
      goal: `streaming time-to-first-byte within ${GOALS.maximumStreamingFirstByteOverBareMs} ms of the bare passthrough's`,
      value: `${formatSigned(llmproxy.streaming.firstByteOverBareP50Ms, 3)} ms`,
      met: llmproxy.streaming.firstByteOverBareP50Ms <= GOALS.maximumStreamingFirstByteOverBareMs,
    },
    ...(llmproxy.throughput.cpuUsPerRequest === undefined || !bare.throughput.cpuUsPerRequest
      ? []
      : [
          {
            goal: `CPU per request at most ${GOALS.maximumCpuRatioToBare}x the bare passthrough's`,
            value: `${(llmproxy.throughput.cpuUsPerRequest / bare.throughput.cpuUsPerRequest).toFixed(2)}x`,
            met: llmproxy.throughput.cpuUsPerRequest / bare.throughput.cpuUsPerRequest <= GOALS.maximumCpuRatioToBare,
          },
        ]),
    {
      goal: `peak RSS after load at most ${GOALS.maximumPeakRssMb} MB`,
      value: `${llmproxy.memory.peakRssMb.toFixed(1)} MB`,
      met: llmproxy.memory.peakRssMb <= GOALS.maximumPeakRssMb,
    },
  ];
}

/**
 * @param {Record<string, any>} results the whole results document
 * @returns {string}
 */
export function formatReport(results) {
  const lines = [];
  const { settings } = results;
  lines.push(
    `llmproxy benchmark: node ${results.node}, ${results.cpus.count} x ${results.cpus.model}`,
    `throughput: ${settings.connections} connections, ${settings.durationSeconds} s per target in ${settings.throughputSlices} interleaved slices; ` +
      `sequential: ${settings.rounds} interleaved rounds; streaming: ${settings.streamRounds} rounds, ` +
      `mock upstream pauses ${settings.streamGapMs} ms after the first SSE frame`,
    '',
  );
  const header = ['target', 'req/s', 'vs bare', 'CPU µs/req', 'CPU vs bare', 'p50 ms', 'p99 ms', 'added p50 µs', 'added p99 µs', 'TTFB p50 ms', 'TTFB vs bare ms', 'peak RSS MB'];
  const rows = [header];
  const bareThroughput = results.targets.bare?.throughput?.requestsPerSecond;
  const bareCpu = results.targets.bare?.throughput?.cpuUsPerRequest;
  const notMeasured = [];
  for (const [name, target] of Object.entries(results.targets)) {
    if (target.status !== 'measured') {
      notMeasured.push(`${name}: not measured: ${target.reason.split('\n')[0]}`);
      continue;
    }
    rows.push([
      name,
      formatInteger(target.throughput.requestsPerSecond),
      bareThroughput ? `${(target.throughput.requestsPerSecond / bareThroughput).toFixed(2)}x` : '',
      target.throughput.cpuUsPerRequest === undefined ? '-' : target.throughput.cpuUsPerRequest.toFixed(0),
      target.throughput.cpuUsPerRequest === undefined || !bareCpu ? '-' : `${(target.throughput.cpuUsPerRequest / bareCpu).toFixed(2)}x`,
      target.latency.p50Ms.toFixed(3),
      target.latency.p99Ms.toFixed(3),
      name === 'direct' ? '-' : formatSigned(target.latency.addedP50Us, 0),
      name === 'direct' ? '-' : formatSigned(target.latency.addedP99Us, 0),
      target.streaming.firstByteP50Ms.toFixed(3),
      name === 'bare' || name === 'direct' ? '-' : formatSigned(target.streaming.firstByteOverBareP50Ms, 3),
      target.memory ? target.memory.peakRssMb.toFixed(1) : '-',
    ]);
  }
  lines.push(...formatTable(rows), ...notMeasured, '');
  lines.push(
    'added = per-round difference to direct (p50 of the differences); added p99 = p99 minus direct p99;',
    'CPU µs/req = user + system CPU of the process over the throughput slices per request (from /proc, 10 ms ticks);',
    'TTFB = request start to first body byte of a stream; peak RSS = VmHWM of the proxy process after all load.',
    `load average at the start: ${results.loadAverage.map((value) => value.toFixed(2)).join(' ')} (other work on the machine skews absolute numbers; compare ratios)`,
  );
  const usageOn = results.targets.llmproxy;
  const usageOff = results.targets['llmproxy-usage-off'];
  if (usageOn?.status === 'measured' && usageOff?.status === 'measured') {
    lines.push(
      `usage recording (llmproxy vs llmproxy-usage-off): ${formatSigned(usageOn.latency.addedP50Us - usageOff.latency.addedP50Us, 0)} µs added p50 per request, ` +
        `${((usageOn.throughput.requestsPerSecond / usageOff.throughput.requestsPerSecond - 1) * 100).toFixed(1)}% req/s`,
    );
  }
  for (const [name, target] of Object.entries(results.targets)) {
    if (target.status !== 'measured') continue;
    const problems = [];
    if (target.throughput.non2xx + target.throughput.errors + target.throughput.timeouts > 0) {
      problems.push(`throughput run had ${target.throughput.non2xx} non-2xx, ${target.throughput.errors} errors, ${target.throughput.timeouts} timeouts`);
    }
    if (target.failures > 0) problems.push(`${target.failures} sequential requests failed`);
    if (problems.length > 0) lines.push(`WARNING ${name}: ${problems.join('; ')}`);
  }
  lines.push(...formatTranslatedStreams(results.translatedStreams, settings));
  lines.push(...formatEventCost(results.eventCost));
  const llmproxy = results.targets.llmproxy;
  if (llmproxy?.status === 'measured') {
    const header = llmproxy.overheadHeader;
    lines.push(
      header.samples > 0
        ? `llmproxy x-llmproxy-overhead-ms (its own time per request): p50 ${header.p50Ms.toFixed(3)} ms, p99 ${header.p99Ms.toFixed(3)} ms over ${header.samples} responses`
        : 'llmproxy responses carried no x-llmproxy-overhead-ms header',
    );
  }
  if (results.goals.length > 0) {
    lines.push('', 'goals:');
    for (const goal of results.goals) lines.push(`  ${goal.met ? 'met   ' : 'MISSED'}  ${goal.goal}: ${goal.value}`);
  }
  return lines.join('\n');
}

/**
 * @param {Record<string, any> | undefined} translatedStreams
 * @param {Record<string, any>} settings
 * @returns {string[]}
 */
function formatTranslatedStreams(translatedStreams, settings) {
  if (translatedStreams === undefined) return [];
  if (translatedStreams.status !== 'measured') return ['', `translated streams: not measured: ${translatedStreams.reason.split('\n')[0]}`];
  const rows = [['llmproxy stream (client → backend)', 'TTFB p50 ms', 'TTFB p99 ms', 'total p50 ms', 'total p99 ms', 'TTFB vs untranslated ms', 'total vs untranslated ms']];
  for (const [name, route] of Object.entries(translatedStreams.routes)) {
    const compared = route.comparedWith !== undefined;
    rows.push([
      name,
      route.firstByteP50Ms.toFixed(3),
      route.firstByteP99Ms.toFixed(3),
      route.totalP50Ms.toFixed(3),
      route.totalP99Ms.toFixed(3),
      compared ? formatSigned(route.firstByteOverUntranslatedP50Ms, 3) : '-',
      compared ? formatSigned(route.totalOverUntranslatedP50Ms, 3) : '-',
    ]);
  }
  const lines = ['', `translated streams: ${translatedStreams.rounds} interleaved rounds through llmproxy, mock upstreams pause ${settings.streamGapMs} ms after their first frames`];
  lines.push(...formatTable(rows));
  lines.push('vs untranslated = per-round difference to the same upstream reached through its own protocol (p50 of the differences).');
  for (const [name, route] of Object.entries(translatedStreams.routes)) {
    if (route.failures > 0) lines.push(`WARNING ${name}: ${route.failures} streams failed`);
  }
  return lines;
}

/** @param {string[][]} rows */
function formatTable(rows) {
  const widths = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, index) => (index === 0 ? cell.padEnd(widths[index]) : cell.padStart(widths[index])))
      .join('  ')
      .trimEnd(),
  );
}

/** @param {number} value */
function formatInteger(value) {
  return Math.round(value).toLocaleString('en-US');
}

/** @param {number} value @param {number} digits */
function formatSigned(value, digits) {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

/**
 * @param {Record<string, { cpuUsPerEvent: number | undefined, streams: number, events: number, incomplete: number }> | undefined} eventCost
 * @returns {string[]}
 */
function formatEventCost(eventCost) {
  const entries = Object.entries(eventCost ?? {});
  if (entries.length === 0) return [];
  const bare = eventCost?.bare?.cpuUsPerEvent;
  const lines = ['', `CPU per streamed upstream event (${entries[0][1].streams} streams of ${entries[0][1].events} events each, one after another):`];
  for (const [name, cost] of entries) {
    const perEvent = cost.cpuUsPerEvent === undefined ? '-' : `${cost.cpuUsPerEvent.toFixed(2)} µs`;
    const ratio = cost.cpuUsPerEvent === undefined || !bare || name === 'bare' ? '' : ` (${(cost.cpuUsPerEvent / bare).toFixed(2)}x bare)`;
    lines.push(`  ${name.padEnd(50)} ${perEvent}${ratio}${cost.incomplete > 0 ? `  WARNING ${cost.incomplete} streams incomplete` : ''}`);
  }
  return lines;
}
