import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { LlmProxyError } from '@llmproxy/connector-sdk';

import type { LogLevel } from '../../src/config/proxy-settings.js';
import { createLogger } from '../../src/logging/create-logger.js';

let directory: string;
beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'llmproxy-logging-'));
});
afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

const CONFIGURED_KEY = 'configured-client-key-0123';

function setUp(logLevel: LogLevel = 'info') {
  const logFile = path.join(directory, 'nested/logs/llm-proxy.log');
  const consoleStream = new PassThrough();
  let consoleText = '';
  consoleStream.on('data', (chunk: Buffer) => (consoleText += chunk.toString()));
  const logger = createLogger({ logLevel, logFile, auth: { disabled: false, apiKeys: [CONFIGURED_KEY] } }, { consoleStream });
  return {
    logger,
    logFile,
    consoleText: () => consoleText,
    fileEntries: (): Record<string, unknown>[] =>
      fs
        .readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('creates the log file directory and writes JSON entries there and text to the console', async () => {
    const { logger, logFile, consoleText, fileEntries } = setUp();
    expect(fs.existsSync(path.dirname(logFile))).toBe(true);
    logger.info('Starting LLM Proxy in Single User Mode (default)', { port: 8000 });
    await logger.close();

    const [entry] = fileEntries();
    expect(entry).toMatchObject({ level: 'info', message: 'Starting LLM Proxy in Single User Mode (default)', port: 8000 });
    expect(typeof entry?.timestamp).toBe('string');
    expect(consoleText()).toMatch(/ info: Starting LLM Proxy in Single User Mode \(default\) \{"port":8000\}\n$/);
  });

  it('writes only entries at or above the configured level', async () => {
    const { logger, fileEntries } = setUp('warn');
    logger.debug('debug entry');
    logger.info('info entry');
    logger.warn('warn entry');
    logger.error('error entry');
    await logger.close();
    expect(fileEntries().map((entry) => entry.message)).toEqual(['warn entry', 'error entry']);
  });

  it('says which levels it writes, for callers that skip building entries that would be dropped', async () => {
    const { logger } = setUp('warn');
    expect(['error', 'warn', 'info', 'debug'].map((level) => logger.isLevelEnabled?.(level as LogLevel))).toEqual([true, true, false, false]);
    expect(logger.child({ backend: 'openai' }).isLevelEnabled?.('info')).toBe(false);
    await logger.close();
  });

  it('adds child metadata to every entry of the child', async () => {
    const { logger, fileEntries } = setUp();
    const child = logger.child({ backend: 'openai' });
    child.info('from the child', { requestId: 'r1' });
    child.child({ attempt: 2 }).warn('from the grandchild');
    logger.info('from the parent');
    await logger.close();
    expect(fileEntries()).toEqual([
      expect.objectContaining({ message: 'from the child', backend: 'openai', requestId: 'r1' }),
      expect.objectContaining({ message: 'from the grandchild', backend: 'openai', attempt: 2 }),
      expect.not.objectContaining({ backend: 'openai' }),
    ]);
  });

  it('keeps the message and stack of errors in metadata', async () => {
    const { logger, fileEntries, consoleText } = setUp();
    const error = new Error('upstream refused');
    logger.error('Request failed', { error });
    await logger.close();
    const [entry] = fileEntries();
    const logged = entry?.error as Record<string, unknown>;
    expect(logged.message).toBe('upstream refused');
    expect(String(logged.stack)).toContain('create-logger.test.ts');
    expect(consoleText()).toContain('upstream refused');
  });

  it('flushes every entry to the file on close', async () => {
    const { logger, fileEntries } = setUp();
    for (let index = 0; index < 2000; index += 1) logger.info(`entry ${index}`, { index });
    await logger.close();
    const entries = fileEntries();
    expect(entries).toHaveLength(2000);
    expect(entries.at(-1)?.message).toBe('entry 1999');
  });

  it('can be closed more than once', async () => {
    const { logger } = setUp();
    await Promise.all([logger.close(), logger.close()]);
    await logger.close();
  });

  it('fails with a clear error when the log file cannot be written', () => {
    fs.writeFileSync(path.join(directory, 'not-a-directory'), '');
    const logFile = path.join(directory, 'not-a-directory/llm-proxy.log');
    let thrown: unknown;
    try {
      createLogger({ logLevel: 'info', logFile, auth: { disabled: false, apiKeys: [] } }, { consoleStream: new PassThrough() });
    } catch (error) {
      thrown = error;
    }
    expect(LlmProxyError.is(thrown)).toBe(true);
    expect((thrown as LlmProxyError).code).toBe('LOG_FILE_UNWRITABLE');
    expect((thrown as LlmProxyError).message).toContain(logFile);
  });

  it('writes no file for reporting commands', async () => {
    const logFile = path.join(directory, 'unused/llm-proxy.log');
    const consoleStream = new PassThrough();
    let consoleText = '';
    consoleStream.on('data', (chunk: Buffer) => (consoleText += chunk.toString()));
    const logger = createLogger(
      { logLevel: 'warn', logFile, auth: { disabled: false, apiKeys: [] } },
      { consoleStream, writeLogFile: false },
    );
    logger.warn('console only');
    await logger.close();
    expect(consoleText).toContain('console only');
    expect(fs.existsSync(path.dirname(logFile))).toBe(false);
  });
});

describe('log file off and rotation', () => {
  it('logs to the console alone when the log file is off (logging.file: none)', async () => {
    const consoleStream = new PassThrough();
    let consoleText = '';
    consoleStream.on('data', (chunk: Buffer) => (consoleText += chunk.toString()));
    const logger = createLogger({ logLevel: 'info', logFile: undefined, auth: { disabled: false, apiKeys: [] } }, { consoleStream });
    await logger.ready();
    logger.info('console only');
    await logger.close();
    expect(consoleText).toContain('console only');
    expect(fs.readdirSync(directory)).toEqual([]);
  });

  it('rotates at the size once the file is open, keeping the newest files, without losing a line', async () => {
    const logFile = path.join(directory, 'logs/app.log');
    const logger = createLogger(
      { logLevel: 'info', logFile, auth: { disabled: false, apiKeys: [] }, logRotation: { maxSizeBytes: 1024, maxFiles: 10 } },
      { consoleStream: new PassThrough() },
    );
    await logger.ready();
    for (let index = 0; index < 40; index += 1) {
      logger.info(`line ${index} ${'x'.repeat(60)}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await logger.close();
    const files = fs.readdirSync(path.dirname(logFile)).sort();
    expect(files.length).toBeGreaterThan(2);
    expect(files.length).toBeLessThanOrEqual(10);
    // Oldest first: app<highest>.log ... app1.log, then app.log; together every line, in order.
    // (When the last line filled a file, the rotation moved it and app.log is missing or empty
    // until the next line: nothing is lost then either.)
    const ordered = files.filter((name) => name !== 'app.log').sort((a, b) => Number(/\d+/.exec(b)?.[0]) - Number(/\d+/.exec(a)?.[0]));
    const lines = [...ordered, ...(files.includes('app.log') ? ['app.log'] : [])].flatMap((name) =>
      fs
        .readFileSync(path.join(path.dirname(logFile), name), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => String((JSON.parse(line) as { message: unknown }).message)),
    );
    expect(lines).toEqual(Array.from({ length: 40 }, (_, index) => `line ${index} ${'x'.repeat(60)}`));
  });
});

describe('secret redaction', () => {
  it('redacts secrets in the file and on the console, whatever their shape', async () => {
    const { logger, fileEntries, consoleText } = setUp();
    const headers = {
      authorization: 'Bearer header-bearer-token-1',
      'x-api-key': 'anthropic-style-key-2',
      'X-Goog-Api-Key': 'google-style-key-3',
      'content-type': 'application/json',
    };
    const tokenResponse = {
      access_token: 'oauth-access-4',
      refresh_token: 'oauth-refresh-5',
      id_token: 'oauth-id-6',
      expires_in: 3600,
    };
    const meta = {
      headers,
      tokens: tokenResponse,
      config: { client_secret: 'client-secret-7', password: 'password-8', token: 'token-9', api_key: 'yaml-key-10', apiKeys: ['list-key-11'] },
      upstreamBody: '{"error":"bad","access_token":"inline-token-12"}',
      url: 'https://example.test/v1?api_key=query-key-13&model=x',
      failure: new Error(`Upstream said no for Bearer error-bearer-14 and ${CONFIGURED_KEY}`),
    };
    logger.warn(`Client sent Bearer message-bearer-15, key sk-proj-abcdefghijklmnop16 and ${CONFIGURED_KEY}`, meta);
    logger.child({ authorization: 'Bearer child-meta-17' }).info('child entry');
    await logger.close();

    const fileText = fs.readFileSync(path.join(directory, 'nested/logs/llm-proxy.log'), 'utf8');
    for (const text of [fileText, consoleText()]) {
      for (const secret of [
        'header-bearer-token-1', 'anthropic-style-key-2', 'google-style-key-3', 'oauth-access-4', 'oauth-refresh-5',
        'oauth-id-6', 'client-secret-7', 'password-8', 'token-9', 'yaml-key-10', 'list-key-11', 'inline-token-12',
        'query-key-13', 'error-bearer-14', 'message-bearer-15', 'abcdefghijklmnop16', 'child-meta-17', CONFIGURED_KEY,
      ]) {
        expect(text).not.toContain(secret);
      }
      expect(text).toContain('[REDACTED]');
    }

    const [entry, childEntry] = fileEntries();
    expect(entry?.message).toBe('Client sent Bearer [REDACTED], key [REDACTED] and [REDACTED]');
    expect(entry?.headers).toEqual({
      authorization: '[REDACTED]',
      'x-api-key': '[REDACTED]',
      'X-Goog-Api-Key': '[REDACTED]',
      'content-type': 'application/json',
    });
    expect(entry?.tokens).toEqual({ access_token: '[REDACTED]', refresh_token: '[REDACTED]', id_token: '[REDACTED]', expires_in: 3600 });
    expect(entry?.url).toBe('https://example.test/v1?api_key=[REDACTED]&model=x');
    expect((entry?.failure as Record<string, unknown>).message).toBe('Upstream said no for Bearer [REDACTED] and [REDACTED]');
    expect(childEntry?.authorization).toBe('[REDACTED]');

    // The caller's objects are left as they were.
    expect(headers.authorization).toBe('Bearer header-bearer-token-1');
    expect(tokenResponse.access_token).toBe('oauth-access-4');
  });

  it('survives circular metadata', async () => {
    const { logger, fileEntries } = setUp();
    const circular: Record<string, unknown> = { name: 'loop', password: 'circular-secret' };
    circular.self = circular;
    logger.info('circular', { circular });
    await logger.close();
    expect(fileEntries()[0]?.circular).toEqual({ name: 'loop', password: '[REDACTED]', self: '[Circular]' });
  });
});
