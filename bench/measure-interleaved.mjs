/**
 * @fileoverview Sequential latency and streaming time-to-first-byte, measured in interleaved
 * rounds: every round sends one request to each target, in a rotating order, so drift (CPU
 * frequency, GC, other load) hits all targets alike and cancels in the differences.
 */
import { OPENAI_CHAT_CALL } from './workload.mjs';
import { createSequentialAgent, timedRequest } from './timed-request.mjs';

/**
 * @typedef {object} InterleavedSamples
 * @property {Map<string, number[]>} samplesMs per target name, one sample per round (NaN for a failed request)
 * @property {Map<string, string[]>} overheadHeaders per target name, each `x-llmproxy-overhead-ms` value seen
 * @property {Map<string, number>} failures per target name, responses other than 200
 */

/**
 * @param {{ targets: Array<{ name: string, url: string }>, rounds: number, warmupRounds: number, stream: boolean, call?: import('./workload.mjs').ClientCall }} options
 *   call: what every request sends, an OpenAI Chat request by default
 * @returns {Promise<InterleavedSamples>}
 */
export async function measureInterleaved(options) {
  const agents = new Map(options.targets.map((target) => [target.name, createSequentialAgent()]));
  const samplesMs = new Map(options.targets.map((target) => [target.name, []]));
  const overheadHeaders = new Map(options.targets.map((target) => [target.name, []]));
  const failures = new Map(options.targets.map((target) => [target.name, 0]));
  const call = options.call ?? OPENAI_CHAT_CALL;
  const body = options.stream ? call.streamBody : call.body;
  try {
    for (let round = 0; round < options.warmupRounds + options.rounds; round += 1) {
      const recording = round >= options.warmupRounds;
      for (let offset = 0; offset < options.targets.length; offset += 1) {
        const target = options.targets[(round + offset) % options.targets.length];
        const response = await timedRequest({
          agent: agents.get(target.name),
          url: target.url,
          path: call.path,
          headers: call.headers,
          body,
        });
        if (!recording) continue;
        if (response.status !== 200) {
          failures.set(target.name, failures.get(target.name) + 1);
          samplesMs.get(target.name).push(Number.NaN);
          continue;
        }
        samplesMs.get(target.name).push(options.stream ? response.firstByteMs : response.totalMs);
        const overhead = response.headers['x-llmproxy-overhead-ms'];
        if (typeof overhead === 'string') overheadHeaders.get(target.name).push(overhead);
      }
    }
  } finally {
    for (const agent of agents.values()) agent.destroy();
  }
  return { samplesMs, overheadHeaders, failures };
}

/**
 * Per-round differences (target − baseline): the added latency with drift cancelled. Rounds
 * where either request failed give NaN, which the percentiles skip.
 * @param {number[]} targetSamples
 * @param {number[]} baselineSamples
 */
export function pairedDifferences(targetSamples, baselineSamples) {
  const length = Math.min(targetSamples.length, baselineSamples.length);
  return Array.from({ length }, (_, index) => targetSamples[index] - baselineSamples[index]);
}
