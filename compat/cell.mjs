/**
 * @fileoverview One cell of the compatibility matrix: one client CLI, one backend, one agent
 * turn. Starts the scripted upstream and the real proxy, runs the client non-interactively with
 * its documented settings in a temporary HOME and workspace, and checks that
 * - the upstream offered the client's tool call, the client ran it, and the tool result carrying
 *   the file's nonce reached the upstream through the proxy, on the backend's own API;
 * - the client printed the answer nonce the upstream sent back;
 * - the proxy answered no request with a 4xx (from its log file).
 * The client reaches the proxy through a relay that passes everything unchanged and keeps the
 * body of each 4xx answer, so a failed cell's report says what the proxy refused.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { proxyArgumentsOf, requireBlock } from './doc-recipes.mjs';
import { startErrorRecordingRelay } from './error-recording-relay.mjs';
import { readClientErrors, startProxy } from './proxy-process.mjs';
import { startScriptedUpstream } from './scripted-upstream.mjs';

const PROMPT = 'Read the file nonce.txt in the current directory with your file-reading or shell tool, then tell me the answer nonce.';

/** Variables that keep the clients off the internet (telemetry, error reports, update checks) and their output plain. */
const OFFLINE_ENVIRONMENT = {
  DISABLE_TELEMETRY: '1',
  DISABLE_AUTOUPDATER: '1',
  DISABLE_ERROR_REPORTING: '1',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  NO_COLOR: '1',
  TERM: 'dumb',
};

/**
 * @typedef {object} CellResult
 * @property {string} client
 * @property {string} backend
 * @property {'pass' | 'fail'} status
 * @property {string[]} failures Why it failed, one line each.
 * @property {Record<string, unknown>[]} proxyClientErrors The proxy's 4xx log entries.
 * @property {import('./error-recording-relay.mjs').RecordedClientError[]} proxyErrorAnswers The 4xx answers themselves.
 * @property {string[]} clientErrorLines Lines of the client's output that quote an HTTP error.
 * @property {string} clientOutputTail
 * @property {string[]} upstreamRequests One line per request the upstream saw.
 * @property {number} seconds
 * @property {string} [keptDirectory] The cell's files, kept when it failed.
 */

/**
 * @param {object} options
 * @param {any} options.client A module from clients/.
 * @param {import('./backends.mjs').BACKENDS[number]} options.backend
 * @param {string} options.bin The installed client executable.
 * @param {Map<string, string>} options.blocks The marked recipe blocks of the client's doc.
 * @param {number} options.timeoutMs
 * @param {boolean} options.keep Keep the cell's directory even when it passed.
 * @returns {Promise<CellResult>}
 */
export async function runCell({ client, backend, bin, blocks, timeoutMs, keep }) {
  const started = Date.now();
  const directory = await mkdtemp(path.join(os.tmpdir(), `llmproxy-compat-${client.id}-${backend.id}-`));
  const home = path.join(directory, 'home');
  const workspace = path.join(directory, 'workspace');
  await mkdir(home, { recursive: true });
  await mkdir(workspace, { recursive: true });
  const fileNonce = `FILE-${randomBytes(6).toString('hex')}`;
  const answerNonce = `ANSWER-${randomBytes(6).toString('hex')}`;
  const nonceFile = path.join(workspace, 'nonce.txt');
  await writeFile(nonceFile, `The file nonce is ${fileNonce}.\n`);
  const key = `compat-${randomBytes(8).toString('hex')}`;

  /** @type {string[]} */
  const failures = [];
  let clientOutput = '';
  let proxyClientErrors = [];
  const upstream = await startScriptedUpstream({
    fileNonce,
    answerNonce,
    chooseToolCall: (tools) => client.chooseToolCall(tools, { nonceFile, workspace }),
    models: [backend.model.slice(backend.model.indexOf(':') + 1)],
  });
  let proxy;
  let relay;
  try {
    proxy = await startProxy({
      documentedArguments: proxyArgumentsOf(requireBlock(blocks, `${client.id}:proxy`, client.doc)),
      key,
      upstreamPort: upstream.port,
      directory,
    });
    relay = await startErrorRecordingRelay(Number(proxy.address.split(':')[1]));
    const prepared = await client.prepare({ blocks, proxyAddress: `127.0.0.1:${relay.port}`, key, model: backend.model, prompt: PROMPT, home, workspace, bin });
    const env = { PATH: process.env.PATH ?? '', HOME: home, LANG: 'C.UTF-8', TMPDIR: os.tmpdir(), ...OFFLINE_ENVIRONMENT, ...prepared.env };
    await writeFile(path.join(directory, 'client-command.json'), JSON.stringify({ command: prepared.command, env }, null, 2));
    const run = await runClient(prepared.command, { cwd: workspace, env, timeoutMs });
    clientOutput = run.output;
    if (run.timedOut) failures.push(`the client did not finish within ${timeoutMs / 1000} s`);
    else if (run.exitCode !== 0) failures.push(`the client exited with ${run.exitCode ?? run.signal}`);
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
  } finally {
    await relay?.close();
    await proxy?.stop();
    await upstream.close();
  }
  if (proxy) proxyClientErrors = await readClientErrors(proxy.logFile);

  const toolCalls = upstream.requests.filter((request) => request.answer === 'tool-call');
  const mainTurn = upstream.requests.filter((request) => request.answer === 'tool-call' || request.answer === 'nonce');
  if (proxy && toolCalls.length === 0) {
    const offered = [...new Set(upstream.requests.flatMap((request) => request.tools ?? []))];
    failures.push(`no request reached the upstream offering the client's tool (tools offered: ${offered.join(', ') || 'none'})`);
  } else if (toolCalls.length > 0 && !upstream.toolResultTexts.some((text) => text.includes(fileNonce))) {
    failures.push(upstream.toolResultTexts.length === 0 ? 'no tool result reached the upstream' : "the tool results that reached the upstream lack the file's nonce");
  }
  const wrongApi = mainTurn.filter((request) => request.api !== backend.upstreamApi);
  if (wrongApi.length > 0) failures.push(`the main turn reached the upstream on ${wrongApi[0].api}, expected ${backend.upstreamApi}`);
  if (proxy && !clientOutput.includes(answerNonce)) failures.push("the client's output lacks the answer nonce");
  if (proxyClientErrors.length > 0) failures.push(`the proxy answered ${proxyClientErrors.length} request(s) with a 4xx`);

  const status = failures.length === 0 ? 'pass' : 'fail';
  const keptDirectory = status === 'fail' || keep ? directory : undefined;
  if (keptDirectory) {
    await writeFile(path.join(directory, 'client-output.txt'), clientOutput);
    await writeFile(path.join(directory, 'upstream-requests.json'), JSON.stringify(upstream.requests, null, 2));
    if (proxy) await writeFile(path.join(directory, 'proxy-output.txt'), proxy.output());
  } else {
    await rm(directory, { recursive: true, force: true });
  }
  return {
    client: client.id,
    backend: backend.id,
    status,
    failures,
    proxyClientErrors,
    proxyErrorAnswers: relay?.clientErrors ?? [],
    clientErrorLines: clientOutput.split('\n').filter((line) => /error/i.test(line) && /\b4\d\d\b|invalid_request|"code"/.test(line)).map((line) => line.trim().slice(0, 600)).slice(0, 5),
    clientOutputTail: clientOutput.trim().split('\n').slice(-8).join('\n'),
    upstreamRequests: upstream.requests.map((request) => `${request.method} ${request.path}${request.model ? ` model=${request.model}` : ''}${request.stream === undefined ? '' : ` stream=${request.stream}`} -> ${request.answer}`),
    seconds: Math.round((Date.now() - started) / 100) / 10,
    keptDirectory,
  };
}

/**
 * Runs the client in its own process group, stdin closed, and kills the whole group (the
 * client's own children included) at the timeout.
 * @param {string[]} command
 * @param {{ cwd: string, env: Record<string, string>, timeoutMs: number }} options
 */
function runClient(command, { cwd, env, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${command[0]}: ${error.message}`));
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      // Whatever the client left running in its group (an MCP server, a shell) goes with it.
      killGroup();
      resolve({ output, exitCode, signal, timedOut });
    });
  });
}
