import { assert } from "@eddy/core";
import {
  RawNode,
  type ConfChange,
  type ConfChangeResult,
  type TransferResult,
  type Entry,
  type HardState,
  type Message,
  type ProposeResult,
  type RaftConfig,
  type Ready,
  type RestoredState,
  type Snapshot,
  type SnapshotLoad,
  type SnapshotMeta,
  type SoftState,
  EntryType,
} from "@eddy/raft";

/** What a group driver needs from its durable log: LevelDB's GroupLog in the broker, a test double nowhere. */
export interface DriverLog {
  append(entries: readonly Entry[], hardState: Ready["hardState"], sync: boolean): Promise<void>;
  entries(lo: number, hi: number, maxBytes: number): Promise<Entry[]>;
  /** The compaction point: what a follower behind the log's first index is sent, when snapshots carry no data. */
  snapshotMeta(): SnapshotMeta;
  /** The compaction point and the state stored with it, read together: what such a follower is sent otherwise. */
  snapshot(): Promise<Snapshot>;
  /**
   * Replaces the whole log with a snapshot's state (a follower that was too far behind), storing `data`
   * with it when given.
   */
  installSnapshot(meta: SnapshotMeta, hardState?: HardState, data?: Uint8Array): Promise<void>;
}

export interface GroupDriverHooks {
  /** Hands a message to the transport; never blocks. */
  send(message: Message): void;
  /** Committed entries, in order, each durable on this node. */
  apply(entries: readonly Entry[]): void;
  /** The node's role or known leader changed. */
  roleChanged(state: SoftState): void;
  /** Persisting failed: the group cannot go on safely, and the broker must stop. */
  failed(error: unknown): void;
  /** Something came in (a message, a proposal): a quiet group may be awake again and needs its ticks. */
  activity?(): void;
  /**
   * Called at the start of every turn, before the node's Ready is taken: the moment to propose what
   * queued up while the previous write was in flight, so that it goes out in this turn's write (group
   * commit at the Raft loop; see ShardLog). Call `wake()` when there is something to propose.
   */
  beforeTurn?(): void;
  /**
   * Only for a group whose snapshots carry its state machine's state (the controller). Shard groups
   * leave it out: their snapshots carry no data, since the records below the compaction point are gone
   * by retention. With it, a follower behind the log's first index is sent the stored snapshot with its
   * data, and a snapshot received from the leader is handed here before anything is written: check and
   * decode its data (throw if it is damaged, and nothing is stored), and return what installs it into
   * the state machine. The driver calls that once the snapshot and its data are durable, before the
   * committed entries after it are applied.
   */
  restoreSnapshot?(snapshot: Snapshot): () => void;
}

const NO_DATA = new Uint8Array(0);

/**
 * How long a hard state whose only change is the commit index may wait for an entry write to carry it.
 * A busy group appends again well within this, so the commit index costs no write of its own; a group
 * with a put every few milliseconds used to write it alone after each commit, on every replica, about as
 * many LevelDB writes as the entries themselves. Losing it in a crash is safe: Raft finds the commit
 * again, and the restarted replica is at most this much further behind.
 */
export const HARD_STATE_WRITE_DELAY_MS = 50;

/**
 * Runs one Raft group's Ready loop on real storage: the only place where the pure core meets disk and
 * network. The order is the core's contract: send `messages` at once (a leader's appends travel while
 * its own write is flushed), persist entries and hard state in one write (synced when the core says so),
 * then send `messagesAfterPersist` (acknowledgements and votes), apply committed entries, start loads,
 * and advance. Inputs (ticks, messages, proposals) may arrive at any time; they only schedule a turn.
 */
export class GroupDriver {
  private readonly node: RawNode;
  private turnScheduled = false;
  private leaderTermStartIndex = Number.POSITIVE_INFINITY;
  private unwrittenHardState: HardState | undefined;
  private hardStateWriteTimer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(
    readonly groupId: number,
    config: RaftConfig,
    restored: RestoredState,
    private readonly log: DriverLog,
    private readonly hooks: GroupDriverHooks,
    private readonly sync: boolean,
    random: () => number = Math.random,
  ) {
    this.node = new RawNode(config, restored, random);
  }

  tick(): void {
    this.node.tick();
    // Most ticks of an idle group change nothing: take a turn only when there is work, so that a
    // thousand idle groups cost a thousand cheap calls per tick, not a thousand async turns.
    if (!this.running && this.node.hasReady()) this.schedule();
  }

  step(message: Message): void {
    this.node.step(message);
    this.schedule();
  }

  campaign(): void {
    this.node.campaign();
    this.schedule();
  }

  propose(
    data: Uint8Array,
    timestampMs: number,
    type: EntryType.Records | EntryType.Noop = EntryType.Records,
  ): ProposeResult {
    const result = this.node.propose(data, timestampMs, type);
    if (result.ok) this.schedule();
    return result;
  }

  /** Asks for a turn, in which `beforeTurn` runs (at once when idle; after the write in flight otherwise). */
  wake(): void {
    this.schedule();
  }

  /**
   * Leader only: the index of its term's first entry (the no-op it appends when elected), infinite
   * otherwise. Until that entry is applied, entries that earlier leaders committed may not be counted as
   * committed here yet, so reads and exactly-once checks that need all of them wait for it.
   */
  get termStartIndex(): number {
    return this.leaderTermStartIndex;
  }

  get quiesced(): boolean {
    return this.node.quiesced;
  }

  /** Wakes a quiet group; see RawNode.unquiesce. */
  unquiesce(leaderSuspected: boolean): void {
    this.node.unquiesce(leaderSuspected);
    this.schedule();
  }

  /** One membership change; see RawNode.proposeConfChange. */
  proposeConfChange(change: ConfChange, timestampMs: number): ConfChangeResult {
    const result = this.node.proposeConfChange(change, timestampMs);
    if (result.ok) this.schedule();
    return result;
  }

  /** Hands leadership to `to` (a caught-up voter); see RawNode.transferLeadership. */
  transferLeadership(to: string): TransferResult {
    const result = this.node.transferLeadership(to);
    if (result.ok) this.schedule();
    return result;
  }

  /** See RawNode.compactLog: call before dropping entries up to `index` from storage. */
  compactLog(index: number, term: number): SnapshotMeta | undefined {
    return this.node.compactLog(index, term);
  }

  status(): ReturnType<RawNode["status"]> {
    return this.node.status();
  }

  /** Stops taking turns; what is being persisted finishes, and the latest commit index is written. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.hardStateWriteTimer);
    this.hardStateWriteTimer = undefined;
    await this.writeUnwrittenHardState();
  }

  /** Written later unless an entry write carries it first; see HARD_STATE_WRITE_DELAY_MS. */
  private scheduleHardStateWrite(): void {
    if (this.hardStateWriteTimer !== undefined) return;
    this.hardStateWriteTimer = setTimeout(() => {
      this.hardStateWriteTimer = undefined;
      // After stop() the store may be closing; stop() itself wrote the last hard state.
      if (this.stopped) return;
      // A turn in progress writes it with its entries, or schedules it again.
      if (this.running) this.scheduleHardStateWrite();
      else void this.writeUnwrittenHardState().catch((error: unknown) => this.hooks.failed(error));
    }, HARD_STATE_WRITE_DELAY_MS);
  }

  private async writeUnwrittenHardState(): Promise<void> {
    const hardState = this.unwrittenHardState;
    if (!hardState) return;
    this.unwrittenHardState = undefined;
    await this.log.append([], hardState, false);
  }

  private schedule(): void {
    this.hooks.activity?.();
    if (this.turnScheduled || this.running || this.stopped) return;
    this.turnScheduled = true;
    queueMicrotask(() => {
      this.turnScheduled = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      while (!this.stopped) {
        this.hooks.beforeTurn?.();
        if (!this.node.hasReady()) break;
        const ready = this.node.ready();
        await this.handle(ready);
        this.node.advance(ready);
      }
    } catch (error) {
      this.stopped = true;
      this.hooks.failed(error);
    } finally {
      this.running = false;
    }
  }

  private async handle(ready: Ready): Promise<void> {
    if (ready.softState) {
      // A new leader's no-op is its last entry now: once that is applied, so is every earlier entry.
      this.leaderTermStartIndex =
        ready.softState.role === "leader" ? this.node.status().lastIndex : Number.POSITIVE_INFINITY;
      this.hooks.roleChanged(ready.softState);
    }
    for (const message of ready.messages) this.hooks.send(message);
    if (ready.snapshot) await this.installSnapshot(ready.snapshot);
    // A hard state whose only change is the commit index is not written on its own at once: under load
    // the next write of entries carries it, saving a LevelDB write per committed batch; when the group
    // goes idle, it is written by itself. A stale commit index on disk would be safe (Raft finds the
    // commit again after a restart), but a fresh one keeps restarts short.
    const hardState = ready.hardState ?? this.unwrittenHardState;
    if (ready.entries.length > 0 || (ready.hardState && ready.mustSync)) {
      this.unwrittenHardState = undefined;
      await this.log.append(ready.entries, hardState, this.sync && ready.mustSync);
    } else if (ready.hardState) {
      this.unwrittenHardState = ready.hardState;
      this.scheduleHardStateWrite();
    }
    for (const message of ready.messagesAfterPersist) this.hooks.send(message);
    if (ready.committedEntries.length > 0) this.hooks.apply(ready.committedEntries);
    for (const load of ready.entryLoads) {
      void this.log.entries(load.lo, load.hi, load.maxBytes).then(
        (entries) => {
          this.node.entriesLoaded(load.id, entries);
          this.schedule();
        },
        (error: unknown) => this.hooks.failed(error),
      );
    }
    for (const load of ready.snapshotLoads) this.loadSnapshot(load);
  }

  /** A snapshot from the leader: its data (if the group's snapshots carry any) is checked before it is stored. */
  private async installSnapshot(snapshot: Snapshot): Promise<void> {
    const restore = this.hooks.restoreSnapshot;
    if (restore === undefined) {
      await this.log.installSnapshot(snapshot.meta);
      return;
    }
    const install = restore(snapshot);
    await this.log.installSnapshot(snapshot.meta, undefined, snapshot.data);
    install();
  }

  private loadSnapshot(load: SnapshotLoad): void {
    const check = (meta: SnapshotMeta): void =>
      assert(meta.index >= load.minIndex || meta.index === 0, `group ${this.groupId}: snapshot older than asked`);
    if (this.hooks.restoreSnapshot === undefined) {
      const meta = this.log.snapshotMeta();
      check(meta);
      this.node.snapshotLoaded(load.id, { meta, data: NO_DATA });
      return;
    }
    void this.log.snapshot().then(
      (snapshot) => {
        check(snapshot.meta);
        this.node.snapshotLoaded(load.id, snapshot);
        this.schedule();
      },
      (error: unknown) => this.hooks.failed(error),
    );
  }
}
