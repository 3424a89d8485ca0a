import { readFile } from "node:fs/promises";
import { epochNowMs, sleepUntil, type Schedule } from "./clock.js";
import { brokerActivity, combinedSample, scrapeBroker, type BrokerActivity, type BrokerSample } from "./broker.js";
import type { WorkerResult } from "./ipc.js";
import { RunProgress } from "./progress.js";
import type { WorkerProcess } from "./worker-process.js";

/** Time for the `go` message to reach every worker before the load starts, so they all start together. */
const GO_LEAD_MS = 250;
const PROGRESS_TICK_MS = 250;
/** The progress bar's records/s covers this much recent time. */
const RATE_WINDOW_MS = 1_500;

export interface LoadPlan {
  readonly label: string;
  /** The brokers whose /metrics are scraped at the window's edges (one or more). */
  readonly adminUrls: readonly string[];
  /** Every worker of the run: all start together and all must report. */
  readonly workers: readonly WorkerProcess[];
  /** The workers whose record counts the progress bar shows as a rate (the producers). */
  readonly producers: readonly WorkerProcess[];
  readonly warmupMs: number;
  readonly durationMs: number;
  /** How long workers may go on after the window (a subscriber's grace), for the bar's length. */
  readonly tailMs: number;
  /**
   * Called when the window starts, after the first scrape (the failover scenario kills a broker here); a
   * failure fails the load once the workers are done.
   */
  readonly atWindowStart?: () => void | Promise<void>;
  /**
   * Called with the schedule as soon as the workers have been given it, before the load starts: for
   * processes that take part without being load workers (the application scenario's consumers).
   */
  readonly atSchedule?: (schedule: Schedule) => void;
}

export interface LoadOutcome {
  /** In the order of `plan.workers`. */
  readonly results: readonly WorkerResult[];
  /** The brokers during the measurement window (scraped at its start and end), added up. */
  readonly broker: BrokerActivity;
  /** Each broker on its own, in the order of `plan.adminUrls`. */
  readonly brokers: readonly BrokerActivity[];
  /**
   * Cores busy on the whole machine during the window (all processes, from /proc/stat; NaN where there is
   * none): what the bench's processes did not use of it, others did.
   */
  readonly machineBusyCores: number;
  readonly schedule: Schedule;
}

/**
 * Waits until every worker is ready, gives them all the same schedule (warm-up, then the measurement
 * window), shows progress, scrapes the broker at the window's edges, and collects the results. Any worker
 * failing fails the whole load at once.
 */
export async function driveLoad(plan: LoadPlan): Promise<LoadOutcome> {
  await Promise.all(plan.workers.map((w) => w.ready));
  const schedule = scheduleFrom(epochNowMs() + GO_LEAD_MS, plan.warmupMs, plan.durationMs);
  for (const worker of plan.workers) worker.go(schedule);
  plan.atSchedule?.(schedule);
  const machineBefore = handled(sleepUntil(schedule.measureStartAtMs).then(readMachineCpu));
  const machineAfter = handled(sleepUntil(schedule.measureEndAtMs).then(readMachineCpu));
  const before = handled(
    sleepUntil(schedule.measureStartAtMs).then(async () => {
      const samples = await scrapeAll(plan.adminUrls);
      await plan.atWindowStart?.();
      return samples;
    }),
  );
  const after = handled(sleepUntil(schedule.measureEndAtMs).then(() => scrapeAll(plan.adminUrls)));
  const stopProgress = showProgress(plan, schedule);
  try {
    const results = await Promise.all(plan.workers.map((w) => w.result));
    const [first, last] = [await before, await after];
    return {
      results,
      broker: brokerActivity(combinedSample(first), combinedSample(last)),
      brokers: first.map((sample, i) => brokerActivity(sample, last[i]!)),
      machineBusyCores: busyCores(await machineBefore, await machineAfter),
      schedule,
    };
  } finally {
    stopProgress();
  }
}

/** The machine's CPU time counters (first line of /proc/stat, clock ticks), if there is a /proc/stat. */
export interface MachineCpu {
  readonly busyTicks: number;
  readonly allTicks: number;
  readonly cores: number;
}

export async function readMachineCpu(): Promise<MachineCpu | undefined> {
  const text = await readFile("/proc/stat", "utf8").catch(() => undefined);
  const lines = text?.split("\n") ?? [];
  // cpu user nice system idle iowait irq softirq steal (guest time is already counted in user)
  const ticks = lines[0]?.startsWith("cpu ") ? lines[0].trim().split(/\s+/).slice(1, 9).map(Number) : [];
  if (ticks.length < 8 || ticks.some((t) => !Number.isFinite(t))) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = ticks;
  const busyTicks = user + nice + system + irq + softirq + steal;
  return {
    busyTicks,
    allTicks: busyTicks + idle + iowait,
    cores: lines.filter((line) => /^cpu\d+ /.test(line)).length,
  };
}

/** Busy share of all CPU time between the samples, in cores (ticks need no clock rate this way). */
export function busyCores(before: MachineCpu | undefined, after: MachineCpu | undefined): number {
  if (!before || !after || after.allTicks <= before.allTicks) return Number.NaN;
  return ((after.busyTicks - before.busyTicks) / (after.allTicks - before.allTicks)) * after.cores;
}

function scrapeAll(adminUrls: readonly string[]): Promise<BrokerSample[]> {
  return Promise.all(adminUrls.map((url) => scrapeBroker(url)));
}

function scheduleFrom(loadStartAtMs: number, warmupMs: number, durationMs: number): Schedule {
  const measureStartAtMs = loadStartAtMs + warmupMs;
  return { loadStartAtMs, measureStartAtMs, measureEndAtMs: measureStartAtMs + durationMs };
}

/** A promise that is awaited later, maybe never if the run fails first: it must not crash the process unheard. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

function showProgress(plan: LoadPlan, schedule: Schedule): () => void {
  const totalMs = plan.warmupMs + plan.durationMs + plan.tailMs;
  const bar = new RunProgress(plan.label, totalMs);
  const rate = new TrailingRate(RATE_WINDOW_MS);
  const tick = (): void => {
    const nowMs = epochNowMs();
    const records = plan.producers.reduce((sum, w) => sum + w.progressRecords, 0);
    bar.update(
      Math.min(totalMs, Math.max(0, nowMs - schedule.loadStartAtMs)),
      phaseAt(schedule, nowMs),
      rate.add(nowMs, records),
    );
  };
  const timer = setInterval(tick, PROGRESS_TICK_MS);
  return () => {
    clearInterval(timer);
    tick();
    bar.stop();
  };
}

/**
 * Records/s over the last `windowMs`. Workers report their counts only every 500 ms, so a rate between two
 * consecutive ticks would read 0 half the time.
 */
class TrailingRate {
  private readonly samples: Array<{ atMs: number; records: number }> = [];

  constructor(private readonly windowMs: number) {}

  add(atMs: number, records: number): number {
    this.samples.push({ atMs, records });
    while (this.samples.length > 2 && this.samples[1]!.atMs <= atMs - this.windowMs) this.samples.shift();
    const oldest = this.samples[0]!;
    return atMs > oldest.atMs ? ((records - oldest.records) * 1000) / (atMs - oldest.atMs) : 0;
  }
}

function phaseAt(schedule: Schedule, nowMs: number): string {
  if (nowMs < schedule.loadStartAtMs) return "starting";
  if (nowMs < schedule.measureStartAtMs) return "warm-up";
  if (nowMs < schedule.measureEndAtMs) return "measuring";
  return "draining";
}
