/**
 * The limits scenario's reader process: one shard of a PROVISIONED stream read from TRIM_HORIZON, either by
 * polling GetRecords at a fixed rate of calls or by one SubscribeToShard, reporting every delivery within the
 * window (when it came, how many bytes) and every refusal by name.
 */
import { EddyClient, type SubscribeEvent } from "@eddy/client";
import { epochNowMs, inWindow, sleepUntil, type Schedule } from "./clock.js";
import { encodeHistogram, newLatencyHistogram, recordLatencyMs } from "./histogram.js";
import type { Deliveries, LimitsReadConfig, WorkerConfig, WorkerResult } from "./ipc.js";
import { cpuDuringWindowMs, ErrorTally, serveWorker, type ProgressCounter, type WorkerJob } from "./worker-runtime.js";

/** Long enough for a GetRecords of a few MiB on a busy machine; short enough that a lost call cannot hang a run. */
const GET_RECORDS_DEADLINE_MS = 10_000;

serveWorker(async (config: WorkerConfig): Promise<WorkerJob> => {
  if (config.kind !== "limits-read") throw new Error(`limits-read-worker cannot run ${config.kind}`);
  const client = new EddyClient({ endpoint: config.endpoint, deadlineMs: GET_RECORDS_DEADLINE_MS });
  const abort = new AbortController();
  // The iterator is taken now (it does not read), so that the first call of the load is a GetRecords.
  const iterator =
    config.mode === "poll"
      ? await client.getShardIterator({
          streamName: config.streamName,
          shardId: config.shardId,
          shardIteratorType: "TRIM_HORIZON",
        })
      : "";
  return {
    run: (schedule, progress) =>
      config.mode === "poll"
        ? poll(client, config, iterator, schedule, progress)
        : subscribe(client, config, schedule, progress, abort.signal),
    close: () => {
      abort.abort();
      client.close();
    },
  };
});

interface Tally {
  readonly counts: { records: number; calls: number; failedRecords: number; failedCalls: number };
  readonly errors: ErrorTally;
  readonly deliveries: Deliveries;
  /** Call latency (poll) or the gap between events (subscribe), µs. */
  readonly latency: ReturnType<typeof newLatencyHistogram>;
}

function newTally(): Tally {
  return {
    counts: { records: 0, calls: 0, failedRecords: 0, failedCalls: 0 },
    errors: new ErrorTally(),
    deliveries: { atMs: [], bytes: [] },
    latency: newLatencyHistogram(),
  };
}

function delivered(tally: Tally, schedule: Schedule, records: readonly { data: Buffer }[], atMs: number): void {
  if (!inWindow(schedule, atMs)) return;
  tally.counts.records += records.length;
  tally.counts.calls += 1;
  tally.deliveries.atMs.push(atMs);
  tally.deliveries.bytes.push(records.reduce((n, r) => n + r.data.length, 0));
}

async function resultOf(tally: Tally, cpuMs: Promise<number>): Promise<WorkerResult> {
  return {
    ...tally.counts,
    errors: tally.errors.counts,
    latencyHistogram: encodeHistogram(tally.latency),
    cpuMs: await cpuMs,
    deliveries: tally.deliveries,
  };
}

/**
 * Call i is due at load start + phase + i / rate; when the previous call is still unanswered it is skipped
 * (a reader has one iterator, so its calls are sequential). A refused call keeps the iterator for the next.
 */
async function poll(
  client: EddyClient,
  config: LimitsReadConfig,
  firstIterator: string,
  schedule: Schedule,
  progress: ProgressCounter,
): Promise<WorkerResult> {
  const tally = newTally();
  const cpuMs = cpuDuringWindowMs(schedule);
  const intervalMs = 1000 / config.callsPerSec;
  let iterator = firstIterator;
  let inFlight: Promise<void> | undefined;
  const call = async (): Promise<void> => {
    const sentAtMs = epochNowMs();
    try {
      const output = await client.getRecords({ shardIterator: iterator, limit: config.getRecordsLimit });
      const answeredAtMs = epochNowMs();
      if (output.nextShardIterator === undefined) throw new Error(`${config.shardId} ended while being read`);
      iterator = output.nextShardIterator;
      progress.records += output.records.length;
      if (inWindow(schedule, sentAtMs)) recordLatencyMs(tally.latency, answeredAtMs - sentAtMs);
      delivered(tally, schedule, output.records, answeredAtMs);
    } catch (error) {
      if (!inWindow(schedule, sentAtMs)) return;
      tally.counts.failedCalls += 1;
      tally.errors.addError(error);
    }
  };
  for (let i = 0; ; i++) {
    const dueAtMs = schedule.loadStartAtMs + config.phaseOffsetMs + i * intervalMs;
    if (dueAtMs >= schedule.measureEndAtMs) break;
    await sleepUntil(dueAtMs);
    if (inFlight !== undefined) {
      if (inWindow(schedule, dueAtMs)) tally.errors.add("SkippedWhileInFlight");
      continue;
    }
    inFlight = call().finally(() => (inFlight = undefined));
  }
  await inFlight;
  return resultOf(tally, cpuMs);
}

/** One subscription from TRIM_HORIZON, from load start to the window's end; the broker paces it. */
async function subscribe(
  client: EddyClient,
  config: LimitsReadConfig,
  schedule: Schedule,
  progress: ProgressCounter,
  signal: AbortSignal,
): Promise<WorkerResult> {
  const tally = newTally();
  const cpuMs = cpuDuringWindowMs(schedule);
  await sleepUntil(schedule.loadStartAtMs);
  const stop = new AbortController();
  signal.addEventListener("abort", () => stop.abort());
  const timer = setTimeout(() => stop.abort(), Math.max(0, schedule.measureEndAtMs - epochNowMs()));
  let previousAtMs: number | undefined;
  try {
    const events: AsyncIterable<SubscribeEvent> = client.subscribeToShard({
      streamName: config.streamName,
      shardId: config.shardId,
      startingPosition: { type: "TRIM_HORIZON" },
      consumerName: config.consumerName,
      signal: stop.signal,
    });
    for await (const event of events) {
      if (event.records.length === 0) continue;
      const atMs = epochNowMs();
      progress.records += event.records.length;
      if (previousAtMs !== undefined && inWindow(schedule, atMs)) recordLatencyMs(tally.latency, atMs - previousAtMs);
      previousAtMs = atMs;
      delivered(tally, schedule, event.records, atMs);
    }
  } catch (error) {
    tally.counts.failedCalls += 1;
    tally.errors.addError(error);
  } finally {
    clearTimeout(timer);
  }
  return resultOf(tally, cpuMs);
}
