#!/usr/bin/env node
/**
 * @fileoverview `npm run release:check`: what a user gets from the registry, checked before a
 * release. Packs every package (`npm pack`), lints the tarballs (publint, arethetypeswrong),
 * installs them into an empty folder the way production does (no dev dependencies, install
 * scripts blocked), and runs the production smoke test from that folder only:
 *
 * 1. core alone: `npx llm-proxy --version`, `connectors list`, a proxy started with a key
 *    answers `/internal/health` and a chat completion against a local OpenAI fake, and stops on
 *    SIGTERM; the package's `.` export starts and closes a proxy (ESM and `require`); SSO's
 *    tokens command names the missing optional SQLite driver.
 * 2. with @llmproxy/oauth-connectors: its six connectors are listed as needing opt-in, and a
 *    request to one is refused with OAUTH_CONNECTOR_OPT_IN_REQUIRED.
 * 3. with a third-party connector package (examples/connector-minimal, packed): its `echo`
 *    backend answers.
 * 4. Multi User Mode (after `connectors lock`): OAuth connectors are skipped and their code is
 *    never imported (a module hook records every import), the rest serves.
 *
 * Needs nothing from the internet but the npm registry (or npm's cache) for the tarballs'
 * dependencies. Options: `--no-build` (use the dist/ folders as they are), `--keep` (leave the
 * temporary folder for inspection), `--root <dir>` (pack another checkout, e.g. a scratch clone
 * after `lerna version`; its dist/ folders must be built).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TOOLS_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const options = parseOptions(process.argv.slice(2));
const ROOT = options.root ?? TOOLS_ROOT;
const CLIENT_KEY = 'release-check-client-key';
const UPSTREAM_KEY = 'release-check-upstream-key';
/** npm resolves the tarballs' dependencies from the registry or its cache; cold caches need time. */
const INSTALL_TIMEOUT_MS = 600_000;
const START_TIMEOUT_MS = 60_000;

/** The packages published, in dependency order, and the example a plugin author starts from. */
const PUBLISHED = ['packages/connector-sdk', 'packages/core', 'packages/oauth-connectors'];
const THIRD_PARTY_EXAMPLE = 'examples/connector-minimal';
const OAUTH_CONNECTOR_IDS = ['gemini-oauth-free', 'gemini-oauth-plan', 'gemini-oauth-auto', 'qwen-oauth', 'openai-codex', 'kiro-oauth-auto'];

const startedAt = Date.now();
const work = await mkdtemp(path.join(tmpdir(), 'llmproxy-release-check-'));
const upstream = await startOpenAiFake();
let failed = false;
try {
  if (options.build) await step('build (tsc -b)', () => run(process.execPath, [tool('typescript/bin/tsc'), '-b'], { cwd: ROOT }));
  const tarballs = await step('npm pack', () => packAll(path.join(work, 'tarballs')));
  await step('publint and arethetypeswrong', () => lintPackages(tarballs));
  const app = path.join(work, 'app');
  await step('install core and the SDK (production, install scripts blocked)', () => install(app, [tarballs.sdk, tarballs.core]));
  await step('core alone', () => smokeCoreAlone(app));
  await step('install @llmproxy/oauth-connectors', () => install(app, [tarballs.oauth]));
  await step('with oauth-connectors', () => smokeWithOauthConnectors(app));
  await step('install the third-party example connector', () => install(app, [tarballs.example]));
  await step('with a third-party connector', () => smokeWithThirdParty(app));
  await step('Multi User Mode', () => smokeMultiUser(app, work));
  console.log(`release:check passed in ${seconds(Date.now() - startedAt)}`);
} catch (error) {
  failed = true;
  console.error(`release:check FAILED after ${seconds(Date.now() - startedAt)}: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await new Promise((resolve) => upstream.server.close(resolve));
  if (options.keep) console.log(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;

// ---------------------------------------------------------------------------------------------
// Steps

async function packAll(destination) {
  await mkdir(destination, { recursive: true });
  const packed = {};
  for (const directory of [...PUBLISHED, THIRD_PARTY_EXAMPLE]) {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], { cwd: path.join(ROOT, directory), env: npmEnvironment() });
    const [result] = JSON.parse(stdout);
    const sizes = `${kilobytes(result.size)} packed, ${kilobytes(result.unpackedSize)} unpacked, ${result.entryCount} files`;
    console.log(`  ${result.name}@${result.version}: ${result.filename} (${sizes})`);
    for (const required of ['package.json', 'README.md', 'LICENSE']) {
      if (!result.files.some((file) => file.path === required)) throw new Error(`${result.name}'s tarball has no ${required}`);
    }
    const key = { 'packages/connector-sdk': 'sdk', 'packages/core': 'core', 'packages/oauth-connectors': 'oauth', [THIRD_PARTY_EXAMPLE]: 'example' }[directory];
    packed[key] = path.join(destination, result.filename);
  }
  return packed;
}

async function lintPackages(tarballs) {
  for (const tarball of [tarballs.sdk, tarballs.core, tarballs.oauth, tarballs.example]) {
    const name = path.basename(tarball);
    // --strict turns publint's warnings into failures; suggestions are printed, not fatal.
    const publint = await run(process.execPath, [tool('publint/src/cli.js'), 'run', tarball, '--strict'], { cwd: work });
    console.log(`  publint ${name}: ${lastLine(publint.stdout)}`);
    // ESM only: Node 20.19+ also lets CommonJS require() these packages (checked in the smoke test).
    const attw = await run(process.execPath, [tool('@arethetypeswrong/cli/dist/index.js'), tarball, '--profile', 'esm-only', '--format', 'json'], { cwd: work });
    const entrypoints = Object.keys(JSON.parse(attw.stdout).analysis?.entrypoints ?? {});
    console.log(`  arethetypeswrong ${name}: no problems (ESM, node16 and bundler resolution) in ${entrypoints.length} entry points`);
  }
}

async function install(app, tarballsToAdd) {
  await mkdir(app, { recursive: true });
  const manifest = path.join(app, 'package.json');
  if (!(await exists(manifest))) {
    await writeFile(manifest, `${JSON.stringify({ name: 'llmproxy-release-check-app', private: true, type: 'module' }, null, 2)}\n`);
  }
  const started = Date.now();
  await run('npm', ['install', '--omit=dev', '--prefer-offline', ...tarballsToAdd], { cwd: app, env: npmEnvironment(), timeout: INSTALL_TIMEOUT_MS });
  const installed = await readdir(path.join(app, 'node_modules'));
  console.log(`  installed in ${seconds(Date.now() - started)}: ${installed.length} top-level packages`);
  for (const devOnly of ['typescript', 'jest', 'lerna', 'better-sqlite3']) {
    if (installed.includes(devOnly)) throw new Error(`a production install must not bring ${devOnly}`);
  }
}

async function smokeCoreAlone(app) {
  const corePackage = JSON.parse(await readFile(path.join(app, 'node_modules/@llmproxy/core/package.json'), 'utf8'));
  const version = (await run('npx', ['--no-install', 'llm-proxy', '--version'], { cwd: app, env: cleanEnvironment() })).stdout.trim();
  expect(version === corePackage.version, `llm-proxy --version printed ${JSON.stringify(version)}, expected ${corePackage.version}`);
  console.log(`  llm-proxy --version: ${version}`);

  const list = await connectorsList(app, []);
  for (const id of ['openai', 'anthropic', 'gemini', 'openrouter', 'qwen']) expect(new RegExp(`^  ${id} +loaded`, 'm').test(list), `connectors list does not show ${id} as loaded:\n${list}`);
  console.log('  connectors list: the built-in connectors are loaded');

  await serveAndChat(app, { args: [], model: 'openai:gpt-4o-mini', expectAccessMode: 'single_user' });

  // The package's `.` export, from a consumer's module in the install folder.
  const esmConsumer = path.join(app, 'start-from-esm.mjs');
  await writeFile(
    esmConsumer,
    [
      "import { startLlmProxy } from '@llmproxy/core';",
      `const proxy = await startLlmProxy({ args: ['--port', '0', '--api-keys', '${CLIENT_KEY}', '--disable-notifications', '--log-level', 'warn'], env: { ...process.env } });`,
      "const response = await fetch(`${proxy.url}/v1/chat/completions`, {",
      "  method: 'POST',",
      `  headers: { authorization: 'Bearer ${CLIENT_KEY}', 'content-type': 'application/json' },`,
      "  body: JSON.stringify({ model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'from the API' }] }),",
      '});',
      'const body = await response.json();',
      'await proxy.close();',
      'console.log(JSON.stringify({ status: response.status, content: body.choices?.[0]?.message?.content, version: proxy.version }));',
    ].join('\n'),
  );
  const fromApi = JSON.parse((await run(process.execPath, [esmConsumer], { cwd: app, env: upstreamEnvironment() })).stdout.trim().split('\n').pop());
  expect(fromApi.status === 200 && fromApi.content === 'fake upstream answer to: from the API', `startLlmProxy() did not serve: ${JSON.stringify(fromApi)}`);
  console.log(`  import { startLlmProxy } from '@llmproxy/core': started, served a chat completion, closed`);
  const fromRequire = await run(process.execPath, ['--no-warnings', '--input-type=commonjs', '-e', "console.log(typeof require('@llmproxy/core').startLlmProxy)"], { cwd: app, env: cleanEnvironment() });
  expect(fromRequire.stdout.trim() === 'function', `require('@llmproxy/core') gave ${fromRequire.stdout.trim()}`);
  console.log("  require('@llmproxy/core') (Node's require of ES modules): startLlmProxy is a function");

  // SSO's store needs the optional SQLite driver, which this install left out.
  const databaseFile = path.join(app, 'var/sso/llm-proxy-sso.sqlite');
  await mkdir(path.dirname(databaseFile), { recursive: true });
  await writeFile(databaseFile, '');
  const tokens = await run('npx', ['--no-install', 'llm-proxy', 'tokens', 'list'], { cwd: app, env: cleanEnvironment(), allowFailure: true });
  expect(tokens.code === 1 && tokens.stderr.includes('SQLITE_DRIVER_UNAVAILABLE') && tokens.stderr.includes('npm install better-sqlite3'), `tokens list without better-sqlite3 said: ${tokens.stderr}`);
  console.log(`  tokens list without better-sqlite3: ${tokens.stderr.split('\n')[0]}`);
  await rm(path.join(app, 'var/sso'), { recursive: true });

  // Starting with SSO on stops with the same error, before any identity provider is contacted.
  const ssoConfig = path.join(app, 'sso-without-driver.yaml');
  await writeFile(
    ssoConfig,
    [
      'sso:',
      '  enabled: true',
      '  providers:',
      '    corp:',
      '      issuer: http://127.0.0.1:9/realms/corp',
      '      client_id: llm-proxy',
      '      client_secret_env: RELEASE_CHECK_SSO_SECRET',
      '      allowed_users:',
      '        email_domains: [example.com]',
      '',
    ].join('\n'),
  );
  const sso = await run(path.join(app, 'node_modules/.bin/llm-proxy'), ['--config', ssoConfig, '--port', '0', '--disable-notifications'], {
    cwd: app,
    env: { ...cleanEnvironment(), RELEASE_CHECK_SSO_SECRET: 'not-a-real-secret' },
    allowFailure: true,
    timeout: START_TIMEOUT_MS,
  });
  expect(sso.code === 1 && sso.stderr.includes('SQLITE_DRIVER_UNAVAILABLE') && !sso.stdout.includes('listening'), `llm-proxy with SSO and without better-sqlite3 said:\n${sso.stdout}${sso.stderr}`);
  console.log('  serve --sso-enabled without better-sqlite3: exit 1, SQLITE_DRIVER_UNAVAILABLE');
  await rm(ssoConfig);
}

async function smokeWithOauthConnectors(app) {
  const list = await connectorsList(app, []);
  for (const id of OAUTH_CONNECTOR_IDS) expect(new RegExp(`^  ${id} +loaded, needs opt-in`, 'm').test(list), `connectors list does not show ${id} as needing opt-in:\n${list}`);
  console.log(`  connectors list: ${OAUTH_CONNECTOR_IDS.length} OAuth connectors, each loaded and needing opt-in`);
  // The same recorder as in Multi User Mode, where it must record nothing; here it must see them.
  const recorder = await importRecorder(path.dirname(app));
  await serveAndChat(app, {
    args: [],
    nodeOptions: recorder.nodeOptions,
    model: 'openai:gpt-4o-mini',
    expectAccessMode: 'single_user',
    extra: async (proxyUrl) => {
      const refused = await chat(proxyUrl, 'gemini-oauth-plan:gemini-2.5-pro', 'hello');
      const code = refused.body?.error?.code;
      expect(refused.status === 403 && code === 'OAUTH_CONNECTOR_OPT_IN_REQUIRED', `an OAuth connector without opt-in answered ${refused.status} ${JSON.stringify(refused.body)}`);
      console.log(`  gemini-oauth-plan without opt-in: ${refused.status} ${code}`);
    },
  });
  const imported = await recorder.imported();
  expect(imported.length > 0, 'the import recorder saw no module of oauth-connectors in Single User Mode, so it could not prove their absence either');
  console.log(`  the import recorder saw ${imported.length} oauth-connectors modules load in Single User Mode`);
}

async function smokeWithThirdParty(app) {
  const list = await connectorsList(app, []);
  expect(/^ {2}echo +loaded/m.test(list), `connectors list does not show the third-party echo connector as loaded:\n${list}`);
  console.log('  connectors list: echo (llmproxy-connector-minimal) is loaded');
  await serveAndChat(app, { args: [], model: 'echo:any', expectContent: 'third party says hi', prompt: 'third party says hi', expectAccessMode: 'single_user' });
}

async function smokeMultiUser(app, workDirectory) {
  const multiUser = ['--multi-user-mode', '--host', '127.0.0.1', '--disable-notifications'];
  await run('npx', ['--no-install', 'llm-proxy', 'connectors', 'lock', ...multiUser], { cwd: app, env: cleanEnvironment() });
  const list = await connectorsList(app, multiUser);
  expect(/^@llmproxy\/oauth-connectors@\S+ +\[skipped\]/m.test(list), `connectors list in Multi User Mode does not skip oauth-connectors:\n${list}`);
  for (const id of OAUTH_CONNECTOR_IDS) expect(new RegExp(`^  ${id} +skipped`, 'm').test(list), `${id} is not skipped in Multi User Mode:\n${list}`);
  console.log('  connectors list --multi-user-mode: oauth-connectors and its six connectors skipped');

  // A module hook records every module of oauth-connectors that gets imported: none may be.
  const recorder = await importRecorder(workDirectory);
  await serveAndChat(app, {
    args: multiUser,
    nodeOptions: recorder.nodeOptions,
    model: 'openai:gpt-4o-mini',
    expectAccessMode: 'multi_user',
    extra: async (proxyUrl) => {
      const echoed = await chat(proxyUrl, 'echo:any', 'locked third party');
      expect(echoed.status === 200 && echoed.body.choices?.[0]?.message?.content === 'locked third party', `the locked echo connector answered ${echoed.status} ${JSON.stringify(echoed.body)}`);
      const refused = await chat(proxyUrl, 'gemini-oauth-plan:gemini-2.5-pro', 'hello');
      expect(refused.status >= 400 && refused.status < 500, `an OAuth backend in Multi User Mode answered ${refused.status}`);
      console.log(`  echo (locked) serves; gemini-oauth-plan answers ${refused.status} ${refused.body?.error?.code ?? ''}`);
    },
  });
  const imported = await recorder.imported();
  expect(imported.length === 0, `Multi User Mode imported oauth-connectors modules:\n${imported.join('\n')}`);
  console.log('  no module of @llmproxy/oauth-connectors was imported');
}

/**
 * A module hook (`node --import`) that appends the URL of every module of oauth-connectors
 * resolved for import to a log; `imported()` reads the log and empties it.
 */
async function importRecorder(workDirectory) {
  const importLog = path.join(workDirectory, 'oauth-imports.log');
  const hooks = path.join(workDirectory, 'record-oauth-imports.mjs');
  const register = path.join(workDirectory, 'register-import-recorder.mjs');
  await writeFile(
    hooks,
    [
      "import { appendFileSync } from 'node:fs';",
      'export async function resolve(specifier, context, nextResolve) {',
      '  const resolved = await nextResolve(specifier, context);',
      `  if (resolved.url.includes('/@llmproxy/oauth-connectors/')) appendFileSync(${JSON.stringify(importLog)}, resolved.url + '\\n');`,
      '  return resolved;',
      '}',
    ].join('\n'),
  );
  await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToUrl(hooks))});\n`);
  await writeFile(importLog, '');
  return {
    nodeOptions: `--import=${pathToUrl(register)}`,
    async imported() {
      const lines = (await readFile(importLog, 'utf8')).split('\n').filter((line) => line !== '');
      await writeFile(importLog, '');
      return lines;
    },
  };
}

/**
 * Starts `llm-proxy` from the install folder with a client key, checks `/internal/health` and a
 * chat completion, runs `extra`, then SIGTERM: the process must exit 0.
 */
async function serveAndChat(app, scenario) {
  const bin = path.join(app, 'node_modules/.bin/llm-proxy');
  const env = { ...upstreamEnvironment(), ...(scenario.nodeOptions === undefined ? {} : { NODE_OPTIONS: scenario.nodeOptions }) };
  const child = spawn(bin, ['--port', '0', '--api-keys', CLIENT_KEY, '--log-level', 'warn', ...scenario.args], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    const proxyUrl = await waitFor(() => /llm-proxy listening on (\S+)/.exec(stdout)?.[1], START_TIMEOUT_MS, () => `llm-proxy did not start:\n${stdout}${stderr}`);
    const health = await (await fetch(`${proxyUrl}/internal/health`)).json();
    expect(health.status === 'ok' && health.access_mode === scenario.expectAccessMode, `/internal/health said ${JSON.stringify(health)}`);
    const prompt = scenario.prompt ?? 'hello from the release check';
    const answer = await chat(proxyUrl, scenario.model, prompt);
    const content = answer.body?.choices?.[0]?.message?.content;
    const expected = scenario.expectContent ?? `fake upstream answer to: ${prompt}`;
    expect(answer.status === 200 && content === expected, `chat completion through ${scenario.model} answered ${answer.status} ${JSON.stringify(answer.body)}`);
    console.log(`  serve ${scenario.args.join(' ') || '(defaults)'}: health ${health.status} (${health.access_mode}, ${health.version}); ${scenario.model} answered "${content}"`);
    if (scenario.extra !== undefined) await scenario.extra(proxyUrl);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  const { code, signal } = await exited;
  expect(code === 0, `llm-proxy exited with ${code ?? signal} after SIGTERM:\n${stderr}`);
  console.log('  SIGTERM: exited 0');
}

async function connectorsList(app, extraArgs) {
  return (await run('npx', ['--no-install', 'llm-proxy', 'connectors', 'list', ...extraArgs], { cwd: app, env: cleanEnvironment() })).stdout;
}

async function chat(proxyUrl, model, content) {
  const response = await fetch(`${proxyUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });
  return { status: response.status, body: await response.json() };
}

// ---------------------------------------------------------------------------------------------
// The OpenAI fake: Chat Completions on 127.0.0.1, answering with the last user message.

function startOpenAiFake() {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const send = (status, payload) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(payload));
      };
      if (request.headers.authorization !== `Bearer ${UPSTREAM_KEY}`) return send(401, { error: { message: 'bad upstream key', type: 'invalid_request_error' } });
      if (request.method === 'GET' && request.url === '/v1/models') return send(200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'fake' }] });
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') return send(404, { error: { message: `no route ${request.method} ${request.url}`, type: 'invalid_request_error' } });
      const parsed = JSON.parse(body);
      const last = parsed.messages.at(-1)?.content;
      send(200, {
        id: 'chatcmpl-release-check',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: parsed.model,
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: `fake upstream answer to: ${typeof last === 'string' ? last : ''}` } }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/v1` })));
}

// ---------------------------------------------------------------------------------------------
// Helpers

function parseOptions(argv) {
  const parsed = { build: true, keep: false, root: undefined };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--no-build') parsed.build = false;
    else if (argument === '--keep') parsed.keep = true;
    else if (argument === '--root') parsed.root = path.resolve(argv[++index] ?? '.');
    else throw new Error(`release-check: unknown argument ${argument} (known: --no-build, --keep, --root <dir>)`);
  }
  return parsed;
}

/** A dev tool of this repository (its node_modules), run with node. */
function tool(relativePath) {
  return path.join(TOOLS_ROOT, 'node_modules', relativePath);
}

/** The caller's environment without settings that would change the proxy under test. */
function cleanEnvironment() {
  const environment = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('LLM_PROXY_') || name.startsWith('npm_') || name === 'NODE_OPTIONS') continue;
    if (/_API_KEY(_\d+)?$|_BASE_URL$/.test(name)) continue;
    environment[name] = value;
  }
  return environment;
}

function upstreamEnvironment() {
  return { ...cleanEnvironment(), OPENAI_API_KEY: UPSTREAM_KEY, OPENAI_BASE_URL: upstream.url };
}

/** npm as a production install runs it: install scripts blocked, no audit or funding noise. */
function npmEnvironment() {
  const environment = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('npm_package_') && !name.startsWith('npm_lifecycle_') && !name.startsWith('LLM_PROXY_')) environment[name] = value;
  }
  return { ...environment, npm_config_ignore_scripts: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
}

function run(command, args, { cwd, env = process.env, timeout = 300_000, allowFailure = false }) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      if (error !== null && !allowFailure) {
        reject(new Error(`${command} ${args.join(' ')} failed (${error.code ?? error.signal}):\n${stdout}${stderr}`));
        return;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

async function step(title, action) {
  const started = Date.now();
  console.log(`--- ${title}`);
  const result = await action();
  console.log(`    (${seconds(Date.now() - started)})`);
  return result;
}

async function waitFor(probe, timeoutMs, describeFailure) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(describeFailure());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function exists(file) {
  try {
    await readFile(file);
    return true;
  } catch {
    return false;
  }
}

function pathToUrl(file) {
  return pathToFileURL(file).href;
}

function seconds(milliseconds) {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}

function kilobytes(bytes) {
  return `${Math.round(bytes / 1024)} kB`;
}

function lastLine(text) {
  return text.trim().split('\n').pop() ?? '';
}
