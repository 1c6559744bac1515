/**
 * @fileoverview The llmproxy benchmark (`npm run bench`). In one run it starts a mock OpenAI
 * upstream, a bare Node passthrough proxy and llmproxy itself, each as its own process on
 * 127.0.0.1, and measures for each target (direct to the upstream, bare passthrough, llmproxy):
 * requests/s at 32 connections, sequential latency p50/p99 and the latency added over direct
 * (interleaved rounds), streaming time-to-first-byte, and the proxy's peak RSS after load.
 * Then, through llmproxy only, translated streams beside untranslated ones (a mock Anthropic
 * upstream joins for them): an Anthropic client on the OpenAI mock, an OpenAI client on the
 * Anthropic mock, and each mock reached through its own protocol; time-to-first-byte and total
 * time, and what translation adds. llmproxy runs twice, with usage recording on (the default)
 * and off (`llmproxy-usage-off`), so the tables show what recording costs. Prints tables and writes the numbers as JSON to bench/results/.
 *
 * Options: --duration <throughput seconds per target, run in 3 interleaved slices> (6), --connections (32), --rounds (1000),
 * --stream-rounds (200), --translated-rounds (200), --stream-gap-ms (5), --stream-events (events per stream
 * for the CPU per streamed event, 1000), --event-streams (such streams per target, 20), --quick (short runs, for trying the harness),
 * --without-llmproxy (measure the baselines only), --with-metrics (a second llmproxy with
 * Prometheus metrics on, `llmproxy+metrics`, measured beside the first), --cpu-profile (run llmproxy under
 * `node --cpu-prof`, keep the profile in bench/results/profiles/ and print self time by package;
 * profiling slows it down, so take the other numbers from a run without it).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkTarget } from './check-target.mjs';
import { readMemoryUsage, startChildServer } from './child-server.mjs';
import { measureInterleaved, pairedDifferences } from './measure-interleaved.mjs';
import { measureEventCost } from './measure-event-cost.mjs';
import { measureThroughput } from './measure-throughput.mjs';
import { checkTranslatedStreamRoutes, measureTranslatedStreams } from './measure-translated-streams.mjs';
import { checkGoals, checkTranslationGoals, formatReport } from './report.mjs';
import { TRANSLATED_STREAM_ROUTES } from './workload.mjs';
import { formatCpuProfileSummary, summarizeCpuProfile, summarizeCpuProfileFunctions } from './summarize-cpu-profile.mjs';
import { percentileOf } from './statistics.mjs';

const benchDirectory = path.dirname(fileURLToPath(import.meta.url));
const repositoryDirectory = path.dirname(benchDirectory);
const proxyEntry = path.join(repositoryDirectory, 'packages/core/dist/cli/main.js');
const resultsDirectory = path.join(benchDirectory, 'results');
const profilesDirectory = path.join(resultsDirectory, 'profiles');
/** The whole run must end well within this, whatever hangs. */
const WATCHDOG_MS = 170_000;

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
    quick: { type: 'boolean', default: false },
    'without-llmproxy': { type: 'boolean', default: false },
    'with-metrics': { type: 'boolean', default: false },
    'cpu-profile': { type: 'boolean', default: false },
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
};

for (const [name, value] of Object.entries(settings)) {
  if (!Number.isFinite(value) || value < 0 || (value === 0 && name !== 'streamGapMs')) {
    process.stderr.write(`bench: ${name} must be a positive number, got ${value}\n`);
    process.exit(2);
  }
}

/** @type {import('./child-server.mjs').ChildServer[]} */
const children = [];
let temporaryDirectory = '';

async function cleanUp() {
  await Promise.allSettled(children.map((child) => child.stop()));
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

async function startTargets() {
  const mock = await startChildServer({
    name: 'mock upstream',
    command: process.execPath,
    args: [path.join(benchDirectory, 'mock-openai-upstream.mjs'), '--stream-gap-ms', String(settings.streamGapMs)],
  });
  children.push(mock);
  const anthropicMock = await startChildServer({
    name: 'mock anthropic upstream',
    command: process.execPath,
    args: [path.join(benchDirectory, 'mock-anthropic-upstream.mjs'), '--stream-gap-ms', String(settings.streamGapMs)],
  });
  children.push(anthropicMock);
  const bare = await startChildServer({
    name: 'bare passthrough',
    command: process.execPath,
    args: [path.join(benchDirectory, 'bare-passthrough-proxy.mjs'), '--upstream', mock.url],
  });
  children.push(bare);

  /** @type {Array<{ name: string, url: string, pid?: number }>} */
  const targets = [
    { name: 'direct', url: mock.url },
    { name: 'bare', url: bare.url, pid: bare.pid },
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
        const llmproxy = await startChildServer({
          name: variant.name,
          command: process.execPath,
          args: [
            ...(options['cpu-profile'] && variant.name === 'llmproxy' ? ['--cpu-prof', '--cpu-prof-dir', profilesDirectory] : []),
            proxyEntry,
            '--port', '0',
            '--disable-auth',
            '--log-level', 'error',
            '--log-file', path.join(temporaryDirectory, `${variant.name}.log`),
            '--usage-database-file', path.join(temporaryDirectory, `${variant.name}-usage.sqlite`),
            ...variant.args,
          ],
          env: proxyEnvironment(mock.url, anthropicMock.url),
          // No project or user config file from the caller's directory changes what is measured.
          cwd: temporaryDirectory,
        });
        children.push(llmproxy);
        targets.push({ name: variant.name, url: llmproxy.url, pid: llmproxy.pid });
      } catch (error) {
        notMeasured[variant.name] = error instanceof Error ? error.message : String(error);
      }
    }
  }
  return { targets, notMeasured };
}

async function main() {
  const loadAverageAtStart = os.loadavg();
  temporaryDirectory = await mkdtemp(path.join(os.tmpdir(), 'llmproxy-bench-'));
  const { targets: startedTargets, notMeasured } = await startTargets();

  const targets = [];
  for (const target of startedTargets) {
    const problem = await checkTarget(target.url);
    if (problem === undefined) targets.push(target);
    else notMeasured[target.name] = `answers incorrectly: ${problem}`;
  }
  if (!targets.some((target) => target.name === 'direct')) throw new Error(`the mock upstream does not work: ${notMeasured.direct}`);
  process.stderr.write(`measuring ${targets.map((target) => `${target.name} (${target.url})`).join(', ')}\n`);

  const progress = (message) => process.stderr.write(`${message}\n`);
  const throughput = await measureThroughput(
    {
      targets,
      connections: settings.connections,
      slices: settings.throughputSlices,
      sliceSeconds: settings.durationSeconds / settings.throughputSlices,
      warmupSeconds: 1,
    },
    progress,
  );

  process.stderr.write('sequential latency, interleaved\n');
  const sequential = await measureInterleaved({ targets, rounds: settings.rounds, warmupRounds: 100, stream: false });
  process.stderr.write('streaming time-to-first-byte, interleaved\n');
  const streaming = await measureInterleaved({ targets, rounds: settings.streamRounds, warmupRounds: 10, stream: true });

  const translatedStreams = await measureTranslatedStreamsThroughLlmproxy(targets.find((target) => target.name === 'llmproxy'), notMeasured.llmproxy);
  // Peak RSS after the request load, read before the long streams below add their own.
  const memoryAfterLoad = new Map();
  for (const target of targets) if (target.pid !== undefined) memoryAfterLoad.set(target.name, await readMemoryUsage(target.pid));
  process.stderr.write(`CPU per streamed event: ${settings.eventStreams} streams of ${settings.streamEvents} events per target\n`);
  const eventCost = await measureEventCost({ targets, events: settings.streamEvents, streams: settings.eventStreams });

  const directSamples = sequential.samplesMs.get('direct') ?? [];
  const directP99 = percentileOf(directSamples, 99);
  const bareFirstBytes = streaming.samplesMs.get('bare') ?? [];

  /** @type {Record<string, any>} */
  const results = {
    startedAt: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: { count: os.cpus().length, model: os.cpus()[0]?.model?.trim() ?? 'unknown' },
    loadAverage: loadAverageAtStart,
    settings,
    targets: {},
    translatedStreams,
    eventCost,
    goals: [],
  };
  for (const name of ['direct', 'bare', 'llmproxy', 'llmproxy-usage-off', ...(options['with-metrics'] ? ['llmproxy+metrics'] : [])]) {
    const target = targets.find((candidate) => candidate.name === name);
    if (target === undefined) {
      results.targets[name] = { status: 'not measured', reason: notMeasured[name] ?? 'not started' };
      continue;
    }
    const latencySamples = sequential.samplesMs.get(name) ?? [];
    const firstByteSamples = streaming.samplesMs.get(name) ?? [];
    const overheadSamples = (sequential.overheadHeaders.get(name) ?? []).map(Number);
    results.targets[name] = {
      status: 'measured',
      url: target.url,
      throughput: throughput[name],
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
      memory: memoryAfterLoad.get(name),
      overheadHeader: {
        samples: overheadSamples.length,
        p50Ms: percentileOf(overheadSamples, 50),
        p99Ms: percentileOf(overheadSamples, 99),
      },
    };
  }
  if (results.targets.llmproxy.status === 'measured' && results.targets.bare.status === 'measured') {
    results.goals = checkGoals(results.targets.llmproxy, results.targets.bare);
  }
  results.goals.push(...checkTranslationGoals(translatedStreams));

  if (options['cpu-profile'] && results.targets.llmproxy.status === 'measured') {
    results.cpuProfile = await stopAndSummarizeProfile();
  }

  process.stdout.write(`\n${formatReport(results)}\n`);
  if (results.cpuProfile !== undefined) {
    process.stdout.write(
      `\nllmproxy CPU self time by package, startup included (module loading shows as node modules/fs) ` +
        `(${results.cpuProfile.file}):\n` +
        `${formatCpuProfileSummary(results.cpuProfile.summary, 15)}\n` +
        `\nby function (writev is the socket write system call):\n${formatCpuProfileSummary(results.cpuProfile.functions, 15)}\n`,
    );
  }
  await mkdir(resultsDirectory, { recursive: true });
  const resultsFile = path.join(resultsDirectory, `bench-${results.startedAt.replaceAll(':', '-')}.json`);
  await writeFile(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nresults: ${path.relative(process.cwd(), resultsFile)}\n`);

  const llmproxyMissing = results.targets.llmproxy.status !== 'measured' && !options['without-llmproxy'];
  if (llmproxyMissing) {
    process.stderr.write(`\nllmproxy was not measured: ${results.targets.llmproxy.reason}\n`);
  }
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
