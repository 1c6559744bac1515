/**
 * @fileoverview Translated streams beside untranslated ones, through the same llmproxy: an
 * Anthropic Messages client reaching the OpenAI mock (and its untranslated counterpart, an
 * OpenAI Chat client reaching the same mock), and an OpenAI Chat client reaching the Anthropic
 * mock (counterpart: an Anthropic client reaching it). Interleaved rounds, one request per route
 * each, in rotating order; time-to-first-byte and total time per stream, and per translated
 * route the paired difference to its counterpart, which is what translation costs.
 */
import { percentileOf } from './statistics.mjs';
import { pairedDifferences } from './measure-interleaved.mjs';
import { createSequentialAgent, timedRequest } from './timed-request.mjs';
import { ANSWER_TEXT } from './workload.mjs';
import { streamedText } from './read-answer.mjs';

/**
 * @typedef {object} StreamRoute
 * @property {string} name
 * @property {string} path
 * @property {Record<string, string>} headers
 * @property {string} body
 * @property {'openai-chat' | 'anthropic-messages'} protocol what the client speaks, to check the answer
 * @property {string} [untranslated] the name of the route this one is compared with
 */

/**
 * Proves each route streams the mock's answer correctly before it is measured.
 * @param {string} url @param {StreamRoute[]} routes
 * @returns {Promise<Record<string, string>>} what is wrong, by route name (empty when all are right)
 */
export async function checkTranslatedStreamRoutes(url, routes) {
  /** @type {Record<string, string>} */
  const problems = {};
  const agent = createSequentialAgent();
  try {
    for (const route of routes) {
      try {
        const response = await timedRequest({ agent, url, path: route.path, headers: route.headers, body: route.body });
        if (response.status !== 200) {
          problems[route.name] = `answered ${response.status}: ${response.body.slice(0, 300)}`;
          continue;
        }
        const read = streamedText(response.body, route.protocol);
        if ('problem' in read) problems[route.name] = read.problem;
        else if (read.text !== ANSWER_TEXT) problems[route.name] = `streamed ${JSON.stringify(read.text)}, expected ${JSON.stringify(ANSWER_TEXT)}`;
      } catch (error) {
        problems[route.name] = error instanceof Error ? error.message : String(error);
      }
    }
  } finally {
    agent.destroy();
  }
  return problems;
}

/**
 * @param {{ url: string, routes: StreamRoute[], rounds: number, warmupRounds: number }} options
 * @returns {Promise<Record<string, any>>} the summary written to the results JSON
 */
export async function measureTranslatedStreams(options) {
  const { routes } = options;
  const agents = new Map(routes.map((route) => [route.name, createSequentialAgent()]));
  const firstByteMs = new Map(routes.map((route) => [route.name, /** @type {number[]} */ ([])]));
  const totalMs = new Map(routes.map((route) => [route.name, /** @type {number[]} */ ([])]));
  const failures = new Map(routes.map((route) => [route.name, 0]));
  try {
    for (let round = 0; round < options.warmupRounds + options.rounds; round += 1) {
      const recording = round >= options.warmupRounds;
      for (let offset = 0; offset < routes.length; offset += 1) {
        const route = routes[(round + offset) % routes.length];
        const response = await timedRequest({ agent: agents.get(route.name), url: options.url, path: route.path, headers: route.headers, body: route.body });
        if (!recording) continue;
        const failed = response.status !== 200;
        if (failed) failures.set(route.name, failures.get(route.name) + 1);
        firstByteMs.get(route.name).push(failed ? Number.NaN : response.firstByteMs);
        totalMs.get(route.name).push(failed ? Number.NaN : response.totalMs);
      }
    }
  } finally {
    for (const agent of agents.values()) agent.destroy();
  }

  /** @type {Record<string, any>} */
  const summary = {};
  for (const route of routes) {
    const firstBytes = firstByteMs.get(route.name);
    const totals = totalMs.get(route.name);
    /** @type {Record<string, any>} */
    const entry = {
      firstByteP50Ms: percentileOf(firstBytes, 50),
      firstByteP99Ms: percentileOf(firstBytes, 99),
      totalP50Ms: percentileOf(totals, 50),
      totalP99Ms: percentileOf(totals, 99),
      failures: failures.get(route.name),
    };
    if (route.untranslated !== undefined) {
      entry.comparedWith = route.untranslated;
      entry.firstByteOverUntranslatedP50Ms = percentileOf(pairedDifferences(firstBytes, firstByteMs.get(route.untranslated) ?? []), 50);
      entry.totalOverUntranslatedP50Ms = percentileOf(pairedDifferences(totals, totalMs.get(route.untranslated) ?? []), 50);
    }
    summary[route.name] = entry;
  }
  return { rounds: options.rounds, routes: summary };
}
