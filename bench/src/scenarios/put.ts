import { brokerArgs } from "../broker.js";
import { summarizeMs } from "../histogram.js";
import type { ClosedLoopPutConfig } from "../ipc.js";
import { driveLoad } from "../load.js";
import type { PutSettings } from "../options.js";
import { shardCases, type Column, type Scenario } from "../scenario.js";
import { RUN_OVERHEAD_BOUND_MS, STREAM_NAME, startBrokerWithStream, startWorkers, totalOf } from "./common.js";

export type PutFigure =
  | "recordsPerSec"
  | "megabytesPerSec"
  | "p50Ms"
  | "p99Ms"
  | "p999Ms"
  | "recordsPerBatch"
  | "putsPerBatch"
  | "batchesPerSec"
  | "batchWriteMs"
  | "brokerCpuCores"
  | "brokerLoopDelayP99Ms"
  | "producerCpuCores"
  | "failedRecords";

const COLUMNS: readonly Column<PutFigure>[] = [
  { key: "recordsPerSec", label: "records/s", digits: 0 },
  { key: "megabytesPerSec", label: "MB/s", digits: 1 },
  { key: "p50Ms", label: "p50 ms", digits: 2 },
  { key: "p99Ms", label: "p99 ms", digits: 2 },
  { key: "p999Ms", label: "p99.9 ms", digits: 2 },
  { key: "recordsPerBatch", label: "records/batch", digits: 1 },
  { key: "putsPerBatch", label: "puts/batch", digits: 2 },
  { key: "batchesPerSec", label: "batches/s", digits: 0 },
  { key: "batchWriteMs", label: "batch write ms", digits: 2 },
  { key: "brokerCpuCores", label: "broker CPU", digits: 2 },
  { key: "brokerLoopDelayP99Ms", label: "broker loop p99 ms", digits: 1 },
  { key: "producerCpuCores", label: "producers CPU", digits: 2 },
  { key: "failedRecords", label: "failed records", digits: 0 },
];

/**
 * Throughput of synced writes: P producer processes, each with C PutRecords calls of B records in flight
 * (closed loop), against one broker. The batch figures come from the broker's group-commit histograms.
 */
export function putScenario(settings: PutSettings): Scenario<PutFigure> {
  const args = brokerArgs(settings.fsync);
  return {
    name: "put",
    summary:
      `PutRecords throughput, closed loop: ${settings.producers} producer processes × ${settings.concurrencyPerProducer} calls in flight ` +
      `× ${settings.batchRecords} records of ${settings.recordBytes} B, ON_DEMAND stream, broker --fsync ${settings.fsync}.`,
    settings: { ...settings, brokerArgs: args, streamMode: "ON_DEMAND" },
    columns: COLUMNS,
    cases: shardCases(settings.shardCounts),
    runs: settings.runs,
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    runTimeoutMs: settings.runTimeoutMs ?? settings.warmupMs + settings.durationMs + RUN_OVERHEAD_BOUND_MS,
    async runOnce(benchCase, label, cleanups) {
      const { broker } = await startBrokerWithStream(cleanups, args, benchCase.shardCount);
      const config: ClosedLoopPutConfig = {
        kind: "closed-loop-put",
        endpoints: [broker.endpoint],
        streamName: STREAM_NAME,
        concurrency: settings.concurrencyPerProducer,
        batchRecords: settings.batchRecords,
        recordBytes: settings.recordBytes,
      };
      const producers = startWorkers(cleanups, settings.producers, "producer", "put-worker.js", () => config);
      const load = await driveLoad({
        label,
        adminUrls: [broker.adminUrl],
        workers: producers,
        producers,
        warmupMs: settings.warmupMs,
        durationMs: settings.durationMs,
        tailMs: 0,
      });
      const total = totalOf(load.results);
      const windowSec = settings.durationMs / 1000;
      const latency = summarizeMs(total.latency);
      const recordsPerSec = total.records / windowSec;
      return {
        figures: {
          recordsPerSec,
          megabytesPerSec: (recordsPerSec * settings.recordBytes) / 1e6,
          p50Ms: latency.p50Ms,
          p99Ms: latency.p99Ms,
          p999Ms: latency.p999Ms,
          recordsPerBatch: load.broker.recordsPerBatch,
          putsPerBatch: load.broker.putsPerBatch,
          batchesPerSec: load.broker.batchesPerSec,
          batchWriteMs: load.broker.batchWriteMs,
          brokerCpuCores: load.broker.cpuCores,
          brokerLoopDelayP99Ms: load.broker.loopDelayP99Ms,
          producerCpuCores: total.cpuMs / settings.durationMs,
          failedRecords: total.failedRecords + total.failedCalls * settings.batchRecords,
        },
        errors: total.errors,
        histograms: { putRecordsLatencyUs: total.latencyEncoded },
      };
    },
  };
}
