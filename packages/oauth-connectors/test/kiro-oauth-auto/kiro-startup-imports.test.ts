/**
 * The Kiro connector's AWS SDK codec is loaded on the first Kiro stream, not when the proxy
 * imports the connector at startup (every installed connector is imported, configured or not).
 * Run in a fresh Node process on the built package, whose module cache shows what was loaded.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';

const distDirectory = new URL('../../dist/kiro-oauth-auto/', import.meta.url);
const connectorEntry = new URL('index.js', distDirectory).href;
const decoderModule = new URL('decode-event-stream.js', distDirectory).href;

const script = `
import { createRequire } from 'node:module';
const moduleCache = createRequire(import.meta.url).cache;
const awsSdkLoaded = () => Object.keys(moduleCache).some((file) => file.includes('/@smithy/'));
await import(${JSON.stringify(connectorEntry)});
const afterImport = awsSdkLoaded();
const { decodeEventStream } = await import(${JSON.stringify(decoderModule)});
for await (const message of decodeEventStream((async function* () {})(), 'kiro-test')) void message;
console.log(JSON.stringify({ afterImport, afterFirstStream: awsSdkLoaded() }));
`;

describe('Kiro connector imports', () => {
  it('loads the AWS SDK codec on the first stream, not when the connector is imported', async () => {
    if (!existsSync(fileURLToPath(new URL('index.js', distDirectory)))) {
      throw new Error(`${fileURLToPath(distDirectory)} is missing: run \`npx tsc -b\` before this test`);
    }
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', script], {
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
    });
    expect(JSON.parse(stdout)).toEqual({ afterImport: false, afterFirstStream: true });
  });
});
