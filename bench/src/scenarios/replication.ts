import { brokerArgs } from "../broker.js";
import { summarizeMs } from "../histogram.js";
import type { ClosedLoopPutConfig, WorkerConfig } from "../ipc.js";
import { driveLoad } from "../load.js";
import type { PutSettings } from "../options.js";
import { shardCases, type BenchCase, type Column, type RunContext, type Scenario } from "../scenario.js";
import { IN_FLIGHT_MAX_PER_PRODUCER, openLoopProducerConfig } from "./put-latency.js";
import {
  rotated,
  RUN_OVERHEAD_BOUND_MS,
  STREAM_NAME,
  startBrokerWithStream,
  startClusterWithStream,
  startWorkers,
  totalOf,
} from "./common.js";

/** Brokers of the replicated case; a stream's replication factor is min(3, brokers). */
const CLUSTER_BROKERS = 3;
/** The paced case offers this fraction of what the saturated RF=3 case of the same run achieved. */
const PACED_FRACTION_OF_SATURATED = 0.5;
/** Starting three brokers, forming the cluster and electing every shard's leader: on top of one broker's. */
const CLUSTER_START_BOUND_MS = 60_000;

export type ReplicationFigure =
  | "offeredRecordsPerSec"
  | "recordsPerSec"
  | "megabytesPerSec"
  | "p50Ms"
  | "p99Ms"
  | "p999Ms"
  | "brokerCpuCores"
  | "busiestBrokerCpuCores"
  | "brokerCpuMsPerMegabyte"
  | "brokerLoopDelayP99Ms"
  | "producerCpuCores"
  | "otherCpuCores"
  | "sendLagP99Ms"
  | "failedRecords"
  | "recordsPerSecVsRf1"
  | "p99VsRf1"
  | "cpuPerMegabyteVsRf1";

const COLUMNS: readonly Column<ReplicationFigure>[] = [
  { key: "offeredRecordsPerSec", label: "offered records/s", digits: 0 },
  { key: "recordsPerSec", label: "records/s", digits: 0 },
  { key: "megabytesPerSec", label: "MB/s", digits: 1 },
  { key: "p50Ms", label: "p50 ms", digits: 2 },
  { key: "p99Ms", label: "p99 ms", digits: 2 },
  { key: "p999Ms", label: "p99.9 ms", digits: 2 },
  { key: "brokerCpuCores", label: "broker CPU", digits: 2 },
  { key: "busiestBrokerCpuCores", label: "busiest broker CPU", digits: 2 },
  { key: "brokerCpuMsPerMegabyte", label: "broker CPU ms/MB", digits: 1 },
  { key: "brokerLoopDelayP99Ms", label: "broker loop p99 ms", digits: 1 },
  { key: "producerCpuCores", label: "producers CPU", digits: 2 },
  { key: "otherCpuCores", label: "other CPU", digits: 2 },
  { key: "sendLagP99Ms", label: "send lag p99 ms", digits: 2 },
  { key: "failedRecords", label: "failed records", digits: 0 },
  { key: "recordsPerSecVsRf1", label: "records/s ÷ RF=1", digits: 2 },
  { key: "p99VsRf1", label: "p99 ÷ RF=1", digits: 2 },
  { key: "cpuPerMegabyteVsRf1", label: "CPU/MB ÷ RF=1", digits: 2 },
];

export interface ReplicationCase extends BenchCase {
  readonly replicationFactor: 1 | 3;
  /** Brokers running: 1 for RF=1, 3 for RF=3. */
  readonly brokers: number;
  /** closed-loop: the `put` load, saturating; paced: open loop at half of the RF=3 closed-loop rate. */
  readonly load: "closed-loop" | "paced";
}

/**
 * What replication costs: the `put` load (closed loop, saturating) against one broker (RF=1) and against
 * three local brokers (RF=3, every shard a 3-replica Raft group), per shard count; then RF=3 again, open
 * loop at half the rate its closed-loop case reached in the same run. RF=3 rows are divided by the RF=1
 * row of the same run and shard count.
 */
export function replicationScenario(settings: PutSettings): Scenario<ReplicationFigure, ReplicationCase> {
  const args = brokerArgs(settings.fsync);
  const batch = `PutRecords of ${settings.batchRecords} × ${settings.recordBytes} B`;
  return {
    name: "replication",
    summary:
      `${batch}, ON_DEMAND stream, broker --fsync ${settings.fsync}. Closed loop (saturating): ` +
      `${settings.producers} producer processes × ${settings.concurrencyPerProducer} calls in flight. RF=1: one broker; ` +
      `RF=3: ${CLUSTER_BROKERS} brokers on this machine, calls spread round-robin over all of them (each forwards ` +
      `to the shard's leader). "RF=3 at half rate": open loop, ${PACED_FRACTION_OF_SATURATED} × the RF=3 closed-loop ` +
      `records/s of the same run, latency from each call's scheduled time. Ratios: RF=3 ÷ RF=1 of the same run.`,
    settings: {
      ...settings,
      brokerArgs: args,
      clusterBrokers: CLUSTER_BROKERS,
      streamMode: "ON_DEMAND",
      pacedFractionOfSaturated: PACED_FRACTION_OF_SATURATED,
      inFlightMaxPerProducer: IN_FLIGHT_MAX_PER_PRODUCER,
    },
    columns: COLUMNS,
    cases: replicationCases(settings.shardCounts),
    runs: settings.runs,
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    runTimeoutMs:
      settings.runTimeoutMs ?? settings.warmupMs + settings.durationMs + RUN_OVERHEAD_BOUND_MS + CLUSTER_START_BOUND_MS,
    async runOnce(benchCase, label, cleanups, context) {
      const { endpoints, adminUrls } =
        benchCase.replicationFactor === 1
          ? await startBrokerWithStream(cleanups, args, benchCase.shardCount).then(({ broker }) => ({
              endpoints: [broker.endpoint],
              adminUrls: [broker.adminUrl],
            }))
          : await startClusterWithStream(cleanups, CLUSTER_BROKERS, 3, args, benchCase.shardCount).then(
              ({ cluster }) => ({
                endpoints: cluster.ids.map((id) => cluster.endpointOf(id)),
                adminUrls: cluster.ids.map((id) => cluster.adminUrlOf(id)),
              }),
            );
      const offeredRecordsPerSec = benchCase.load === "paced" ? pacedRate(benchCase, context) : Number.NaN;
      const configFor = (index: number): WorkerConfig =>
        benchCase.load === "paced"
          ? openLoopProducerConfig({ ...settings, rateRecordsPerSec: offeredRecordsPerSec }, endpoints, index, false)
          : closedLoopConfig(settings, rotated(endpoints, index));
      const producers = startWorkers(cleanups, settings.producers, "producer", "put-worker.js", configFor);
      const load = await driveLoad({
        label,
        adminUrls,
        workers: producers,
        producers,
        warmupMs: settings.warmupMs,
        durationMs: settings.durationMs,
        tailMs: 0,
      });
      const total = totalOf(load.results);
      const recordsPerSec = total.records / (settings.durationMs / 1000);
      const megabytesPerSec = (recordsPerSec * settings.recordBytes) / 1e6;
      const latency = summarizeMs(total.latency);
      const brokerCpuMsPerMegabyte = (load.broker.cpuCores * 1000) / megabytesPerSec;
      const reference =
        benchCase.replicationFactor === 3 && benchCase.load === "closed-loop"
          ? context.figuresOf(caseName(benchCase.shardCount, 1, "closed-loop"))
          : undefined;
      return {
        figures: {
          offeredRecordsPerSec,
          recordsPerSec,
          megabytesPerSec,
          p50Ms: latency.p50Ms,
          p99Ms: latency.p99Ms,
          p999Ms: latency.p999Ms,
          brokerCpuCores: load.broker.cpuCores,
          busiestBrokerCpuCores: Math.max(...load.brokers.map((b) => b.cpuCores)),
          brokerCpuMsPerMegabyte,
          brokerLoopDelayP99Ms: load.broker.loopDelayP99Ms,
          producerCpuCores: total.cpuMs / settings.durationMs,
          otherCpuCores: load.machineBusyCores - load.broker.cpuCores - total.cpuMs / settings.durationMs,
          sendLagP99Ms: summarizeMs(total.sendLag).p99Ms,
          failedRecords: total.failedRecords + total.failedCalls * settings.batchRecords,
          // NaN (shown as –) on the rows that are not compared: RF=1 is the reference.
          recordsPerSecVsRf1: reference ? recordsPerSec / reference.recordsPerSec : Number.NaN,
          p99VsRf1: reference ? latency.p99Ms / reference.p99Ms : Number.NaN,
          cpuPerMegabyteVsRf1: reference ? brokerCpuMsPerMegabyte / reference.brokerCpuMsPerMegabyte : Number.NaN,
        },
        errors: total.errors,
        histograms: { putRecordsLatencyUs: total.latencyEncoded },
      };
    },
  };
}

/** Per shard count, in this order (a case may depend on an earlier one of the same run): RF=1, RF=3, RF=3 paced. */
function replicationCases(shardCounts: readonly number[]): ReplicationCase[] {
  return shardCases(shardCounts).flatMap(({ shardCount }) => [
    { name: caseName(shardCount, 1, "closed-loop"), shardCount, replicationFactor: 1, brokers: 1, load: "closed-loop" },
    {
      name: caseName(shardCount, 3, "closed-loop"),
      shardCount,
      replicationFactor: 3,
      brokers: CLUSTER_BROKERS,
      load: "closed-loop",
    },
    {
      name: caseName(shardCount, 3, "paced"),
      shardCount,
      replicationFactor: 3,
      brokers: CLUSTER_BROKERS,
      load: "paced",
    },
  ]);
}

function caseName(shardCount: number, replicationFactor: 1 | 3, load: ReplicationCase["load"]): string {
  const shards = `${shardCount} shard${shardCount === 1 ? "" : "s"}`;
  return `${shards}, RF=${replicationFactor}${load === "paced" ? " at half rate" : ""}`;
}

/** Half of what RF=3 closed loop achieved in this run, same shard count (run just before this case). */
function pacedRate(benchCase: ReplicationCase, context: RunContext<ReplicationFigure>): number {
  const saturated = context.figuresOf(caseName(benchCase.shardCount, 3, "closed-loop"))?.recordsPerSec;
  if (saturated === undefined || !(saturated > 0)) {
    throw new Error(`${benchCase.name}: no RF=3 closed-loop throughput in run ${context.run} to take half of`);
  }
  return PACED_FRACTION_OF_SATURATED * saturated;
}

function closedLoopConfig(settings: PutSettings, endpoints: readonly string[]): ClosedLoopPutConfig {
  return {
    kind: "closed-loop-put",
    endpoints,
    streamName: STREAM_NAME,
    concurrency: settings.concurrencyPerProducer,
    batchRecords: settings.batchRecords,
    recordBytes: settings.recordBytes,
  };
}
