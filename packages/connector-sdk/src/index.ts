/**
 * @fileoverview Public surface of @llmproxy/connector-sdk.
 */
export type * from './accounts.js';
export * from './backend-config.js';
export * from './canonical.js';
export * from './connector.js';
export * from './connector-package-name.js';
export * from './errors.js';
export * from './is-record.js';
export * from './manifest.js';
export * from './read-upstream-error-body.js';
export * from './stream-ended-early-error.js';
export type * from './upstream-http-client.js';
export * from './url-path-segment.js';
export type * from './wire-codecs.js';
