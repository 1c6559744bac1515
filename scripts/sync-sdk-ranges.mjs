#!/usr/bin/env node
/**
 * @fileoverview Runs as the root `version` lifecycle script of `lerna version`, after the new
 * versions are written: lerna rewrites each package's dependency on @llmproxy/connector-sdk to
 * the SDK's new version, and this copies that range into the package's connector manifest
 * (`llmproxy.sdk`), so the two agree as docs/connectors.md asks of every connector package.
 * The SDK range check then still accepts the SDK the release ships with. Stages what it changed,
 * for lerna's release commit.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workspaces = ['packages/core', 'packages/oauth-connectors', 'examples/connector-minimal'];
const changed = [];
for (const workspace of workspaces) {
  const file = path.join(root, workspace, 'package.json');
  const text = readFileSync(file, 'utf8');
  const packageJson = JSON.parse(text);
  const range = packageJson.dependencies?.['@llmproxy/connector-sdk'];
  if (typeof range !== 'string' || packageJson.llmproxy === undefined || packageJson.llmproxy.sdk === range) continue;
  packageJson.llmproxy.sdk = range;
  writeFileSync(file, `${JSON.stringify(packageJson, null, 2)}\n`);
  changed.push(path.relative(root, file));
  console.log(`${packageJson.name}: llmproxy.sdk is now ${range}`);
}
if (changed.length > 0 && process.env['npm_lifecycle_event'] === 'version') execFileSync('git', ['add', ...changed], { cwd: root });
