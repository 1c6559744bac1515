/**
 * @fileoverview Percentiles over samples (nearest-rank on a sorted copy; NaN samples are skipped).
 */

/**
 * @param {number[]} samples
 * @param {number} percentile 0..100
 * @returns {number} NaN when there are no finite samples
 */
export function percentileOf(samples, percentile) {
  const sorted = samples.filter((sample) => Number.isFinite(sample)).sort((left, right) => left - right);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((percentile / 100) * sorted.length);
  return /** @type {number} */ (sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]);
}
