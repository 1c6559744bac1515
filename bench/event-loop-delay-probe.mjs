/**
 * @fileoverview Loaded into the measured llmproxy process with `node --import` (the proxy itself
 * is unchanged): watches that process's event-loop delay with `perf_hooks.monitorEventLoopDelay`
 * and, on each SIGUSR2, writes the delays since the previous SIGUSR2 (or since start) as JSON to
 * the file named by BENCH_EVENT_LOOP_DELAY_FILE, numbered, then starts over. A busy loop handles
 * a signal late, so the reader waits for the report number it asked for. Inert without that variable.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** How often the histogram's timer fires; Node records the whole interval, so this is taken off each value. */
const RESOLUTION_MS = 10;
const reportFile = process.env.BENCH_EVENT_LOOP_DELAY_FILE;

if (reportFile !== undefined && reportFile !== '') {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  const delayMs = (nanoseconds) => Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS);
  let reports = 0;
  process.on('SIGUSR2', () => {
    reports += 1;
    const report = {
      report: reports,
      samples: histogram.count,
      p50Ms: delayMs(histogram.percentile(50)),
      p99Ms: delayMs(histogram.percentile(99)),
      maxMs: delayMs(histogram.max),
    };
    histogram.reset();
    // Renamed into place, so the reader never sees a half-written file.
    writeFileSync(`${reportFile}.partial`, JSON.stringify(report));
    renameSync(`${reportFile}.partial`, reportFile);
  });
}
