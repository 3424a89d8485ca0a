/**
 * The fanout scenario: 1, 2, 5 consumer applications (the SDK's Application, one worker process each, so
 * that each application's one worker holds every shard) reading one stream under one fixed put rate. Every
 * application reads every record, so the broker serves the stream's reads once per application; the
 * question is whether each application still keeps up, and what the put-to-process latency becomes.
 */
import { APPLICATION_DEFAULTS } from "@eddy/client";
import type { ApplicationWorkerConfig, ApplicationWorkerResult } from "../application-ipc.js";
import {
  finishAll,
  startApplicationWorkers,
  waitForWorkers,
  type ApplicationWorkerProcess,
} from "../application-worker-process.js";
import { brokerArgs } from "../broker.js";
import { sleepUntil } from "../clock.js";
import { encodeHistogram, mergeHistograms, summarizeMs } from "../histogram.js";
import { driveLoad } from "../load.js";
import type { FanoutSettings } from "../options.js";
import type { BenchCase, Column, Scenario } from "../scenario.js";
import { RUN_OVERHEAD_BOUND_MS, startBrokerWithStream, startWorkers, STREAM_NAME, totalOf } from "./common.js";
import { callName, IN_FLIGHT_MAX_PER_PRODUCER, openLoopProducerConfig } from "./put-latency.js";

const LEASE_TIMEOUT_MS = APPLICATION_DEFAULTS.leaseTimeoutMs;
/** Records sent within the window that are processed later than this after it count as missing. */
const DELIVERY_GRACE_MS = 2_000;
/** Each application's worker taking every shard's lease: its first heartbeats, bounded by lease timeouts. */
const LEASES_BOUND_BASE_MS = 30_000;
const LEASES_BOUND_LEASE_TIMEOUTS = 3;
/** The workers' graceful stop and report (their own bound is 10 s). */
const FINISH_BOUND_MS = 15_000;

export interface FanoutCase extends BenchCase {
  readonly applications: number;
}

export type FanoutFigure =
  | "applications"
  | "offeredRecordsPerSec"
  | "putRecordsPerSec"
  | "appRecordsPerSecMin"
  | "appRecordsPerSecMean"
  | "p50Ms"
  | "p99Ms"
  | "p999Ms"
  | "maxMs"
  | "worstAppP99Ms"
  | "missingRecords"
  | "brokerCpuCores"
  | "workersCpuCores"
  | "producersCpuCores"
  | "otherCpuCores";

const COLUMNS: readonly Column<FanoutFigure>[] = [
  { key: "applications", label: "applications", digits: 0 },
  { key: "offeredRecordsPerSec", label: "offered records/s", digits: 0 },
  { key: "putRecordsPerSec", label: "put records/s", digits: 0 },
  { key: "appRecordsPerSecMin", label: "slowest app records/s", digits: 0 },
  { key: "appRecordsPerSecMean", label: "mean app records/s", digits: 0 },
  { key: "p50Ms", label: "p50 ms", digits: 2 },
  { key: "p99Ms", label: "p99 ms", digits: 2 },
  { key: "p999Ms", label: "p99.9 ms", digits: 2 },
  { key: "maxMs", label: "max ms", digits: 1 },
  { key: "worstAppP99Ms", label: "worst app p99 ms", digits: 2 },
  { key: "missingRecords", label: "missing", digits: 0 },
  { key: "brokerCpuCores", label: "broker CPU", digits: 2 },
  { key: "workersCpuCores", label: "workers CPU", digits: 2 },
  { key: "producersCpuCores", label: "producers CPU", digits: 2 },
  { key: "otherCpuCores", label: "other CPU", digits: 2 },
];

export function fanoutScenario(settings: FanoutSettings): Scenario<FanoutFigure, FanoutCase> {
  const args = brokerArgs(settings.fsync);
  const leasesBoundMs = LEASES_BOUND_BASE_MS + LEASES_BOUND_LEASE_TIMEOUTS * LEASE_TIMEOUT_MS;
  const cases = settings.shardCounts.flatMap((shardCount) =>
    settings.applicationCounts.map((applications) => ({
      name: `${shardCount} shard${shardCount === 1 ? "" : "s"}, ${applications} application${applications === 1 ? "" : "s"}`,
      shardCount,
      applications,
    })),
  );
  return {
    name: "fanout",
    summary:
      `Fan-out: 1 to ${Math.max(...settings.applicationCounts)} consumer applications (the SDK's Application, one worker ` +
      `process each, holding every shard, a processor that counts) reading one ON_DEMAND stream while ` +
      `${settings.rateRecordsPerSec} records/s of ${settings.recordBytes} B are put (${callName(settings.batchRecords)}, ` +
      `open loop, ${settings.producers} producer process(es)); broker --fsync ${settings.fsync}. Per application: ` +
      `records sent within the window that it processed ÷ the window; latency = processRecords call time − the ` +
      `record's send time, all applications merged (and the worst application's p99).`,
    runDescription:
      `fresh broker and stream per run; the applications start at TRIM_HORIZON and each takes every shard's lease; ` +
      `warm-up ${settings.warmupMs / 1000} s, window ${settings.durationMs / 1000} s, ${DELIVERY_GRACE_MS / 1000} s grace`,
    settings: {
      ...settings,
      brokerArgs: args,
      streamMode: "ON_DEMAND",
      leaseTimeoutMs: LEASE_TIMEOUT_MS,
      deliveryGraceMs: DELIVERY_GRACE_MS,
      inFlightMaxPerProducer: IN_FLIGHT_MAX_PER_PRODUCER,
    },
    columns: COLUMNS,
    cases,
    runs: settings.runs,
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    runTimeoutMs:
      settings.runTimeoutMs ??
      RUN_OVERHEAD_BOUND_MS +
        leasesBoundMs +
        settings.warmupMs +
        settings.durationMs +
        DELIVERY_GRACE_MS +
        FINISH_BOUND_MS,
    async runOnce(benchCase, label, cleanups) {
      const { broker, shardIds } = await startBrokerWithStream(cleanups, args, benchCase.shardCount);
      const workers = startApplicationWorkers(cleanups, benchCase.applications, (index): ApplicationWorkerConfig => ({
        endpoint: broker.endpoint,
        streamName: STREAM_NAME,
        applicationName: `bench-fanout-${index + 1}`,
        workerId: `app-${index + 1}`,
        leaseTimeoutMs: LEASE_TIMEOUT_MS,
        initialPosition: "TRIM_HORIZON",
        stampedRecords: true,
      }));
      await Promise.race([Promise.all(workers.map((w) => w.started)), ...workers.map((w) => w.failure)]);
      await waitForWorkers(
        workers,
        `${label}: every application taking every shard`,
        leasesBoundMs,
        () => workers.every((w) => shardIds.every((id) => w.status.heldShardIds.includes(id))),
        () => holdings(workers),
      );
      const producers = startWorkers(cleanups, settings.producers, "producer", "put-worker.js", (index) =>
        openLoopProducerConfig(settings, [broker.endpoint], index, true),
      );
      const load = await driveLoad({
        label,
        adminUrls: [broker.adminUrl],
        workers: producers,
        producers,
        warmupMs: settings.warmupMs,
        durationMs: settings.durationMs,
        tailMs: DELIVERY_GRACE_MS,
        atSchedule: (schedule) => workers.forEach((w) => w.window(schedule)),
      });
      await sleepUntil(load.schedule.measureEndAtMs + DELIVERY_GRACE_MS);
      const results = await finishAll(workers);
      return fanoutOutcome(settings, results, load);
    },
  };
}

function fanoutOutcome(
  settings: FanoutSettings,
  results: readonly ApplicationWorkerResult[],
  load: Awaited<ReturnType<typeof driveLoad>>,
) {
  const windowSec = settings.durationMs / 1000;
  const put = totalOf(load.results);
  const putLatency = summarizeMs(put.latency);
  // Records whose sends were due within the window and were acknowledged: every application should process each.
  const acknowledged = putLatency.count * settings.batchRecords - put.failedRecords;
  const perApp = results.map((r) => ({
    workerId: r.workerId,
    recordsPerSec: r.windowRecords / windowSec,
    latency: summarizeMs(mergeHistograms([r.latencyHistogram])),
    missing: acknowledged - r.windowRecords,
  }));
  const merged = mergeHistograms(results.map((r) => r.latencyHistogram));
  const latency = summarizeMs(merged);
  const workersCpuCores = results.reduce((n, r) => n + (r.cpuWindowMs ?? Number.NaN), 0) / settings.durationMs;
  const producersCpuCores = put.cpuMs / settings.durationMs;
  const errors: Record<string, number> = Object.fromEntries(
    Object.entries(put.errors).map(([k, v]) => [`put.${k}`, v]),
  );
  for (const result of results) {
    for (const [name, count] of Object.entries(result.errors))
      errors[`${result.workerId}.${name}`] = (errors[`${result.workerId}.${name}`] ?? 0) + count;
  }
  return {
    figures: {
      applications: results.length,
      offeredRecordsPerSec: settings.rateRecordsPerSec,
      putRecordsPerSec: put.records / windowSec,
      appRecordsPerSecMin: Math.min(...perApp.map((a) => a.recordsPerSec)),
      appRecordsPerSecMean: perApp.reduce((n, a) => n + a.recordsPerSec, 0) / perApp.length,
      p50Ms: latency.p50Ms,
      p99Ms: latency.p99Ms,
      p999Ms: latency.p999Ms,
      maxMs: latency.maxMs,
      worstAppP99Ms: Math.max(...perApp.map((a) => a.latency.p99Ms)),
      missingRecords: perApp.reduce((n, a) => n + a.missing, 0),
      brokerCpuCores: load.broker.cpuCores,
      workersCpuCores,
      producersCpuCores,
      otherCpuCores: load.machineBusyCores - load.broker.cpuCores - workersCpuCores - producersCpuCores,
    },
    errors,
    histograms: { processLatencyUs: encodeHistogram(merged), putLatencyUs: put.latencyEncoded },
    notes: [
      perApp
        .map(
          (a) =>
            `${a.workerId}: ${Math.round(a.recordsPerSec)} records/s, p50 ${a.latency.p50Ms.toFixed(2)} ms, ` +
            `p99 ${a.latency.p99Ms.toFixed(2)} ms, ${a.missing} missing`,
        )
        .join("; "),
    ],
  };
}

function holdings(workers: readonly ApplicationWorkerProcess[]): string {
  return workers.map((w) => `${w.workerId} holds [${w.status.heldShardIds.join(", ")}]`).join(", ");
}
