/**
 * @fileoverview The llmproxy benchmark (`npm run bench`): every target of the hot-path issue,
 * each beside a bare Node passthrough in the same run, and the whole measurement twice in a row
 * (fresh processes each time; the load average before each run is printed), so one command shows
 * whether the numbers hold. Each run starts, each as its own process on 127.0.0.1, a mock OpenAI
 * and a mock Anthropic upstream, a bare passthrough to each, the floors in front of each (a
 * minimal JSON-reading proxy on node:http and on Express, `node-json` and `express-json`), and
 * llmproxy (usage recording on, the default, and off: `llmproxy-usage-off`), and measures:
 * - same-API requests, OpenAI client → openai and Anthropic client → anthropic, for direct (to the
 *   mock), bare passthrough, the floors and llmproxy: requests/s at 32 connections and the process's CPU per
 *   request, sequential latency p50/p99 and what each adds over direct (interleaved rounds),
 *   streaming time-to-first-byte, and the proxy's peak RSS after the load;
 * - translated requests (Anthropic client → openai, OpenAI client → anthropic): CPU per request
 *   beside the bare passthrough to the same mock, and translated streams beside untranslated ones;
 * - CPU per streamed upstream event, same-API and translated, beside the passthrough's;
 * - open streams: many slow streams at once through one fresh llmproxy process (with an
 *   event-loop-delay probe loaded into it): RSS per open stream, event-loop delay p99, and
 *   whether every stream arrived whole and in order.
 * Prints each run's tables and goals, then the goals of all runs side by side, and writes all runs
 * as JSON to bench/results/.
 *
 * Options: --duration <throughput seconds per target, run in 3 interleaved slices> (6), --connections (32), --rounds (1000),
 * --stream-rounds (200), --translated-rounds (200), --stream-gap-ms (5), --stream-events (events per stream
 * for the CPU per streamed event, 1000), --event-streams (such streams per target, 20), --slow-streams (open
 * streams at once, 2000), --slow-stream-seconds (how long each lasts, 30), --slow-stream-interval-ms (between its
 * events, 50), --runs (2), --quick (short runs, for trying the harness), --without-llmproxy (measure the
 * baselines only), --with-metrics (a second llmproxy with Prometheus metrics on, `llmproxy+metrics`, measured
 * beside the first), --cpu-profile (run llmproxy under `node --cpu-prof`, keep the profile in
 * bench/results/profiles/ and print self time by package; profiling slows it down, so take the other numbers
 * from a run without it), --only-open-streams (measure the open streams alone: the bare passthrough and llmproxy).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { checkTarget } from './check-target.mjs';
import { readMemoryUsage, startChildServer } from './child-server.mjs';
import { measureInterleaved, pairedDifferences } from './measure-interleaved.mjs';
import { measureEventCost } from './measure-event-cost.mjs';
import { measureOpenStreams } from './measure-open-streams.mjs';
import { measureThroughput } from './measure-throughput.mjs';
import { checkTranslatedStreamRoutes, measureTranslatedStreams } from './measure-translated-streams.mjs';
import { checkGoals, checkOpenStreamGoals, checkPeakRssGoal, checkTranslatedRequestGoals, checkTranslationGoals, formatGoalsOfRuns, formatReport } from './report.mjs';
import { ANTHROPIC_MESSAGES_CALL, OPENAI_CHAT_CALL, TRANSLATED_REQUEST_ROUTES, TRANSLATED_STREAM_ROUTES } from './workload.mjs';
import { formatCpuProfileSummary, summarizeCpuProfile, summarizeCpuProfileFunctions } from './summarize-cpu-profile.mjs';
import { percentileOf } from './statistics.mjs';

const benchDirectory = path.dirname(fileURLToPath(import.meta.url));
const repositoryDirectory = path.dirname(benchDirectory);
const proxyEntry = path.join(repositoryDirectory, 'packages/core/dist/cli/main.js');
const eventLoopDelayProbe = path.join(benchDirectory, 'event-loop-delay-probe.mjs');
const resultsDirectory = path.join(benchDirectory, 'results');
const profilesDirectory = path.join(resultsDirectory, 'profiles');

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '6' },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '1000' },
    'stream-rounds': { type: 'string', default: '200' },
    'translated-rounds': { type: 'string', default: '200' },
    'stream-gap-ms': { type: 'string', default: '5' },
    'stream-events': { type: 'string', default: '1000' },
    'event-streams': { type: 'string', default: '20' },
    'slow-streams': { type: 'string' },
    'slow-stream-seconds': { type: 'string' },
    'slow-stream-interval-ms': { type: 'string', default: '50' },
    runs: { type: 'string', default: '2' },
    quick: { type: 'boolean', default: false },
    'without-llmproxy': { type: 'boolean', default: false },
    'with-metrics': { type: 'boolean', default: false },
    'cpu-profile': { type: 'boolean', default: false },
    'only-open-streams': { type: 'boolean', default: false },
  },
});
const settings = {
  connections: Number(options.connections),
  durationSeconds: options.quick ? 2 : Number(options.duration),
  throughputSlices: options.quick ? 2 : 3,
  rounds: options.quick ? 300 : Number(options.rounds),
  streamRounds: options.quick ? 60 : Number(options['stream-rounds']),
  translatedRounds: options.quick ? 60 : Number(options['translated-rounds']),
  streamGapMs: Number(options['stream-gap-ms']),
  streamEvents: Number(options['stream-events']),
  eventStreams: options.quick ? 5 : Number(options['event-streams']),
  slowStreams: Number(options['slow-streams'] ?? (options.quick ? 200 : 2000)),
  slowStreamSeconds: Number(options['slow-stream-seconds'] ?? (options.quick ? 3 : 30)),
  slowStreamIntervalMs: Number(options['slow-stream-interval-ms']),
  runs: Number(options.runs),
};

for (const [name, value] of Object.entries(settings)) {
  if (!Number.isFinite(value) || value < 0 || (value === 0 && name !== 'streamGapMs')) {
    process.stderr.write(`bench: ${name} must be a positive number, got ${value}\n`);
    process.exit(2);
  }
}
const slowStreamEvents = Math.round((settings.slowStreamSeconds * 1000) / settings.slowStreamIntervalMs);
if (slowStreamEvents < 4) {
  process.stderr.write('bench: a slow stream needs at least 4 events; raise --slow-stream-seconds or lower --slow-stream-interval-ms\n');
  process.exit(2);
}

/**
 * The whole command must end well within this, whatever hangs: per run, the throughput slices
 * of up to fourteen targets (warm-up included), the open streams through two proxies (each given three times their
 * duration to be answered, then three times it to end), and what the other measurements take on
 * a loaded 2-core machine, with 30% to spare.
 */
const WATCHDOG_MS = Math.round(settings.runs * (14 * (settings.durationSeconds + 3) + 2 * (6 * settings.slowStreamSeconds + 10) + 120) * 1.3 * 1000);

/** @type {import('./child-server.mjs').ChildServer[]} the processes of the current run */
let children = [];
let temporaryDirectory = '';

async function stopChildren() {
  const stopping = children;
  children = [];
  await Promise.allSettled(stopping.map((child) => child.stop()));
}

async function cleanUp() {
  await stopChildren();
  if (temporaryDirectory !== '') await rm(temporaryDirectory, { recursive: true, force: true });
}

const watchdog = setTimeout(() => {
  process.stderr.write(`benchmark did not finish within ${WATCHDOG_MS / 1000} s; stopping\n`);
  void cleanUp().finally(() => process.exit(1));
}, WATCHDOG_MS);
watchdog.unref();
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

const progress = (message) => process.stderr.write(`${message}\n`);

/** llmproxy's environment: the mocks as OpenAI and Anthropic, and none of the caller's own proxy settings. */
function proxyEnvironment(upstreamUrl, anthropicUpstreamUrl) {
  const environment = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LLM_PROXY_')));
  return {
    ...environment,
    OPENAI_API_KEY: 'bench',
    OPENAI_BASE_URL: `${upstreamUrl}/v1`,
    ANTHROPIC_API_KEY: 'bench',
    ANTHROPIC_BASE_URL: anthropicUpstreamUrl,
  };
}

/** @param {{ name: string, script: string, args?: string[], nodeArgs?: string[], env?: Record<string, string> }} options */
async function startBenchServer(options) {
  const child = await startChildServer({
    name: options.name,
    command: process.execPath,
    args: [...(options.nodeArgs ?? []), path.join(benchDirectory, options.script), ...(options.args ?? [])],
    env: { ...process.env, ...options.env },
  });
  children.push(child);
  return child;
}

/**
 * Starts llmproxy with default settings (plus `extraArgs`), in the run's own directory, so no
 * project or user config file from the caller's directory changes what is measured.
 * @param {{ name: string, runDirectory: string, upstreams: { openai: string, anthropic: string }, extraArgs?: string[], nodeArgs?: string[], env?: Record<string, string> }} options
 */
async function startLlmproxy(options) {
  const child = await startChildServer({
    name: options.name,
    command: process.execPath,
    args: [
      ...(options.nodeArgs ?? []),
      proxyEntry,
      '--port', '0',
      '--disable-auth',
      '--log-level', 'error',
      '--log-file', path.join(options.runDirectory, `${options.name}.log`),
      '--usage-database-file', path.join(options.runDirectory, `${options.name}-usage.sqlite`),
      ...(options.extraArgs ?? []),
    ],
    env: { ...proxyEnvironment(options.upstreams.openai, options.upstreams.anthropic), ...options.env },
    cwd: options.runDirectory,
  });
  children.push(child);
  return child;
}

/**
 * The floors (minimal-json-proxy.mjs) in front of one mock upstream: a JSON-reading proxy on
 * node:http alone and on Express, targets `node-json` and `express-json`.
 * @param {string} upstreamUrl @param {string} suffix for the process names
 */
async function startMinimalJsonProxies(upstreamUrl, suffix) {
  const targets = [];
  for (const framework of ['node', 'express']) {
    const floor = await startBenchServer({ name: `minimal JSON proxy (${framework})${suffix}`, script: 'minimal-json-proxy.mjs', args: ['--upstream', upstreamUrl, '--framework', framework] });
    targets.push({ name: `${framework}-json`, url: floor.url, pid: floor.pid });
  }
  return targets;
}

/**
 * The processes of one run. Same-API sections name their targets `direct`, `bare` and `llmproxy`
 * (plus variants), each with the name it has among the throughput targets.
 * @param {string} runDirectory
 */
async function startRunProcesses(runDirectory) {
  const gapArgs = ['--stream-gap-ms', String(settings.streamGapMs)];
  const mock = await startBenchServer({ name: 'mock upstream', script: 'mock-openai-upstream.mjs', args: gapArgs });
  const anthropicMock = await startBenchServer({ name: 'mock anthropic upstream', script: 'mock-anthropic-upstream.mjs', args: gapArgs });
  const bare = await startBenchServer({ name: 'bare passthrough', script: 'bare-passthrough-proxy.mjs', args: ['--upstream', mock.url] });
  const anthropicBare = await startBenchServer({ name: 'bare passthrough (anthropic)', script: 'bare-passthrough-proxy.mjs', args: ['--upstream', anthropicMock.url] });

  /** @type {Array<{ name: string, url: string, pid?: number }>} */
  const openaiTargets = [
    { name: 'direct', url: mock.url },
    { name: 'bare', url: bare.url, pid: bare.pid },
    ...(await startMinimalJsonProxies(mock.url, '')),
  ];
  /** @type {Array<{ name: string, url: string, pid?: number }>} */
  const anthropicTargets = [
    { name: 'direct', url: anthropicMock.url },
    { name: 'bare', url: anthropicBare.url, pid: anthropicBare.pid },
    ...(await startMinimalJsonProxies(anthropicMock.url, ' (anthropic)')),
  ];
  /** @type {Record<string, string>} */
  const notMeasured = {};
  if (options['without-llmproxy']) {
    notMeasured.llmproxy = 'skipped (--without-llmproxy)';
  } else if (!existsSync(proxyEntry)) {
    notMeasured.llmproxy = `${path.relative(repositoryDirectory, proxyEntry)} does not exist: build with \`npx tsc -b\``;
  } else {
    // The default (usage recorded to SQLite), the same with recording off, and with metrics on.
    const variants = [
      { name: 'llmproxy', args: [] },
      { name: 'llmproxy-usage-off', args: ['--disable-usage'] },
      ...(options['with-metrics'] ? [{ name: 'llmproxy+metrics', args: ['--metrics'] }] : []),
    ];
    for (const variant of variants) {
      try {
        const llmproxy = await startLlmproxy({
          name: variant.name,
          runDirectory,
          upstreams: { openai: mock.url, anthropic: anthropicMock.url },
          extraArgs: variant.args,
          nodeArgs: options['cpu-profile'] && variant.name === 'llmproxy' ? ['--cpu-prof', '--cpu-prof-dir', profilesDirectory] : [],
        });
        const target = { name: variant.name, url: llmproxy.url, pid: llmproxy.pid };
        openaiTargets.push(target);
        if (variant.name === 'llmproxy') anthropicTargets.push(target);
      } catch (error) {
        notMeasured[variant.name] = error instanceof Error ? error.message : String(error);
      }
    }
  }
  return { upstreams: { openai: mock.url, anthropic: anthropicMock.url }, openaiTargets, anthropicTargets, notMeasured };
}

/**
 * Keeps the targets that answer correctly; notes why the others are not measured.
 * @template {{ name: string, url: string }} Target
 * @param {Target[]} targets
 * @param {(target: Target) => Parameters<typeof checkTarget>[1]} callOf what the target's client sends
 * @param {Record<string, string>} notMeasured
 * @returns {Promise<Target[]>}
 */
async function keepWorkingTargets(targets, callOf, notMeasured) {
  const working = [];
  for (const target of targets) {
    const problem = await checkTarget(target.url, callOf(target));
    if (problem === undefined) working.push(target);
    else notMeasured[target.name] = `answers incorrectly: ${problem}`;
  }
  return working;
}

/**
 * One whole measurement, on fresh processes.
 * @param {number} run 1-based
 */
async function measureRun(run) {
  const loadAverage = os.loadavg();
  progress(`\nrun ${run} of ${settings.runs}: load average ${loadAverage.map((value) => value.toFixed(2)).join(' ')}`);
  const startedAt = new Date().toISOString();
  const runDirectory = path.join(temporaryDirectory, `run-${run}`);
  await mkdir(runDirectory);
  if (options['only-open-streams']) return measureOpenStreamsAlone({ run, startedAt, loadAverage, runDirectory });
  const started = await startRunProcesses(runDirectory);
  const openaiNotMeasured = { ...started.notMeasured };
  /** @type {Record<string, string>} */
  const anthropicNotMeasured = started.notMeasured.llmproxy === undefined ? {} : { llmproxy: started.notMeasured.llmproxy };
  const sections = [
    { key: 'openai', label: 'OpenAI client → openai backend (same API)', call: OPENAI_CHAT_CALL, prefix: '', notMeasured: openaiNotMeasured,
      targets: await keepWorkingTargets(started.openaiTargets, () => OPENAI_CHAT_CALL, openaiNotMeasured) },
    { key: 'anthropic', label: 'Anthropic client → anthropic backend (same API)', call: ANTHROPIC_MESSAGES_CALL, prefix: 'anthropic ', notMeasured: anthropicNotMeasured,
      targets: await keepWorkingTargets(started.anthropicTargets, () => ANTHROPIC_MESSAGES_CALL, anthropicNotMeasured) },
  ];
  for (const section of sections) {
    if (!section.targets.some((target) => target.name === 'direct')) throw new Error(`the mock upstream of ${section.label} does not work: ${section.notMeasured.direct}`);
  }
  const llmproxy = sections[0].targets.find((target) => target.name === 'llmproxy');
  const translatedRoutes = llmproxy === undefined ? [] : TRANSLATED_REQUEST_ROUTES;
  /** @type {Record<string, string>} */
  const translatedNotMeasured = {};
  // Non-streaming requests: only the plain answer is checked.
  const translatedTargets = await keepWorkingTargets(
    translatedRoutes.map((route) => ({ name: route.name, url: llmproxy?.url ?? '', pid: llmproxy?.pid, route })),
    (target) => target.route,
    translatedNotMeasured,
  );

  const throughputTargets = [
    ...sections.flatMap((section) => section.targets.map((target) => ({ ...target, name: `${section.prefix}${target.name}`, call: section.call }))),
    ...translatedTargets.map((target) => ({ name: `translated ${target.name}`, url: target.url, pid: target.pid, call: target.route })),
  ];
  progress(`measuring ${throughputTargets.map((target) => `${target.name} (${target.url})`).join(', ')}`);
  const throughput = await measureThroughput(
    {
      targets: throughputTargets,
      connections: settings.connections,
      slices: settings.throughputSlices,
      sliceSeconds: settings.durationSeconds / settings.throughputSlices,
      // The proxy's request path is long: V8 goes on optimising it for some thousands of
      // requests, and its compiler threads' CPU counts as the process's. After one second a
      // proxy measured only on this load still paid for that; the passthrough is warm at once.
      warmupSeconds: options.quick ? 1 : 3,
    },
    progress,
  );

  const interleaved = {};
  for (const section of sections) {
    progress(`${section.label}: sequential latency, interleaved`);
    const sequential = await measureInterleaved({ targets: section.targets, rounds: settings.rounds, warmupRounds: 100, stream: false, call: section.call });
    progress(`${section.label}: streaming time-to-first-byte, interleaved`);
    const streaming = await measureInterleaved({ targets: section.targets, rounds: settings.streamRounds, warmupRounds: 10, stream: true, call: section.call });
    interleaved[section.key] = { sequential, streaming };
  }

  const translatedStreams = await measureTranslatedStreamsThroughLlmproxy(llmproxy, started.notMeasured.llmproxy);
  // Peak RSS after the request load, read before the long streams below add their own.
  const memoryAfterLoad = new Map();
  for (const target of throughputTargets) if (target.pid !== undefined && !memoryAfterLoad.has(target.pid)) memoryAfterLoad.set(target.pid, await readMemoryUsage(target.pid));
  progress(`CPU per streamed event: ${settings.eventStreams} streams of ${settings.streamEvents} events per target`);
  const eventCost = await measureEventCost({ targets: sections[0].targets, events: settings.streamEvents, streams: settings.eventStreams });

  const cpuProfile = options['cpu-profile'] && llmproxy !== undefined ? await stopAndSummarizeProfile() : undefined;
  const openStreams = await measureOpenStreamsThroughProxies(runDirectory, started.upstreams);
  await stopChildren();

  /** @type {Record<string, any>} */
  const results = { run, startedAt, loadAverage, sameApi: {}, translatedRequests: {}, translatedStreams, eventCost, openStreams, goals: [] };
  for (const section of sections) {
    results.sameApi[section.key] = {
      label: section.label,
      targets: summarizeSection(section, interleaved[section.key], throughput, memoryAfterLoad),
    };
  }
  for (const target of translatedTargets) {
    results.translatedRequests[target.name] = {
      throughput: throughput[`translated ${target.name}`],
      comparedWith: `bare passthrough to the ${target.route.upstream} mock`,
      bareCpuUsPerRequest: throughput[target.route.upstream === 'openai' ? 'bare' : 'anthropic bare']?.cpuUsPerRequest,
    };
  }
  for (const [name, reason] of Object.entries(translatedNotMeasured)) results.translatedRequests[name] = { status: 'not measured', reason };

  for (const section of sections) {
    const { llmproxy: proxyResults, bare } = results.sameApi[section.key].targets;
    if (proxyResults?.status === 'measured' && bare?.status === 'measured') results.goals.push(...checkGoals(proxyResults, bare, section.label.replace(' (same API)', '')));
  }
  if (results.sameApi.openai.targets.llmproxy?.status === 'measured') results.goals.push(checkPeakRssGoal(results.sameApi.openai.targets.llmproxy));
  results.goals.push(...checkTranslatedRequestGoals(results.translatedRequests));
  results.goals.push(...checkTranslationGoals(translatedStreams));
  results.goals.push(...checkOpenStreamGoals(openStreams));
  if (cpuProfile !== undefined) results.cpuProfile = cpuProfile;
  return results;
}

/**
 * A run of the open streams only, on fresh mock upstreams: the same results document with the
 * other sections empty.
 * @param {{ run: number, startedAt: string, loadAverage: number[], runDirectory: string }} run
 */
async function measureOpenStreamsAlone({ run, startedAt, loadAverage, runDirectory }) {
  const gapArgs = ['--stream-gap-ms', String(settings.streamGapMs)];
  const mock = await startBenchServer({ name: 'mock upstream', script: 'mock-openai-upstream.mjs', args: gapArgs });
  const anthropicMock = await startBenchServer({ name: 'mock anthropic upstream', script: 'mock-anthropic-upstream.mjs', args: gapArgs });
  const openStreams = await measureOpenStreamsThroughProxies(runDirectory, { openai: mock.url, anthropic: anthropicMock.url });
  await stopChildren();
  return { run, startedAt, loadAverage, sameApi: {}, translatedRequests: {}, openStreams, goals: checkOpenStreamGoals(openStreams) };
}

/**
 * The table rows of one same-API section.
 * @param {{ targets: Array<{ name: string, url: string, pid?: number }>, prefix: string, notMeasured: Record<string, string> }} section
 * @param {{ sequential: Awaited<ReturnType<typeof measureInterleaved>>, streaming: Awaited<ReturnType<typeof measureInterleaved>> }} measured
 * @param {Record<string, any>} throughput by throughput target name
 * @param {Map<number, any>} memoryAfterLoad by pid
 */
function summarizeSection(section, measured, throughput, memoryAfterLoad) {
  const { sequential, streaming } = measured;
  const directSamples = sequential.samplesMs.get('direct') ?? [];
  const directP99 = percentileOf(directSamples, 99);
  const bareFirstBytes = streaming.samplesMs.get('bare') ?? [];
  /** @type {Record<string, any>} */
  const targets = {};
  const names = [...new Set(['direct', 'bare', 'node-json', 'express-json', 'llmproxy', ...section.targets.map((target) => target.name), ...Object.keys(section.notMeasured)])];
  for (const name of names) {
    const target = section.targets.find((candidate) => candidate.name === name);
    if (target === undefined) {
      targets[name] = { status: 'not measured', reason: section.notMeasured[name] ?? 'not started' };
      continue;
    }
    const latencySamples = sequential.samplesMs.get(name) ?? [];
    const firstByteSamples = streaming.samplesMs.get(name) ?? [];
    const overheadSamples = (sequential.overheadHeaders.get(name) ?? []).map(Number);
    targets[name] = {
      status: 'measured',
      url: target.url,
      throughput: throughput[`${section.prefix}${name}`],
      latency: {
        p50Ms: percentileOf(latencySamples, 50),
        p99Ms: percentileOf(latencySamples, 99),
        addedP50Us: percentileOf(pairedDifferences(latencySamples, directSamples), 50) * 1000,
        addedP99Us: (percentileOf(latencySamples, 99) - directP99) * 1000,
      },
      streaming: {
        firstByteP50Ms: percentileOf(firstByteSamples, 50),
        firstByteP99Ms: percentileOf(firstByteSamples, 99),
        firstByteOverBareP50Ms: percentileOf(pairedDifferences(firstByteSamples, bareFirstBytes), 50),
      },
      failures: (sequential.failures.get(name) ?? 0) + (streaming.failures.get(name) ?? 0),
      memory: target.pid === undefined ? undefined : memoryAfterLoad.get(target.pid),
      overheadHeader: {
        samples: overheadSamples.length,
        p50Ms: percentileOf(overheadSamples, 50),
        p99Ms: percentileOf(overheadSamples, 99),
      },
    };
  }
  return targets;
}

/**
 * The open streams go through a bare passthrough and an llmproxy process of their own, each
 * started fresh with the event-loop-delay probe loaded, so the other measurements neither raise
 * their memory nor pay for the probe.
 * @param {string} runDirectory @param {{ openai: string, anthropic: string }} upstreams
 */
async function measureOpenStreamsThroughProxies(runDirectory, upstreams) {
  /** @type {Record<string, any>} */
  const targets = {};
  const probeArgs = ['--import', pathToFileURL(eventLoopDelayProbe).href];
  const starters = {
    bare: (env) => startBenchServer({ name: 'bare passthrough (open streams)', script: 'bare-passthrough-proxy.mjs', args: ['--upstream', upstreams.openai, '--max-sockets', String(settings.slowStreams + 16)], nodeArgs: probeArgs, env }),
    llmproxy: (env) => {
      if (options['without-llmproxy']) return Promise.reject(new Error('skipped (--without-llmproxy)'));
      if (!existsSync(proxyEntry)) return Promise.reject(new Error(`${path.relative(repositoryDirectory, proxyEntry)} does not exist: build with \`npx tsc -b\``));
      return startLlmproxy({ name: 'llmproxy-open-streams', runDirectory, upstreams, nodeArgs: probeArgs, env });
    },
  };
  for (const [name, start] of Object.entries(starters)) {
    const eventLoopDelayFile = path.join(runDirectory, `${name}-event-loop-delay.json`);
    let proxy;
    try {
      proxy = await start({ BENCH_EVENT_LOOP_DELAY_FILE: eventLoopDelayFile });
    } catch (error) {
      targets[name] = { status: 'not measured', reason: error instanceof Error ? error.message : String(error) };
      continue;
    }
    try {
      const problem = await checkTarget(proxy.url);
      if (problem !== undefined) {
        targets[name] = { status: 'not measured', reason: `answers incorrectly: ${problem}` };
        continue;
      }
      progress(`open streams through ${name}`);
      const measured = await measureOpenStreams(
        { url: proxy.url, pid: proxy.pid, eventLoopDelayFile, streams: settings.slowStreams, events: slowStreamEvents, intervalMs: settings.slowStreamIntervalMs },
        progress,
      );
      targets[name] = { status: 'measured', ...measured };
    } finally {
      // Its streams' memory and sockets go before the next proxy is measured.
      await proxy.stop();
    }
  }
  return { streams: settings.slowStreams, events: slowStreamEvents, intervalMs: settings.slowStreamIntervalMs, targets };
}

async function main() {
  temporaryDirectory = await mkdtemp(path.join(os.tmpdir(), 'llmproxy-bench-'));
  const startedAt = new Date().toISOString();
  const runs = [];
  for (let run = 1; run <= settings.runs; run += 1) {
    const results = await measureRun(run);
    runs.push(results);
    process.stdout.write(`\n${formatReport(results, { settings, node: process.version, cpus: os.cpus(), runs: settings.runs })}\n`);
    if (results.cpuProfile !== undefined) {
      process.stdout.write(
        `\nllmproxy CPU self time by package, startup included (module loading shows as node modules/fs) ` +
          `(${results.cpuProfile.file}):\n` +
          `${formatCpuProfileSummary(results.cpuProfile.summary, 15)}\n` +
          `\nby function (writev is the socket write system call):\n${formatCpuProfileSummary(results.cpuProfile.functions, 15)}\n`,
      );
    }
  }
  if (runs.length > 1) process.stdout.write(`\n${formatGoalsOfRuns(runs)}\n`);

  /** @type {Record<string, any>} */
  const document = {
    startedAt,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: { count: os.cpus().length, model: os.cpus()[0]?.model?.trim() ?? 'unknown' },
    settings: { ...settings, slowStreamEvents },
    runs,
  };
  await mkdir(resultsDirectory, { recursive: true });
  const resultsFile = path.join(resultsDirectory, `bench-${startedAt.replaceAll(':', '-')}.json`);
  await writeFile(resultsFile, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`\nresults: ${path.relative(process.cwd(), resultsFile)}\n`);

  const unmeasured = runs.map((results) => results.sameApi.openai?.targets.llmproxy ?? results.openStreams.targets.llmproxy).find((target) => target.status !== 'measured');
  const llmproxyMissing = unmeasured !== undefined && !options['without-llmproxy'];
  if (llmproxyMissing) process.stderr.write(`\nllmproxy was not measured: ${unmeasured.reason}\n`);
  return llmproxyMissing ? 1 : 0;
}

/**
 * The translated-stream comparison through llmproxy, after checking every route answers right.
 * @param {{ name: string, url: string } | undefined} llmproxy
 * @param {string | undefined} whyNotMeasured
 */
async function measureTranslatedStreamsThroughLlmproxy(llmproxy, whyNotMeasured) {
  if (llmproxy === undefined) return { status: 'not measured', reason: `llmproxy not measured: ${whyNotMeasured ?? 'not started'}` };
  const problems = await checkTranslatedStreamRoutes(llmproxy.url, TRANSLATED_STREAM_ROUTES);
  const wrong = Object.entries(problems);
  if (wrong.length > 0) return { status: 'not measured', reason: wrong.map(([name, problem]) => `${name} answers incorrectly: ${problem}`).join('; ') };
  process.stderr.write('translated streams, interleaved\n');
  const measured = await measureTranslatedStreams({ url: llmproxy.url, routes: TRANSLATED_STREAM_ROUTES, rounds: settings.translatedRounds, warmupRounds: 20 });
  return { status: 'measured', ...measured };
}

/** Stops llmproxy so node writes its profile, then summarises the newest profile. */
async function stopAndSummarizeProfile() {
  const startedAt = Date.now();
  await children.find((child) => child.name === 'llmproxy')?.stop();
  const profiles = [];
  for (const name of await readdir(profilesDirectory).catch(() => [])) {
    if (!name.endsWith('.cpuprofile')) continue;
    const file = path.join(profilesDirectory, name);
    const { mtimeMs } = await stat(file);
    if (mtimeMs >= startedAt - 1_000) profiles.push({ file, mtimeMs });
  }
  const newest = profiles.sort((left, right) => right.mtimeMs - left.mtimeMs)[0];
  if (newest === undefined) return { file: 'none written (did llmproxy exit cleanly on SIGTERM?)', summary: [], functions: [] };
  return {
    file: path.relative(process.cwd(), newest.file),
    summary: (await summarizeCpuProfile(newest.file)).slice(0, 30),
    functions: (await summarizeCpuProfileFunctions(newest.file)).slice(0, 30),
  };
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
} finally {
  await cleanUp();
  clearTimeout(watchdog);
}
process.exit(exitCode);
