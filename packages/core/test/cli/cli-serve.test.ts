/**
 * The real CLI serving: the listening line, the generated key (stdout only, once), the startup log
 * line, `/internal/health` in each mode and a clean stop on SIGTERM/SIGINT.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import { assertCliBuilt, cleanUpCliRuns, createWorkingDirectory, isPortClosed, startLlmProxy } from '../support/run-llm-proxy.js';

beforeAll(assertCliBuilt);
afterEach(cleanUpCliRuns);

function readLog(cwd: string): string {
  return fs.readFileSync(path.join(cwd, 'var/logs/llm-proxy.log'), 'utf8');
}

async function health(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/internal/health`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

/** The banner's lines naming each client family's base URL and variable, for a proxy at `root`. */
function clientBaseUrlLines(root: string, note = ''): string[] {
  return [
    `Base URL for each client${note}; set it in the client's shell, not the proxy's (the proxy reads OPENAI_BASE_URL and ANTHROPIC_BASE_URL for its own backends):`,
    `  OpenAI SDK, Codex CLI         OPENAI_BASE_URL=${root}/v1`,
    `  Claude Code, Anthropic SDK    ANTHROPIC_BASE_URL=${root}`,
    `  Gemini CLI, Google GenAI SDK  GOOGLE_GEMINI_BASE_URL=${root}`,
  ];
}

describe('llm-proxy serve', () => {
  it('starts in Single User Mode by default with a generated key printed once to stdout, never logged', async () => {
    const running = await startLlmProxy(['--port', '0']);
    await running.waitForStdout(/^Use it as the client's key .*\n/m);
    const lines = running.output.stdout.trimEnd().split('\n');
    expect(running.url).toBe(`http://127.0.0.1:${running.port}`);
    expect(lines[0]).toBe(`llm-proxy listening on ${running.url}`);
    expect(lines.slice(1, 5)).toEqual(clientBaseUrlLines(running.url));
    const key = /^Generated API key for this run: (llmproxy-[A-Za-z0-9_-]+)$/.exec(lines[5] ?? '')?.[1];
    expect(key).toBeDefined();
    expect(lines[6]).toContain("Use it as the client's key (OPENAI_API_KEY, ANTHROPIC_AUTH_TOKEN or GEMINI_API_KEY");
    expect(lines).toHaveLength(7);
    expect(running.output.stdout.split(key ?? '').length - 1).toBe(1);

    expect(await health(running.url)).toMatchObject({ status: 'ok', access_mode: 'single_user' });
    // The generated key is the one the server accepts.
    expect((await fetch(`${running.url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${running.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).not.toBe(401);

    const stopped = await running.stop('SIGTERM');
    expect(stopped.exitCode).toBe(0);
    expect(stopped.listenCalls).toHaveLength(1);
    expect(await isPortClosed(running.port)).toBe(true);

    const log = readLog(running.cwd);
    expect(log).toContain('Starting LLM Proxy in Single User Mode (default)');
    expect(log).not.toContain(key);
    expect(stopped.stderr).not.toContain(key);
    expect(stopped.stderr).toContain('Starting LLM Proxy in Single User Mode (default)');
  });

  it('logs "(explicit)" for --single-user-mode and prints no key when auth is disabled', async () => {
    const running = await startLlmProxy(['--single-user-mode', '--disable-auth', '--port', '0']);
    expect(running.output.stdout).toBe(`${[`llm-proxy listening on ${running.url}`, ...clientBaseUrlLines(running.url)].join('\n')}\n`);
    expect(await health(running.url)).toMatchObject({ access_mode: 'single_user' });
    const stopped = await running.stop('SIGINT');
    expect(stopped.exitCode).toBe(0);
    expect(readLog(running.cwd)).toContain('Starting LLM Proxy in Single User Mode (explicit)');
  });

  it('starts in Multi User Mode on loopback with configured keys and notifications off', async () => {
    const running = await startLlmProxy(['--multi-user-mode', '--disable-notifications', '--api-keys', 'multi-user-key-1', '--port', '0']);
    expect(running.output.stdout).toBe(`${[`llm-proxy listening on ${running.url}`, ...clientBaseUrlLines(running.url)].join('\n')}\n`);
    expect(await health(running.url)).toMatchObject({ access_mode: 'multi_user' });
    const stopped = await running.stop();
    expect(stopped.exitCode).toBe(0);
    const log = readLog(running.cwd);
    expect(log).toContain('Starting LLM Proxy in Multi User Mode');
    expect(log).not.toContain('multi-user-key-1');
  });

  it('prints the loopback base URLs for a wildcard bind, for clients on the same machine', async () => {
    const running = await startLlmProxy(['--multi-user-mode', '--host', '0.0.0.0', '--api-keys', 'wildcard-key-12345', '--disable-notifications', '--port', '0']);
    expect(running.url).toBe(`http://0.0.0.0:${running.port}`);
    expect(running.output.stdout).toBe(
      `${[`llm-proxy listening on ${running.url}`, ...clientBaseUrlLines(`http://127.0.0.1:${running.port}`, ' on this machine (other machines use its address)')].join('\n')}\n`,
    );
    expect((await running.stop()).exitCode).toBe(0);
  });

  it('takes Multi User Mode from the environment and settings from YAML', async () => {
    const cwd = createWorkingDirectory({ 'llm-proxy.yaml': 'notifications:\n  enabled: false\nauth:\n  api_keys: [yaml-key-12345]\nlogging:\n  file: logs/proxy.log\n' });
    const running = await startLlmProxy(['--port', '0'], { cwd, env: { LLM_PROXY_ACCESS_MODE: 'multi_user' } });
    expect(await health(running.url)).toMatchObject({ access_mode: 'multi_user' });
    const ok = await fetch(`${running.url}/v1/models`, { headers: { 'x-api-key': 'yaml-key-12345' } });
    expect(ok.status).not.toBe(401);
    expect((await running.stop()).exitCode).toBe(0);
    expect(fs.readFileSync(path.join(cwd, 'logs/proxy.log'), 'utf8')).toContain('Starting LLM Proxy in Multi User Mode');
  });

  it('greps the startup line from the log file as the troubleshooting section does', async () => {
    const running = await startLlmProxy(['--port', '0', '--disable-auth']);
    await running.stop();
    const matches = execFileSync('grep', ['Starting LLM Proxy', 'var/logs/llm-proxy.log'], { cwd: running.cwd, encoding: 'utf8' });
    expect(matches).toContain('Starting LLM Proxy in Single User Mode (default)');
  });
});
