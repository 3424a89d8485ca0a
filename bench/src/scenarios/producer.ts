import { PRODUCER_DEFAULTS } from "@eddy/client";
import { brokerArgs } from "../broker.js";
import { summarizeMs } from "../histogram.js";
import type { ProducerLoadConfig } from "../ipc.js";
import { driveLoad } from "../load.js";
import type { ProducerSettings } from "../options.js";
import type { BenchCase, Column, Scenario } from "../scenario.js";
import { RUN_OVERHEAD_BOUND_MS, STREAM_NAME, startClusterWithStream, startWorkers, totalOf } from "./common.js";

/** Three local brokers; every shard a 3-replica Raft group. */
const CLUSTER_BROKERS = 3;
const REPLICATION_FACTOR = 3;
/** Starting three brokers, forming the cluster and electing every shard's leader. */
const CLUSTER_START_BOUND_MS = 60_000;
const MiB = 1024 * 1024;

export type ProducerFigure =
  | "offeredRecordsPerSec"
  | "recordsPerSec"
  | "megabytesPerSec"
  | "p50Ms"
  | "p99Ms"
  | "p999Ms"
  | "sendLagP99Ms"
  | "recordsPerBatch"
  | "batchesPerSec"
  | "retries"
  | "bufferPeakMiB"
  | "producerRssMiB"
  | "producerCpuCores"
  | "brokerCpuCores"
  | "otherCpuCores"
  | "failedRecords"
  | "recordsPerSecVsExactlyOnceOff"
  | "p50VsExactlyOnceOff"
  | "p99VsExactlyOnceOff";

const COLUMNS: readonly Column<ProducerFigure>[] = [
  { key: "offeredRecordsPerSec", label: "offered records/s", digits: 0 },
  { key: "recordsPerSec", label: "records/s", digits: 0 },
  { key: "megabytesPerSec", label: "MB/s", digits: 1 },
  { key: "p50Ms", label: "put p50 ms", digits: 2 },
  { key: "p99Ms", label: "put p99 ms", digits: 2 },
  { key: "p999Ms", label: "put p99.9 ms", digits: 2 },
  { key: "sendLagP99Ms", label: "send lag p99 ms", digits: 2 },
  { key: "recordsPerBatch", label: "records/call", digits: 0 },
  { key: "batchesPerSec", label: "calls/s", digits: 0 },
  { key: "retries", label: "retries", digits: 0 },
  { key: "bufferPeakMiB", label: "buffer peak MiB", digits: 1 },
  { key: "producerRssMiB", label: "producer RSS MiB", digits: 0 },
  { key: "producerCpuCores", label: "producer CPU", digits: 2 },
  { key: "brokerCpuCores", label: "broker CPU", digits: 2 },
  { key: "otherCpuCores", label: "other CPU", digits: 2 },
  { key: "failedRecords", label: "failed records", digits: 0 },
  { key: "recordsPerSecVsExactlyOnceOff", label: "records/s ÷ EO off", digits: 2 },
  { key: "p50VsExactlyOnceOff", label: "p50 ÷ EO off", digits: 2 },
  { key: "p99VsExactlyOnceOff", label: "p99 ÷ EO off", digits: 2 },
];

export interface ProducerCase extends BenchCase {
  readonly exactlyOnce: boolean;
  readonly batchRecordsMax: number;
  readonly lingerMs: number;
  /** max: closed loop, as fast as the producer takes records; paced: open loop at the settings' rate. */
  readonly load: "max" | "paced";
}

/**
 * One producer process (the SDK's Producer) against three local brokers (RF=3): its throughput at full
 * speed per batch size, its put latency at a fixed rate per linger, each with exactly-once on, and the
 * defaults with exactly-once off too, so that its cost is a ratio within one run.
 */
export function producerScenario(settings: ProducerSettings): Scenario<ProducerFigure, ProducerCase> {
  const args = brokerArgs(settings.fsync);
  return {
    name: "producer",
    summary:
      `One producer process (the SDK's Producer, records of ${settings.recordBytes} B, random keys), ` +
      `${CLUSTER_BROKERS} brokers on this machine (RF=${REPLICATION_FACTOR}), ON_DEMAND stream, broker --fsync ${settings.fsync}. ` +
      `"max": records put as fast as the producer's buffer takes them (closed loop), latency not sampled. ` +
      `"at n/s": open loop at ${settings.rateRecordsPerSec} records/s, put latency from each record's due time to ` +
      `its acknowledgement. EO = exactly-once append; ratios: EO on ÷ EO off of the same run, defaults ` +
      `(batch ${PRODUCER_DEFAULTS.batchRecordsMax}, linger ${PRODUCER_DEFAULTS.lingerMs} ms).`,
    settings: {
      ...settings,
      producers: 1,
      brokerArgs: args,
      clusterBrokers: CLUSTER_BROKERS,
      streamMode: "ON_DEMAND",
      producerDefaults: PRODUCER_DEFAULTS,
    },
    columns: COLUMNS,
    cases: producerCases(settings),
    runs: settings.runs,
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    runTimeoutMs:
      settings.runTimeoutMs ?? settings.warmupMs + settings.durationMs + RUN_OVERHEAD_BOUND_MS + CLUSTER_START_BOUND_MS,
    async runOnce(benchCase, label, cleanups, context) {
      const { cluster } = await startClusterWithStream(
        cleanups,
        CLUSTER_BROKERS,
        REPLICATION_FACTOR,
        args,
        benchCase.shardCount,
      );
      const config: ProducerLoadConfig = {
        kind: "producer",
        endpoints: cluster.ids.map((id) => cluster.endpointOf(id)),
        streamName: STREAM_NAME,
        exactlyOnce: benchCase.exactlyOnce,
        batchRecordsMax: benchCase.batchRecordsMax,
        lingerMs: benchCase.lingerMs,
        recordBytes: settings.recordBytes,
        rateRecordsPerSec: benchCase.load === "paced" ? settings.rateRecordsPerSec : null,
      };
      const producers = startWorkers(cleanups, 1, "producer", "producer-worker.js", () => config);
      const load = await driveLoad({
        label,
        adminUrls: cluster.ids.map((id) => cluster.adminUrlOf(id)),
        workers: producers,
        producers,
        warmupMs: settings.warmupMs,
        durationMs: settings.durationMs,
        tailMs: 0,
      });
      const total = totalOf(load.results);
      const own = load.results[0]!.producer!;
      const windowSec = settings.durationMs / 1000;
      const recordsPerSec = total.records / windowSec;
      const latency = summarizeMs(total.latency);
      const reference =
        benchCase.exactlyOnce && isDefaults(benchCase)
          ? context.figuresOf(caseName({ ...benchCase, exactlyOnce: false }, settings))
          : undefined;
      return {
        figures: {
          offeredRecordsPerSec: benchCase.load === "paced" ? settings.rateRecordsPerSec : Number.NaN,
          recordsPerSec,
          megabytesPerSec: (recordsPerSec * settings.recordBytes) / 1e6,
          p50Ms: latency.p50Ms,
          p99Ms: latency.p99Ms,
          p999Ms: latency.p999Ms,
          sendLagP99Ms: summarizeMs(total.sendLag).p99Ms,
          recordsPerBatch: own.recordsPerBatch,
          batchesPerSec: own.batches / windowSec,
          retries: own.retries,
          bufferPeakMiB: own.bufferedBytesPeak / MiB,
          producerRssMiB: own.rssPeakBytes / MiB,
          producerCpuCores: total.cpuMs / settings.durationMs,
          brokerCpuCores: load.broker.cpuCores,
          otherCpuCores: load.machineBusyCores - load.broker.cpuCores - total.cpuMs / settings.durationMs,
          failedRecords: total.failedRecords,
          // NaN (shown as –) except on the EO-on rows with the defaults, divided by their EO-off twin.
          recordsPerSecVsExactlyOnceOff:
            reference && benchCase.load === "max" ? recordsPerSec / reference.recordsPerSec : Number.NaN,
          p50VsExactlyOnceOff: reference && benchCase.load === "paced" ? latency.p50Ms / reference.p50Ms : Number.NaN,
          p99VsExactlyOnceOff: reference && benchCase.load === "paced" ? latency.p99Ms / reference.p99Ms : Number.NaN,
        },
        errors: total.errors,
        histograms: { putLatencyUs: total.latencyEncoded },
        notes:
          own.bufferedBytesPeak > own.bufferBytesMax
            ? [`${benchCase.name} run ${context.run}: buffer peak ${own.bufferedBytesPeak} B over its bound`]
            : undefined,
      };
    },
  };
}

function isDefaults(c: Pick<ProducerCase, "batchRecordsMax" | "lingerMs">): boolean {
  return c.batchRecordsMax === PRODUCER_DEFAULTS.batchRecordsMax && c.lingerMs === PRODUCER_DEFAULTS.lingerMs;
}

/**
 * Per shard count: at full speed, the defaults with EO off then on (back to back, for their ratio), then
 * the other batch sizes; at the fixed rate, the same with the linger times.
 */
function producerCases(settings: ProducerSettings): ProducerCase[] {
  const defaults = { batchRecordsMax: PRODUCER_DEFAULTS.batchRecordsMax, lingerMs: PRODUCER_DEFAULTS.lingerMs };
  return settings.shardCounts.flatMap((shardCount) => {
    const max = (batchRecordsMax: number, exactlyOnce: boolean): ProducerCase =>
      named({ shardCount, exactlyOnce, batchRecordsMax, lingerMs: defaults.lingerMs, load: "max" }, settings);
    const paced = (lingerMs: number, exactlyOnce: boolean): ProducerCase =>
      named({ shardCount, exactlyOnce, batchRecordsMax: defaults.batchRecordsMax, lingerMs, load: "paced" }, settings);
    return [
      max(defaults.batchRecordsMax, false),
      max(defaults.batchRecordsMax, true),
      ...settings.batchRecordsMaxes.filter((b) => b !== defaults.batchRecordsMax).map((b) => max(b, true)),
      paced(defaults.lingerMs, false),
      paced(defaults.lingerMs, true),
      ...settings.lingerMsList.filter((l) => l !== defaults.lingerMs).map((l) => paced(l, true)),
    ];
  });
}

function named(c: Omit<ProducerCase, "name">, settings: ProducerSettings): ProducerCase {
  return { ...c, name: caseName(c, settings) };
}

function caseName(c: Omit<ProducerCase, "name">, settings: ProducerSettings): string {
  const shards = `${c.shardCount} shard${c.shardCount === 1 ? "" : "s"}`;
  const load = c.load === "max" ? "max" : `at ${settings.rateRecordsPerSec}/s`;
  return `${shards}, ${load}, batch ${c.batchRecordsMax}, linger ${c.lingerMs} ms, EO ${c.exactlyOnce ? "on" : "off"}`;
}
