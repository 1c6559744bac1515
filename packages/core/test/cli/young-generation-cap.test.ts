/**
 * The CLI keeps V8's young generation at its initial size unless the operator sized it: run in
 * fresh Node processes on the built module, with a workload whose survivors make V8 grow the
 * young generation to its maximum when nothing caps it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';

const capModule = new URL('../../dist/cli/young-generation-cap.js', import.meta.url);
const MB = 1024 * 1024;

/** The new space's size after a workload that keeps a rolling window of objects alive. */
const script = `
import v8 from 'node:v8';
if (process.env.IMPORT_CAP === '1') await import(${JSON.stringify(capModule.href)});
const window = [];
for (let index = 0; index < 1_000_000; index += 1) {
  window.push({ index, text: 'item ' + index });
  if (window.length > 20_000) window.splice(0, 10_000);
}
const newSpace = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
console.log(newSpace.space_size);
`;

async function newSpaceSizeAfterWorkload(options: { importCap: boolean; nodeArgs?: string[]; nodeOptions?: string }): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, IMPORT_CAP: options.importCap ? '1' : '0' };
  delete env['NODE_OPTIONS'];
  if (options.nodeOptions !== undefined) env['NODE_OPTIONS'] = options.nodeOptions;
  const { stdout } = await promisify(execFile)(process.execPath, [...(options.nodeArgs ?? []), '--input-type=module', '--eval', script], { env });
  return Number(stdout.trim());
}

describe('young generation cap', () => {
  beforeAll(() => {
    if (!existsSync(fileURLToPath(capModule))) throw new Error(`${fileURLToPath(capModule)} is missing: run \`npx tsc -b\` before this test`);
  });

  it('grows the young generation beyond 2 MB without the cap (the workload is a real test of it)', async () => {
    expect(await newSpaceSizeAfterWorkload({ importCap: false })).toBeGreaterThan(2 * MB);
  });

  it('keeps the young generation at its initial 2 MB (two 1 MB semi-spaces) with the cap', async () => {
    expect(await newSpaceSizeAfterWorkload({ importCap: true })).toBeLessThanOrEqual(2 * MB);
  });

  it.each([
    ['on the command line', { nodeArgs: ['--max-semi-space-size=8'] }],
    ['in NODE_OPTIONS', { nodeOptions: '--max-semi-space-size=8' }],
  ])('leaves the size to the operator who set --max-semi-space-size %s', async (_where, options) => {
    expect(await newSpaceSizeAfterWorkload({ importCap: true, ...options })).toBeGreaterThan(2 * MB);
  });
});
