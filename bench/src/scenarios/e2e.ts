import { brokerArgs } from "../broker.js";
import { summarizeMs } from "../histogram.js";
import type { PollConfig, SubscribeConfig } from "../ipc.js";
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
/** Kinesis serves at most 5 GetRecords calls per second per shard; the polling consumer keeps to that. */
const POLL_CALLS_PER_SEC_PER_SHARD = 5;
/** GetRecords' Limit: far above what one shard gets in 200 ms here, so every call takes all there is. */
const POLL_GET_RECORDS_LIMIT = 10_000;

export type E2eFigure =
  | "achievedRecordsPerSec"
  | "subscribeP50Ms"
  | "subscribeP99Ms"
  | "subscribeP999Ms"
  | "subscribeMaxMs"
  | "subscribeDelivered"
  | "subscribeMissing"
  | "pollP50Ms"
  | "pollP99Ms"
  | "pollP999Ms"
  | "pollMaxMs"
  | "pollDelivered"
  | "pollMissing"
  | "pollCallsPerSecPerShard"
  | "putP50Ms"
  | "putP99Ms"
  | "sendLagP99Ms"
  | "brokerCpuCores";

const COLUMNS: readonly Column<E2eFigure>[] = [
  { key: "achievedRecordsPerSec", label: "put records/s", digits: 0 },
  { key: "subscribeP50Ms", label: "subscribe p50 ms", digits: 2 },
  { key: "subscribeP99Ms", label: "subscribe p99 ms", digits: 2 },
  { key: "subscribeP999Ms", label: "subscribe p99.9 ms", digits: 2 },
  { key: "subscribeMaxMs", label: "subscribe max ms", digits: 1 },
  { key: "subscribeDelivered", label: "subscribe delivered", digits: 0 },
  { key: "subscribeMissing", label: "subscribe missing", digits: 0 },
  { key: "pollP50Ms", label: "poll p50 ms", digits: 1 },
  { key: "pollP99Ms", label: "poll p99 ms", digits: 1 },
  { key: "pollP999Ms", label: "poll p99.9 ms", digits: 1 },
  { key: "pollMaxMs", label: "poll max ms", digits: 1 },
  { key: "pollDelivered", label: "poll delivered", digits: 0 },
  { key: "pollMissing", label: "poll missing", digits: 0 },
  { key: "pollCallsPerSecPerShard", label: "poll calls/s/shard", digits: 2 },
  { key: "putP50Ms", label: "put p50 ms", digits: 2 },
  { key: "putP99Ms", label: "put p99 ms", digits: 2 },
  { key: "sendLagP99Ms", label: "send lag p99 ms", digits: 2 },
  { key: "brokerCpuCores", label: "broker CPU", digits: 2 },
];

/**
 * Put-to-delivery latency, both ways a consumer can read, in the same run on the same records: producers put
 * stamped records at a fixed rate (open loop); one subscriber process holds a SubscribeToShard (LATEST) on
 * every shard, and one polling process runs a GetRecords loop (LATEST, 5 calls/s) on every shard; each
 * measures arrival time minus send time.
 */
export function e2eScenario(settings: PacedSettings): Scenario<E2eFigure> {
  const args = brokerArgs(settings.fsync, ["--subscribe-heartbeat-ms", String(SUBSCRIBE_HEARTBEAT_MS)]);
  return {
    name: "e2e",
    summary:
      `PutRecord → delivery latency: ${settings.rateRecordsPerSec} records/s of ${settings.recordBytes} B, ` +
      `open loop, from ${settings.producers} producer process(es); the same records read by one subscriber process ` +
      `(SubscribeToShard, LATEST, every shard) and by one polling process (GetRecords from LATEST, at most ` +
      `${POLL_CALLS_PER_SEC_PER_SHARD} calls/s per shard as Kinesis allows); broker --fsync ${settings.fsync}.`,
    settings: {
      ...settings,
      brokerArgs: args,
      streamMode: "ON_DEMAND",
      deliveryGraceMs: DELIVERY_GRACE_MS,
      inFlightMaxPerProducer: IN_FLIGHT_MAX_PER_PRODUCER,
      pollCallsPerSecPerShard: POLL_CALLS_PER_SEC_PER_SHARD,
      pollGetRecordsLimit: POLL_GET_RECORDS_LIMIT,
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
      const pollerConfig: PollConfig = {
        kind: "poll",
        endpoint: broker.endpoint,
        streamName: STREAM_NAME,
        shardIds,
        callsPerSecPerShard: POLL_CALLS_PER_SEC_PER_SHARD,
        getRecordsLimit: POLL_GET_RECORDS_LIMIT,
        deliveryGraceMs: DELIVERY_GRACE_MS,
      };
      const [subscriber] = startWorkers(cleanups, 1, "subscriber", "subscribe-worker.js", () => subscriberConfig);
      const [poller] = startWorkers(cleanups, 1, "poller", "poll-worker.js", () => pollerConfig);
      const producers = startWorkers(cleanups, settings.producers, "producer", "put-worker.js", (index) =>
        openLoopProducerConfig({ ...settings, batchRecords: 1 }, [broker.endpoint], index, true),
      );
      const load = await driveLoad({
        label,
        adminUrls: [broker.adminUrl],
        workers: [subscriber!, poller!, ...producers],
        producers,
        warmupMs: settings.warmupMs,
        durationMs: settings.durationMs,
        tailMs: DELIVERY_GRACE_MS,
      });
      const [subscribed, polled, ...producerResults] = load.results;
      const subscribe = totalOf([subscribed!]);
      const poll = totalOf([polled!]);
      const put = totalOf(producerResults);
      const subscribeLatency = summarizeMs(subscribe.latency);
      const pollLatency = summarizeMs(poll.latency);
      const putLatency = summarizeMs(put.latency);
      const windowS = settings.durationMs / 1000;
      return {
        figures: {
          achievedRecordsPerSec: put.records / windowS,
          subscribeP50Ms: subscribeLatency.p50Ms,
          subscribeP99Ms: subscribeLatency.p99Ms,
          subscribeP999Ms: subscribeLatency.p999Ms,
          subscribeMaxMs: subscribeLatency.maxMs,
          subscribeDelivered: subscribeLatency.count,
          // Acknowledged sends due within the window (the producers' latency count) that never arrived.
          subscribeMissing: putLatency.count - subscribeLatency.count,
          pollP50Ms: pollLatency.p50Ms,
          pollP99Ms: pollLatency.p99Ms,
          pollP999Ms: pollLatency.p999Ms,
          pollMaxMs: pollLatency.maxMs,
          pollDelivered: pollLatency.count,
          pollMissing: putLatency.count - pollLatency.count,
          pollCallsPerSecPerShard: poll.calls / windowS / benchCase.shardCount,
          putP50Ms: putLatency.p50Ms,
          putP99Ms: putLatency.p99Ms,
          sendLagP99Ms: summarizeMs(put.sendLag).p99Ms,
          brokerCpuCores: load.broker.cpuCores,
        },
        errors: {
          ...prefixed("put.", put.errors),
          ...prefixed("subscribe.", subscribe.errors),
          ...prefixed("poll.", poll.errors),
        },
        histograms: {
          subscribeLatencyUs: subscribe.latencyEncoded,
          pollLatencyUs: poll.latencyEncoded,
          putRecordLatencyUs: put.latencyEncoded,
        },
      };
    },
  };
}

function prefixed(prefix: string, counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([name, count]) => [prefix + name, count]));
}
