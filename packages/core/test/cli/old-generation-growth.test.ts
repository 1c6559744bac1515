/**
 * The CLI lets V8's old generation grow by a quarter past its live size before collecting it,
 * unless the operator chose the growth: run in fresh Node processes on the built module, with a
 * workload that keeps about 30 MB alive and promotes garbage into the old generation.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';

const growthModule = new URL('../../dist/cli/old-generation-growth.js', import.meta.url);

/** The old space's largest size during the workload, in bytes. */
const script = `
import v8 from 'node:v8';
if (process.env.IMPORT_GROWTH === '1') await import(${JSON.stringify(growthModule.href)});
const live = Array.from({ length: 300_000 }, (_, index) => ({ index, text: 'live ' + index }));
const window = [];
let largest = 0;
for (let index = 0; index < 3_000_000; index += 1) {
  window.push({ index, text: 'item ' + index });
  if (window.length > 40_000) window.splice(0, 20_000);
  if (index % 10_000 === 0) largest = Math.max(largest, v8.getHeapSpaceStatistics().find((space) => space.space_name === 'old_space').space_size);
}
console.log(live.length > 0 ? largest : 0);
`;

async function largestOldSpace(options: { importGrowth: boolean; nodeArgs?: string[] }): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, IMPORT_GROWTH: options.importGrowth ? '1' : '0' };
  delete env['NODE_OPTIONS'];
  const { stdout } = await promisify(execFile)(process.execPath, [...(options.nodeArgs ?? []), '--input-type=module', '--eval', script], { env });
  return Number(stdout.trim());
}

describe('old generation growth', () => {
  beforeAll(() => {
    if (!existsSync(fileURLToPath(growthModule))) throw new Error(`${fileURLToPath(growthModule)} is missing: run \`npx tsc -b\` before this test`);
  });

  it('keeps the old generation well below its size under V8\'s own growth', async () => {
    const own = await largestOldSpace({ importGrowth: false });
    const capped = await largestOldSpace({ importGrowth: true });
    expect(capped).toBeLessThan(own * 0.75);
  });

  it('leaves the growth to the operator who set --heap-growing-percent on the command line', async () => {
    const chosen = await largestOldSpace({ importGrowth: true, nodeArgs: ['--heap-growing-percent=300'] });
    const capped = await largestOldSpace({ importGrowth: true });
    expect(capped).toBeLessThan(chosen * 0.75);
  });
});
