/**
 * One leased shard of a consumer-application worker: reads it through SubscribeToShard from where the
 * lease says, hands the records to the processor in batches under the failure policy, and checkpoints
 * (fenced by the lease's epoch). It ends when the lease is lost (at once), when it is asked to stop
 * (after the batch in hand, with a last checkpoint), when the shard ends, or when the halt policy stops it.
 */
import { KinesisError } from "@eddy/core";
import type { EddyClient } from "../client.js";
import { toKinesisError } from "../client.js";
import type { StartingPosition, StreamRecord } from "../types.js";
import { recordBatches, type UserRecord } from "../kpl/kpl.js";
import { runBatch, sleepUnlessAborted, type FailurePolicy } from "./batch-runner.js";
import { deadLetterEntry } from "./dead-letter.js";
import type { ResumePosition } from "./wire.js";

/** Given to the processor: writes the shard's checkpoint (fenced by the lease's epoch). */
export interface Checkpointer {
  /**
   * Checkpoints after `sequenceNumber`, by default after the last record handed over so far. Rejects
   * with LeaseLostException when another worker holds the lease now; the shard is then given up.
   */
  checkpoint(sequenceNumber?: string): Promise<void>;
}

export interface ProcessRecordsInput {
  readonly shardId: string;
  readonly records: readonly StreamRecord[];
  readonly checkpointer: Checkpointer;
  readonly millisBehindLatest: number;
  /** Aborted when the attempt times out or the lease is lost: a long processor should stop. */
  readonly signal: AbortSignal;
}

/** What an application does with records; one instance per leased shard (from the factory) or shared. */
export interface RecordProcessor {
  initialize?(input: { shardId: string; startingPosition: ResumePosition }): void | Promise<void>;
  processRecords(input: ProcessRecordsInput): void | Promise<void>;
  /** The lease went to another worker: do not checkpoint (it would be refused). */
  leaseLost?(input: { shardId: string }): void | Promise<void>;
  /** The shard was read to its end: checkpoint it (with automatic checkpointing the worker does). */
  shardEnded?(input: { shardId: string; checkpointer: ShardEndCheckpointer }): void | Promise<void>;
  /** The worker stops or hands the shard over: a last chance to checkpoint. */
  shutdownRequested?(input: { shardId: string; checkpointer: Checkpointer }): void | Promise<void>;
}

export interface ShardEndCheckpointer {
  /** Marks the shard finished, so that its children can be given out. */
  checkpointShardEnd(): Promise<void>;
}

export type CheckpointMode = "manual" | { readonly everyRecords: number; readonly everyMs: number };

export interface ShardConsumerSettings {
  readonly streamName: string;
  readonly applicationName: string;
  readonly workerId: string;
  readonly maxBatchRecords: number;
  readonly checkpointing: CheckpointMode;
  readonly policy: FailurePolicy;
  /** Waits between tries when reading fails in a retriable way. */
  readonly readRetryMs: number;
  /** Expand records aggregated by the KPL into their user records before batching; true when absent. */
  readonly deaggregate?: boolean;
}

export interface ShardConsumerEvents {
  processed(shardId: string, records: readonly StreamRecord[]): void;
  retrying(shardId: string, attempt: number, error: unknown): void;
  deadLettered(shardId: string, records: readonly StreamRecord[], error: unknown): void;
  skipped(shardId: string, records: readonly StreamRecord[], error: unknown): void;
  halted(shardId: string, reason: string): void;
  checkpointed(shardId: string, position: ResumePosition): void;
  /** The consumer stopped for good: how decides whether the lease is given back. */
  ended(shardId: string, how: "lost" | "stopped" | "finished" | "halted" | "failed"): void;
  failed(shardId: string, error: unknown): void;
}

export type ConsumerState = "running" | "halted" | "ended";

export class ShardConsumer {
  state: ConsumerState = "running";
  millisBehindLatest = -1;
  haltedReason: string | undefined;
  /** Set while the lease is to be given up gracefully (handover or shutdown). */
  private stopping = false;
  private readonly readAbort = new AbortController();
  private readonly leaseAbort = new AbortController();
  private lastDelivered: string | undefined;
  /** The last whole record of the events read so far: what a checkpoint before the next aggregate names. */
  private lastWholeRecord: string | undefined;
  private lastProcessed: string | undefined;
  private lastCheckpointed: string | undefined;
  private recordsSinceCheckpoint = 0;
  private lastCheckpointAtMs = Date.now();
  private checkpointChain: Promise<void> = Promise.resolve();
  readonly done: Promise<void>;

  constructor(
    private readonly client: EddyClient,
    readonly shardId: string,
    readonly epoch: number,
    private readonly startFrom: ResumePosition,
    private readonly processor: RecordProcessor,
    private readonly settings: ShardConsumerSettings,
    private readonly events: ShardConsumerEvents,
  ) {
    this.done = this.run();
  }

  /** The lease is gone: stop at once, without checkpointing. */
  lose(): void {
    this.leaseAbort.abort();
    this.readAbort.abort();
  }

  /** Finish the batch in hand, give the processor its last chance to checkpoint, and end. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.readAbort.abort();
    await this.done;
  }

  /** Writes the checkpoint that automatic checkpointing owes (called on the worker's heartbeat tick). */
  async checkpointIfDue(): Promise<void> {
    if (this.state !== "running" || this.settings.checkpointing === "manual") return;
    if (Date.now() - this.lastCheckpointAtMs >= this.settings.checkpointing.everyMs) await this.autoCheckpoint();
  }

  private async run(): Promise<void> {
    let how: Parameters<ShardConsumerEvents["ended"]>[1] = "stopped";
    try {
      await this.processor.initialize?.({ shardId: this.shardId, startingPosition: this.startFrom });
      // A new application at LATEST: pin the time reading starts, so that a worker taking the shard over
      // before the first checkpoint starts there, not at a later LATEST that skips what came between.
      if (this.startFrom.type === "LATEST")
        await this.writeCheckpoint({ type: "AT_TIMESTAMP", timestampMs: Date.now() });
      how = await this.readLoop();
    } catch (error) {
      if (this.leaseAbort.signal.aborted || isLeaseLost(error)) {
        how = "lost";
      } else {
        how = "failed";
        this.events.failed(this.shardId, error);
      }
    }
    if (how === "lost") {
      await this.quietly(() => this.processor.leaseLost?.({ shardId: this.shardId }));
    } else if (how === "stopped" && !this.leaseAbort.signal.aborted) {
      await this.quietly(() =>
        this.processor.shutdownRequested?.({ shardId: this.shardId, checkpointer: this.checkpointer() }),
      );
      await this.quietly(() => this.autoCheckpoint());
    }
    if (this.state !== "halted") this.state = "ended";
    this.events.ended(this.shardId, this.leaseAbort.signal.aborted ? "lost" : how);
  }

  private async readLoop(): Promise<"stopped" | "finished" | "halted" | "lost"> {
    let position = this.startFrom;
    while (!this.readAbort.signal.aborted) {
      try {
        const stream = this.client.subscribeToShard({
          streamName: this.settings.streamName,
          shardId: this.shardId,
          startingPosition: toStartingPosition(position),
          consumerName: this.settings.applicationName,
          signal: this.readAbort.signal,
        });
        for await (const event of stream) {
          this.millisBehindLatest = event.millisBehindLatest;
          // With deaggregation the processor gets KPL user records (UserRecord: a StreamRecord with a
          // sub-sequence number), and checkpoints are at whole records: the KCL checkpoints sub-sequence
          // numbers too, Eddy only the record. A checkpoint resumes after its record, so one taken inside
          // an aggregate (an aggregate bigger than maxBatchRecords, a bisected half-batch) is written
          // after the record before the aggregate instead: a restart delivers the whole aggregate again
          // (at least once) rather than skip its rest. Batches end where aggregates end, so this is rare.
          const batches = [
            ...recordBatches(event.records, this.settings.maxBatchRecords, this.settings.deaggregate ?? true),
          ];
          const checkpointAt = wholeRecordCheckpoints(event.records, batches, this.lastWholeRecord);
          const last = event.records.at(-1);
          if (last) this.lastWholeRecord = last.sequenceNumber;
          for (const batch of batches) {
            const outcome = await this.process(batch, event.millisBehindLatest, checkpointAt);
            if (outcome === "halted") return "halted";
            if (outcome === "aborted") return this.leaseAbort.signal.aborted ? "lost" : "stopped";
          }
          if (event.continuationSequenceNumber) {
            position = { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: event.continuationSequenceNumber };
          }
          if (event.childShards.length > 0 && event.records.length === 0 && !this.stopping) {
            await this.finishShard();
            return "finished";
          }
          if (this.stopping) return "stopped";
        }
      } catch (error) {
        const failure = toKinesisError(error);
        if (this.readAbort.signal.aborted) break;
        if (!failure.retriable && failure.name !== "InternalFailure") throw failure;
      }
      // The subscription ended (its lifetime) or failed in a retriable way: subscribe again from here.
      if (!this.readAbort.signal.aborted) await sleepUnlessAborted(this.settings.readRetryMs, this.readAbort.signal);
    }
    return this.leaseAbort.signal.aborted ? "lost" : "stopped";
  }

  private async process(
    batch: readonly StreamRecord[],
    millisBehindLatest: number,
    checkpointAt: (last: StreamRecord) => string | undefined,
  ): Promise<"processed" | "halted" | "aborted"> {
    const outcome = await runBatch(
      batch,
      this.settings.policy,
      {
        attempt: async (records, signal) => {
          this.lastDelivered = checkpointAt(records.at(-1)!);
          await this.processor.processRecords({
            shardId: this.shardId,
            records,
            checkpointer: this.checkpointer(),
            millisBehindLatest,
            signal,
          });
          this.events.processed(this.shardId, records);
        },
        sleep: sleepUnlessAborted,
        random: Math.random,
        retrying: (_records, failedAttempts, error) => this.events.retrying(this.shardId, failedAttempts, error),
        exhausted: (records, error, attempts) => this.exhausted(records, error, attempts),
      },
      this.leaseAbort.signal,
    );
    if (outcome.kind === "aborted") return "aborted";
    if (outcome.kind === "halted") {
      const first = outcome.remaining[0];
      const reason =
        `record ${first?.sequenceNumber ?? "?"} failed ${this.settings.policy.maxAttempts} attempts: ` +
        errorText(outcome.error);
      this.state = "halted";
      this.haltedReason = reason;
      this.events.halted(this.shardId, reason);
      return "halted";
    }
    this.lastProcessed = checkpointAt(batch.at(-1)!) ?? this.lastProcessed;
    this.recordsSinceCheckpoint += batch.length;
    const mode = this.settings.checkpointing;
    if (
      mode !== "manual" &&
      (this.recordsSinceCheckpoint >= mode.everyRecords || Date.now() - this.lastCheckpointAtMs >= mode.everyMs)
    ) {
      await this.autoCheckpoint();
    }
    return "processed";
  }

  private async exhausted(
    records: readonly StreamRecord[],
    error: unknown,
    attempts: number,
  ): Promise<"continue" | "halt"> {
    const action = this.settings.policy.onFailure;
    if (action.kind === "halt") return "halt";
    if (action.kind === "skip") {
      this.events.skipped(this.shardId, records, error);
      return "continue";
    }
    const entries = records.map((record) =>
      deadLetterEntry(record, {
        error,
        attempts,
        streamName: this.settings.streamName,
        shardId: this.shardId,
        applicationName: this.settings.applicationName,
      }),
    );
    // Retriable failures are retried until the put succeeds or the lease goes; others halt the shard.
    for (let failures = 0; ; failures++) {
      try {
        const result = await this.client.putRecords({ streamName: action.streamName, records: entries });
        const failed = result.records.find((r) => r.errorCode !== undefined);
        if (!failed) break;
        if (
          failed.errorCode !== "ProvisionedThroughputExceededException" &&
          failed.errorCode !== "ServiceUnavailableException"
        ) {
          throw new KinesisError(
            "InvalidArgumentException",
            `dead-letter put failed: ${failed.errorCode}: ${failed.errorMessage}`,
          );
        }
      } catch (putError) {
        const failure = toKinesisError(putError);
        if (!failure.retriable)
          throw new Error(`dead-lettering to stream ${action.streamName} failed: ${failure.message}`);
      }
      if (this.leaseAbort.signal.aborted) return "continue";
      await sleepUnlessAborted(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)), this.leaseAbort.signal);
    }
    this.events.deadLettered(this.shardId, records, error);
    return "continue";
  }

  private checkpointer(): Checkpointer {
    return {
      checkpoint: (sequenceNumber?: string) => {
        const at = sequenceNumber ?? this.lastDelivered;
        if (at === undefined) return Promise.resolve();
        return this.writeCheckpoint({ type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: at });
      },
    };
  }

  private async autoCheckpoint(): Promise<void> {
    if (this.settings.checkpointing === "manual") return;
    const at = this.lastProcessed;
    if (at === undefined || at === this.lastCheckpointed) return;
    await this.writeCheckpoint({ type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: at });
  }

  private async finishShard(): Promise<void> {
    let checkpointed = false;
    await this.processor.shardEnded?.({
      shardId: this.shardId,
      checkpointer: {
        checkpointShardEnd: async () => {
          await this.writeCheckpoint({ type: "SHARD_END" });
          checkpointed = true;
        },
      },
    });
    if (!checkpointed && this.settings.checkpointing !== "manual") await this.writeCheckpoint({ type: "SHARD_END" });
  }

  /** Checkpoints of one shard go out one at a time, in order. */
  private writeCheckpoint(position: ResumePosition): Promise<void> {
    const write = this.checkpointChain.then(async () => {
      if (position.type === "AFTER_SEQUENCE_NUMBER" && position.sequenceNumber === this.lastCheckpointed) return;
      try {
        await this.client.checkpoint({
          streamName: this.settings.streamName,
          applicationName: this.settings.applicationName,
          workerId: this.settings.workerId,
          shardId: this.shardId,
          epoch: this.epoch,
          position,
        });
      } catch (error) {
        if (isLeaseLost(error)) this.lose();
        throw toKinesisError(error);
      }
      if (position.type === "AFTER_SEQUENCE_NUMBER") this.lastCheckpointed = position.sequenceNumber;
      this.recordsSinceCheckpoint = 0;
      this.lastCheckpointAtMs = Date.now();
      this.events.checkpointed(this.shardId, position);
    });
    this.checkpointChain = write.catch(() => {});
    return write;
  }

  private async quietly(fn: () => unknown): Promise<void> {
    try {
      await fn();
    } catch (error) {
      if (!isLeaseLost(error)) this.events.failed(this.shardId, error);
    }
  }
}

/**
 * For a batch's last user record, the sequence number a checkpoint may name: its own when the record (or
 * the whole aggregate it came from) was handed over, else that of the record before its aggregate
 * (undefined when there is none in this shard's reading so far).
 */
export function wholeRecordCheckpoints(
  records: readonly StreamRecord[],
  batches: readonly (readonly StreamRecord[])[],
  before: string | undefined,
): (last: StreamRecord) => string | undefined {
  const previous = new Map<string, string | undefined>();
  let prior = before;
  for (const r of records) {
    previous.set(r.sequenceNumber, prior);
    prior = r.sequenceNumber;
  }
  const userRecords = new Map<string, number>();
  for (const batch of batches) {
    for (const r of batch) userRecords.set(r.sequenceNumber, (userRecords.get(r.sequenceNumber) ?? 0) + 1);
  }
  return (last) => {
    const sub = (last as Partial<UserRecord>).subSequenceNumber ?? 0;
    const whole = sub >= (userRecords.get(last.sequenceNumber) ?? 1) - 1;
    return whole ? last.sequenceNumber : previous.get(last.sequenceNumber);
  };
}

export function isLeaseLost(error: unknown): boolean {
  return error instanceof KinesisError && error.name === "LeaseLostException";
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function toStartingPosition(position: ResumePosition): StartingPosition {
  switch (position.type) {
    case "AT_SEQUENCE_NUMBER":
    case "AFTER_SEQUENCE_NUMBER":
      return { type: position.type, sequenceNumber: position.sequenceNumber! };
    case "AT_TIMESTAMP":
      return { type: "AT_TIMESTAMP", timestamp: new Date(position.timestampMs!) };
    case "LATEST":
      return { type: "LATEST" };
    default:
      return { type: "TRIM_HORIZON" };
  }
}
