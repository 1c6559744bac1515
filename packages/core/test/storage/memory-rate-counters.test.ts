/**
 * @fileoverview The in-memory rate counters against the RateCounters contract.
 */
import { MemoryRateCounters } from '../../src/storage/memory-rate-counters.js';
import { describeRateCountersContract } from './rate-counters-contract.js';

describeRateCountersContract('memory', async () => new MemoryRateCounters());
