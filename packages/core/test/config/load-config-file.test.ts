import fs from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import { CONFIG_SEARCH_PLACES, loadConfigFile } from '../../src/config/load-config-file.js';
import { resolveSettingsFromArgv } from '../support/resolve-settings-from-argv.js';
import { listStartupErrors } from '../../src/config/startup-errors.js';
import { createTempProject, removeTempProjects } from './temp-project.js';

afterEach(removeTempProjects);

function search(cwd: string) {
  return loadConfigFile({ cwd, explicitPath: undefined, explicitPathOrigin: '--config' });
}

function loadExplicit(cwd: string, explicitPath: string) {
  return loadConfigFile({ cwd, explicitPath, explicitPathOrigin: '--config' });
}

async function problemsOf(promise: Promise<unknown>): Promise<LlmProxyError[]> {
  try {
    await promise;
  } catch (error) {
    return listStartupErrors(error).map((problem) => {
      if (!LlmProxyError.is(problem)) throw problem;
      return problem;
    });
  }
  throw new Error('expected the configuration to be rejected');
}

describe('finding the configuration file', () => {
  it.each(CONFIG_SEARCH_PLACES)('finds %s in the working directory', async (place) => {
    const cwd = createTempProject({ [place]: 'port: 9001\n' });
    const loaded = await search(cwd);
    expect(loaded?.filepath).toBe(path.join(cwd, place));
    expect(loaded?.config).toEqual({ port: 9001 });
  });

  it('prefers the earlier search place when several exist', async () => {
    const cwd = createTempProject({ 'config/config.yaml': 'port: 2\n', 'llm-proxy.yml': 'port: 1\n' });
    expect((await search(cwd))?.filepath).toBe(path.join(cwd, 'llm-proxy.yml'));
  });

  it('never reads package.json, whose llmproxy key is a connector manifest', async () => {
    const cwd = createTempProject({
      'package.json': JSON.stringify({ name: 'project', llmproxy: { manifestVersion: 1, connectors: [] }, 'llm-proxy': { port: 1 } }),
    });
    expect(await search(cwd)).toBeUndefined();
  });

  it('does not look in parent directories', async () => {
    const parent = createTempProject({ 'llm-proxy.yaml': 'port: 9001\n', 'child/.keep': '' });
    expect(await search(path.join(parent, 'child'))).toBeUndefined();
  });

  it('reads an empty file as no settings', async () => {
    const cwd = createTempProject({ 'llm-proxy.yaml': '' });
    const loaded = await search(cwd);
    expect(loaded).toEqual({ filepath: path.join(cwd, 'llm-proxy.yaml'), config: {} });
  });

  it('reads an explicit file instead of searching, relative to the working directory', async () => {
    const cwd = createTempProject({ 'llm-proxy.yaml': 'port: 1\n', 'deploy/prod.yml': 'port: 2\n' });
    const loaded = await loadExplicit(cwd, 'deploy/prod.yml');
    expect(loaded).toEqual({ filepath: path.join(cwd, 'deploy/prod.yml'), config: { port: 2 } });
  });

  it('takes the path from LLM_PROXY_CONFIG when --config is not given, and --config over it', async () => {
    const cwd = createTempProject({ 'a.yaml': 'port: 1\n', 'b.yaml': 'port: 2\n' });
    const fromEnvironment = await resolveSettingsFromArgv({ argv: [], env: { LLM_PROXY_CONFIG: 'a.yaml' }, cwd });
    expect(fromEnvironment.values.port).toBe(1);
    expect(fromEnvironment.sources.config).toBe('env');
    const fromFlag = await resolveSettingsFromArgv({ argv: ['--config', 'b.yaml'], env: { LLM_PROXY_CONFIG: 'a.yaml' }, cwd });
    expect(fromFlag.values.port).toBe(2);
    expect(fromFlag.values.configFile).toBe(path.join(cwd, 'b.yaml'));
    expect(fromFlag.sources.config).toBe('cli');
  });
});

describe('configuration files that cannot be used', () => {
  it('names a missing --config file', async () => {
    const cwd = createTempProject();
    const [problem] = await problemsOf(loadExplicit(cwd, 'missing.yaml'));
    expect(problem?.code).toBe('CONFIG_FILE_NOT_FOUND');
    expect(problem?.message).toContain(`Configuration file ${path.join(cwd, 'missing.yaml')} does not exist`);
    expect(problem?.message).toContain('--config missing.yaml');
  });

  it('names a --config path that cannot be read', async () => {
    const cwd = createTempProject({ 'folder.yaml/.keep': '' });
    const [problem] = await problemsOf(loadExplicit(cwd, 'folder.yaml'));
    expect(problem?.code).toBe('CONFIG_FILE_UNREADABLE');
    expect(problem?.message).toContain(path.join(cwd, 'folder.yaml'));
    expect(problem?.message).toContain('EISDIR');
  });

  it('refuses files that are not YAML', async () => {
    const cwd = createTempProject({ 'config.json': '{"port": 1}', 'config.js': 'export default {}' });
    for (const file of ['config.json', 'config.js']) {
      const [problem] = await problemsOf(loadExplicit(cwd, file));
      expect(problem?.code).toBe('CONFIG_FILE_NOT_YAML');
      expect(problem?.message).toContain(path.join(cwd, file));
    }
  });

  it('names the file, line and reason of a YAML syntax error, found or explicit', async () => {
    const cwd = createTempProject({ 'llm-proxy.yaml': 'host: 127.0.0.1\nport: [1, 2\n' });
    for (const load of [() => search(cwd), () => loadExplicit(cwd, 'llm-proxy.yaml')]) {
      const [problem] = await problemsOf(load());
      expect(problem?.code).toBe('CONFIG_FILE_INVALID_YAML');
      expect(problem?.message).toContain(`Configuration file ${path.join(cwd, 'llm-proxy.yaml')} is not valid YAML`);
      expect(problem?.message).toMatch(/at line \d+, column \d+/);
    }
  });

  it('rejects duplicate keys', async () => {
    const cwd = createTempProject({ 'llm-proxy.yaml': 'port: 1\nport: 2\n' });
    const [problem] = await problemsOf(search(cwd));
    expect(problem?.code).toBe('CONFIG_FILE_INVALID_YAML');
    expect(problem?.message).toContain('duplicated mapping key');
  });
});

describe('schema validation of the configuration file', () => {
  it('reports every problem at once, each naming the key, the bad value and what is allowed', async () => {
    const cwd = createTempProject({
      'llm-proxy.yaml': [
        'prot: 8000',
        'port: "eighty"',
        'host: ""',
        'logging:',
        '  level: verbose',
        '  colour: true',
        'access_mode:',
        '  mode: multi',
        'auth:',
        '  disable_auth: "no"',
        '  api_keys: ["ok-key", 12345, "has space"]',
        'notifications:',
        '  enabled: "yes"',
        'server:',
        '  body_limit: lots',
        '  upstream_timeout_ms: 0',
        '  allowed_origins: [localhost:3000]',
        'backends:',
        '  "bad:name": {}',
        '  local:',
        '    type: openai-compatible',
        '    any_connector_key: allowed',
        '',
      ].join('\n'),
    });
    const filepath = path.join(cwd, 'llm-proxy.yaml');
    const problems = await problemsOf(search(cwd));
    expect(problems.every((problem) => problem.code === 'CONFIG_INVALID')).toBe(true);
    const messages = problems.map((problem) => problem.message);
    const expectProblem = (start: string, ...parts: string[]) => {
      const message = messages.find((candidate) => candidate.startsWith(`Invalid configuration in ${filepath}: ${start}`));
      expect(message).toBeDefined();
      for (const part of parts) expect(message).toContain(part);
    };

    expectProblem('unknown key prot', 'Did you mean port?', 'Allowed keys at the top level: host, port, default_backend');
    expectProblem('port has a value that is not allowed', 'Current value: "eighty"', 'Allowed: an integer from 0 to 65535');
    expectProblem('host has a value that is not allowed', 'Current value: ""', 'Allowed: a host name or IP address');
    expectProblem('logging.level has a value that is not allowed', '"verbose"', 'Allowed: one of error, warn, info, debug');
    expectProblem('unknown key logging.colour', 'Allowed keys under logging: level, file');
    expectProblem('access_mode.mode has a value that is not allowed', '"multi"', 'Allowed: single_user or multi_user');
    expectProblem('auth.disable_auth has a value that is not allowed', '"no"', 'Allowed: true or false');
    expectProblem('auth.api_keys[1] has a value that is not allowed', '(hidden: a number)');
    expectProblem('auth.api_keys[2] has a value that is not allowed', '(hidden: a string)');
    expectProblem('notifications.enabled has a value that is not allowed', '"yes"', 'true, false, or null');
    expectProblem('server.body_limit has a value that is not allowed', '"lots"', 'a size such as 10mb');
    expectProblem('server.upstream_timeout_ms has a value that is not allowed', 'Current value: 0', 'at least 1');
    expectProblem('server.allowed_origins[0] has a value that is not allowed', '"localhost:3000"', 'http://localhost:3000');
    expectProblem('backends.bad:name has a name that is not allowed', 'without ":"');
    expect(problems).toHaveLength(14);
    // Connector slices belong to their connector: unknown keys there are not errors.
    expect(messages.join('\n')).not.toContain('any_connector_key');
    // Secrets are never echoed.
    expect(messages.join('\n')).not.toContain('12345');
    expect(messages.join('\n')).not.toContain('has space');
  });

  it('rejects a file that is not a mapping', async () => {
    const cwd = createTempProject({ 'llm-proxy.yaml': '- host\n- port\n' });
    const [problem] = await problemsOf(search(cwd));
    expect(problem?.message).toContain('(top level) has a value that is not allowed');
    expect(problem?.message).toContain('Allowed: a mapping of settings');
  });

  it('accepts null for notifications.enabled, meaning automatic', async () => {
    const cwd = createTempProject({ 'llm-proxy.yaml': 'notifications:\n  enabled: null\n' });
    const settings = await resolveSettingsFromArgv({ argv: [], env: {}, cwd });
    expect(settings.sources['notifications.enabled']).toBe('auto');
    expect(settings.values.notifications.enabled).toBe(true);
  });

  it('rejects a body limit of zero bytes', async () => {
    const cwd = createTempProject({ 'llm-proxy.yaml': 'server:\n  body_limit: 0mb\n' });
    const problems = await problemsOf(resolveSettingsFromArgv({ argv: [], env: {}, cwd }));
    expect(problems.map((problem) => problem.code)).toEqual(['CONFIG_INVALID']);
    expect(problems[0]?.message).toContain('server.body_limit');
  });

  it('leaves the file untouched', async () => {
    const content = 'port: 9001\nbackends:\n  local:\n    type: openai-compatible\n';
    const cwd = createTempProject({ 'llm-proxy.yaml': content });
    await resolveSettingsFromArgv({ argv: [], env: {}, cwd });
    expect(fs.readFileSync(path.join(cwd, 'llm-proxy.yaml'), 'utf8')).toBe(content);
  });
});
