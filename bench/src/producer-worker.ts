/**
 * The producer scenario's load process: one `Producer` of the SDK, fed record by record, closed loop (as
 * fast as its buffer takes records) or open loop (at a fixed rate, latency from each record's due time).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Producer, type ProducerMetrics, type ProducerPutResult } from "@eddy/client";
import { epochNowMs, inWindow, sleepUntil, type Schedule } from "./clock.js";
import { encodeHistogram, newLatencyHistogram, recordLatencyMs } from "./histogram.js";
import type { ProducerLoadConfig, WorkerConfig, WorkerResult } from "./ipc.js";
import { PayloadPool } from "./payload.js";
import { cpuDuringWindowMs, ErrorTally, serveWorker, type ProgressCounter, type WorkerJob } from "./worker-runtime.js";

/** How often the open loop wakes to put the records due (Node's timers have a 1 ms clock). */
const PACE_TICK_MS = 1;
/** After the window, records still buffered are awaited this long at most (they are not counted). */
const DRAIN_BOUND_MS = 15_000;
const RSS_SAMPLE_INTERVAL_MS = 100;

serveWorker(async (config: WorkerConfig): Promise<WorkerJob> => {
  if (config.kind !== "producer") throw new Error(`producer-worker cannot run ${config.kind}`);
  const producer = new Producer({
    endpoints: config.endpoints,
    exactlyOnce: config.exactlyOnce,
    batchRecordsMax: config.batchRecordsMax,
    lingerMs: config.lingerMs,
  });
  const payloads = new PayloadPool(config.recordBytes);
  // Epoch, shard map and connections now, so that none of it is part of the warm-up, let alone the window.
  await producer.ready();
  await Promise.all(
    Array.from({ length: 64 }, () =>
      producer.put({ stream: config.streamName, partitionKey: payloads.partitionKey(), data: payloads.data() }),
    ),
  );
  return {
    run: (schedule, progress) => runProducerLoad(producer, config, payloads, schedule, progress),
    close: () => void producer.close(),
  };
});

async function runProducerLoad(
  producer: Producer,
  config: ProducerLoadConfig,
  payloads: PayloadPool,
  schedule: Schedule,
  progress: ProgressCounter,
): Promise<WorkerResult> {
  const latency = newLatencyHistogram();
  const sendLag = newLatencyHistogram();
  const errors = new ErrorTally();
  const counts = { records: 0, calls: 0, failedRecords: 0, failedCalls: 0 };
  const cpuMs = cpuDuringWindowMs(schedule);
  const window = metricsOverWindow(producer, schedule);

  /** Settles one record: counted if acknowledged within the window; latency from `fromMs` if `sampled`. */
  const settle = (fromMs: number, sampled: boolean) => ({
    ok: (_result: ProducerPutResult) => {
      const atMs = epochNowMs();
      progress.records += 1;
      if (inWindow(schedule, atMs)) counts.records += 1;
      if (sampled) recordLatencyMs(latency, atMs - fromMs);
    },
    failed: (error: unknown) => {
      if (inWindow(schedule, epochNowMs()) || sampled) {
        counts.failedRecords += 1;
        errors.addError(error);
      }
    },
  });
  const record = () => ({ stream: config.streamName, partitionKey: payloads.partitionKey(), data: payloads.data() });

  await sleepUntil(schedule.loadStartAtMs);
  if (config.rateRecordsPerSec === null) {
    // Closed loop: the next record as soon as the buffer takes this one. Latency is not sampled here: with
    // the buffer full it would measure the buffer (bufferBytesMax / throughput), not the producer.
    while (epochNowMs() < schedule.measureEndAtMs) {
      const { ok, failed } = settle(0, false);
      try {
        const { acknowledged } = await producer.enqueue(record());
        acknowledged.then(ok, failed);
      } catch (error) {
        failed(error);
      }
    }
  } else {
    const intervalMs = 1000 / config.rateRecordsPerSec;
    for (let next = 0; ;) {
      const nowMs = epochNowMs();
      if (nowMs >= schedule.measureEndAtMs) break;
      const dueCount = Math.floor((nowMs - schedule.loadStartAtMs) / intervalMs) + 1;
      for (; next < dueCount; next++) {
        const dueAtMs = schedule.loadStartAtMs + next * intervalMs;
        const sampled = inWindow(schedule, dueAtMs);
        if (sampled) recordLatencyMs(sendLag, nowMs - dueAtMs);
        const { ok, failed } = settle(dueAtMs, sampled);
        producer.put(record()).then(ok, failed);
      }
      await sleep(PACE_TICK_MS);
    }
  }
  await Promise.race([producer.flush(), sleep(DRAIN_BOUND_MS)]);
  return {
    ...counts,
    errors: errors.counts,
    latencyHistogram: encodeHistogram(latency),
    sendLagHistogram: config.rateRecordsPerSec === null ? undefined : encodeHistogram(sendLag),
    cpuMs: await cpuMs,
    producer: await window,
  };
}

/** The producer's counters over the window, and the process's resident memory peak. */
async function metricsOverWindow(producer: Producer, schedule: Schedule): Promise<WorkerResult["producer"] & {}> {
  await sleepUntil(schedule.measureStartAtMs);
  const first: ProducerMetrics = producer.metrics();
  let rssPeakBytes = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    rssPeakBytes = Math.max(rssPeakBytes, process.memoryUsage.rss());
  }, RSS_SAMPLE_INTERVAL_MS);
  await sleepUntil(schedule.measureEndAtMs);
  clearInterval(sampler);
  const last = producer.metrics();
  const batches = last.batchesSent - first.batchesSent;
  return {
    batches,
    retries: last.retries - first.retries,
    throttles: last.throttles - first.throttles,
    recordsPerBatch: batches === 0 ? Number.NaN : (last.recordsSent - first.recordsSent) / batches,
    bufferedBytesPeak: last.bufferedBytesPeak,
    bufferBytesMax: producer.bufferBytesMax,
    rssPeakBytes,
    epochs: last.epochs,
  };
}
