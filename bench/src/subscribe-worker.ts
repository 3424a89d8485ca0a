/**
 * The e2e subscriber process: one SubscribeToShard (LATEST) per shard. Each record carries the time its
 * producer was due to send it; delivery latency is the time the event carrying it arrived here minus that.
 * Both clocks are `epochNowMs` on one machine (see clock.ts).
 */
import { EddyClient, type SubscribeEvent } from "@eddy/client";
import { epochNowMs, inWindow, sleepUntil, type Schedule } from "./clock.js";
import { encodeHistogram, newLatencyHistogram, recordLatencyMs, type Histogram } from "./histogram.js";
import type { SubscribeConfig, WorkerConfig, WorkerResult } from "./ipc.js";
import { readSendTimeMs } from "./payload.js";
import { cpuDuringWindowMs, ErrorTally, serveWorker, type ProgressCounter, type WorkerJob } from "./worker-runtime.js";

serveWorker(async (config: WorkerConfig): Promise<WorkerJob> => {
  if (config.kind !== "subscribe") throw new Error(`subscribe-worker cannot run ${config.kind}`);
  const client = new EddyClient({ endpoint: config.endpoint });
  const abort = new AbortController();
  const subscriptions = await Promise.all(
    config.shardIds.map((shardId) => openSubscription(client, config, shardId, abort.signal)),
  );
  return {
    run: (schedule, progress) => consume(subscriptions, config, schedule, progress, abort),
    close: () => {
      abort.abort();
      client.close();
    },
  };
});

type Subscription = AsyncIterator<SubscribeEvent, void, undefined>;

/**
 * Opens the subscription and waits for its first event. The broker sends nothing until a record commits or
 * a heartbeat falls due, so that first (empty) heartbeat is the proof that LATEST has been fixed: only then
 * may the producers start, or their first records could fall before the subscriber's starting point.
 */
async function openSubscription(
  client: EddyClient,
  config: SubscribeConfig,
  shardId: string,
  signal: AbortSignal,
): Promise<Subscription> {
  const events = client.subscribeToShard({
    streamName: config.streamName,
    shardId,
    startingPosition: { type: "LATEST" },
    consumerName: "bench-e2e",
    signal,
  });
  const iterator = events[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new Error(`the subscription to ${shardId} ended before its first event`);
  if (first.value.records.length > 0) throw new Error(`records arrived on ${shardId} before any were sent`);
  return iterator;
}

async function consume(
  subscriptions: readonly Subscription[],
  config: SubscribeConfig,
  schedule: Schedule,
  progress: ProgressCounter,
  abort: AbortController,
): Promise<WorkerResult> {
  const latency = newLatencyHistogram();
  const errors = new ErrorTally();
  const counts = { records: 0, calls: 0, failedRecords: 0, failedCalls: 0 };
  const cpuMs = cpuDuringWindowMs(schedule);
  const stop = sleepUntil(schedule.measureEndAtMs + config.deliveryGraceMs).then(() => abort.abort());
  const drain = async (subscription: Subscription): Promise<void> => {
    try {
      for (let next = await subscription.next(); !next.done; next = await subscription.next()) {
        const delivered = recordEvent(next.value, schedule, latency, errors);
        progress.records += next.value.records.length;
        counts.records += delivered;
        if (delivered > 0) counts.calls += 1;
      }
    } catch (error) {
      counts.failedCalls += 1;
      errors.addError(error);
    }
  };
  await Promise.all(subscriptions.map(drain));
  await stop;
  return { ...counts, errors: errors.counts, latencyHistogram: encodeHistogram(latency), cpuMs: await cpuMs };
}

/** Records the latency of the event's records that were due within the window; returns how many. */
function recordEvent(event: SubscribeEvent, schedule: Schedule, latency: Histogram, errors: ErrorTally): number {
  const arrivedAtMs = epochNowMs();
  let delivered = 0;
  for (const record of event.records) {
    const sentAtMs = readSendTimeMs(record.data);
    if (sentAtMs === undefined) {
      errors.add("RecordWithoutSendTime");
      continue;
    }
    if (!inWindow(schedule, sentAtMs)) continue;
    recordLatencyMs(latency, arrivedAtMs - sentAtMs);
    delivered += 1;
  }
  return delivered;
}
