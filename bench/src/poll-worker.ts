/**
 * The e2e polling consumer process: a GetRecords loop per shard from LATEST, as a Kinesis consumer without
 * enhanced fan-out reads. Each shard is called at most `callsPerSecPerShard` times a second (Kinesis allows
 * 5), so a record waits on average half a call interval before the next call can fetch it: polling latency
 * has a floor that push delivery does not. Latency is the time the answer carrying a record arrived here
 * minus the send time its producer wrote into it (same clock as the subscriber, see clock.ts).
 */
import { EddyClient } from "@eddy/client";
import { epochNowMs, inWindow, sleepUntil, type Schedule } from "./clock.js";
import { encodeHistogram, newLatencyHistogram, recordLatencyMs, type Histogram } from "./histogram.js";
import type { PollConfig, WorkerConfig, WorkerResult } from "./ipc.js";
import { readSendTimeMs } from "./payload.js";
import { cpuDuringWindowMs, ErrorTally, serveWorker, type ProgressCounter, type WorkerJob } from "./worker-runtime.js";

/** A lost call must not hang the run; a call on loopback answers in milliseconds. */
const GET_RECORDS_DEADLINE_MS = 10_000;

serveWorker(async (config: WorkerConfig): Promise<WorkerJob> => {
  if (config.kind !== "poll") throw new Error(`poll-worker cannot run ${config.kind}`);
  const client = new EddyClient({ endpoint: config.endpoint, deadlineMs: GET_RECORDS_DEADLINE_MS });
  // LATEST is fixed when the iterator is made: taking them all before `ready` means no record the producers
  // send afterwards can fall before a shard's starting point.
  const iterators = await Promise.all(
    config.shardIds.map((shardId) =>
      client.getShardIterator({ streamName: config.streamName, shardId, shardIteratorType: "LATEST" }),
    ),
  );
  return {
    run: (schedule, progress) => pollAll(client, config, iterators, schedule, progress),
    close: () => client.close(),
  };
});

interface Tally {
  readonly latency: Histogram;
  readonly errors: ErrorTally;
  readonly counts: { records: number; calls: number; failedRecords: number; failedCalls: number };
}

async function pollAll(
  client: EddyClient,
  config: PollConfig,
  iterators: readonly string[],
  schedule: Schedule,
  progress: ProgressCounter,
): Promise<WorkerResult> {
  const tally: Tally = {
    latency: newLatencyHistogram(),
    errors: new ErrorTally(),
    counts: { records: 0, calls: 0, failedRecords: 0, failedCalls: 0 },
  };
  const cpuMs = cpuDuringWindowMs(schedule);
  const intervalMs = 1000 / config.callsPerSecPerShard;
  await Promise.all(
    iterators.map((iterator, index) =>
      // The shards' calls are spread over the interval rather than all sent at once.
      pollShard(client, config, iterator, schedule, schedule.loadStartAtMs + (index * intervalMs) / iterators.length, {
        intervalMs,
        tally,
        progress,
      }),
    ),
  );
  return {
    ...tally.counts,
    errors: tally.errors.counts,
    latencyHistogram: encodeHistogram(tally.latency),
    cpuMs: await cpuMs,
  };
}

/**
 * One shard's loop: a call starts no sooner than one interval after the previous one started (and never
 * before it answered), until the grace after the window is over. A refused call keeps its iterator.
 */
async function pollShard(
  client: EddyClient,
  config: PollConfig,
  firstIterator: string,
  schedule: Schedule,
  firstCallAtMs: number,
  loop: { intervalMs: number; tally: Tally; progress: ProgressCounter },
): Promise<void> {
  const { tally } = loop;
  const endAtMs = schedule.measureEndAtMs + config.deliveryGraceMs;
  let iterator: string | undefined = firstIterator;
  let nextCallAtMs = firstCallAtMs;
  while (iterator !== undefined) {
    await sleepUntil(nextCallAtMs);
    const sentAtMs = epochNowMs();
    if (sentAtMs >= endAtMs) return;
    nextCallAtMs = sentAtMs + loop.intervalMs;
    try {
      const output = await client.getRecords({ shardIterator: iterator, limit: config.getRecordsLimit });
      const arrivedAtMs = epochNowMs();
      iterator = output.nextShardIterator;
      loop.progress.records += output.records.length;
      let delivered = 0;
      for (const record of output.records) {
        const dueAtMs = readSendTimeMs(record.data);
        if (dueAtMs === undefined) {
          tally.errors.add("RecordWithoutSendTime");
          continue;
        }
        if (!inWindow(schedule, dueAtMs)) continue;
        recordLatencyMs(tally.latency, arrivedAtMs - dueAtMs);
        delivered += 1;
      }
      tally.counts.records += delivered;
      if (inWindow(schedule, sentAtMs)) tally.counts.calls += 1;
    } catch (error) {
      if (inWindow(schedule, sentAtMs)) tally.counts.failedCalls += 1;
      tally.errors.addError(error);
    }
  }
}
