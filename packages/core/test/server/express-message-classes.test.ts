import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { expressMessageClasses } from '../../src/server/express-message-classes.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

describe('expressMessageClasses', () => {
  it('creates requests and responses that already have the app prototypes, with Express working on them', async () => {
    const app = express();
    const seen: { requestPrototypeKept?: boolean; responsePrototypeKept?: boolean } = {};
    const classes = expressMessageClasses(app);
    app.get('/check', (request, response) => {
      // Express set these prototypes in app.handle; they are the ones the objects were born with.
      seen.requestPrototypeKept = Object.getPrototypeOf(request) === classes.IncomingMessage.prototype;
      seen.responsePrototypeKept = Object.getPrototypeOf(response) === classes.ServerResponse.prototype;
      response.status(201).json({ header: request.get('x-probe'), path: request.path, isExpress: typeof response.json === 'function' });
    });
    server = createServer({ IncomingMessage: classes.IncomingMessage, ServerResponse: classes.ServerResponse }, app);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;

    const response = await fetch(`http://127.0.0.1:${port}/check?x=1`, { headers: { 'x-probe': 'yes' } });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ header: 'yes', path: '/check', isExpress: true });
    expect(seen).toEqual({ requestPrototypeKept: true, responsePrototypeKept: true });
    expect(app.request).toBe(classes.IncomingMessage.prototype);
    expect(app.response).toBe(classes.ServerResponse.prototype);
  });
});
