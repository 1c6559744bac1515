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
  /** Translated requests: the proxy's CPU per request at most this many times the bare passthrough's to the same upstream. */
  maximumTranslatedCpuRatioToBare: 2.5,
  maximumRssPerOpenStreamKb: 30,
  /** The proxy's event-loop delay p99 while all slow streams are open. */
  maximumOpenStreamsEventLoopDelayP99Ms: 20,
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
 * The same-API goals of one client → backend pair.
 * @param {Record<string, any>} llmproxy the llmproxy target's results
 * @param {Record<string, any>} bare the bare passthrough's results
 * @param {string} label which client and backend, put before each goal
 * @returns {Array<{ goal: string, value: string, met: boolean }>}
 */
export function checkGoals(llmproxy, bare, label) {
  const throughputRatio = llmproxy.throughput.requestsPerSecond / bare.throughput.requestsPerSecond;
  return [
    {
      goal: `${label}: requests/s at least ${GOALS.minimumThroughputRatioToBare}x the bare passthrough's`,
      value: `${throughputRatio.toFixed(2)}x`,
      met: throughputRatio >= GOALS.minimumThroughputRatioToBare,
    },
    ...(llmproxy.throughput.cpuUsPerRequest === undefined || !bare.throughput.cpuUsPerRequest
      ? []
      : [
          {
            goal: `${label}: CPU per request at most ${GOALS.maximumCpuRatioToBare}x the bare passthrough's`,
            value: `${(llmproxy.throughput.cpuUsPerRequest / bare.throughput.cpuUsPerRequest).toFixed(2)}x`,
            met: llmproxy.throughput.cpuUsPerRequest / bare.throughput.cpuUsPerRequest <= GOALS.maximumCpuRatioToBare,
          },
        ]),
    {
      goal: `${label}: added latency p50 at most ${GOALS.maximumAddedLatencyOverBareP50Us} µs over the bare passthrough's`,
      value: `${formatSigned(llmproxy.latency.addedP50Us - bare.latency.addedP50Us, 0)} µs`,
      met: llmproxy.latency.addedP50Us - bare.latency.addedP50Us <= GOALS.maximumAddedLatencyOverBareP50Us,
    },
    {
      goal: `${label}: streaming time-to-first-byte within ${GOALS.maximumStreamingFirstByteOverBareMs} ms of the bare passthrough's`,
      value: `${formatSigned(llmproxy.streaming.firstByteOverBareP50Ms, 3)} ms`,
      met: llmproxy.streaming.firstByteOverBareP50Ms <= GOALS.maximumStreamingFirstByteOverBareMs,
    },
  ];
}

/**
 * @param {Record<string, any>} llmproxy the llmproxy target's results
 * @returns {{ goal: string, value: string, met: boolean }}
 */
export function checkPeakRssGoal(llmproxy) {
  const peakRssMb = llmproxy.memory?.peakRssMb ?? Number.NaN;
  return { goal: `peak RSS after load at most ${GOALS.maximumPeakRssMb} MB`, value: `${peakRssMb.toFixed(1)} MB`, met: peakRssMb <= GOALS.maximumPeakRssMb };
}

/**
 * @param {Record<string, any>} translatedRequests by route name
 * @returns {Array<{ goal: string, value: string, met: boolean }>}
 */
export function checkTranslatedRequestGoals(translatedRequests) {
  return Object.entries(translatedRequests)
    .filter(([, route]) => route.status !== 'not measured')
    .map(([name, route]) => {
      const ratio = (route.throughput?.cpuUsPerRequest ?? Number.NaN) / (route.bareCpuUsPerRequest ?? Number.NaN);
      return {
        goal: `${name}: CPU per request at most ${GOALS.maximumTranslatedCpuRatioToBare}x the ${route.comparedWith}'s`,
        value: `${ratio.toFixed(2)}x`,
        met: ratio <= GOALS.maximumTranslatedCpuRatioToBare,
      };
    });
}

/**
 * The open-streams goals, on llmproxy's results (the bare passthrough's are printed beside them).
 * @param {Record<string, any> | undefined} openStreams
 * @returns {Array<{ goal: string, value: string, met: boolean }>}
 */
export function checkOpenStreamGoals(openStreams) {
  const llmproxy = openStreams?.targets?.llmproxy;
  if (llmproxy?.status !== 'measured') return [];
  // No samples (the probe did not answer, or the window was shorter than its interval) is no measurement.
  const eventLoopDelayP99Ms = llmproxy.eventLoopDelay?.samples > 0 ? llmproxy.eventLoopDelay.p99Ms : Number.NaN;
  return [
    {
      goal: `${llmproxy.streams} open streams: RSS per open stream under ${GOALS.maximumRssPerOpenStreamKb} KB`,
      value: `${llmproxy.rssPerStreamKb.toFixed(1)} KB`,
      met: llmproxy.rssPerStreamKb < GOALS.maximumRssPerOpenStreamKb,
    },
    {
      goal: `${llmproxy.streams} open streams: event-loop delay p99 under ${GOALS.maximumOpenStreamsEventLoopDelayP99Ms} ms`,
      value: Number.isNaN(eventLoopDelayP99Ms) ? 'not measured (no samples)' : `${eventLoopDelayP99Ms.toFixed(1)} ms`,
      met: eventLoopDelayP99Ms < GOALS.maximumOpenStreamsEventLoopDelayP99Ms,
    },
    {
      goal: `${llmproxy.streams} open streams: none lost or reordered`,
      value: `${llmproxy.lost} lost, ${llmproxy.reordered} reordered`,
      met: llmproxy.lost + llmproxy.reordered === 0 && llmproxy.completed === llmproxy.streams,
    },
  ];
}

/**
 * Every goal of every run side by side, so one look shows whether a result held.
 * @param {Array<Record<string, any>>} runs
 * @returns {string}
 */
export function formatGoalsOfRuns(runs) {
  const goals = [...new Set(runs.flatMap((results) => results.goals.map((goal) => goal.goal)))];
  const rows = [['goal', ...runs.map((results) => `run ${results.run}`)]];
  for (const goal of goals) {
    rows.push([
      goal,
      ...runs.map((results) => {
        const checked = results.goals.find((candidate) => candidate.goal === goal);
        return checked === undefined ? 'not measured' : `${checked.met ? 'met' : 'MISSED'} ${checked.value}`;
      }),
    ]);
  }
  const loads = runs.map((results) => `run ${results.run}: ${results.loadAverage.map((value) => value.toFixed(2)).join(' ')}`).join('; ');
  return [`goals of all ${runs.length} runs (load average before each: ${loads}):`, ...formatTable(rows)].join('\n');
}

/**
 * One run's tables, notes and goals.
 * @param {Record<string, any>} results one run's results
 * @param {{ settings: Record<string, any>, node: string, cpus: Array<{ model: string }>, runs: number }} context
 * @returns {string}
 */
export function formatReport(results, context) {
  const lines = [];
  const { settings } = context;
  lines.push(
    `llmproxy benchmark, run ${results.run} of ${context.runs}: node ${context.node}, ${context.cpus.length} x ${context.cpus[0]?.model?.trim() ?? 'unknown'}`,
    `load average before this run: ${results.loadAverage.map((value) => value.toFixed(2)).join(' ')} (other work on the machine skews absolute numbers; compare ratios)`,
  );
  if (Object.keys(results.sameApi).length > 0) formatRequestLoad(results, settings, lines);
  lines.push(...formatTranslatedRequests(results.translatedRequests));
  lines.push(...formatTranslatedStreams(results.translatedStreams, settings));
  lines.push(...formatEventCost(results.eventCost));
  lines.push(...formatOpenStreams(results.openStreams));
  if (results.goals.length > 0) {
    lines.push('', `goals (run ${results.run}):`);
    for (const goal of results.goals) lines.push(`  ${goal.met ? 'met   ' : 'MISSED'}  ${goal.goal}: ${goal.value}`);
  }
  return lines.join('\n');
}

/**
 * The same-API tables and the notes on them.
 * @param {Record<string, any>} results @param {Record<string, any>} settings @param {string[]} lines appended to
 */
function formatRequestLoad(results, settings, lines) {
  lines.push(
    `throughput: ${settings.connections} connections, ${settings.durationSeconds} s per target in ${settings.throughputSlices} interleaved slices; ` +
      `sequential: ${settings.rounds} interleaved rounds; streaming: ${settings.streamRounds} rounds, ` +
      `mock upstreams pause ${settings.streamGapMs} ms after the first SSE frame`,
  );
  for (const section of Object.values(results.sameApi)) lines.push('', `${section.label}:`, ...formatSameApiSection(section.targets));
  lines.push(
    '',
    'added = per-round difference to direct (p50 of the differences); added p99 = p99 minus direct p99;',
    'CPU µs/req = user + system CPU of the process over the throughput slices per request (from /proc, 10 ms ticks);',
    'TTFB = request start to first body byte of a stream; peak RSS = VmHWM of the proxy process after all request load',
    '(llmproxy serves both APIs from one process, so its peak RSS is the same in both tables);',
    'node-json and express-json = the floors (bench/minimal-json-proxy.mjs): a proxy that only reads and parses the request,',
    'forwards its bytes and parses the answer (streams piped), on node:http alone and on Express with express.json().',
  );
  for (const section of Object.values(results.sameApi)) {
    const floor = floorShareOfGoal(section.targets);
    if (floor !== undefined) lines.push(`${section.label}: ${floor}`);
  }
  const usageOn = results.sameApi.openai?.targets.llmproxy;
  const usageOff = results.sameApi.openai?.targets['llmproxy-usage-off'];
  if (usageOn?.status === 'measured' && usageOff?.status === 'measured') {
    lines.push(
      `usage recording (llmproxy vs llmproxy-usage-off): ${formatSigned(usageOn.latency.addedP50Us - usageOff.latency.addedP50Us, 0)} µs added p50 per request, ` +
        `${((usageOn.throughput.requestsPerSecond / usageOff.throughput.requestsPerSecond - 1) * 100).toFixed(1)}% req/s`,
    );
  }
  for (const section of Object.values(results.sameApi)) {
    for (const [name, target] of Object.entries(section.targets)) {
      if (target.status !== 'measured') continue;
      const problems = [];
      if (target.throughput.non2xx + target.throughput.errors + target.throughput.timeouts > 0) {
        problems.push(`throughput run had ${target.throughput.non2xx} non-2xx, ${target.throughput.errors} errors, ${target.throughput.timeouts} timeouts`);
      }
      if (target.failures > 0) problems.push(`${target.failures} sequential requests failed`);
      if (problems.length > 0) lines.push(`WARNING ${section.label}, ${name}: ${problems.join('; ')}`);
    }
  }
  for (const section of Object.values(results.sameApi)) {
    const header = section.targets.llmproxy?.status === 'measured' ? section.targets.llmproxy.overheadHeader : undefined;
    if (header === undefined) continue;
    lines.push(
      header.samples > 0
        ? `llmproxy x-llmproxy-overhead-ms (its own time per request), ${section.label}: p50 ${header.p50Ms.toFixed(3)} ms, p99 ${header.p99Ms.toFixed(3)} ms over ${header.samples} responses`
        : `llmproxy responses carried no x-llmproxy-overhead-ms header (${section.label})`,
    );
  }
}

/**
 * What the Express floor uses, by itself, of the same-API goals' allowances over the bare
 * passthrough (CPU, added latency, stream first byte), as a sentence; undefined when either of
 * the two was not measured.
 * @param {Record<string, any>} targets one same-API section's targets by name
 */
function floorShareOfGoal(targets) {
  const { bare, 'express-json': floor } = targets;
  if (bare?.status !== 'measured' || floor?.status !== 'measured') return undefined;
  const bareCpu = bare.throughput.cpuUsPerRequest;
  const cpu =
    bareCpu && floor.throughput.cpuUsPerRequest !== undefined
      ? `${(floor.throughput.cpuUsPerRequest / bareCpu).toFixed(2)}x the passthrough's CPU (goal ${GOALS.maximumCpuRatioToBare}x), `
      : '';
  return (
    `Express alone (express-json) costs ${cpu}` +
    `adds ${formatSigned(floor.latency.addedP50Us - bare.latency.addedP50Us, 0)} µs to its p50 (goal +${GOALS.maximumAddedLatencyOverBareP50Us} µs) ` +
    `and ${formatSigned(floor.streaming.firstByteOverBareP50Ms, 3)} ms to its stream first byte (goal +${GOALS.maximumStreamingFirstByteOverBareMs} ms)`
  );
}

/**
 * @param {Record<string, any>} targets one same-API section's targets by name
 * @returns {string[]}
 */
function formatSameApiSection(targets) {
  const header = ['target', 'req/s', 'vs bare', 'CPU µs/req', 'CPU vs bare', 'p50 ms', 'p99 ms', 'added p50 µs', 'added p99 µs', 'TTFB p50 ms', 'TTFB vs bare ms', 'peak RSS MB'];
  const rows = [header];
  const bareThroughput = targets.bare?.throughput?.requestsPerSecond;
  const bareCpu = targets.bare?.throughput?.cpuUsPerRequest;
  const notMeasured = [];
  for (const [name, target] of Object.entries(targets)) {
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
  return [...formatTable(rows), ...notMeasured];
}

/**
 * @param {Record<string, any> | undefined} translatedRequests by route name
 * @returns {string[]}
 */
function formatTranslatedRequests(translatedRequests) {
  const entries = Object.entries(translatedRequests ?? {});
  if (entries.length === 0) return [];
  const rows = [['llmproxy request (client → backend)', 'req/s', 'CPU µs/req', 'bare CPU µs/req', 'CPU vs bare']];
  const notMeasured = [];
  for (const [name, route] of entries) {
    if (route.status === 'not measured') {
      notMeasured.push(`${name}: not measured: ${route.reason.split('\n')[0]}`);
      continue;
    }
    const cpu = route.throughput?.cpuUsPerRequest;
    rows.push([
      name,
      formatInteger(route.throughput.requestsPerSecond),
      cpu === undefined ? '-' : cpu.toFixed(0),
      route.bareCpuUsPerRequest === undefined ? '-' : route.bareCpuUsPerRequest.toFixed(0),
      cpu === undefined || !route.bareCpuUsPerRequest ? '-' : `${(cpu / route.bareCpuUsPerRequest).toFixed(2)}x`,
    ]);
    if (route.throughput.non2xx + route.throughput.errors + route.throughput.timeouts > 0) {
      notMeasured.push(`WARNING ${name}: ${route.throughput.non2xx} non-2xx, ${route.throughput.errors} errors, ${route.throughput.timeouts} timeouts`);
    }
  }
  return [
    '',
    'translated requests (non-streaming), in the same throughput slices; bare = the bare passthrough to the same mock upstream:',
    ...formatTable(rows),
    ...notMeasured,
  ];
}

/** A shorter window with every stream open gives too few RSS and event-loop delay samples to judge. */
const SHORTEST_OPEN_WINDOW_SECONDS = 5;

/** A stream may run this much over its duration (plus the opening ramp) before its proxy counts as not keeping up. */
const SATURATED_OVERRUN = 1.2;

/**
 * Why a proxy did not keep up with the open streams (its streams ran late, or for the control
 * its event loop lagged past the goal llmproxy is held to), or undefined when it did.
 * @param {Record<string, any>} target @param {Record<string, any>} openStreams @param {boolean} control
 */
function saturationOf(target, openStreams, control) {
  const expectedSeconds = (target.rampSeconds ?? 0) + (openStreams.events * openStreams.intervalMs) / 1000;
  const reasons = [];
  if (target.tookSeconds > expectedSeconds * SATURATED_OVERRUN) reasons.push(`streams took ${target.tookSeconds.toFixed(1)} s for ${expectedSeconds.toFixed(1)} s of events and opening`);
  const p99Ms = target.eventLoopDelay?.samples > 0 ? target.eventLoopDelay.p99Ms : undefined;
  if (control && p99Ms !== undefined && p99Ms >= GOALS.maximumOpenStreamsEventLoopDelayP99Ms) reasons.push(`event-loop delay p99 ${p99Ms.toFixed(0)} ms`);
  return reasons.length === 0 ? undefined : reasons.join(', ');
}

/**
 * @param {Record<string, any> | undefined} openStreams
 * @returns {string[]}
 */
function formatOpenStreams(openStreams) {
  if (openStreams === undefined) return [];
  const rows = [['proxy', 'opened in s', 'all open s', 'took s', 'RSS before MB', 'RSS open MB', 'KB/stream', 'ELD p50 ms', 'ELD p99 ms', 'ELD max ms', 'CPU µs/event', 'whole', 'lost', 'reordered']];
  const notes = [];
  for (const [name, target] of Object.entries(openStreams.targets)) {
    if (target.status !== 'measured') {
      notes.push(`${name}: not measured: ${target.reason.split('\n')[0]}`);
      continue;
    }
    const delay = target.eventLoopDelay?.samples > 0 ? target.eventLoopDelay : undefined;
    rows.push([
      name,
      target.openedInSeconds.toFixed(1),
      target.openSeconds.toFixed(1),
      target.tookSeconds.toFixed(1),
      target.rssBeforeMb.toFixed(1),
      target.rssOpenMaxMb.toFixed(1),
      target.rssPerStreamKb.toFixed(1),
      delay === undefined ? '-' : delay.p50Ms.toFixed(2),
      delay === undefined ? '-' : delay.p99Ms.toFixed(2),
      delay === undefined ? '-' : delay.maxMs.toFixed(2),
      target.cpuUsPerEvent === undefined ? '-' : target.cpuUsPerEvent.toFixed(1),
      String(target.completed),
      String(target.lost),
      String(target.reordered),
    ]);
    const saturation = saturationOf(target, openStreams, name === 'bare');
    if (saturation !== undefined) {
      notes.push(
        `WARNING ${name}${name === 'bare' ? ' (the control)' : ''} is saturated: ${saturation}; ` +
          (name === 'bare' ? 'the machine cannot carry this many streams, so it, not the proxy, limits the numbers above (lower --slow-streams)' : 'it cannot keep up with the streams'),
      );
    }
    if (target.openSeconds < SHORTEST_OPEN_WINDOW_SECONDS) {
      notes.push(
        `WARNING ${name}: all streams were open together for only ${target.openSeconds.toFixed(1)} s (opening them took longer than one lasts), ` +
          'so its RSS and event-loop delay were sampled over too short a window to judge',
      );
    }
    const reasons = Object.entries(target.lostBecause);
    if (reasons.length > 0) notes.push(`${name}: streams lost: ${reasons.map(([why, count]) => `${count} × ${why}`).join(', ')}`);
  }
  return [
    '',
    `open streams: ${openStreams.streams} slow streams (openai-chat → openai) at once through one fresh process each, ` +
      `${openStreams.events} events per stream, one every ${openStreams.intervalMs} ms:`,
    ...formatTable(rows),
    ...notes,
    'opened in = first request to the last stream\'s headers; all open = while every stream was open (RSS sampled from /proc every 0.5 s,',
    'the maximum counted); KB/stream = (RSS open − RSS before) / streams; ELD = event-loop delay in the proxy process while all were open',
    '(perf_hooks.monitorEventLoopDelay, its 10 ms sampling interval taken off); CPU µs/event = the process\'s CPU from the first request to',
    'the last end per event relayed (opening the streams included); whole = every event in order, then [DONE].',
  ];
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
