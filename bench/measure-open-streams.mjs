/**
 * @fileoverview Scale with open streams: many slow streams (the OpenAI mock's slow-stream mode,
 * numbered events at a fixed interval) open at once through one llmproxy process. Reports the
 * proxy's resident memory per open stream (VmRSS while all are open minus before they opened),
 * its event-loop delay while they are open (from the probe loaded into it), and whether every
 * stream arrived whole and in order. The client stays cheap, since it shares the machine with
 * the proxy: one socket per stream, and the sequence numbers found with a byte scan.
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { readMemoryUsage } from './child-server.mjs';
import { cpuMicroseconds } from './measure-throughput.mjs';
import { CHAT_PATH, MODEL, REQUEST_HEADERS, SLOW_STREAM_SEQUENCE_MARKER } from './workload.mjs';

const MARKER = Buffer.from(SLOW_STREAM_SEQUENCE_MARKER);
const QUOTE = 0x22;
const DIGIT_ZERO = 0x30;
/**
 * The streams open in small batches spread over this share of a stream's duration (at most
 * MAXIMUM_RAMP_MS), as clients arrive, not in one burst that overflows the accept backlog.
 */
const RAMP_SHARE = 0.2;
const MAXIMUM_RAMP_MS = 5_000;
const OPEN_BATCH_PAUSE_MS = 20;
const RSS_SAMPLE_INTERVAL_MS = 500;
/**
 * A proxy that cannot keep up makes streams last longer; past this many times their duration,
 * counted from when the last one was answered (a stream still waiting to be accepted has not
 * started), they count as lost.
 */
const FINISH_WITHIN_DURATIONS = 3;
const FINISH_GRACE_MS = 10_000;
const PROBE_REPORT_TIMEOUT_MS = 15_000;

/**
 * @typedef {object} OpenStreamsResult
 * @property {number} streams @property {number} events per stream @property {number} intervalMs
 * @property {number} completed streams that arrived whole, every event in order, then [DONE]
 * @property {number} lost streams that failed, answered other than 200 or ended early
 * @property {number} reordered streams where an event arrived out of order, twice, or not at all while later ones did
 * @property {Record<string, number>} lostBecause how many streams failed for each reason
 * @property {number} rampSeconds over how long the streams were opened
 * @property {number} openedInSeconds from the first request to the last stream's headers
 * @property {number} openSeconds how long all streams were open together while sampled
 * @property {number} tookSeconds from the first request to the end of the last stream
 * @property {number | undefined} cpuUsPerEvent the process's CPU time from the first request to the last end, per event relayed
 * @property {number} rssBeforeMb @property {number} rssOpenMaxMb
 * @property {number} rssPerStreamKb (rssOpenMaxMb − rssBeforeMb) / streams
 * @property {{ samples: number, p50Ms: number, p99Ms: number, maxMs: number } | undefined} eventLoopDelay while all streams were open
 */

/**
 * @param {{ url: string, pid: number, eventLoopDelayFile: string, streams: number, events: number, intervalMs: number }} options
 * @param {(message: string) => void} progress
 * @returns {Promise<OpenStreamsResult>}
 */
export async function measureOpenStreams(options, progress) {
  const agent = new http.Agent({ keepAlive: false, maxSockets: options.streams + 16 });
  try {
    // Loads whatever the proxy loads lazily on its first streams, so the baseline below includes it.
    const warmup = await Promise.all(Array.from({ length: 3 }, () => openSlowStream({ agent, url: options.url, events: 3, intervalMs: 5 }).finished));
    if (warmup.some((stream) => stream.outcome !== 'completed')) throw new Error(`a warm-up slow stream did not arrive whole: ${JSON.stringify(warmup)}`);
    await sleep(200);
    const before = await readMemoryUsage(options.pid);
    const cpuBefore = await cpuMicroseconds(options.pid);

    progress(`open streams: opening ${options.streams} streams of ${options.events} events every ${options.intervalMs} ms`);
    const startedAt = Date.now();
    /** @type {ReturnType<typeof openSlowStream>[]} */
    const streams = [];
    const rampMs = Math.min(MAXIMUM_RAMP_MS, options.events * options.intervalMs * RAMP_SHARE);
    const batch = Math.max(1, Math.ceil(options.streams / Math.max(1, rampMs / OPEN_BATCH_PAUSE_MS)));
    for (let opened = 0; opened < options.streams; opened += batch) {
      for (let index = opened; index < Math.min(options.streams, opened + batch); index += 1) {
        streams.push(openSlowStream({ agent, url: options.url, events: options.events, intervalMs: options.intervalMs }));
      }
      await sleep(OPEN_BATCH_PAUSE_MS);
    }
    // Open = answered with headers (or failed, which counts as lost below).
    const durationMs = options.events * options.intervalMs;
    const stopWaitingForAnswers = setTimeout(() => {
      for (const stream of streams) if (!stream.isAnswered()) stream.abandon(`not answered within ${FINISH_WITHIN_DURATIONS}x its duration`);
    }, durationMs * FINISH_WITHIN_DURATIONS);
    await Promise.all(streams.map((stream) => stream.answered));
    clearTimeout(stopWaitingForAnswers);
    const allAnsweredAt = Date.now();
    const openedInSeconds = (allAnsweredAt - startedAt) / 1000;
    // All are open until the first one that carried events ends (however late a busy proxy makes that).
    let firstEnded = false;
    for (const stream of streams) void stream.finished.then(({ received }) => (firstEnded ||= received > 0));
    // The probe's first report ends what it saw before; the window starts when the proxy handled it.
    const windowStarted = (await reportEventLoopDelay(options.pid, options.eventLoopDelayFile, 1)) !== undefined;
    const openFrom = Date.now();
    let rssOpenMaxMb = Number.NaN;
    do {
      const usage = await readMemoryUsage(options.pid);
      if (usage !== undefined) rssOpenMaxMb = Number.isNaN(rssOpenMaxMb) ? usage.rssMb : Math.max(rssOpenMaxMb, usage.rssMb);
      await sleep(RSS_SAMPLE_INTERVAL_MS);
    } while (!firstEnded);
    const eventLoopDelay = windowStarted ? await reportEventLoopDelay(options.pid, options.eventLoopDelayFile, 2) : undefined;
    const openSeconds = (Date.now() - openFrom) / 1000;
    progress(`open streams: all open for ${openSeconds.toFixed(1)} s; waiting for them to end`);

    const giveUp = setTimeout(() => {
      for (const stream of streams) stream.abandon(`not finished within ${FINISH_WITHIN_DURATIONS}x its duration`);
    }, allAnsweredAt + durationMs * FINISH_WITHIN_DURATIONS + FINISH_GRACE_MS - Date.now());
    const outcomes = await Promise.all(streams.map((stream) => stream.finished));
    clearTimeout(giveUp);
    const cpuAfter = await cpuMicroseconds(options.pid);
    const count = (outcome) => outcomes.filter((stream) => stream.outcome === outcome).length;
    /** @type {Record<string, number>} */
    const lostBecause = {};
    for (const { outcome, why } of outcomes) if (outcome !== 'completed' && why !== undefined) lostBecause[why] = (lostBecause[why] ?? 0) + 1;
    const eventsRelayed = outcomes.reduce((total, stream) => total + stream.received, 0);
    const rssBeforeMb = before?.rssMb ?? Number.NaN;
    return {
      streams: options.streams,
      events: options.events,
      intervalMs: options.intervalMs,
      completed: count('completed'),
      lost: count('lost'),
      reordered: count('reordered'),
      lostBecause,
      rampSeconds: rampMs / 1000,
      openedInSeconds,
      openSeconds,
      tookSeconds: (Date.now() - startedAt) / 1000,
      rssBeforeMb,
      rssOpenMaxMb,
      rssPerStreamKb: ((rssOpenMaxMb - rssBeforeMb) * 1024) / options.streams,
      eventLoopDelay,
      cpuUsPerEvent: cpuBefore === undefined || cpuAfter === undefined || eventsRelayed === 0 ? undefined : (cpuAfter - cpuBefore) / eventsRelayed,
    };
  } finally {
    agent.destroy();
  }
}

/**
 * Asks the probe in the proxy for its event-loop delays since the last ask, and waits for the
 * report with that number (a saturated loop handles the signal late); undefined if none came.
 * @param {number} pid @param {string} file @param {number} report 1 for the first ask
 */
async function reportEventLoopDelay(pid, file, report) {
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + PROBE_REPORT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await sleep(20);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    const answer = text === undefined ? undefined : JSON.parse(text);
    if (answer?.report === report) return /** @type {{ samples: number, p50Ms: number, p99Ms: number, maxMs: number }} */ (answer);
  }
  return undefined;
}

/** How many of `data`'s last bytes are the start of a marker (0 when none): the next chunk holds its rest. */
function markerPrefixAtEnd(data) {
  for (let length = Math.min(MARKER.length - 1, data.length); length > 0; length -= 1) {
    if (data[data.length - length] === MARKER[0] && MARKER.subarray(0, length).equals(data.subarray(data.length - length))) return length;
  }
  return 0;
}

/**
 * One slow stream. `answered` settles when the headers arrive (or the request fails or is abandoned);
 * `finished` with the stream's outcome once it ended; `abandon` ends it as lost.
 * @param {{ agent: http.Agent, url: string, events: number, intervalMs: number }} options
 */
function openSlowStream(options) {
  const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: `slow stream ${options.events} events every ${options.intervalMs} ms` }], stream: true });
  let isAnswered = false;
  /** @type {(value?: undefined) => void} */
  let resolveAnswered = () => {};
  const markAnswered = () => {
    isAnswered = true;
    resolveAnswered();
  };
  /** @type {(why: string) => void} */
  let abandon = () => {};
  const answered = new Promise((resolve) => (resolveAnswered = resolve));
  /** @type {Promise<{ outcome: 'completed' | 'lost' | 'reordered', received: number, why?: string }>} */
  const finished = new Promise((resolve) => {
    let expected = 0;
    let inOrder = true;
    let settled = false;
    /** @type {Buffer | undefined} the end of the last chunk when a marker or its number may have been cut off there */
    let carry;
    /** @type {Buffer | undefined} the chunks before and at the end, where [DONE] is looked for */
    let previousChunk;
    /** @type {Buffer | undefined} */
    let lastChunk;
    /** @param {'completed' | 'lost' | 'reordered'} outcome @param {string} [why] */
    const settle = (outcome, why) => {
      if (settled) return;
      settled = true;
      markAnswered();
      resolve({ outcome, received: expected, why });
    };
    const request = http.request(new URL(CHAT_PATH, options.url), {
      method: 'POST',
      agent: options.agent,
      headers: { ...REQUEST_HEADERS, 'content-length': Buffer.byteLength(body) },
    });
    request.on('response', (response) => {
      markAnswered();
      if (response.statusCode !== 200) {
        response.resume();
        settle('lost', `answered ${response.statusCode}`);
        return;
      }
      // Kept cheap, since it runs for every event of every stream: one byte scan per chunk, and
      // a copy only when a marker was cut off by the chunk's end.
      response.on('data', (/** @type {Buffer} */ chunk) => {
        const data = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
        carry = undefined;
        for (let found = data.indexOf(MARKER); found !== -1; ) {
          let position = found + MARKER.length;
          let sequence = 0;
          while (position < data.length && data[position] !== QUOTE) {
            sequence = sequence * 10 + data[position] - DIGIT_ZERO;
            position += 1;
          }
          if (position === data.length) {
            carry = data.subarray(found);
            break;
          }
          if (sequence !== expected) inOrder = false;
          expected = sequence + 1;
          found = data.indexOf(MARKER, position + 1);
        }
        if (carry === undefined) {
          const cut = markerPrefixAtEnd(data);
          if (cut > 0) carry = data.subarray(data.length - cut);
        }
        previousChunk = lastChunk;
        lastChunk = chunk;
      });
      response.on('end', () => {
        const tail = Buffer.concat([previousChunk?.subarray(-32) ?? Buffer.alloc(0), lastChunk ?? Buffer.alloc(0)]).toString('latin1');
        if (!inOrder) settle('reordered');
        else if (expected !== options.events) settle('lost', 'ended early');
        else settle(tail.trimEnd().endsWith('data: [DONE]') ? 'completed' : 'lost', 'ended without [DONE]');
      });
      response.on('error', (error) => settle('lost', error.message));
      response.on('close', () => settle(inOrder ? 'lost' : 'reordered', 'closed before its end'));
    });
    request.on('error', (error) => settle('lost', error.message));
    abandon = (why) => {
      settle('lost', why);
      request.destroy();
    };
    request.end(body);
  });
  return { answered, isAnswered: () => isAnswered, finished, abandon: (/** @type {string} */ why) => abandon(why) };
}
