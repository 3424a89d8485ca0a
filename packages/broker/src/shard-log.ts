import {
  decodeRecordBatch,
  encodeRecordBatch,
  serviceUnavailable,
  KinesisError,
  ShardThrottle,
  sequenceNumberOf,
  type BatchRecord,
  type LogPosition,
  type Shard,
  type ShardLimits,
} from "@eddy/core";
import { EntryType, type Entry } from "@eddy/raft";
import type { GroupLog } from "@eddy/storage";
import { TailCache, type EntryWindow } from "./tail-cache.js";

export interface ShardLogOptions {
  readonly sync: boolean;
  readonly batchRecordsMax: number;
  readonly batchBytesMax: number;
  readonly queueBytesMax: number;
  readonly tailCacheBytesMax: number;
  readonly limits: ShardLimits;
}

/** What the log calls out to, so that metrics stay out of the logic. */
export interface ShardLogProbe {
  batchCommitted(records: number, bytes: number, puts: number, durationMs: number): void;
}

export interface AppendResult {
  /** Sequence numbers of the put's records, in order. */
  readonly sequenceNumbers: bigint[];
  readonly timestampMs: number;
}

export interface ReadRecord {
  readonly sequenceNumber: bigint;
  readonly arrivalTimestampMs: number;
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

export interface ReadResult {
  readonly records: ReadRecord[];
  readonly bytes: number;
  /** Where the next read continues. */
  readonly next: LogPosition;
  /** Milliseconds between now and the newest record returned when more remain; 0 once caught up. */
  readonly millisBehindLatest: number;
}

interface PendingPut {
  readonly records: readonly BatchRecord[];
  readonly bytes: number;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One shard's log on this broker: the append path with group commit, reads at committed positions, and
 * the wake-ups that push new records to subscribers.
 *
 * Group commit: puts queue up while a batch is being written; when the write finishes, everything queued
 * (up to the batch limits) becomes the next log entry, one LevelDB write, and every put in it is answered
 * at once. Under load the batches grow by themselves, so throughput rises while each put waits for at most
 * one write ahead of its own. In single-node mode an entry is committed once it is durable.
 */
export class ShardLog {
  readonly throttle: ShardThrottle;
  private queue: PendingPut[] = [];
  /** Bytes of puts queued or being written. */
  private queuedBytes = 0;
  private writing: Promise<void> | undefined;
  private closedError: KinesisError | undefined;
  private commitIndex: number;
  private readonly tail: TailCache;
  private commitWaiters: Array<() => void> = [];

  constructor(
    readonly shard: Shard,
    private readonly log: GroupLog,
    private readonly term: number,
    private readonly options: ShardLogOptions,
    private readonly probe: ShardLogProbe,
    nowMs: number,
  ) {
    this.commitIndex = log.lastIndex();
    this.tail = new TailCache(options.tailCacheBytesMax);
    this.throttle = new ShardThrottle(options.limits, nowMs);
  }

  firstIndex(): number {
    return this.log.firstIndex();
  }

  lastCommittedIndex(): number {
    return this.commitIndex;
  }

  /** Queues records for the next batch; resolves once they are durable and committed. */
  append(records: readonly BatchRecord[], bytes: number): Promise<AppendResult> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (this.queuedBytes + bytes > this.options.queueBytesMax) {
      return Promise.reject(
        serviceUnavailable(
          `Shard ${this.shard.shardId} has ${this.queuedBytes} bytes waiting to be written, ` +
            `over its limit of ${this.options.queueBytesMax}; retry shortly.`,
        ),
      );
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ records, bytes, resolve, reject });
      this.queuedBytes += bytes;
      if (!this.writing) this.writing = this.writeBatches();
    });
  }

  /** Writes batches until the queue is empty; the only writer of this shard's log. */
  private async writeBatches(): Promise<void> {
    while (this.queue.length > 0) {
      const puts = this.takeBatch();
      await this.writeBatch(puts);
    }
    this.writing = undefined;
  }

  private takeBatch(): PendingPut[] {
    const puts: PendingPut[] = [];
    let records = 0;
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      const fits =
        records + next.records.length <= this.options.batchRecordsMax &&
        bytes + next.bytes <= this.options.batchBytesMax;
      if (puts.length > 0 && !fits) break;
      this.queue.shift();
      puts.push(next);
      records += next.records.length;
      bytes += next.bytes;
    }
    return puts;
  }

  private async writeBatch(puts: PendingPut[]): Promise<void> {
    const startedMs = performance.now();
    const records = puts.length === 1 ? puts[0]!.records : puts.flatMap((p) => p.records);
    const bytes = puts.reduce((n, p) => n + p.bytes, 0);
    const entry: Entry = {
      index: this.log.lastIndex() + 1,
      term: this.term,
      type: EntryType.Records,
      // Arrival times never go backwards along a shard, so AT_TIMESTAMP and retention can seek by them.
      timestampMs: Math.max(Date.now(), this.log.lastTimestampMs()),
      data: encodeRecordBatch(records),
    };
    try {
      await this.log.append([entry], undefined, this.options.sync);
    } catch (error) {
      const failure = new KinesisError("InternalFailure", `Writing shard ${this.shard.shardId} failed.`, {
        cause: error,
      });
      for (const put of puts) put.reject(failure);
      return;
    } finally {
      // Bytes count against the bound until they are written, not only while they wait.
      this.queuedBytes -= bytes;
    }
    this.commit(entry, records, bytes);
    let offset = 0;
    for (const put of puts) {
      const sequenceNumbers = put.records.map((_, i) =>
        sequenceNumberOf(this.shard.shardNumber, { index: entry.index, offset: offset + i }),
      );
      offset += put.records.length;
      put.resolve({ sequenceNumbers, timestampMs: entry.timestampMs });
    }
    this.probe.batchCommitted(records.length, bytes, puts.length, performance.now() - startedMs);
  }

  private commit(entry: Entry, records: readonly BatchRecord[], bytes: number): void {
    this.commitIndex = entry.index;
    this.tail.push({ index: entry.index, timestampMs: entry.timestampMs, records, bytes });
    const waiters = this.commitWaiters;
    this.commitWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next commit (or when the log closes). */
  nextCommit(): Promise<void> {
    if (this.closedError) return Promise.resolve();
    return new Promise((resolve) => this.commitWaiters.push(resolve));
  }

  /** Position of the first retained record. */
  trimHorizon(): LogPosition {
    return { index: this.log.firstIndex(), offset: 0 };
  }

  /** Position just past the last committed record. */
  latest(): LogPosition {
    return { index: this.commitIndex + 1, offset: 0 };
  }

  /** Position of the first record that arrived at or after `timestampMs`. */
  async positionAtTime(timestampMs: number): Promise<LogPosition> {
    const index = await this.log.indexAtTime(timestampMs);
    return { index: Math.min(index, this.commitIndex + 1), offset: 0 };
  }

  /**
   * Reads committed records from `from` on, at most `limitRecords` and about `maxBytes` (at least one
   * record when any is there). A position in trimmed data continues at the trim horizon.
   */
  async read(from: LogPosition, limitRecords: number, maxBytes: number, nowMs: number): Promise<ReadResult> {
    const records: ReadRecord[] = [];
    let bytes = 0;
    let index = Math.max(from.index, this.log.firstIndex());
    let offset = index === from.index ? from.offset : 0;
    scan: while (index <= this.commitIndex) {
      const window = await this.loadEntries(index, maxBytes - bytes);
      // Nothing at or after `index` although it is committed: retention trimmed it under this read.
      if (window.start >= window.entries.length) break;
      for (let k = window.start; k < window.entries.length; k++) {
        const entry = window.entries[k]!;
        if (entry.index !== index) offset = 0;
        index = entry.index;
        for (let i = offset; i < entry.records.length; i++) {
          const record = entry.records[i]!;
          const size = record.data.length + record.partitionKey.length;
          if (records.length >= limitRecords || (records.length > 0 && bytes + size > maxBytes)) {
            offset = i;
            break scan;
          }
          records.push({
            sequenceNumber: sequenceNumberOf(this.shard.shardNumber, { index: entry.index, offset: i }),
            arrivalTimestampMs: entry.timestampMs,
            partitionKey: record.partitionKey,
            data: record.data,
          });
          bytes += size;
        }
        index = entry.index + 1;
        offset = 0;
      }
    }
    const caughtUp = index > this.commitIndex;
    const newest = records.at(-1);
    const millisBehindLatest = caughtUp || !newest ? 0 : Math.max(0, nowMs - newest.arrivalTimestampMs);
    return { records, bytes, next: { index, offset }, millisBehindLatest };
  }

  /** Committed entries from `index` on, from the tail cache when it holds them, else from the store. */
  private async loadEntries(index: number, maxBytes: number): Promise<EntryWindow> {
    const cached = this.tail.from(index);
    if (cached) return cached;
    const hi = this.tail.firstIndex() ?? this.commitIndex + 1;
    const entries = await this.log.entries(index, hi, Math.max(1, maxBytes));
    const decoded = entries.map((entry) => {
      const records = entry.type === EntryType.Records ? decodeRecordBatch(entry.data) : [];
      return { index: entry.index, timestampMs: entry.timestampMs, records, bytes: entry.data.length };
    });
    return { entries: decoded, start: 0 };
  }

  /** Drops entries older than `cutoffMs`; returns how many went. */
  async trimOlderThan(cutoffMs: number): Promise<number> {
    const before = this.log.firstIndex();
    const index = Math.min(await this.log.indexAtTime(cutoffMs), this.commitIndex + 1);
    if (index <= before) return 0;
    await this.log.trimBefore(index);
    this.tail.evictBelow(index);
    return index - before;
  }

  /** Waits for queued puts to be written; new puts are refused from now on. */
  async drain(reason: KinesisError): Promise<void> {
    this.closedError = reason;
    await this.writing;
    const waiters = this.commitWaiters;
    this.commitWaiters = [];
    for (const wake of waiters) wake();
  }

  isClosed(): boolean {
    return this.closedError !== undefined;
  }
}
