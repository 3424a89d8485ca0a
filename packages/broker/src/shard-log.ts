import {
  assert,
  decodeBatchProducers,
  decodeRecordBatch,
  encodeRecordBatch,
  encodeSealBatch,
  isSealBatch,
  serviceUnavailable,
  KinesisError,
  ShardThrottle,
  sequenceNumberOf,
  type BatchRecord,
  type ProducerBatch,
  type LogPosition,
  type Shard,
  type ShardLimits,
} from "@eddy/core";
import {
  EntryType,
  type ConfChange,
  type Entry,
  type Message,
  type ProposeError,
  type RaftConfig,
  type RaftStatus,
  type SoftState,
} from "@eddy/raft";
import type { GroupLog } from "@eddy/storage";
import { GroupDriver } from "./raft/group-driver.js";
import type { ByteBudget } from "./budget.js";
import { TailCache, type CachedEntry, type EntryWindow } from "./tail-cache.js";

export interface ShardLogOptions {
  readonly sync: boolean;
  readonly batchRecordsMax: number;
  readonly batchBytesMax: number;
  readonly queueBytesMax: number;
  /**
   * Batches proposed and not yet committed, at most: the next batch is proposed while earlier ones
   * replicate, so a put waits for one replication round, not for the round of the batch ahead of it.
   */
  readonly proposalsInFlightMax: number;
  readonly tailCacheBytesMax: number;
  /** The broker's bytes for every shard's tail cache together. */
  readonly tailCacheBudget?: ByteBudget;
  /** The broker's bytes of puts waiting to commit, for all shards together. */
  readonly queueBudget?: ByteBudget;
  readonly limits: ShardLimits;
}

/** The shard's Raft group: who this replica is, who the voters are, and how messages leave. */
export interface ShardRaftOptions {
  readonly selfId: string;
  readonly voters: readonly string[];
  readonly config: Omit<RaftConfig, "id">;
  readonly send: (message: Message) => void;
  /** Campaign at once instead of after an election timeout: the preferred leader of a brand-new group. */
  readonly campaignAtStart?: boolean;
  /** The group cannot go on (its storage failed); the broker decides what happens next. */
  readonly failed: (error: unknown) => void;
  /** The group had input; see GroupDriverHooks.activity. */
  readonly activity?: () => void;
}

/** What the log calls out to, so that metrics stay out of the logic. */
export interface ShardLogProbe {
  batchCommitted(records: number, bytes: number, puts: number, durationMs: number): void;
  /** The replica's Raft role or known leader changed. */
  roleChanged(state: SoftState): void;
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
  /** The shard is sealed and this read reached its end: there will never be more. */
  readonly ended: boolean;
}

/** An exactly-once producer's batch: who sent it, in which epoch, and its number. */
export interface ProducerStamp {
  readonly producerId: string;
  readonly epoch: number;
  readonly sequence: number;
}

/** A producer's last appended batch, as the shard's committed log says (the same on every replica). */
interface ProducerState {
  readonly epoch: number;
  readonly sequence: number;
  readonly index: number;
  readonly firstOffset: number;
  readonly count: number;
  readonly timestampMs: number;
}

/** Entries read back at open to rebuild the producers' state: at most these many, and these many bytes. */
const PRODUCER_SCAN_ENTRIES_MAX = 10_000;
const PRODUCER_SCAN_BYTES_MAX = 64 * 1024 * 1024;
const PRODUCER_SCAN_CHUNK_ENTRIES = 500;
/** Producers whose last batch a shard remembers; the least recently written is forgotten past it. */
const PRODUCERS_MAX_PER_SHARD = 10_000;
/** How long an exactly-once put waits for a new leader to apply the entries of earlier terms. */
const PRODUCER_READY_TIMEOUT_MS = 5_000;

interface PendingPut {
  /** The seal that closes the shard (no records), alone in its entry. */
  readonly seal?: true;
  readonly records: readonly BatchRecord[];
  readonly bytes: number;
  readonly producer: ProducerStamp | undefined;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/** A batch proposed to Raft and not yet committed. */
interface Proposal {
  readonly index: number;
  readonly term: number;
  readonly puts: readonly PendingPut[];
  readonly records: readonly BatchRecord[];
  readonly bytes: number;
  /** The batch's producer section, applied as is when the entry commits here. */
  readonly producers: readonly ProducerBatch[];
  readonly proposedAtMs: number;
}

/**
 * One shard's log on this broker: the append path with group commit, reads at committed positions, and
 * the wake-ups that push new records to subscribers.
 *
 * Group commit: puts queue up while the group's Raft loop is writing; at the start of its next turn
 * (`beforeTurn`), everything queued (up to the batch limits) becomes the next log entry, written with that
 * turn's one LevelDB write, and every put in it is answered at once when it commits. Under load the
 * batches grow by themselves, so throughput rises while each put waits for at most one local write ahead
 * of its own. Batches are pipelined: up to `proposalsInFlightMax` are proposed and replicating at once,
 * and they are settled strictly in index order as their entries are applied.
 *
 * The entry goes through the shard's Raft group (`GroupDriver`): it is committed once a majority of the
 * replicas hold it durably — in single-node mode, one replica, the same code. Every committed entry,
 * proposed here or not (a leader's no-op), reaches `applyCommitted` in index order; a put is answered
 * when the entry holding it is applied here, and refused if another entry took its index.
 */
export class ShardLog {
  readonly throttle: ShardThrottle;
  private queue: PendingPut[] = [];
  /** Bytes of puts queued or being written. */
  private queuedBytes = 0;
  /** Proposed batches not yet settled, in index order. */
  private inFlight: Proposal[] = [];
  /** Woken once nothing is queued or in flight (drain). */
  private idleWaiters: Array<() => void> = [];
  private closedError: KinesisError | undefined;
  private commitIndex: number;
  private readonly tail: TailCache;
  private commitWaiters: Array<() => void> = [];
  private readonly driver: GroupDriver;
  private lastTimestampMs: number;
  private role: SoftState = { role: "follower", leaderId: "" };
  private leadershipWaiters: Array<() => void> = [];
  private roleWaiters: Array<() => void> = [];
  /** Exactly-once: each producer's last committed batch, and its batch queued or in flight here. */
  private readonly producers = new Map<string, ProducerState>();
  private readonly pendingProducers = new Map<string, ProducerStamp & { readonly result: Promise<AppendResult> }>();
  /** The index of the applied seal entry: the shard is closed, and nothing after it is read. */
  private sealIndex: number | undefined;
  /** A seal is queued or in flight here: puts after it are refused. */
  private sealing: Promise<AppendResult> | undefined;
  private sealWaiters: Array<() => void> = [];

  private constructor(
    readonly shard: Shard,
    private readonly log: GroupLog,
    restored: Awaited<ReturnType<GroupLog["restoredState"]>>,
    private readonly options: ShardLogOptions,
    private readonly probe: ShardLogProbe,
    raft: ShardRaftOptions,
    nowMs: number,
  ) {
    this.commitIndex = restored.appliedIndex;
    this.lastTimestampMs = log.lastTimestampMs();
    this.tail = new TailCache(options.tailCacheBytesMax, options.tailCacheBudget);
    this.throttle = new ShardThrottle(options.limits, nowMs);
    // A group written before it had a stored configuration is this broker's alone.
    const conf =
      restored.snapshot.conf.voters.length > 0 ? restored.snapshot.conf : { voters: [...raft.voters], learners: [] };
    this.driver = new GroupDriver(
      shard.groupId,
      { ...raft.config, id: raft.selfId },
      { ...restored, snapshot: { ...restored.snapshot, conf } },
      log,
      {
        send: raft.send,
        apply: (entries) => this.applyCommitted(entries),
        roleChanged: (state) => this.roleChanged(state),
        failed: raft.failed,
        beforeTurn: () => this.proposeQueued(),
        ...(raft.activity ? { activity: raft.activity } : {}),
      },
      options.sync,
    );
  }

  /** Opens the shard's log and its Raft group; a single-voter group elects itself before this resolves. */
  static async open(
    shard: Shard,
    log: GroupLog,
    options: ShardLogOptions,
    probe: ShardLogProbe,
    raft: ShardRaftOptions,
    nowMs: number,
  ): Promise<ShardLog> {
    const restored = await log.restoredState();
    const shardLog = new ShardLog(shard, log, restored, options, probe, raft, nowMs);
    await shardLog.rebuildProducers(restored.appliedIndex);
    if (raft.campaignAtStart) shardLog.driver.campaign();
    if (raft.voters.length === 1 && raft.voters[0] === raft.selfId) {
      shardLog.driver.campaign();
      await shardLog.leadership();
      // Everything in the log is committed once the new term's first entry is: wait, so that a restarted
      // broker serves all of its records from the first call on.
      const lastIndex = log.lastIndex();
      while (shardLog.commitIndex < lastIndex) await shardLog.nextCommit();
    }
    return shardLog;
  }

  /** Advances the group's logical clock (heartbeats, elections); the broker ticks every group. */
  tick(): void {
    this.driver.tick();
  }

  /** Role, term, indexes and followers' progress, for metrics and status. */
  raftStatus(): RaftStatus {
    return this.driver.status();
  }

  /** A message for this group from a peer. */
  step(message: Message): void {
    this.driver.step(message);
  }

  /** This replica's role and the leader it knows of ("" when none). */
  roleState(): SoftState {
    return this.role;
  }

  /** Resolves at the next change of role or known leader, or after `timeoutMs`. */
  roleChange(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiter = () => done();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.roleWaiters.push(waiter);
    });
  }

  /** Quiet: idle, with no heartbeats and no election timer (see RaftConfig.quiesce). */
  get quiesced(): boolean {
    return this.driver.quiesced;
  }

  unquiesce(leaderSuspected: boolean): void {
    this.driver.unquiesce(leaderSuspected);
  }

  proposeConfChange(change: ConfChange): boolean {
    return this.driver.proposeConfChange(change, Date.now()).ok;
  }

  transferLeadership(to: string): boolean {
    return this.driver.transferLeadership(to).ok;
  }

  private leadership(): Promise<void> {
    if (this.role.role === "leader") return Promise.resolve();
    return new Promise((resolve) => this.leadershipWaiters.push(resolve));
  }

  private roleChanged(state: SoftState): void {
    this.role = state;
    const roleWaiters = this.roleWaiters;
    this.roleWaiters = [];
    for (const wake of roleWaiters) wake();
    this.probe.roleChanged(state);
    // Batches proposed by a leader that stepped down may never be applied here: answer their puts now.
    // (They may still commit through the new leader; a retry can then duplicate them, which is what
    // Kinesis's at-least-once PutRecord allows.)
    if (state.role !== "leader") this.settleAllLost();
    if (state.role === "leader") {
      const waiters = this.leadershipWaiters;
      this.leadershipWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  firstIndex(): number {
    return this.log.firstIndex();
  }

  lastCommittedIndex(): number {
    return this.commitIndex;
  }

  /**
   * Queues records for the next batch; resolves once they are durable and committed. With `producer`, the
   * put is that producer's batch: appended once whatever the retries (see `appendOnce`).
   */
  append(records: readonly BatchRecord[], bytes: number, producer?: ProducerStamp): Promise<AppendResult> {
    if (producer) return this.appendOnce(records, bytes, producer);
    return this.enqueue(records, bytes, undefined);
  }

  /**
   * Exactly-once: a batch already appended (or queued here) is answered with its first result; an older
   * epoch is fenced; a number that skips one is refused. Decided against the committed state of the whole
   * log, which a new leader has only once its term's first entry is applied.
   */
  private async appendOnce(
    records: readonly BatchRecord[],
    bytes: number,
    stamp: ProducerStamp,
  ): Promise<AppendResult> {
    // Only a new leader waits: puts keep their call order otherwise.
    if (this.commitIndex < this.driver.termStartIndex) await this.producerReady();
    const { producerId, epoch, sequence } = stamp;
    const pending = this.pendingProducers.get(producerId);
    const committed = this.producers.get(producerId);
    const latest = pending ?? committed;
    if (latest && epoch < latest.epoch) {
      throw new KinesisError(
        "ProducerFencedException",
        `Producer ${producerId} epoch ${epoch} is fenced: epoch ${latest.epoch} has written to shard ${this.shard.shardId}.`,
      );
    }
    if (latest && epoch === latest.epoch && sequence === latest.sequence) {
      if (pending && pending.epoch === epoch && pending.sequence === sequence) return pending.result;
      if (committed && committed.epoch === epoch && committed.sequence === sequence) return this.resultOf(committed);
    }
    // Not appended before the seal, so never: the producer puts the records in the children instead.
    if (this.sealing || this.sealIndex !== undefined) throw this.closedForWrites();
    const expected = latest && epoch === latest.epoch ? latest.sequence + 1 : 0;
    if (sequence !== expected) {
      throw new KinesisError(
        "OutOfOrderSequenceException",
        `Producer ${producerId} epoch ${epoch} sent batch ${sequence} to shard ${this.shard.shardId}, ` +
          `which expects batch ${expected}.`,
      );
    }
    const result = this.enqueue(records, bytes, stamp);
    this.pendingProducers.set(producerId, { ...stamp, result });
    const settled = () => {
      if (this.pendingProducers.get(producerId)?.result === result) this.pendingProducers.delete(producerId);
    };
    result.then(settled, settled);
    return result;
  }

  /**
   * Keeps a producer's last batch, bounded: past PRODUCERS_MAX_PER_SHARD the producer that wrote least
   * recently is forgotten (its next batch must then start a new epoch; it is refused, never duplicated).
   * Every replica applies the same entries in the same order, so every replica forgets the same ones.
   */
  private rememberProducer(producerId: string, state: ProducerState): void {
    this.producers.delete(producerId);
    this.producers.set(producerId, state);
    if (this.producers.size > PRODUCERS_MAX_PER_SHARD) {
      const oldest = this.producers.keys().next().value;
      if (oldest !== undefined) this.producers.delete(oldest);
    }
  }

  /** The answer a batch got when it was appended, rebuilt from where it sits in the log. */
  private resultOf(state: ProducerState): AppendResult {
    const sequenceNumbers = Array.from({ length: state.count }, (_, i) =>
      sequenceNumberOf(this.shard.shardNumber, { index: state.index, offset: state.firstOffset + i }),
    );
    return { sequenceNumbers, timestampMs: state.timestampMs };
  }

  private async producerReady(): Promise<void> {
    const deadlineMs = Date.now() + PRODUCER_READY_TIMEOUT_MS;
    while (this.commitIndex < this.driver.termStartIndex) {
      if (this.closedError) throw this.closedError;
      if (this.role.role !== "leader") {
        throw new KinesisError("NotLeaderException", `This broker does not lead shard ${this.shard.shardId}; retry.`);
      }
      if (Date.now() > deadlineMs) {
        throw serviceUnavailable(`Shard ${this.shard.shardId}'s new leader is still catching up; retry.`);
      }
      await Promise.race([this.nextCommit(), this.roleChange(PRODUCER_READY_TIMEOUT_MS)]);
    }
  }

  /**
   * At open: the producers' state from the newest entries up to `appliedIndex` (within the scan bounds;
   * a producer whose last batch is older is forgotten, and its next batch must start a new epoch).
   */
  private async rebuildProducers(appliedIndex: number): Promise<void> {
    const found = new Map<string, ProducerState>();
    const first = Math.max(this.log.firstIndex(), appliedIndex - PRODUCER_SCAN_ENTRIES_MAX + 1);
    let hi = appliedIndex + 1;
    let bytes = 0;
    while (hi > first && bytes < PRODUCER_SCAN_BYTES_MAX) {
      const lo = Math.max(first, hi - PRODUCER_SCAN_CHUNK_ENTRIES);
      const entries = await this.readIntact(lo, hi);
      // Newest first: the first batch seen of a producer is its last.
      for (let i = entries.length - 1; i >= 0; i--) {
        const entry = entries[i]!;
        bytes += entry.data.length;
        if (entry.type !== EntryType.Records) continue;
        for (const p of decodeBatchProducers(entry.data)) {
          if (!found.has(p.producerId)) found.set(p.producerId, producerStateOf(p, entry));
        }
      }
      hi = lo;
    }
    // Oldest first, so that the map's order stays "least recently written first" for eviction.
    for (const [id, state] of [...found].reverse()) if (!this.producers.has(id)) this.rememberProducer(id, state);
  }

  /**
   * Entries [lo, hi) that pass their checksums: a damaged entry is reported to its readers as
   * CorruptDataException, and must not keep the shard from opening.
   */
  private async readIntact(lo: number, hi: number): Promise<Entry[]> {
    try {
      return await this.log.entries(lo, hi, Number.POSITIVE_INFINITY);
    } catch (error) {
      if (!(error instanceof KinesisError && error.name === "CorruptDataException")) throw error;
      const intact: Entry[] = [];
      for (let index = lo; index < hi; index++) {
        try {
          intact.push(...(await this.log.entries(index, index + 1, Number.POSITIVE_INFINITY)));
        } catch (entryError) {
          if (!(entryError instanceof KinesisError && entryError.name === "CorruptDataException")) throw entryError;
        }
      }
      return intact;
    }
  }

  private enqueue(
    records: readonly BatchRecord[],
    bytes: number,
    producer: ProducerStamp | undefined,
  ): Promise<AppendResult> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (this.sealing || this.sealIndex !== undefined) return Promise.reject(this.closedForWrites());
    if (this.queuedBytes + bytes > this.options.queueBytesMax) {
      return Promise.reject(
        serviceUnavailable(
          `Shard ${this.shard.shardId} has ${this.queuedBytes} bytes waiting to be written, ` +
            `over its limit of ${this.options.queueBytesMax}; retry shortly.`,
        ),
      );
    }
    const budget = this.options.queueBudget;
    if (budget && !budget.fits(bytes)) {
      return Promise.reject(
        serviceUnavailable(
          `The broker has ${budget.used} bytes of puts waiting to be written over all its shards, ` +
            `at its limit of ${budget.bytesMax}; retry shortly.`,
        ),
      );
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ records, bytes, producer, resolve, reject });
      this.queuedBytes += bytes;
      budget?.charge(bytes);
      this.driver.wake();
    });
  }

  /**
   * The group's `beforeTurn`: proposes what is queued, in batches, while fewer than proposalsInFlightMax
   * are in flight; the only proposer of this shard's records. The turn's write carries them all.
   */
  private proposeQueued(): void {
    while (this.queue.length > 0 && this.inFlight.length < this.options.proposalsInFlightMax) {
      this.propose(this.takeBatch());
    }
  }

  private takeBatch(): PendingPut[] {
    const puts: PendingPut[] = [];
    let records = 0;
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (next.seal && puts.length > 0) break;
      if (next.seal) {
        puts.push(this.queue.shift()!);
        break;
      }
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

  private propose(puts: PendingPut[]): void {
    const proposedAtMs = performance.now();
    const records = puts.length === 1 ? puts[0]!.records : puts.flatMap((p) => p.records);
    const bytes = puts.reduce((n, p) => n + p.bytes, 0);
    // Arrival times never go backwards along a shard, so AT_TIMESTAMP and retention can seek by them.
    const timestampMs = Math.max(Date.now(), this.lastTimestampMs);
    const producers = producerBatchesOf(puts);
    const data = puts[0]!.seal ? encodeSealBatch() : encodeRecordBatch(records, producers);
    const result = this.driver.propose(data, timestampMs);
    if (!result.ok) {
      this.release(bytes);
      const failure = proposeFailure(this.shard, result.error);
      for (const put of puts) put.reject(failure);
      return;
    }
    this.lastTimestampMs = timestampMs;
    // Bytes count against the bound until they are committed, not only while they wait.
    this.inFlight.push({ index: result.index, term: result.term, puts, records, bytes, producers, proposedAtMs });
  }

  /** Gives back the bytes of a batch that is settled or was never proposed. */
  private release(bytes: number): void {
    this.queuedBytes -= bytes;
    this.options.queueBudget?.charge(-bytes);
    if (this.queue.length === 0 && this.inFlight.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Committed entries, in index order, from the group driver. */
  private applyCommitted(entries: readonly Entry[]): void {
    for (const entry of entries) {
      // A proposal below the applied index whose entry never came here was replaced (a leader change).
      while (this.inFlight.length > 0 && this.inFlight[0]!.index < entry.index) this.settle(undefined);
      const head = this.inFlight[0];
      const proposal = head !== undefined && head.index === entry.index ? head : undefined;
      const ours = proposal !== undefined && proposal.term === entry.term;
      // An entry after the seal is void: a leader that did not know of the seal yet proposed it. It is never
      // read, and its puts are refused, so nothing in it was acknowledged.
      const isVoid = this.sealIndex !== undefined && entry.index > this.sealIndex;
      if (entry.type === EntryType.Records && !isVoid) {
        if (isSealBatch(entry.data)) {
          this.sealIndex = entry.index;
        } else {
          // Every replica applies the producers of every entry, so a new leader knows them all.
          const producers = ours ? proposal.producers : decodeBatchProducers(entry.data);
          for (const p of producers) this.rememberProducer(p.producerId, producerStateOf(p, entry));
        }
      }
      this.commit(entry, ours && !isVoid ? proposal.records : isVoid ? [] : undefined);
      if (proposal) this.settle(ours && !isVoid ? entry : undefined, isVoid);
      if (this.sealIndex === entry.index) this.wakeSealWaiters();
    }
  }

  /** Answers every proposal in flight as lost: this replica no longer leads. */
  private settleAllLost(): void {
    while (this.inFlight.length > 0) this.settle(undefined);
  }

  /**
   * Answers the puts of the oldest proposal in flight (settled strictly in index order): committed at
   * `entry`, or lost because another entry took its index or the leader changed.
   */
  private settle(entry: Entry | undefined, isVoid = false): void {
    const proposal = this.inFlight.shift();
    assert(proposal !== undefined, `shard ${this.shard.shardId}: settled a proposal with none in flight`);
    // First, so that the batch's queued bytes are given back before any put's caller runs on.
    this.release(proposal.bytes);
    this.probe.batchCommitted(
      proposal.records.length,
      proposal.bytes,
      proposal.puts.length,
      performance.now() - proposal.proposedAtMs,
    );
    // A slot in the pipeline is free: what queued behind the limit goes in the next turn.
    if (this.queue.length > 0) this.driver.wake();
    if (isVoid) {
      for (const put of proposal.puts) put.reject(this.closedForWrites());
    } else if (!entry) {
      const lost = new KinesisError(
        "NotLeaderException",
        `Shard ${this.shard.shardId} changed leader before the batch committed; retry.`,
      );
      for (const put of proposal.puts) put.reject(lost);
    } else {
      let offset = 0;
      for (const put of proposal.puts) {
        const sequenceNumbers = put.records.map((_, i) =>
          sequenceNumberOf(this.shard.shardNumber, { index: entry.index, offset: offset + i }),
        );
        offset += put.records.length;
        put.resolve({ sequenceNumbers, timestampMs: entry.timestampMs });
      }
    }
  }

  /** `records` are the entry's, decoded, when at hand (the leader's own batch); else decoded when first read. */
  private commit(entry: Entry, records: readonly BatchRecord[] | undefined): void {
    assert(
      entry.index === this.commitIndex + 1,
      `shard ${this.shard.shardId}: applied ${entry.index} after ${this.commitIndex}`,
    );
    this.commitIndex = entry.index;
    if (entry.timestampMs > this.lastTimestampMs) this.lastTimestampMs = entry.timestampMs;
    this.tail.push(records ? cachedEntry(entry, records) : lazyCachedEntry(entry));
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
    if (this.sealIndex !== undefined) return { index: this.sealIndex, offset: 0 };
    return { index: this.commitIndex + 1, offset: 0 };
  }

  /** The closed shard's ending sequence number (the seal's position), or undefined while it is open. */
  endingSequenceNumber(): bigint | undefined {
    return this.sealIndex === undefined
      ? undefined
      : sequenceNumberOf(this.shard.shardNumber, { index: this.sealIndex, offset: 0 });
  }

  /**
   * Leader only: closes the shard for a reshard. Puts queued before the seal are written first; puts
   * after it are refused (ShardClosedException, so that clients look for the shard's children). Resolves
   * with the ending sequence number once the seal is applied here; at once if it already is.
   */
  async seal(): Promise<bigint> {
    if (this.sealIndex === undefined) {
      if (this.role.role !== "leader") {
        throw new KinesisError("NotLeaderException", `This broker does not lead shard ${this.shard.shardId}.`);
      }
      this.sealing ??= new Promise<AppendResult>((resolve, reject) => {
        if (this.closedError) return reject(this.closedError);
        this.queue.push({ seal: true, records: [], bytes: 0, producer: undefined, resolve, reject });
        this.driver.wake();
      });
      try {
        await this.sealing;
      } catch (error) {
        // Lost to a leader change: a later call proposes it again (if the entry did not commit after all).
        this.sealing = undefined;
        if (this.sealIndex === undefined) throw error;
      }
      if (this.sealIndex === undefined) await new Promise<void>((wake) => this.sealWaiters.push(wake));
    }
    return this.endingSequenceNumber()!;
  }

  /**
   * At open: the seal, if an entry applied before a restart is one. Only entries from `sinceMs` on are
   * looked at (the reshard's start), so the scan is short.
   */
  async findSeal(sinceMs: number): Promise<void> {
    if (this.sealIndex !== undefined) return;
    let index = Math.max(this.log.firstIndex(), await this.log.indexAtTime(sinceMs));
    while (index <= this.commitIndex) {
      const entries = await this.readIntact(index, Math.min(this.commitIndex + 1, index + PRODUCER_SCAN_CHUNK_ENTRIES));
      if (entries.length === 0) return;
      for (const entry of entries) {
        if (entry.type === EntryType.Records && isSealBatch(entry.data)) {
          this.sealIndex = entry.index;
          return;
        }
      }
      index = entries.at(-1)!.index + 1;
    }
  }

  /** At open: the controller knows the shard closed at `sealIndex` (from its ending sequence number). */
  sealedAt(sealIndex: number): void {
    this.sealIndex ??= sealIndex;
  }

  /** Whether the shard is sealed here. */
  isSealed(): boolean {
    return this.sealIndex !== undefined;
  }

  private closedForWrites(): KinesisError {
    return new KinesisError(
      "ShardClosedException",
      `Shard ${this.shard.shardId} is closed by a reshard; its hash keys go to its child shards. Refresh the shard map and retry.`,
    );
  }

  private wakeSealWaiters(): void {
    const waiters = this.sealWaiters;
    this.sealWaiters = [];
    for (const wake of waiters) wake();
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
    const lastReadable = this.sealIndex === undefined ? this.commitIndex : Math.min(this.commitIndex, this.sealIndex);
    scan: while (index <= lastReadable) {
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
    const caughtUp = index > lastReadable;
    const newest = records.at(-1);
    const millisBehindLatest = caughtUp || !newest ? 0 : Math.max(0, nowMs - newest.arrivalTimestampMs);
    const ended = this.sealIndex !== undefined && index >= this.sealIndex;
    return {
      records,
      bytes,
      next: ended ? { index: this.sealIndex!, offset: 0 } : { index, offset },
      millisBehindLatest,
      ended,
    };
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
    const term = await this.log.term(index - 1);
    assert(term !== undefined, `shard ${this.shard.shardId}: no term at ${index - 1}`);
    const meta = this.driver.compactLog(index - 1, term);
    if (meta) await this.log.compact(meta);
    this.tail.evictBelow(index);
    return index - before;
  }

  /** Waits for queued puts to be written; new puts are refused from now on. */
  async drain(reason: KinesisError): Promise<void> {
    this.closedError = reason;
    await this.idle();
    await this.driver.stop();
    this.tail.clear();
    const waiters = this.commitWaiters;
    this.commitWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once no put is queued or in flight. */
  private idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  isClosed(): boolean {
    return this.closedError !== undefined;
  }
}

/** The producer section of a batch made of `puts`: each exactly-once put's place among the records. */
function producerBatchesOf(puts: readonly PendingPut[]): ProducerBatch[] {
  const batches: ProducerBatch[] = [];
  let offset = 0;
  for (const put of puts) {
    if (put.producer) batches.push({ ...put.producer, firstRecord: offset, recordCount: put.records.length });
    offset += put.records.length;
  }
  return batches;
}

function producerStateOf(p: ProducerBatch, entry: Entry): ProducerState {
  return {
    epoch: p.epoch,
    sequence: p.sequence,
    index: entry.index,
    firstOffset: p.firstRecord,
    count: p.recordCount,
    timestampMs: entry.timestampMs,
  };
}

function cachedEntry(entry: Entry, records: readonly BatchRecord[]): CachedEntry {
  return { index: entry.index, timestampMs: entry.timestampMs, records, bytes: entry.data.length };
}

/**
 * A follower applies every entry but is rarely read: decoding each batch on apply would cost it CPU and
 * garbage for nothing, so the records are decoded on first read and kept.
 */
function lazyCachedEntry(entry: Entry): CachedEntry {
  let records: readonly BatchRecord[] | undefined;
  return {
    index: entry.index,
    timestampMs: entry.timestampMs,
    bytes: entry.data.length,
    get records() {
      records ??= entry.type === EntryType.Records ? decodeRecordBatch(entry.data) : [];
      return records;
    },
  };
}

function proposeFailure(shard: Shard, error: ProposeError): KinesisError {
  if (error.kind === "NotLeader") {
    return new KinesisError("NotLeaderException", `This broker does not lead shard ${shard.shardId}: ${error.message}`);
  }
  return serviceUnavailable(`Shard ${shard.shardId} cannot take writes right now: ${error.message}`);
}
