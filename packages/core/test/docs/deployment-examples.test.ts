/**
 * @fileoverview The deployment examples (examples/deployment/, docs/deployment.md) hold together
 * with the real CLI: the systemd unit's Environment= lines with the secrets file and the
 * example YAML start the proxy in Multi User Mode with its data directory and console-only log,
 * and the Dockerfile's ENV lines pass `config explain`. (The Dockerfile itself cannot be built
 * here: no container engine.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import { assertCliBuilt, cleanUpCliRuns, createWorkingDirectory, runLlmProxy, startLlmProxy } from '../support/run-llm-proxy.js';

const deploymentDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../examples/deployment');
const read = (name: string): string => fs.readFileSync(path.join(deploymentDirectory, name), 'utf8');

beforeAll(assertCliBuilt);
afterEach(cleanUpCliRuns);

/** `NAME=value` lines of an environment file (comments and blanks skipped). */
function environmentFile(text: string): Record<string, string> {
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);
  return Object.fromEntries(entries);
}

/** The unit's `Environment=NAME=value` lines. */
function unitEnvironment(unit: string): Record<string, string> {
  return environmentFile(
    unit
      .split('\n')
      .filter((line) => line.startsWith('Environment='))
      .map((line) => line.slice('Environment='.length))
      .join('\n'),
  );
}

/** The Dockerfile's `ENV NAME=value \` block. */
function dockerfileEnvironment(dockerfile: string): Record<string, string> {
  const block = /^ENV LLM_PROXY_[\s\S]*?(?=\n\n)/m.exec(dockerfile)?.[0] ?? '';
  return environmentFile(block.replace(/^ENV /, '').replace(/\\\n/g, '\n'));
}

describe('examples/deployment', () => {
  it('the systemd unit with its secrets file and YAML starts the proxy in Multi User Mode, writing only under its data directory', async () => {
    const unit = read('llm-proxy.service');
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/llm-proxy\/llm-proxy\.env$/m);
    expect(unit).toMatch(/^ExecStart=\S+ --config \/etc\/llm-proxy\/llm-proxy\.yaml$/m);
    for (const option of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'User=llm-proxy', 'StateDirectory=llm-proxy']) expect(unit).toContain(`\n${option}\n`);

    const cwd = createWorkingDirectory({ 'etc/llm-proxy.yaml': read('llm-proxy.yaml') });
    const environment = { ...unitEnvironment(unit), ...environmentFile(read('llm-proxy.env')) };
    expect(environment['LLM_PROXY_DATA_DIR']).toBe('/var/lib/llm-proxy');
    // The state directory systemd would create, here a temporary one.
    const dataDirectory = path.join(cwd, 'state');
    const running = await startLlmProxy(['--config', path.join(cwd, 'etc/llm-proxy.yaml'), '--port', '0'], {
      cwd,
      env: { ...environment, LLM_PROXY_DATA_DIR: dataDirectory },
    });
    const health = await fetch(`${running.url}/internal/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ access_mode: 'multi_user' });
    const models = await fetch(`${running.url}/v1/models`, { headers: { authorization: `Bearer ${environment['LLM_PROXY_API_KEYS'] ?? ''}` } });
    expect(models.status).toBe(200);
    const stopped = await running.stop('SIGTERM');
    expect(stopped.exitCode).toBe(0);
    expect(stopped.stderr).toContain('Starting LLM Proxy in Multi User Mode');
    expect(fs.statSync(dataDirectory).mode & 0o777).toBe(0o700);
    // The service logs to the journal; the usage database is all it writes, in its data directory.
    expect(fs.readdirSync(dataDirectory)).toEqual(['usage']);
  });

  it('the Dockerfile settings with the secrets file pass config explain', async () => {
    const dockerfile = read('Dockerfile');
    const environment = dockerfileEnvironment(dockerfile);
    expect(environment).toMatchObject({ LLM_PROXY_ACCESS_MODE: 'multi_user', LLM_PROXY_HOST: '0.0.0.0', LLM_PROXY_DATA_DIR: '/data', LLM_PROXY_LOG_FILE: 'none' });
    const result = await runLlmProxy(['config', 'explain', '--config', path.join(deploymentDirectory, 'llm-proxy.yaml')], {
      env: { ...environmentFile(read('llm-proxy.env')), ...environment },
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/host\s+0\.0\.0\.0\s+env/);
    expect(result.stdout).toContain('Result: every access-mode rule passes');
  });
});
