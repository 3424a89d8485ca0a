/** The steps every scenario's run shares: a broker with one fresh stream, and workers that die with the run. */
import type { Cleanups } from "../bounded.js";
import { BrokerProcess, createStream, stopWithin } from "../broker.js";
import { LocalCluster, type ShardLeader } from "../cluster.js";
import { encodeHistogram, mergeHistograms, type Histogram } from "../histogram.js";
import type { WorkerConfig, WorkerResult } from "../ipc.js";
import { WorkerProcess, type WorkerScript } from "../worker-process.js";

export const STREAM_NAME = "bench";

/** Slack on top of warm-up and window: broker start (≤ 30 s), connecting, draining calls (≤ 10 s deadline). */
export const RUN_OVERHEAD_BOUND_MS = 60_000;

export interface BrokerWithStream {
  readonly broker: BrokerProcess;
  readonly shardIds: readonly string[];
}

/** A fresh broker (fresh data directory) per run, so that no run inherits another's LevelDB state. */
export async function startBrokerWithStream(
  cleanups: Cleanups,
  args: readonly string[],
  shardCount: number,
): Promise<BrokerWithStream> {
  const broker = await BrokerProcess.start({ args });
  cleanups.add(async () => {
    await stopWithin(broker);
    await broker.destroy();
  });
  const shardIds = await createStream(broker.endpoint, STREAM_NAME, shardCount);
  return { broker, shardIds };
}

export interface ClusterWithStream {
  readonly cluster: LocalCluster;
  readonly shardIds: readonly string[];
  /** Each shard's leader once the stream was created, in shard order. */
  readonly leaders: readonly ShardLeader[];
}

/**
 * A fresh cluster of `brokerCount` brokers, formed, with one fresh stream whose every shard has a leader
 * and `replicationFactor` voters (a stream's replication factor is min(3, brokers)).
 */
export async function startClusterWithStream(
  cleanups: Cleanups,
  brokerCount: number,
  replicationFactor: number,
  args: readonly string[],
  shardCount: number,
): Promise<ClusterWithStream> {
  const cluster = await LocalCluster.create(brokerCount, args);
  cleanups.add(() => cluster.destroy());
  await cluster.launch();
  const shardIds = await createStream(cluster.endpointOf(cluster.ids[0]!), STREAM_NAME, shardCount);
  const leaders = await cluster.waitForShardLeaders(STREAM_NAME, shardIds, replicationFactor);
  return { cluster, shardIds, leaders };
}

export function startWorkers(
  cleanups: Cleanups,
  count: number,
  name: string,
  script: WorkerScript,
  configFor: (index: number) => WorkerConfig,
): WorkerProcess[] {
  return Array.from({ length: count }, (_, index) => {
    const worker = new WorkerProcess(`${name} ${index + 1}`, script, configFor(index));
    cleanups.add(() => worker.kill());
    return worker;
  });
}

export interface Totals {
  readonly records: number;
  readonly calls: number;
  readonly failedRecords: number;
  readonly failedCalls: number;
  readonly cpuMs: number;
  readonly errors: Record<string, number>;
  readonly latency: Histogram;
  readonly latencyEncoded: string;
  /** Open-loop producers' send lag, merged; empty for other workers. */
  readonly sendLag: Histogram;
}

/** The workers' results added up, histograms merged. */
export function totalOf(results: readonly WorkerResult[]): Totals {
  const sum = (pick: (r: WorkerResult) => number): number => results.reduce((n, r) => n + pick(r), 0);
  const errors: Record<string, number> = {};
  for (const result of results) {
    for (const [name, count] of Object.entries(result.errors)) errors[name] = (errors[name] ?? 0) + count;
  }
  const latency = mergeHistograms(results.map((r) => r.latencyHistogram));
  return {
    records: sum((r) => r.records),
    calls: sum((r) => r.calls),
    failedRecords: sum((r) => r.failedRecords),
    failedCalls: sum((r) => r.failedCalls),
    cpuMs: sum((r) => r.cpuMs),
    errors,
    latency,
    latencyEncoded: encodeHistogram(latency),
    sendLag: mergeHistograms(results.flatMap((r) => r.sendLagHistogram ?? [])),
  };
}

/** `items` starting at `by` (mod length) and wrapping around: worker k starts its round-robin at item k. */
export function rotated<T>(items: readonly T[], by: number): T[] {
  const start = by % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}
