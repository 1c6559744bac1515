/**
 * @fileoverview The compatibility suite (`npm run compat`): the real coding-agent CLIs (Claude
 * Code, Codex CLI, Gemini CLI) each complete one agent turn through the real built `llm-proxy`
 * against a scripted upstream, for every backend API (OpenAI Chat, OpenAI Responses, Anthropic
 * Messages, Gemini), with the settings docs/frontends/*.md show. Versions are pinned in
 * compat/clients.json; `--latest` runs the newest releases on the npm registry instead.
 *
 * Options: --latest, --only <text> (cells whose `client/backend` contains it; repeatable),
 * --jobs <n> (cells at once; default 2, or $LLMPROXY_COMPAT_JOBS), --timeout <seconds per
 * client run> (default 180), --keep (keep every cell's directory, not only failed ones).
 *
 * Exit code: 0 when every cell ran and passed; 1 when a cell failed, or (under CI=true) a client
 * could not be installed. Outside CI an uninstallable client's cells are skipped, naming it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BACKENDS } from './backends.mjs';
import { runCell } from './cell.mjs';
import { claudeCode } from './clients/claude-code.mjs';
import { codex } from './clients/codex.mjs';
import { geminiCli } from './clients/gemini-cli.mjs';
import { readMarkedBlocks } from './doc-recipes.mjs';
import { cacheRoot, installClient, latestVersion } from './install-clients.mjs';
import { formatFailures, formatMatrix } from './report.mjs';
import { PROXY_CLI } from './proxy-process.mjs';
import { selfTestScriptedUpstream } from './upstream-self-test.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repositoryRoot = path.resolve(here, '..');
const CLIENT_MODULES = [claudeCode, codex, geminiCli];

const { values: options } = parseArgs({
  options: {
    latest: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true, default: [] },
    jobs: { type: 'string', default: process.env.LLMPROXY_COMPAT_JOBS ?? '2' },
    timeout: { type: 'string', default: '180' },
    keep: { type: 'boolean', default: false },
  },
});
const jobs = Math.max(1, Number.parseInt(options.jobs, 10) || 1);
const timeoutMs = Math.max(10, Number.parseInt(options.timeout, 10) || 180) * 1000;
const inCi = process.env.CI === 'true' || process.env.CI === '1';

if (!existsSync(PROXY_CLI)) {
  console.error(`${PROXY_CLI} is missing: build first (npx tsc -b).`);
  process.exit(1);
}

console.log('--- the scripted upstream, checked with the official SDKs');
await selfTestScriptedUpstream();
console.log('every API answers as scripted, streamed and not');

const pinned = JSON.parse(await readFile(path.join(here, 'clients.json'), 'utf8'));
const wanted = (clientId, backendId) => options.only.length === 0 || options.only.some((text) => `${clientId}/${backendId}`.includes(text));
const clients = CLIENT_MODULES.filter((client) => BACKENDS.some((backend) => wanted(client.id, backend.id)));

console.log(`--- installing clients (${options.latest ? 'newest releases' : 'pinned in compat/clients.json'}) into ${cacheRoot()}`);
/** @type {Map<string, { bin?: string, version: string, problem?: string }>} */
const installed = new Map();
await Promise.all(
  clients.map(async (client) => {
    const pin = pinned[client.id];
    if (!pin) throw new Error(`compat/clients.json has no entry "${client.id}"`);
    let version = pin.version;
    try {
      if (options.latest) version = await latestVersion(pin.package);
      const result = await installClient({ ...pin, version });
      installed.set(client.id, { bin: result.bin, version });
      console.log(`${pin.package}@${version}: ${result.fromCache ? 'cached' : 'installed'}`);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      installed.set(client.id, { version, problem });
      console.log(`${pin.package}@${version}: NOT INSTALLED: ${problem}`);
    }
  }),
);

/** @type {Map<string, Map<string, string>>} */
const blocksByDoc = new Map();
for (const client of clients) {
  if (!blocksByDoc.has(client.doc)) blocksByDoc.set(client.doc, await readMarkedBlocks(path.join(repositoryRoot, client.doc)));
}

const cells = clients.flatMap((client) => BACKENDS.filter((backend) => wanted(client.id, backend.id)).map((backend) => ({ client, backend })));
console.log(`--- running ${cells.length} cells, ${jobs} at a time, each client run bounded to ${timeoutMs / 1000} s`);
/** @type {import('./report.mjs').MatrixEntry[]} */
const results = [];
let next = 0;
async function worker() {
  while (next < cells.length) {
    const { client, backend } = cells[next++];
    const install = installed.get(client.id);
    if (!install?.bin) {
      const status = inCi ? 'fail' : 'skip';
      results.push({ client: client.id, backend: backend.id, status, failures: [`${pinned[client.id].package}@${install?.version} could not be installed: ${install?.problem}`] });
      continue;
    }
    const result = await runCell({ client, backend, bin: install.bin, blocks: blocksByDoc.get(client.doc), timeoutMs, keep: options.keep });
    results.push(result);
    console.log(`${result.status.toUpperCase()} ${client.id} / ${backend.id} (${result.seconds} s)${result.failures.length ? `: ${result.failures.join('; ')}` : ''}`);
  }
}
await Promise.all(Array.from({ length: Math.min(jobs, cells.length) }, worker));

const versions = Object.fromEntries(clients.map((client) => [client.id, installed.get(client.id)?.version ?? '?']));
console.log(`\n${formatMatrix(results, CLIENT_MODULES, BACKENDS, versions)}`);
const failureReport = formatFailures(results);
if (failureReport) console.log(`\n${failureReport}`);
const failed = results.some((result) => result.status === 'fail');
process.exit(failed ? 1 : 0);
