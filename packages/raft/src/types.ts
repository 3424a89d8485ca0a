/**
 * The shape of a Raft log, fixed before consensus itself exists: every shard's log is a sequence of
 * entries with an index and a term, and the hard state (term, vote, commit) is kept apart from them.
 * Single-node mode commits an entry as soon as it is durable; the replicated mode replaces only that rule.
 */

export enum EntryType {
  /** A leader's first entry of its term; carries no data. */
  Noop = 0,
  /** A record batch (see core's codec). */
  Records = 1,
  /** A change of the group's membership. */
  Config = 2,
}

export interface Entry {
  /** Position in the log, from 1, without gaps. */
  readonly index: number;
  /** The leader's term when the entry was appended. */
  readonly term: number;
  readonly type: EntryType;
  /** When the leader appended the entry, ms since the epoch; never decreases along a log. Retention trims by it. */
  readonly timestampMs: number;
  readonly data: Uint8Array;
}

export interface HardState {
  readonly term: number;
  /** The node voted for in `term`, or "" for none. */
  readonly vote: string;
  /** Highest index known committed. */
  readonly commitIndex: number;
}

export const EMPTY_HARD_STATE: HardState = { term: 0, vote: "", commitIndex: 0 };

/** What a Raft group needs from its durable log. LevelDB implements it in `@eddy/storage`. */
export interface LogStorage {
  /** First retained index; lastIndex()+1 when the log is empty. */
  firstIndex(): number;
  lastIndex(): number;
  /** Term of the entry at `index`, or undefined when it was trimmed or never written. */
  term(index: number): Promise<number | undefined>;
  /** Entries in [lo, hi), stopping early once `maxBytes` of data is reached (at least one entry is returned). */
  entries(lo: number, hi: number, maxBytes: number): Promise<Entry[]>;
  hardState(): HardState;
  /**
   * Appends entries (replacing any from the first one's index on) and, if given, the hard state, in one
   * atomic write. With `sync` the write is on disk when the promise resolves.
   */
  append(entries: readonly Entry[], hardState: HardState | undefined, sync: boolean): Promise<void>;
  /** Index of the first entry whose timestampMs >= `timestampMs`, or lastIndex()+1 when none. */
  indexAtTime(timestampMs: number): Promise<number>;
  /** Drops entries below `index` (retention). */
  trimBefore(index: number): Promise<void>;
}

/** The members of a group: voters count toward elections and commits, learners only receive the log. */
export interface ConfState {
  readonly voters: readonly string[];
  readonly learners: readonly string[];
}

export const EMPTY_CONF: ConfState = { voters: [], learners: [] };

/**
 * Where a log starts after compaction (a snapshot or a retention trim): the last index and term it
 * replaces, and the configuration in effect at that index. A new group starts at index 0, term 0.
 */
export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly conf: ConfState;
}

/**
 * A snapshot: its metadata and the state machine's state at `meta.index`, opaque to Raft. Shard groups
 * send empty data (the records below the trim point are gone by retention); the controller group
 * sends its serialized metadata.
 */
export interface Snapshot {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

/**
 * What a node finds in durable storage when it starts, from which `RawNode` rebuilds its state.
 * `initialState(conf)` builds it for a brand-new group.
 */
export interface RestoredState {
  readonly hardState: HardState;
  /** The compaction point: entries up to `snapshot.index` are gone from the log. */
  readonly snapshot: SnapshotMeta;
  /** snapshot.index + 1. */
  readonly firstIndex: number;
  /** snapshot.index when the log is empty. */
  readonly lastIndex: number;
  readonly lastTerm: number;
  /**
   * The durable tail of the log, ending at `lastIndex`. It must hold the entry at `hardState.commitIndex`
   * (unless that is the snapshot's) and every entry above it, because Raft checks the terms of
   * uncommitted entries when a leader appends; it may start lower to warm the in-memory tail. Empty
   * only when the log is.
   */
  readonly entries: readonly Entry[];
  /**
   * Every Config entry of the log above `snapshot.index`, in index order. A configuration takes effect
   * when it is appended (Raft dissertation §4.1), so the latest one rules even before it commits, and a
   * node needs the older ones to fall back on when a new leader overwrites the newest. Config changes
   * are rare: storage keeps them apart (or finds them once at start).
   */
  readonly configEntries: readonly Entry[];
  /** Highest index the state machine has applied; committed entries above it are handed out again. */
  readonly appliedIndex: number;
}

/** The state of a member of a brand-new group whose initial configuration is `conf`. */
export function initialState(conf: ConfState): RestoredState {
  return {
    hardState: EMPTY_HARD_STATE,
    snapshot: { index: 0, term: 0, conf },
    firstIndex: 1,
    lastIndex: 0,
    lastTerm: 0,
    entries: [],
    configEntries: [],
    appliedIndex: 0,
  };
}

/**
 * Bytes an entry is counted as, in memory limits and message sizes: its data plus a fixed overhead, so
 * that a long run of empty entries is bounded too.
 */
export const ENTRY_OVERHEAD_BYTES = 48;

export function entrySizeBytes(entry: Pick<Entry, "data">): number {
  return entry.data.byteLength + ENTRY_OVERHEAD_BYTES;
}
