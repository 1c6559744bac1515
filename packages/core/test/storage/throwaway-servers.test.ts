/**
 * The throwaway servers the storage tests run on: each starts in its own folder on a free
 * loopback port, answers a real client, and leaves nothing behind.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import {
  describeWhenAvailable,
  postgresAvailability,
  redisAvailability,
  startThrowawayPostgres,
  startThrowawayRedis,
} from '../support/throwaway-servers.js';

const execFileAsync = promisify(execFile);

function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`${command}\r\n`));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString());
    });
    socket.once('error', reject);
  });
}

describeWhenAvailable(postgresAvailability(), describe)('a throwaway PostgreSQL server', () => {
  it('answers SQL on its loopback port and is gone after stop()', async () => {
    const server = await startThrowawayPostgres();
    try {
      expect(server.url).toBe(`postgres://llmproxy@127.0.0.1:${server.port}/postgres`);
      const { stdout } = await execFileAsync('psql', [server.url, '-tAc', 'select 40 + 2']);
      expect(stdout.trim()).toBe('42');
    } finally {
      await server.stop();
    }
    await expect(execFileAsync('psql', [server.url, '-tAc', 'select 1'])).rejects.toThrow();
  }, 120_000);
});

describeWhenAvailable(redisAvailability(), describe)('a throwaway Redis server', () => {
  it('answers commands on its loopback port and is gone after stop()', async () => {
    const server = await startThrowawayRedis();
    try {
      expect(await redisCommand(server.port, 'SET llmproxy 42')).toBe('+OK\r\n');
      expect(await redisCommand(server.port, 'GET llmproxy')).toBe('$2\r\n42\r\n');
    } finally {
      await server.stop();
    }
    await expect(redisCommand(server.port, 'PING')).rejects.toThrow();
  }, 60_000);
});
