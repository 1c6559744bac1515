import { afterEach, describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';
import { formatConfigExplanation } from '../../src/cli/format-config-explanation.js';
import { listStartupErrors } from '../../src/config/startup-errors.js';
import { resolveSettingsFromArgv } from '../support/resolve-settings-from-argv.js';
import { createTempProject, removeTempProjects } from './temp-project.js';

afterEach(removeTempProjects);

function resolve(argv: string[], env: NodeJS.ProcessEnv = {}, files: Record<string, string> = {}) {
  return resolveSettingsFromArgv({ argv, env, cwd: createTempProject(files) });
}

describe('translation.unknown_fields', () => {
  it('is drop by default and is set by the flag, the variable and YAML, in that order of precedence', async () => {
    const defaults = await resolve([]);
    expect([defaults.values.translation, defaults.sources['translation.unknown_fields']]).toEqual([{ unknownFields: 'drop' }, 'default']);
    const yaml = await resolve([], {}, { 'llm-proxy.yaml': 'translation:\n  unknown_fields: refuse\n' });
    expect([yaml.values.translation?.unknownFields, yaml.sources['translation.unknown_fields']]).toEqual(['refuse', 'yaml']);
    const env = await resolve([], { LLM_PROXY_UNKNOWN_FIELDS: 'refuse' }, { 'llm-proxy.yaml': 'translation:\n  unknown_fields: drop\n' });
    expect([env.values.translation?.unknownFields, env.sources['translation.unknown_fields']]).toEqual(['refuse', 'env']);
    const cli = await resolve(['--unknown-fields', 'drop'], { LLM_PROXY_UNKNOWN_FIELDS: 'refuse' });
    expect([cli.values.translation?.unknownFields, cli.sources['translation.unknown_fields']]).toEqual(['drop', 'cli']);
    // config explain shows it with where it came from.
    const explained = formatConfigExplanation(env, []);
    expect(explained).toMatch(/translation\.unknown_fields.*refuse/);
    expect(explained).toContain('LLM_PROXY_UNKNOWN_FIELDS');
  });

  it('refuses any other value, naming the allowed ones', async () => {
    let problems: LlmProxyError[] = [];
    try {
      await resolve([], { LLM_PROXY_UNKNOWN_FIELDS: 'ignore' });
    } catch (error) {
      problems = listStartupErrors(error).filter((problem): problem is LlmProxyError => LlmProxyError.is(problem));
    }
    expect(problems.map((problem) => problem.code)).toEqual(['ENV_VALUE_INVALID']);
    expect(problems[0]?.message).toContain('drop or refuse');
  });
});
