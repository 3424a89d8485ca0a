import hdr from "hdr-histogram-js";
import type { Histogram } from "hdr-histogram-js";

/** Latencies are recorded in whole microseconds; anything slower than this is clamped to it. */
const LATENCY_MAX_US = 120_000_000;

export type { Histogram };

export function newLatencyHistogram(): Histogram {
  // A fixed range (autoResize off) so that every worker's histogram can be added to the merged one.
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: LATENCY_MAX_US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  });
}

export function recordLatencyMs(histogram: Histogram, latencyMs: number): void {
  const latencyUs = Math.min(LATENCY_MAX_US, Math.max(1, Math.round(latencyMs * 1000)));
  histogram.recordValue(latencyUs);
}

/** Compact enough for one IPC message whatever the number of samples (a few hundred bytes). */
export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function mergeHistograms(encoded: readonly string[]): Histogram {
  const merged = newLatencyHistogram();
  for (const one of encoded) merged.add(hdr.decodeFromCompressedBase64(one));
  return merged;
}

export interface LatencySummaryMs {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  readonly count: number;
}

/** NaN for an empty histogram: no samples must not read as zero latency. */
export function summarizeMs(histogram: Histogram): LatencySummaryMs {
  const atMs = (percentile: number): number =>
    histogram.totalCount === 0 ? Number.NaN : histogram.getValueAtPercentile(percentile) / 1000;
  return {
    p50Ms: atMs(50),
    p99Ms: atMs(99),
    p999Ms: atMs(99.9),
    maxMs: histogram.totalCount === 0 ? Number.NaN : histogram.maxValue / 1000,
    count: histogram.totalCount,
  };
}
