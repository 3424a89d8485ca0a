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
