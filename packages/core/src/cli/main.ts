#!/usr/bin/env node
/**
 * @fileoverview The `llm-proxy` bin.
 */
// Alone before the rest: ESM parses and links every statically imported module before any of
// them runs, and V8 had grown the young generation to two 4 MB semi-spaces while the CLI's
// modules were parsed, before the cap ran. Imported after the cap, they load in a young
// generation that stays at its initial size.
import './young-generation-cap.js';

const { runMain } = await import('./run-main.js');
await runMain();
