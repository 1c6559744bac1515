/**
 * node-notifier is resolved when the notifier is created (so a missing install is reported at
 * startup) and loaded only when the first notification is sent. Run in a fresh Node process on
 * the built module, whose module cache shows what was loaded; the notification goes through a
 * PATH without notify-send, so nothing reaches the desktop.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';

const transportModule = new URL('../../dist/notifications/node-notifier-transport.js', import.meta.url);

const script = `
import { createRequire } from 'node:module';
const moduleCache = createRequire(import.meta.url).cache;
const nodeNotifierLoaded = () => Object.keys(moduleCache).some((file) => file.includes('/node-notifier/'));
const { loadNodeNotifierTransport } = await import(${JSON.stringify(transportModule.href)});
const transport = loadNodeNotifierTransport();
const afterCreation = nodeNotifierLoaded();
const outcome = await new Promise((resolve) => {
  try {
    transport({ title: 'llm-proxy', message: 'test' }, (error) => resolve(error === null ? 'shown' : 'not shown'));
  } catch (error) {
    resolve('threw: ' + error.message);
  }
});
console.log(JSON.stringify({ transport: typeof transport, afterCreation, afterFirstNotification: nodeNotifierLoaded(), outcome }));
`;

describe('node-notifier loading', () => {
  it('resolves node-notifier when the transport is created and loads it on the first notification', async () => {
    if (!existsSync(fileURLToPath(transportModule))) throw new Error(`${fileURLToPath(transportModule)} is missing: run \`npx tsc -b\` before this test`);
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', script], {
      env: { PATH: '/nonexistent' },
    });
    expect(JSON.parse(stdout)).toEqual({ transport: 'function', afterCreation: false, afterFirstNotification: true, outcome: 'not shown' });
  });
});
