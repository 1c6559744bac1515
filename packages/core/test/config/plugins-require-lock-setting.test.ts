/**
 * `plugins.require_lock` and the mapping form of `plugins:` that holds it: the automatic value
 * (on only for Multi User Mode off loopback), each source, and the YAML errors.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import { listStartupErrors } from '../../src/config/startup-errors.js';
import { resolveSettingsFromArgv } from '../support/resolve-settings-from-argv.js';
import { createTempProject, removeTempProjects } from './temp-project.js';

afterEach(removeTempProjects);

const resolve = (argv: string[], env: NodeJS.ProcessEnv = {}, files: Record<string, string> = {}) =>
  resolveSettingsFromArgv({ argv, env, cwd: createTempProject(files) });

describe('plugins.require_lock', () => {
  it('is on automatically only in Multi User Mode off loopback, and says why', async () => {
    const remote = await resolve(['--multi-user-mode', '--host', '0.0.0.0', '--api-keys', 'k1']);
    expect(remote.values.requirePluginLock).toBe(true);
    expect(remote.sources['plugins.require_lock']).toBe('auto');
    expect(remote.origins?.['plugins.require_lock']).toBe(
      'auto: Multi User Mode binds 0.0.0.0, off loopback, and plugins.require_lock is not set',
    );
    expect((await resolve(['--multi-user-mode'])).values.requirePluginLock).toBe(false);
    expect((await resolve([])).values.requirePluginLock).toBe(false);
  });

  it('comes from the environment or from the plugins mapping in YAML, which also lists the packages', async () => {
    const fromEnvironment = await resolve(['--multi-user-mode', '--host', '0.0.0.0', '--api-keys', 'k1'], {
      LLM_PROXY_PLUGINS_REQUIRE_LOCK: 'false',
    });
    expect(fromEnvironment.values.requirePluginLock).toBe(false);
    expect(fromEnvironment.sources['plugins.require_lock']).toBe('env');

    const fromYaml = await resolve([], {}, {
      'llm-proxy.yaml': 'plugins:\n  packages: [llmproxy-connector-acme]\n  require_lock: true\n',
    });
    expect(fromYaml.values.requirePluginLock).toBe(true);
    expect(fromYaml.values.plugins).toEqual(['llmproxy-connector-acme']);

    const listOnly = await resolve([], {}, { 'llm-proxy.yaml': 'plugins: [llmproxy-connector-acme]\n' });
    expect(listOnly.values.plugins).toEqual(['llmproxy-connector-acme']);
    expect(listOnly.values.requirePluginLock).toBe(false);
  });

  it('names the offending key of a wrong plugins mapping', async () => {
    let problems: LlmProxyError[] = [];
    try {
      await resolve([], {}, { 'llm-proxy.yaml': 'plugins:\n  require_lock: yes please\n  pakages: []\n' });
    } catch (error) {
      problems = listStartupErrors(error) as LlmProxyError[];
    }
    expect(problems.map((problem) => problem.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('plugins.require_lock has a value that is not allowed'),
        expect.stringContaining('unknown key plugins.pakages'),
      ]),
    );
    expect(problems).toHaveLength(2);
  });
});
