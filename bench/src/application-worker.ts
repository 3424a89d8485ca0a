/**
 * An application worker process of the `application` scenario: the SDK's `Application`, whose processor
 * only counts what it is given (records and bytes per shard) and, when the records carry their send time,
 * records put-to-process latency (time of the processRecords call minus the stamped send time; both
 * clocks are `epochNowMs` on one machine). It tells the coordinator every 100 ms what it holds and has
 * processed, and once per lease when the shard's first records reached the processor, so that a worker
 * that is SIGKILLed has already said what matters. See application-ipc.ts for the messages.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Application, type ProcessRecordsInput, type RecordProcessor } from "@eddy/client";
import {
  APPLICATION_STATUS_INTERVAL_MS,
  isToApplicationWorker,
  type ApplicationWorkerConfig,
  type ApplicationWorkerResult,
  type FromApplicationWorker,
} from "./application-ipc.js";
import { epochNowMs, inWindow, type Schedule } from "./clock.js";
import { encodeHistogram, newLatencyHistogram, recordLatencyMs } from "./histogram.js";
import { readSendTimeMs } from "./payload.js";
import { cpuDuringWindowMs, ErrorTally } from "./worker-runtime.js";

/** The graceful stop (batch in hand, last checkpoints, leases released) is awaited this long at most. */
const STOP_BOUND_MS = 10_000;

const send = process.send?.bind(process);
if (!send) throw new Error("a bench worker must be started by the coordinator (node:child_process fork)");
const post = (message: FromApplicationWorker): Promise<void> =>
  new Promise((resolve) => send(message, undefined, {}, () => resolve()));
// Without its coordinator nobody would stop this process: leave with it.
process.on("disconnect", () => process.exit(1));

class CountingWorker {
  private readonly app: Application;
  private readonly errors = new ErrorTally();
  private readonly latency = newLatencyHistogram();
  private readonly recordsByShard = new Map<string, number>();
  /** The epoch of each shard's latest lease here, from the leaseAcquired events. */
  private readonly epochs = new Map<string, number>();
  private readonly statusTicker: NodeJS.Timeout;
  private counts = { processedRecords: 0, processedBytes: 0, checkpoints: 0, windowRecords: 0, replayedRecords: 0 };
  private firstProcessedAtMs: number | null = null;
  private lastProcessedAtMs: number | null = null;
  private cpuAtFirst: NodeJS.CpuUsage | undefined;
  private cpuAtLast: NodeJS.CpuUsage | undefined;
  private schedule: Schedule | undefined;
  private cpuWindowMs: Promise<number> | undefined;
  private markAtMs: number | undefined;
  private finishing = false;

  constructor(private readonly config: ApplicationWorkerConfig) {
    this.app = new Application({
      endpoint: config.endpoint,
      stream: config.streamName,
      application: config.applicationName,
      workerId: config.workerId,
      leaseTimeoutMs: config.leaseTimeoutMs,
      initialPosition: config.initialPosition,
      processor: () => this.shardProcessor(),
    });
    this.app.on("leaseAcquired", (shardId, epoch) => this.epochs.set(shardId, epoch));
    this.app.on("checkpointed", () => {
      if (!this.finishing) this.counts.checkpoints += 1;
    });
    this.app.on("shardHalted", () => this.errors.add("ShardHalted"));
    this.app.on("error", (error) => this.errors.addError(error));
    this.statusTicker = setInterval(() => void this.postStatus(), APPLICATION_STATUS_INTERVAL_MS);
  }

  async start(): Promise<void> {
    await this.app.start();
    await this.postStatus();
  }

  setWindow(schedule: Schedule): void {
    this.schedule = schedule;
    this.cpuWindowMs = cpuDuringWindowMs(schedule);
  }

  mark(atMs: number): void {
    this.markAtMs = atMs;
  }

  async finish(): Promise<ApplicationWorkerResult> {
    this.finishing = true;
    clearInterval(this.statusTicker);
    const leasesLost = this.app.metrics().leasesLost;
    const stopStartMs = performance.now();
    const stopped = await Promise.race([this.app.stop().then(() => true), sleep(STOP_BOUND_MS).then(() => false)]);
    return {
      workerId: this.config.workerId,
      ...this.counts,
      recordsByShard: Object.fromEntries(this.recordsByShard),
      firstProcessedAtMs: this.firstProcessedAtMs,
      lastProcessedAtMs: this.lastProcessedAtMs,
      cpuProcessingMs: this.cpuProcessingMs(),
      cpuWindowMs: this.cpuWindowMs ? await this.cpuWindowMs : null,
      latencyHistogram: encodeHistogram(this.latency),
      leasesLost,
      errors: this.errors.counts,
      stopMs: stopped ? performance.now() - stopStartMs : null,
    };
  }

  /** One processor per lease: it knows when its consumer was created, and reports its first records. */
  private shardProcessor(): RecordProcessor {
    const startedAtMs = epochNowMs();
    let reported = false;
    return {
      processRecords: (input) => {
        const nowMs = epochNowMs();
        if (!reported) {
          reported = true;
          void post({
            type: "shardStarted",
            start: {
              workerId: this.config.workerId,
              shardId: input.shardId,
              epoch: this.epochs.get(input.shardId) ?? -1,
              startedAtMs,
              firstProcessedAtMs: nowMs,
              firstRecordSentAtMs: this.config.stampedRecords ? (readSendTimeMs(input.records[0]!.data) ?? null) : null,
            },
          });
        }
        this.process(input, nowMs, startedAtMs);
      },
    };
  }

  private process({ shardId, records }: ProcessRecordsInput, nowMs: number, consumerStartedAtMs: number): void {
    if (this.firstProcessedAtMs === null) {
      this.firstProcessedAtMs = nowMs;
      this.cpuAtFirst = process.cpuUsage();
    }
    // Only a consumer created after the kill took a shard over; what it reads that was sent before is replay.
    const replayBeforeMs =
      this.markAtMs !== undefined && consumerStartedAtMs >= this.markAtMs ? this.markAtMs : undefined;
    let bytes = 0;
    for (const record of records) {
      bytes += record.data.length;
      if (!this.config.stampedRecords) continue;
      const sentAtMs = readSendTimeMs(record.data);
      if (sentAtMs === undefined) {
        this.errors.add("RecordWithoutSendTime");
        continue;
      }
      if (this.schedule && inWindow(this.schedule, sentAtMs)) {
        recordLatencyMs(this.latency, nowMs - sentAtMs);
        this.counts.windowRecords += 1;
      }
      if (replayBeforeMs !== undefined && sentAtMs < replayBeforeMs) this.counts.replayedRecords += 1;
    }
    this.counts.processedRecords += records.length;
    this.counts.processedBytes += bytes;
    this.recordsByShard.set(shardId, (this.recordsByShard.get(shardId) ?? 0) + records.length);
    this.lastProcessedAtMs = epochNowMs();
    this.cpuAtLast = process.cpuUsage();
  }

  private cpuProcessingMs(): number {
    if (!this.cpuAtFirst || !this.cpuAtLast) return 0;
    const user = this.cpuAtLast.user - this.cpuAtFirst.user;
    const system = this.cpuAtLast.system - this.cpuAtFirst.system;
    return (user + system) / 1000;
  }

  private postStatus(): Promise<void> {
    const heldShardIds = this.app
      .status()
      .filter((shard) => shard.state === "running")
      .map((shard) => shard.shardId);
    return post({
      type: "status",
      status: { processedRecords: this.counts.processedRecords, heldShardIds, checkpoints: this.counts.checkpoints },
    });
  }
}

let worker: CountingWorker | undefined;

async function fail(error: unknown): Promise<never> {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  await post({ type: "failed", message }).catch(() => {});
  process.exit(1);
}

function current(): CountingWorker {
  if (!worker) throw new Error("a message before configure");
  return worker;
}

process.on("message", (message: unknown) => {
  if (!isToApplicationWorker(message)) return void fail(new Error(`unexpected message ${JSON.stringify(message)}`));
  try {
    switch (message.type) {
      case "configure": {
        const started = new CountingWorker(message.config);
        worker = started;
        started.start().then(() => post({ type: "started" }), fail);
        return;
      }
      case "window":
        return current().setWindow(message.schedule);
      case "mark":
        return current().mark(message.atMs);
      case "finish":
        current()
          .finish()
          .then((result) => post({ type: "result", result }))
          .then(() => process.exit(0), fail);
        return;
    }
  } catch (error) {
    void fail(error);
  }
});
