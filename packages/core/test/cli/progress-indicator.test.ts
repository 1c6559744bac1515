/**
 * @fileoverview The waiting display of `accounts add` with a stream standing in for stderr: a
 * spinner redrawn in place with the time left on a terminal, plain occasional lines elsewhere
 * and on a dumb terminal, and nothing left behind after stop(). The real terminal is covered
 * through the CLI in oauth-connectors' accounts tests.
 */
import { describe, expect, it } from '@jest/globals';

import { startProgressIndicator } from '../../src/cli/progress-indicator.js';

function recorder(isTTY: boolean): { isTTY: boolean; text: string; write(chunk: string): boolean } {
  return { isTTY, text: '', write(chunk) { this.text += chunk; return true; } };
}

const wait = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));
const ESCAPE = String.fromCharCode(27);

describe('startProgressIndicator', () => {
  it('on a terminal: redraws one line with a spinner and the time left, and erases it on stop', async () => {
    const stream = recorder(true);
    const start = Date.now();
    const progress = startProgressIndicator(stream, 'Waiting for approval', { expiresAt: start + 125_000, env: {}, now: () => start, frameIntervalMs: 5 });
    await wait(40);
    progress.stop();
    progress.stop();
    const frames = stream.text.split(`\r${ESCAPE}[K`).filter((frame) => frame !== '');
    expect(frames.length).toBeGreaterThan(2);
    expect(frames[0]).toBe('- Waiting for approval (2:05 left)');
    expect(frames[1]).toBe('\\ Waiting for approval (2:05 left)');
    expect(stream.text.endsWith(`\r${ESCAPE}[K`)).toBe(true);
    expect(stream.text).not.toContain('\n');
    const length = stream.text.length;
    await wait(20);
    expect(stream.text.length).toBe(length);
  });

  it.each([
    ['off a terminal', false, {}],
    ['on a dumb terminal', true, { TERM: 'dumb' }],
  ])('%s: writes a plain line now and then, without control codes', async (_name, isTTY, env) => {
    const stream = recorder(isTTY);
    const progress = startProgressIndicator(stream, 'Waiting for approval', { expiresAt: Date.now() + 61_000, env, lineIntervalMs: 10 });
    expect(stream.text).toBe('');
    await wait(35);
    progress.stop();
    const lines = stream.text.split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(/^Waiting for approval \(1:0\d left\)$/);
    expect(stream.text).not.toContain(ESCAPE);
  });

  it('shows no time left without a deadline, and never a negative one', async () => {
    const plain = recorder(false);
    const browser = startProgressIndicator(plain, 'Waiting for the browser login to finish', { env: {}, lineIntervalMs: 5 });
    await wait(15);
    browser.stop();
    expect(plain.text.split('\n')[0]).toBe('Waiting for the browser login to finish');

    const stream = recorder(false);
    const late = startProgressIndicator(stream, 'Waiting', { env: {}, expiresAt: Date.now() - 5_000, lineIntervalMs: 5 });
    await wait(15);
    late.stop();
    expect(stream.text.split('\n')[0]).toBe('Waiting (0:00 left)');
  });
});
