import { brokerArgs } from "../broker.js";
import { summarizeMs } from "../histogram.js";
import type { OpenLoopPutConfig } from "../ipc.js";
import { driveLoad } from "../load.js";
import type { PutLatencySettings } from "../options.js";
import { shardCases, type Column, type Scenario } from "../scenario.js";
import { rotated, RUN_OVERHEAD_BOUND_MS, STREAM_NAME, startBrokerWithStream, startWorkers, totalOf } from "./common.js";

/** Unanswered sends one producer may have; beyond it sends wait (and are charged for it). Bounds memory. */
export const IN_FLIGHT_MAX_PER_PRODUCER = 2_000;

export type PutLatencyFigure =
  | "targetRecordsPerSec"
  | "achievedRecordsPerSec"
  | "p50Ms"
  | "p99Ms"
  | "p999Ms"
  | "maxMs"
  | "sendLagP99Ms"
  | "putsPerBatch"
  | "batchWriteMs"
  | "brokerCpuCores"
  | "brokerLoopDelayP99Ms"
  | "producerCpuCores"
  | "failedCalls"
  | "failedRecords";

const COLUMNS: readonly Column<PutLatencyFigure>[] = [
  { key: "targetRecordsPerSec", label: "target records/s", digits: 0 },
  { key: "achievedRecordsPerSec", label: "achieved records/s", digits: 0 },
  { key: "p50Ms", label: "p50 ms", digits: 2 },
  { key: "p99Ms", label: "p99 ms", digits: 2 },
  { key: "p999Ms", label: "p99.9 ms", digits: 2 },
  { key: "maxMs", label: "max ms", digits: 1 },
  { key: "sendLagP99Ms", label: "send lag p99 ms", digits: 2 },
  { key: "putsPerBatch", label: "puts/batch", digits: 2 },
  { key: "batchWriteMs", label: "batch write ms", digits: 2 },
  { key: "brokerCpuCores", label: "broker CPU", digits: 2 },
  { key: "brokerLoopDelayP99Ms", label: "broker loop p99 ms", digits: 1 },
  { key: "producerCpuCores", label: "producers CPU", digits: 2 },
  { key: "failedCalls", label: "failed calls", digits: 0 },
  { key: "failedRecords", label: "failed records", digits: 0 },
];

/**
 * PutRecord latency at a fixed offered rate (open loop), measured from each send's scheduled time. With
 * `batchRecords` > 1 each send is one PutRecords call of that many records, at rate / batchRecords calls/s.
 */
export function putLatencyScenario(settings: PutLatencySettings): Scenario<PutLatencyFigure> {
  const args = brokerArgs(settings.fsync);
  const call = callName(settings.batchRecords);
  const callsPerSec = settings.rateRecordsPerSec / settings.batchRecords;
  const histogramName = settings.batchRecords === 1 ? "putRecordLatencyUs" : "putRecordsLatencyUs";
  return {
    name: "put-latency",
    resultsName: settings.batchRecords === 1 ? "put-latency" : `put-latency-batch${settings.batchRecords}`,
    summary:
      `${call}, ${settings.recordBytes} B per record, at ${settings.rateRecordsPerSec} records/s offered ` +
      `(${formatRate(callsPerSec)} calls/s), open loop, over ${settings.producers} producer processes; ` +
      `latency per call from its scheduled time; broker --fsync ${settings.fsync}.`,
    settings: {
      ...settings,
      call,
      callsPerSec,
      brokerArgs: args,
      streamMode: "ON_DEMAND",
      inFlightMaxPerProducer: IN_FLIGHT_MAX_PER_PRODUCER,
    },
    columns: COLUMNS,
    cases: shardCases(settings.shardCounts).map((c) => ({ ...c, name: `${c.name}, ${call}` })),
    runs: settings.runs,
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    runTimeoutMs: settings.runTimeoutMs ?? settings.warmupMs + settings.durationMs + RUN_OVERHEAD_BOUND_MS,
    async runOnce(benchCase, label, cleanups) {
      const { broker } = await startBrokerWithStream(cleanups, args, benchCase.shardCount);
      const producers = startWorkers(cleanups, settings.producers, "producer", "put-worker.js", (index) =>
        openLoopProducerConfig(settings, [broker.endpoint], index, false),
      );
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
      const latency = summarizeMs(total.latency);
      return {
        figures: {
          targetRecordsPerSec: settings.rateRecordsPerSec,
          achievedRecordsPerSec: total.records / (settings.durationMs / 1000),
          p50Ms: latency.p50Ms,
          p99Ms: latency.p99Ms,
          p999Ms: latency.p999Ms,
          maxMs: latency.maxMs,
          sendLagP99Ms: summarizeMs(total.sendLag).p99Ms,
          putsPerBatch: load.broker.putsPerBatch,
          batchWriteMs: load.broker.batchWriteMs,
          brokerCpuCores: load.broker.cpuCores,
          brokerLoopDelayP99Ms: load.broker.loopDelayP99Ms,
          producerCpuCores: total.cpuMs / settings.durationMs,
          failedCalls: total.failedCalls,
          failedRecords: total.failedRecords + total.failedCalls * settings.batchRecords,
        },
        errors: total.errors,
        histograms: { [histogramName]: total.latencyEncoded },
      };
    },
  };
}

/** "PutRecord" for one record per call, "PutRecords of n" for more. */
export function callName(batchRecords: number): string {
  return batchRecords === 1 ? "PutRecord" : `PutRecords of ${batchRecords}`;
}

/** Whole calls/s as such, fractions (a large batch at a low rate) with two decimals. */
function formatRate(perSec: number): string {
  return Number.isInteger(perSec) ? String(perSec) : perSec.toFixed(2);
}

/**
 * Producer `index` of `settings.producers`, sending its share of the total rate, in calls of `batchRecords`,
 * to the brokers at `endpoints` in turn.
 */
export function openLoopProducerConfig(
  settings: Pick<PutLatencySettings, "rateRecordsPerSec" | "batchRecords" | "producers" | "recordBytes">,
  endpoints: readonly string[],
  index: number,
  embedSendTime: boolean,
  recordTimeline = false,
): OpenLoopPutConfig {
  const callsPerSec = settings.rateRecordsPerSec / settings.batchRecords;
  return {
    kind: "open-loop-put",
    // Producer k starts its turn at broker k, so that sends due together go to different brokers.
    endpoints: rotated(endpoints, index),
    streamName: STREAM_NAME,
    callsPerSec: callsPerSec / settings.producers,
    batchRecords: settings.batchRecords,
    // Producer k starts k/P of an interval later, so that together the producers send at even intervals.
    phaseOffsetMs: (index * 1000) / callsPerSec,
    recordBytes: settings.recordBytes,
    embedSendTime,
    inFlightMax: IN_FLIGHT_MAX_PER_PRODUCER,
    recordTimeline,
  };
}
