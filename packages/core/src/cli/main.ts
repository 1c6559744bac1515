#!/usr/bin/env node
/**
 * @fileoverview The `llm-proxy` bin.
 */
// The heap settings alone before the rest: ESM parses and links every statically imported
// module before any of them runs, and V8 had grown the young generation to two 4 MB
// semi-spaces while the CLI's modules were parsed, before the cap ran. Imported after the
// settings, they load in a young generation that stays at its initial size.
import './young-generation-cap.js';
import './old-generation-growth.js';

const { runMain } = await import('./run-main.js');
await runMain();
