/**
 * The real `llm-proxy connectors list` as a child process, in a project whose dependencies hold
 * connector packages: discovery from the working directory and the gate, end to end.
 * Runs packages/core/dist/cli/main.js: run `npx tsc -b` first.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REPOSITORY_ROOT, createFixtureWorkspace, writeFixturePackage, type FixtureWorkspace } from './plugin-fixtures.js';

const runFile = promisify(execFile);
const CLI = path.join(REPOSITORY_ROOT, 'packages/core/dist/cli/main.js');

describe('llm-proxy connectors list', () => {
  let workspace: FixtureWorkspace;
  let oauthMarker: string;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error('packages/core/dist is not built: run `npx tsc -b` first.');
    workspace = await createFixtureWorkspace({
      '@acme/llmproxy-connector-personal': '^1.0.0',
      'llmproxy-connector-static': '^1.0.0',
    });
    oauthMarker = path.join(workspace.markerDirectory, 'personal');
    await writeFixturePackage(workspace.projectNodeModules, {
      name: '@acme/llmproxy-connector-personal',
      connectors: [{ id: 'acme-personal', hasStaticCredentials: false, markerFile: oauthMarker }],
    });
    await writeFixturePackage(workspace.projectNodeModules, { name: 'llmproxy-connector-static', connectors: [{ id: 'acme-static' }] });
  });
  afterAll(async () => workspace.cleanup());

  async function listConnectors(...flags: string[]): Promise<string> {
    await rm(oauthMarker, { force: true });
    const { stdout } = await runFile(process.execPath, [CLI, 'connectors', 'list', '--log-file', path.join(workspace.root, 'cli.log'), ...flags], {
      cwd: workspace.projectDirectory,
      env: { PATH: process.env['PATH'] ?? '', HOME: workspace.root },
    });
    return stdout;
  }

  it('in Multi User Mode shows the OAuth connector as skipped and never imports it', async () => {
    const output = await listConnectors('--multi-user-mode');
    expect(existsSync(oauthMarker)).toBe(false);
    expect(output).toContain('Connector packages (Multi User Mode');
    expect(output).toContain('@acme/llmproxy-connector-personal@1.2.3  [skipped]  (project dependency)');
    expect(output).toMatch(/acme-personal +skipped +OAuth \(personal credentials\)\n {4}why: OAUTH_CONNECTOR_NOT_ALLOWED: /);
    expect(output).toContain('llmproxy-connector-static@1.2.3  [loaded]  (project dependency)');
    expect(output).toMatch(/acme-static +ready +connector acme-static \(default\)/);
  });

  it('in Single User Mode loads it, as needing opt-in', async () => {
    const output = await listConnectors();
    expect(existsSync(oauthMarker)).toBe(true);
    expect(output).toContain('@acme/llmproxy-connector-personal@1.2.3  [loaded]  (project dependency)');
    expect(output).toMatch(/acme-personal +loaded, needs opt-in +OAuth \(personal credentials\)\n {4}why: OAUTH_CONNECTOR_OPT_IN_REQUIRED: /);
    expect(output).toMatch(/acme-personal +needs opt-in +connector acme-personal \(default\)/);
  });

  it('in Single User Mode shows it ready once opted in by its YAML key', async () => {
    const config = path.join(workspace.root, 'opt-in.yaml');
    await writeFile(config, 'backends:\n  acme-personal:\n    enable_debugging_override: true\n');
    const output = await listConnectors('--config', config);
    expect(output).toMatch(/acme-personal +loaded, opted in +OAuth \(personal credentials\)/);
    expect(output).toMatch(/acme-personal +ready +connector acme-personal \(backends\.acme-personal, opted in by backends\.acme-personal\.enable_debugging_override\)/);
  });
});
