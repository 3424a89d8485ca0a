import { EddyClient, type StreamMode } from "@eddy/client";
import { BrokerProcess } from "@eddy/testkit";

export type FsyncMode = "always" | "never";

/** Broker flags every scenario passes; the run's settings record them. */
export function brokerArgs(fsync: FsyncMode, extra: readonly string[] = []): string[] {
  return ["--fsync", fsync, ...extra];
}

/**
 * Creates a stream, ON_DEMAND unless told (no per-shard throttling: the broker's capacity is what is
 * measured; the limits scenario measures the throttling of PROVISIONED).
 */
export async function createStream(
  endpoint: string,
  streamName: string,
  shardCount: number,
  streamMode: StreamMode = "ON_DEMAND",
): Promise<string[]> {
  const client = new EddyClient({ endpoint });
  try {
    await client.createStream({ streamName, shardCount, streamMode });
    await client.waitForStreamActive(streamName);
    const { shards } = await client.listShards({ streamName });
    return shards.map((shard) => shard.shardId);
  } finally {
    client.close();
  }
}

export { BrokerProcess };

/** How long a broker has to drain (and write a --cpu-prof profile) after SIGTERM before it is killed. */
export const STOP_GRACE_MS = 10_000;

/**
 * SIGTERM, and SIGKILL if the broker has not exited within `graceMs`: a broker run with
 * EDDY_BROKER_NODE_ARGS="--cpu-prof" writes its profile only when it exits by itself.
 */
export async function stopWithin(broker: BrokerProcess, graceMs: number = STOP_GRACE_MS): Promise<void> {
  const stopped = broker.stop();
  const timer = setTimeout(() => void broker.kill(), graceMs);
  try {
    await stopped;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * prom-client samples the event loop with a timer of this period (its default) and reports the whole
 * interval, so an idle loop reads ~10 ms; what is above it is delay.
 */
const LOOP_MONITOR_RESOLUTION_MS = 10;

/** The broker's counters that the scenarios turn into figures, read from its Prometheus /metrics. */
export interface BrokerSample {
  readonly atMs: number;
  readonly batchRecordsSum: number;
  readonly batchCount: number;
  readonly batchPutsSum: number;
  readonly batchWriteSecondsSum: number;
  readonly cpuSeconds: number;
  /** p99 of the event-loop timer interval since the previous scrape (prom-client resets it on each). */
  readonly loopIntervalP99Seconds: number;
}

export async function scrapeBroker(adminUrl: string): Promise<BrokerSample> {
  const response = await fetch(`${adminUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${adminUrl}/metrics answered ${response.status}`);
  const values = parseUnlabelled(await response.text());
  const value = (name: string): number => {
    const found = values.get(name);
    if (found === undefined) throw new Error(`the broker's /metrics has no ${name}`);
    return found;
  };
  return {
    atMs: performance.now(),
    batchRecordsSum: value("eddy_log_batch_records_sum"),
    batchCount: value("eddy_log_batch_records_count"),
    batchPutsSum: value("eddy_log_batch_puts_sum"),
    batchWriteSecondsSum: value("eddy_log_batch_write_seconds_sum"),
    cpuSeconds: value("eddy_process_cpu_seconds_total"),
    loopIntervalP99Seconds: value("eddy_nodejs_eventloop_lag_p99_seconds"),
  };
}

/**
 * Several brokers' samples as one: counters added up (so per-batch means are over all their batches), the
 * event-loop figure the worst of them.
 */
export function combinedSample(samples: readonly BrokerSample[]): BrokerSample {
  const sum = (pick: (s: BrokerSample) => number): number => samples.reduce((n, s) => n + pick(s), 0);
  return {
    // Scraped together, so their times differ by a few ms at most: the mean stands for all.
    atMs: sum((s) => s.atMs) / samples.length,
    batchRecordsSum: sum((s) => s.batchRecordsSum),
    batchCount: sum((s) => s.batchCount),
    batchPutsSum: sum((s) => s.batchPutsSum),
    batchWriteSecondsSum: sum((s) => s.batchWriteSecondsSum),
    cpuSeconds: sum((s) => s.cpuSeconds),
    loopIntervalP99Seconds: Math.max(...samples.map((s) => s.loopIntervalP99Seconds)),
  };
}

/** What the broker did between two samples. NaN where no batch was written: nothing to average. */
export interface BrokerActivity {
  readonly recordsPerBatch: number;
  readonly putsPerBatch: number;
  readonly batchWriteMs: number;
  readonly batchesPerSec: number;
  /** CPU time over wall time: 1.0 is one core busy all the time. */
  readonly cpuCores: number;
  /** How late the broker's event loop ran a timer, p99: its main thread's backlog. */
  readonly loopDelayP99Ms: number;
}

export function brokerActivity(before: BrokerSample, after: BrokerSample): BrokerActivity {
  const batches = after.batchCount - before.batchCount;
  const elapsedSec = (after.atMs - before.atMs) / 1000;
  const perBatch = (sumAfter: number, sumBefore: number): number =>
    batches > 0 ? (sumAfter - sumBefore) / batches : Number.NaN;
  return {
    recordsPerBatch: perBatch(after.batchRecordsSum, before.batchRecordsSum),
    putsPerBatch: perBatch(after.batchPutsSum, before.batchPutsSum),
    batchWriteMs: perBatch(after.batchWriteSecondsSum, before.batchWriteSecondsSum) * 1000,
    batchesPerSec: batches / elapsedSec,
    cpuCores: (after.cpuSeconds - before.cpuSeconds) / elapsedSec,
    loopDelayP99Ms: Math.max(0, after.loopIntervalP99Seconds * 1000 - LOOP_MONITOR_RESOLUTION_MS),
  };
}

/** Samples without labels (`name value`), which is all that `scrapeBroker` reads. */
function parseUnlabelled(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.includes("{")) continue;
    const [name, raw] = line.trim().split(/\s+/);
    if (name && raw) values.set(name, Number(raw));
  }
  return values;
}
