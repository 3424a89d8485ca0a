import { brokerArgs } from "../broker.js";
import { summarizeMs } from "../histogram.js";
import type { SubscribeConfig } from "../ipc.js";
import { driveLoad } from "../load.js";
import type { PacedSettings } from "../options.js";
import { shardCases, type Column, type Scenario } from "../scenario.js";
import { RUN_OVERHEAD_BOUND_MS, STREAM_NAME, startBrokerWithStream, startWorkers, totalOf } from "./common.js";
import { IN_FLIGHT_MAX_PER_PRODUCER, openLoopProducerConfig } from "./put-latency.js";

/**
 * The broker sends an idle subscriber a heartbeat this often. The subscriber waits for the first one to
 * know that its LATEST position is fixed before the producers start; under load no heartbeat is sent.
 */
const SUBSCRIBE_HEARTBEAT_MS = 250;
/** Records due within the window that arrive later than this after it are counted as missing. */
const DELIVERY_GRACE_MS = 2_000;

export type E2eFigure =
  | "achievedRecordsPerSec"
  | "p50Ms"
  | "p99Ms"
  | "p999Ms"
  | "maxMs"
  | "putP50Ms"
  | "putP99Ms"
  | "sendLagP99Ms"
  | "deliveredRecords"
  | "missingRecords"
  | "brokerCpuCores";

const COLUMNS: readonly Column<E2eFigure>[] = [
  { key: "achievedRecordsPerSec", label: "put records/s", digits: 0 },
  { key: "p50Ms", label: "e2e p50 ms", digits: 2 },
  { key: "p99Ms", label: "e2e p99 ms", digits: 2 },
  { key: "p999Ms", label: "e2e p99.9 ms", digits: 2 },
  { key: "maxMs", label: "e2e max ms", digits: 1 },
  { key: "putP50Ms", label: "put p50 ms", digits: 2 },
  { key: "putP99Ms", label: "put p99 ms", digits: 2 },
  { key: "sendLagP99Ms", label: "send lag p99 ms", digits: 2 },
  { key: "deliveredRecords", label: "delivered", digits: 0 },
  { key: "missingRecords", label: "missing", digits: 0 },
  { key: "brokerCpuCores", label: "broker CPU", digits: 2 },
];

/**
 * Put-to-subscriber latency: producers put stamped records at a fixed rate (open loop); one subscriber
 * process holds a SubscribeToShard (LATEST) on every shard and measures arrival time minus send time.
 */
export function e2eScenario(settings: PacedSettings): Scenario<E2eFigure> {
  const args = brokerArgs(settings.fsync, ["--subscribe-heartbeat-ms", String(SUBSCRIBE_HEARTBEAT_MS)]);
  return {
    name: "e2e",
    summary:
      `PutRecord → SubscribeToShard delivery latency: ${settings.rateRecordsPerSec} records/s of ${settings.recordBytes} B, ` +
      `open loop, from ${settings.producers} producer process(es); one subscriber process on every shard; broker --fsync ${settings.fsync}.`,
    settings: {
      ...settings,
      brokerArgs: args,
      streamMode: "ON_DEMAND",
      deliveryGraceMs: DELIVERY_GRACE_MS,
      inFlightMaxPerProducer: IN_FLIGHT_MAX_PER_PRODUCER,
    },
    columns: COLUMNS,
    cases: shardCases(settings.shardCounts),
    runs: settings.runs,
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    runTimeoutMs:
      settings.runTimeoutMs ?? settings.warmupMs + settings.durationMs + DELIVERY_GRACE_MS + RUN_OVERHEAD_BOUND_MS,
    async runOnce(benchCase, label, cleanups) {
      const { broker, shardIds } = await startBrokerWithStream(cleanups, args, benchCase.shardCount);
      const subscriberConfig: SubscribeConfig = {
        kind: "subscribe",
        endpoint: broker.endpoint,
        streamName: STREAM_NAME,
        shardIds,
        deliveryGraceMs: DELIVERY_GRACE_MS,
      };
      const [subscriber] = startWorkers(cleanups, 1, "subscriber", "subscribe-worker.js", () => subscriberConfig);
      const producers = startWorkers(cleanups, settings.producers, "producer", "put-worker.js", (index) =>
        openLoopProducerConfig({ ...settings, batchRecords: 1 }, [broker.endpoint], index, true),
      );
      const load = await driveLoad({
        label,
        adminUrls: [broker.adminUrl],
        workers: [subscriber!, ...producers],
        producers,
        warmupMs: settings.warmupMs,
        durationMs: settings.durationMs,
        tailMs: DELIVERY_GRACE_MS,
      });
      const [delivery, ...producerResults] = load.results;
      const e2e = totalOf([delivery!]);
      const put = totalOf(producerResults);
      const e2eLatency = summarizeMs(e2e.latency);
      const putLatency = summarizeMs(put.latency);
      return {
        figures: {
          achievedRecordsPerSec: put.records / (settings.durationMs / 1000),
          p50Ms: e2eLatency.p50Ms,
          p99Ms: e2eLatency.p99Ms,
          p999Ms: e2eLatency.p999Ms,
          maxMs: e2eLatency.maxMs,
          putP50Ms: putLatency.p50Ms,
          putP99Ms: putLatency.p99Ms,
          sendLagP99Ms: summarizeMs(put.sendLag).p99Ms,
          deliveredRecords: e2eLatency.count,
          // Acknowledged sends due within the window (the producers' latency count) that never arrived.
          missingRecords: putLatency.count - e2eLatency.count,
          brokerCpuCores: load.broker.cpuCores,
        },
        errors: { ...prefixed("put.", put.errors), ...prefixed("subscribe.", e2e.errors) },
        histograms: { e2eLatencyUs: e2e.latencyEncoded, putRecordLatencyUs: put.latencyEncoded },
      };
    },
  };
}

function prefixed(prefix: string, counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([name, count]) => [prefix + name, count]));
}
