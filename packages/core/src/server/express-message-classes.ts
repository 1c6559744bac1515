/**
 * @fileoverview Request and response classes for the HTTP server whose objects are born with
 * the Express app's prototypes. Express otherwise swaps the prototype of every request and
 * response as it enters the app (`Object.setPrototypeOf` in `app.handle`), which changes the
 * objects' shapes after Node created them and made Node's own HTTP code (writeHead, header
 * storage, stream writes) about half as fast in the benchmark.
 *
 * The classes extend Node's and sit between the instances and Express's prototypes; they are
 * installed as `app.request` and `app.response`, so Express's swap finds the prototype already
 * in place and changes nothing. (Subclasses rather than plain functions calling Node's
 * constructors, or `Reflect.construct`: V8 sizes objects of a subclass for the fields its base
 * constructors assign, while the other two forms made each construction several times slower.)
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';

/** The `IncomingMessage` and `ServerResponse` options of `http.createServer` for `app`. */
export interface ExpressMessageClasses {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
}

/** Creates the classes for `app` and makes their prototypes the app's request and response prototypes. */
export function expressMessageClasses(app: Express): ExpressMessageClasses {
  class ExpressRequest extends IncomingMessage {}
  Object.setPrototypeOf(ExpressRequest.prototype, app.request);
  app.request = ExpressRequest.prototype as unknown as Express['request'];

  class ExpressResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {}
  Object.setPrototypeOf(ExpressResponse.prototype, app.response);
  app.response = ExpressResponse.prototype as unknown as Express['response'];

  return { IncomingMessage: ExpressRequest, ServerResponse: ExpressResponse };
}
