import {
  applyCommand,
  assert,
  corruptData,
  decodeCommand,
  decodeState,
  emptyControllerState,
  encodeCommand,
  encodeState,
  KinesisError,
  serviceUnavailable,
  type ControllerCommand,
  type ControllerState,
} from "@eddy/core";
import {
  EntryType,
  type ConfChange,
  type Entry,
  type Message,
  type RaftConfig,
  type Snapshot,
  type SoftState,
} from "@eddy/raft";
import type { GroupLog } from "@eddy/storage";
import { DEFAULT_PEER_LIMITS, PEER_MESSAGE_BYTES_MAX } from "../peer/limits.js";
import { GroupDriver } from "../raft/group-driver.js";

/** The controller is Raft group 0 on every broker; shard groups start at 1. */
export const CONTROLLER_GROUP_ID = 0;
/** Results of this many recent commands are kept, for proposers waiting on them. */
const RESULTS_KEPT = 4096;
/** How often, in applied entries, the controller snapshots its state by default (BrokerConfig.controllerSnapshotEntries). */
export const CONTROLLER_SNAPSHOT_EVERY_ENTRIES = 10_000;
/**
 * Entries a compaction keeps behind the snapshot, at most: a follower lagging by fewer still gets
 * entries rather than the whole state. See `compactionMarginEntries`.
 */
export const COMPACTION_MARGIN_ENTRIES_MAX = 1_000;
/**
 * The largest controller snapshot, bytes. It travels to a lagging follower as one peer message
 * (MsgSnap), which must stay under the peer transport's message limit and fit a peer's queue. A state
 * that grew past it is not snapshotted (the log keeps its entries, and `snapshot` reports "too-large"),
 * rather than compacted into a snapshot that no follower could receive.
 */
export const CONTROLLER_SNAPSHOT_BYTES_MAX = 8 * 1024 * 1024;
/** A MsgSnap besides its data: term, index, the members' ids, the frame's fields. */
const SNAPSHOT_MESSAGE_OVERHEAD_BYTES_MAX = 64 * 1024;
assert(
  CONTROLLER_SNAPSHOT_BYTES_MAX + SNAPSHOT_MESSAGE_OVERHEAD_BYTES_MAX <= PEER_MESSAGE_BYTES_MAX,
  "a controller snapshot must fit one peer message",
);
assert(
  CONTROLLER_SNAPSHOT_BYTES_MAX + SNAPSHOT_MESSAGE_OVERHEAD_BYTES_MAX <= DEFAULT_PEER_LIMITS.queueBytesMaxPerPeer,
  "a controller snapshot must fit a peer's queue",
);

/**
 * The margin a compaction keeps for a snapshot interval: COMPACTION_MARGIN_ENTRIES_MAX, or a tenth of
 * the interval when that is less, so that a short interval still compacts (and the margin is always
 * below the interval: a snapshot is stored before the next one is taken).
 */
export function compactionMarginEntries(snapshotEveryEntries: number): number {
  return Math.min(COMPACTION_MARGIN_ENTRIES_MAX, Math.floor(snapshotEveryEntries / 10));
}

/** What the controller's snapshots do, for logs and metrics. */
export type ControllerSnapshotEvent =
  /** A snapshot at `index` was stored and the log compacted up to it; it now starts at `firstIndex`. */
  | { readonly kind: "taken"; readonly index: number; readonly bytes: number; readonly firstIndex: number }
  /** A snapshot at `index` from the leader was installed: this replica was behind the leader's log. */
  | { readonly kind: "installed"; readonly index: number; readonly bytes: number }
  /** The state at `index` is over CONTROLLER_SNAPSHOT_BYTES_MAX: no snapshot, no compaction. */
  | { readonly kind: "too-large"; readonly index: number; readonly bytes: number };

export interface ControllerNodeHooks {
  send(message: Message): void;
  /** Persisting failed: the broker must stop. */
  failed(error: unknown): void;
  /** The state changed; called after each applied batch that changed it. */
  changed(state: ControllerState): void;
  roleChanged(state: SoftState): void;
  /** A snapshot was taken, installed, or not taken because the state is too large: for logs. */
  snapshot?(event: ControllerSnapshotEvent): void;
}

export interface ControllerNodeOptions {
  readonly selfId: string;
  /** The voters of a brand-new controller group; ignored once the group has a stored configuration. */
  readonly bootstrapVoters: readonly string[];
  readonly config: Omit<RaftConfig, "id">;
  readonly sync: boolean;
  /** Bound on waiting for a proposal to be applied. */
  readonly applyTimeoutMs: number;
  /** The state is snapshotted every this many applied entries, and the log compacted behind it. */
  readonly snapshotEveryEntries: number;
  /** Entries a compaction keeps behind its snapshot; `compactionMarginEntries(snapshotEveryEntries)` by default. */
  readonly compactionMarginEntries?: number;
}

interface Applied {
  readonly term: number;
  readonly result: unknown;
}

/** The state encoded at an applied entry, waiting for the margin to pass before it is stored. */
interface Captured {
  readonly index: number;
  readonly term: number;
  readonly data: Uint8Array;
}

/**
 * This broker's replica of the controller: the Raft group over the voter brokers whose log is the
 * sequence of ControllerCommands, and the state every replica gets by applying it with the pure
 * `applyCommand`. Every broker applies the same log, so a proposer learns a command's result by waiting
 * until its own replica has applied the command's index: no result ever crosses the network.
 *
 * Snapshots. Application workers' heartbeats and checkpoints go through this log several times a
 * second, so it is compacted: when an entry `snapshotEveryEntries` past the last snapshot is applied,
 * the state there is encoded (`encodeState`) and kept in memory; once `compactionMarginEntries` more
 * are applied, it is stored with the compaction up to its index (GroupLog.compact writes the data and
 * the metadata in one batch), so the log keeps that margin of entries for followers slightly behind.
 * At open the state comes from the stored snapshot and only the entries after it are replayed. A
 * follower behind the log's first index is sent the stored snapshot with its data, and installs it
 * (see GroupDriverHooks.restoreSnapshot). Every replica snapshots and compacts on its own.
 */
export class ControllerNode {
  private current: ControllerState = emptyControllerState();
  private appliedIndex: number;
  private readonly results = new Map<number, Applied>();
  /** The results of entries at or below it are unknown here: a snapshot from the leader covered them. */
  private resultsLostTo = 0;
  private waiters: Array<{ index: number; wake: () => void }> = [];
  private role: SoftState = { role: "follower", leaderId: "" };
  private readonly driver: GroupDriver;
  /** The commit index stored at open: until the replay reaches it, the state is a past one. */
  private readonly restoredCommitIndex: number;
  private readonly marginEntries: number;
  /** The index of the stored snapshot (taken here or installed from the leader); 0 for none. */
  private snapshotIndex: number;
  /** When the entry at this index is applied, the state there is captured for the next snapshot. */
  private nextSnapshotIndex: number;
  private captured: Captured | undefined;
  /** A compaction is scheduled or being written; one at a time. */
  private compacting = false;
  private appliedSinceOpen = 0;
  private stopped = false;

  private constructor(
    private readonly log: GroupLog,
    restored: Awaited<ReturnType<GroupLog["restoredState"]>>,
    snapshot: Snapshot,
    private readonly options: ControllerNodeOptions,
    private readonly hooks: ControllerNodeHooks,
  ) {
    const every = options.snapshotEveryEntries;
    this.marginEntries = options.compactionMarginEntries ?? compactionMarginEntries(every);
    assert(Number.isSafeInteger(every) && every > 0, `snapshotEveryEntries must be a positive integer, got ${every}`);
    assert(
      Number.isSafeInteger(this.marginEntries) && this.marginEntries >= 0 && this.marginEntries < every,
      `compactionMarginEntries (${this.marginEntries}) must be in [0, snapshotEveryEntries = ${every})`,
    );
    const { index } = snapshot.meta;
    if (index > 0) {
      // Snapshots of the controller always carry its state: without it, the entries up to `index` are lost.
      if (snapshot.data.byteLength === 0) throw corruptData(`The controller's snapshot at ${index} has no data.`);
      this.current = decodeState(snapshot.data);
    }
    this.appliedIndex = index;
    this.snapshotIndex = index;
    this.nextSnapshotIndex = index + every;
    this.restoredCommitIndex = restored.hardState.commitIndex;
    const stored = restored.snapshot.conf;
    // A brand-new group: its voters are the bootstrap list if this broker is in it; a broker outside the
    // list starts with no members and waits to be added (it hears from the leader then).
    const conf =
      stored.voters.length > 0 || stored.learners.length > 0
        ? stored
        : options.bootstrapVoters.includes(options.selfId)
          ? { voters: [...options.bootstrapVoters], learners: [] }
          : stored;
    this.driver = new GroupDriver(
      CONTROLLER_GROUP_ID,
      { ...options.config, id: options.selfId },
      { ...restored, snapshot: { ...restored.snapshot, conf } },
      log,
      {
        send: hooks.send,
        apply: (entries) => this.applyCommitted(entries),
        roleChanged: (state) => {
          this.role = state;
          hooks.roleChanged(state);
        },
        failed: hooks.failed,
        restoreSnapshot: (snapshot) => this.restoreSnapshot(snapshot),
      },
      options.sync,
    );
  }

  /**
   * Opens the group: the state is the stored snapshot's, and the committed commands after it are
   * applied again as Raft hands them out.
   */
  static async open(
    log: GroupLog,
    options: ControllerNodeOptions,
    hooks: ControllerNodeHooks,
  ): Promise<ControllerNode> {
    const snapshot = await log.snapshot();
    const restored = await log.restoredState(snapshot.meta.index);
    const node = new ControllerNode(log, restored, snapshot, options, hooks);
    // Alone in the group: no one else can elect it.
    const voters = node.driver.status().conf.voters;
    if (voters.length === 1 && voters[0] === options.selfId) node.driver.campaign();
    return node;
  }

  get state(): ControllerState {
    return this.current;
  }

  get applied(): number {
    return this.appliedIndex;
  }

  /** Whether the replay of the stored log is done, so that `state` is no older than before the restart. */
  get replayed(): boolean {
    return this.appliedIndex >= this.restoredCommitIndex;
  }

  /**
   * The latest snapshot's index (0 for none), where the stored log starts, and how many entries this
   * replica applied since it was opened (the replay included).
   */
  snapshotStatus(): { snapshotIndex: number; firstIndex: number; appliedSinceOpen: number } {
    return {
      snapshotIndex: this.snapshotIndex,
      firstIndex: this.log.firstIndex(),
      appliedSinceOpen: this.appliedSinceOpen,
    };
  }

  isLeader(): boolean {
    return this.role.role === "leader";
  }

  leaderId(): string {
    return this.role.leaderId;
  }

  /**
   * Leader only: Raft's read index, the index a read must wait for to see every change committed before
   * it was asked. A new leader's commit index is not that until its term's first entry is applied: the
   * entries an earlier leader committed count as committed here only from then on (without this wait, a
   * read right after a failover could miss a change that had already returned). NotLeaderException when
   * this broker does not lead (any more).
   */
  async readIndex(): Promise<number> {
    if (!this.isLeader()) throw new KinesisError("NotLeaderException", "This broker does not lead the controller.");
    await this.waitApplied(this.driver.termStartIndex);
    if (!this.isLeader()) throw new KinesisError("NotLeaderException", "This broker no longer leads the controller.");
    return this.driver.status().commitIndex;
  }

  tick(): void {
    // A quiet group's tick changes nothing.
    if (!this.driver.quiesced) this.driver.tick();
  }

  /** The failure detector's half of quiescence, as for shard groups (see ShardReplicas.wakeFollowersOf). */
  wakeIfLeaderSilent(isSilent: (brokerId: string) => boolean): void {
    const leaderId = this.role.leaderId;
    if (this.driver.quiesced && this.role.role !== "leader" && leaderId !== "" && isSilent(leaderId)) {
      this.driver.unquiesce(true);
    }
  }

  step(message: Message): void {
    this.driver.step(message);
  }

  status(): ReturnType<GroupDriver["status"]> {
    return this.driver.status();
  }

  proposeConfChange(change: ConfChange): boolean {
    return this.driver.proposeConfChange(change, Date.now()).ok;
  }

  transferLeadership(to: string): boolean {
    return this.driver.transferLeadership(to).ok;
  }

  /**
   * Leader only: proposes `command` and resolves with its index once applied here. A KinesisError when
   * this broker does not lead (NotLeader, with the leader if known) or the entry was lost to a new leader.
   */
  async proposeLocal(command: ControllerCommand): Promise<number> {
    const proposed = this.driver.propose(encodeCommand(command), Date.now(), EntryType.Records);
    if (!proposed.ok) {
      if (proposed.error.kind === "NotLeader") {
        throw new KinesisError(
          "NotLeaderException",
          `This broker does not lead the controller: ${proposed.error.message}`,
        );
      }
      throw serviceUnavailable(`The controller cannot take changes right now: ${proposed.error.message}`);
    }
    await this.waitApplied(proposed.index);
    const applied = this.results.get(proposed.index);
    if (applied === undefined && proposed.index <= this.resultsLostTo) {
      throw serviceUnavailable(
        "This broker lost the controller's leadership and caught up from a snapshot, so the change's outcome is unknown here; retry.",
      );
    }
    if (applied?.term !== proposed.term) {
      throw serviceUnavailable("The controller's leader changed before the change committed; retry.");
    }
    return proposed.index;
  }

  /**
   * The result of the command applied at `index` (kept for the last RESULTS_KEPT commands applied here,
   * and unknown for those a snapshot from the leader covered).
   */
  resultAt(index: number): unknown {
    const applied = this.results.get(index);
    if (!applied) throw serviceUnavailable(`The controller no longer holds the result of entry ${index}; retry.`);
    return applied.result;
  }

  /** Resolves once this replica has applied `index`; a retriable error after `applyTimeoutMs`. */
  waitApplied(index: number): Promise<void> {
    if (this.appliedIndex >= index) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.wake !== wake);
        reject(
          serviceUnavailable(
            `The controller did not apply entry ${index} within ${this.options.applyTimeoutMs} ms; retry.`,
          ),
        );
      }, this.options.applyTimeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ index, wake });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.driver.stop();
    await this.log.flushed();
  }

  private applyCommitted(entries: readonly Entry[]): void {
    const before = this.current;
    const wasReplayed = this.replayed;
    for (const entry of entries) {
      assert(entry.index === this.appliedIndex + 1, `controller: entry ${entry.index} after ${this.appliedIndex}`);
      if (entry.type === EntryType.Records) {
        const { state, result } = applyCommand(this.current, decodeCommand(entry.data));
        this.current = state;
        this.results.set(entry.index, { term: entry.term, result });
      } else {
        this.results.set(entry.index, { term: entry.term, result: undefined });
      }
      this.results.delete(entry.index - RESULTS_KEPT);
      this.appliedIndex = entry.index;
      this.appliedSinceOpen += 1;
      if (entry.index >= this.nextSnapshotIndex && this.captured === undefined) {
        this.captured = { index: entry.index, term: entry.term, data: encodeState(this.current) };
        this.nextSnapshotIndex = entry.index + this.options.snapshotEveryEntries;
      }
    }
    if (this.current !== before || (this.replayed && !wasReplayed)) this.hooks.changed(this.current);
    this.wakeWaiters();
    this.scheduleCompaction();
  }

  private wakeWaiters(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.index <= this.appliedIndex);
    this.waiters = this.waiters.filter((w) => w.index > this.appliedIndex);
    for (const waiter of ready) waiter.wake();
  }

  /** Once the margin behind the captured state is applied, stores it and compacts the log up to it. */
  private scheduleCompaction(): void {
    const captured = this.captured;
    if (captured === undefined || this.compacting || this.appliedIndex < captured.index + this.marginEntries) return;
    this.compacting = true;
    // After this turn of the Ready loop: Raft counts the entries as applied only once the driver advances.
    setImmediate(() => void this.compact(captured));
  }

  private async compact(captured: Captured): Promise<void> {
    try {
      // Stopping, or a snapshot from the leader replaced the captured state meanwhile.
      if (this.stopped || this.captured !== captured) return;
      // Raft compacts only what it counts as applied; should it lag, the next applied batch tries again.
      if (this.driver.status().appliedIndex < captured.index) return;
      this.captured = undefined;
      const bytes = captured.data.byteLength;
      if (bytes > CONTROLLER_SNAPSHOT_BYTES_MAX) {
        this.hooks.snapshot?.({ kind: "too-large", index: captured.index, bytes });
        return;
      }
      // Undefined when the log already starts past it.
      const meta = this.driver.compactLog(captured.index, captured.term);
      if (meta === undefined) return;
      await this.log.compact(meta, captured.data);
      this.snapshotIndex = Math.max(this.snapshotIndex, meta.index);
      this.hooks.snapshot?.({ kind: "taken", index: meta.index, bytes, firstIndex: this.log.firstIndex() });
    } catch (error) {
      this.hooks.failed(error);
    } finally {
      this.compacting = false;
    }
    if (!this.stopped) this.scheduleCompaction();
  }

  /**
   * A snapshot from the leader (this replica was behind its log's first index): decoded before it is
   * stored, so damaged data stops here; installed once it is durable.
   */
  private restoreSnapshot(snapshot: Snapshot): () => void {
    const state = decodeState(snapshot.data);
    return () => {
      const { index } = snapshot.meta;
      // Raft installs only snapshots past its commit index, hence past everything applied here.
      assert(index > this.appliedIndex, `controller: snapshot at ${index}, but ${this.appliedIndex} is applied`);
      this.current = state;
      this.appliedIndex = index;
      this.snapshotIndex = index;
      this.nextSnapshotIndex = index + this.options.snapshotEveryEntries;
      this.captured = undefined;
      // The commands the snapshot covers were not applied here, so their results are unknown: a proposer
      // waiting on one gets a retriable error. Results kept from before stay true (committed entries).
      this.resultsLostTo = index;
      for (const kept of this.results.keys()) if (kept <= index - RESULTS_KEPT) this.results.delete(kept);
      this.hooks.snapshot?.({ kind: "installed", index, bytes: snapshot.data.byteLength });
      this.hooks.changed(this.current);
      this.wakeWaiters();
    };
  }
}
