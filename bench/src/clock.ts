import { setTimeout as sleep } from "node:timers/promises";

/**
 * Wall-clock time in milliseconds with sub-millisecond resolution. `performance.timeOrigin` is read from
 * the wall clock once, when the process starts, and `performance.now()` is monotonic from there, so the
 * sum is comparable across processes on one machine (what the e2e scenario needs) without the 1 ms steps
 * of `Date.now()`.
 */
export function epochNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves at `atMs` on the `epochNowMs` clock (at once if that is past). */
export async function sleepUntil(atMs: number): Promise<void> {
  const waitMs = atMs - epochNowMs();
  if (waitMs > 0) await sleep(waitMs);
}

/** The three moments every load run is organised around, on the `epochNowMs` clock. */
export interface Schedule {
  /** Load starts: the warm-up begins. */
  readonly loadStartAtMs: number;
  /** Warm-up over: what completes from here on is measured. */
  readonly measureStartAtMs: number;
  /** Measurement over: no new load is issued. */
  readonly measureEndAtMs: number;
}

export function inWindow(schedule: Schedule, atMs: number): boolean {
  return atMs >= schedule.measureStartAtMs && atMs < schedule.measureEndAtMs;
}
