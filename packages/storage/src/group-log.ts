/**
 * One Raft group's log in the broker's LevelDB database (key layout in keys.ts, value formats in
 * codec.ts). The bounds of the log, the last entry's term and timestamp, the hard state and the
 * snapshot metadata are kept in memory, loaded once when the group is opened, so that `firstIndex`,
 * `lastIndex`, `hardState`, `snapshotMeta` and the common `term(lastIndex)` never touch the disk.
 *
 * Writes (append, trimBefore, compact, installSnapshot, destroy) run one at a time in call order,
 * chained on a promise, so two writes of the same group never interleave. Reads run concurrently with
 * them: each read either sees a write whole or not at all, because LevelDB batches are atomic and
 * iterators read from a snapshot. The reads that combine several ranges (`configEntries`,
 * `restoredState`) take their turn on the chain instead, so that no write lands between their parts.
 *
 * Crash safety of the multi-step writes:
 * - trimBefore: each chunk deletes entries from the front and records the new first index in one batch.
 * - compact: each chunk does the same but records the final first index and snapshot metadata from the
 *   first chunk on; entries below the recorded first index are leftovers of an interrupted compaction,
 *   which opening the group deletes (the time index stays valid for them meanwhile). The snapshot data,
 *   when given, is written in the first chunk's batch too: a crash leaves either the old snapshot with
 *   the whole log, or the new snapshot with the log after it (and leftovers that opening deletes).
 * - installSnapshot: a synced batch records the new metadata with the `replacing` flag (and the hard
 *   state and snapshot data, if given); then every entry, time-index and config-index key is cleared
 *   and the flag is dropped. Opening a group whose flag is set finishes the clearing.
 *
 * Snapshot data, when stored, is always the state at the stored snapshot index: a compaction or
 * installation without data deletes data left from an earlier snapshot in the same batch.
 */

import { assert, corruptData } from "@eddy/core";
import {
  EMPTY_HARD_STATE,
  EntryType,
  type Entry,
  type HardState,
  type LogStorage,
  type RestoredState,
  type Snapshot,
  type SnapshotMeta,
} from "@eddy/raft";
import type { Level } from "level";

import { OpsBatch } from "./write-coalescer.js";
import {
  EMPTY_SNAPSHOT_META,
  decodeEntryValue,
  decodeGroupMeta,
  decodeHardState,
  decodeSnapshotData,
  encodeEntryValue,
  encodeGroupMeta,
  encodeHardState,
  encodeSnapshotData,
  type GroupMeta,
} from "./codec.js";
import {
  ENTRY_KEY_BYTES,
  GROUP_NAMESPACES,
  NS_CONFIG,
  NS_ENTRY,
  NS_GROUP_META,
  NS_HARD_STATE,
  NS_SNAPSHOT,
  NS_TIME,
  assertGroupId,
  configKey,
  configKeyIndex,
  decodeTimeKey,
  entryKey,
  entryKeyIndex,
  groupKey,
  groupKeyEnd,
  timeKey,
  writeEntryKey,
  type TimeKey,
} from "./keys.js";

/** The broker's database: binary keys and values. */
export type Db = Level<Uint8Array, Uint8Array>;

/** Entries deleted per atomic batch when trimming, so a large trim never builds one huge batch. */
export const TRIM_CHUNK_ENTRIES = 10_000;
/** Entries fetched per `nextv` call when reading a range. */
const READ_CHUNK_ENTRIES = 256;
/** Marks "no timestamp" where a timestamp (always >= 0) is expected. */
const NO_TIMESTAMP = -1;
const EMPTY_VALUE = new Uint8Array(0);
const noop = (): void => {};

/** The writes of a LevelDB batch that snapshot data goes into (a chained batch or an OpsBatch). */
interface BatchOps {
  put(key: Uint8Array, value: Uint8Array): unknown;
  del(key: Uint8Array): unknown;
}

/** How a GroupLog tells its Store that it is being destroyed, so the store stops handing it out. */
export interface GroupLogOwner {
  groupDestroying(groupId: number, done: Promise<void>): void;
  /** Writes `batch`, possibly together with other groups' writes (see WriteCoalescer). */
  write(batch: OpsBatch, sync: boolean): Promise<void>;
}

/** Work an interrupted multi-step write left, which opening the group finishes. */
type Resume =
  /** A compaction: entries below `meta.firstIndex` are still there; trim them, writing `meta`. */
  | { readonly kind: "trim"; readonly meta: GroupMeta }
  /** An installSnapshot: every entry, time-index and config-index key is stale. */
  | { readonly kind: "replace" };

interface LoadedState {
  firstIndex: number;
  lastIndex: number;
  lastTerm: number;
  lastTimestampMs: number;
  firstTimeKeyMs: number;
  maxTimestampMs: number;
  hardState: HardState;
  snapshot: SnapshotMeta;
  /** Whether the snapshot-data key (0x06) exists. */
  snapshotDataStored: boolean;
  resume: Resume | undefined;
}

export class GroupLog implements LogStorage {
  readonly groupId: number;
  readonly #db: Db;
  readonly #owner: GroupLogOwner;
  /** Names the group in error messages. */
  readonly #where: string;

  #firstIndex: number;
  #lastIndex: number;
  /** Term of the entry at lastIndex; meaningless while the log is empty. */
  #lastTerm: number;
  #lastTimestampMs: number;
  /** Timestamp of the time-index key at firstIndex (every non-empty log has one); NO_TIMESTAMP when empty. */
  #firstTimeKeyMs: number;
  /** Running maximum of retained timestamps, i.e. the last time-index key's; NO_TIMESTAMP when empty. */
  #maxTimestampMs: number;
  #hardState: HardState;
  /** The compaction point, as stored in the group meta. */
  #snapshot: SnapshotMeta;
  /** Whether snapshot data is stored (always that of #snapshot). */
  #snapshotDataStored: boolean;

  /** The last queued write; the next one starts after it settles. */
  #tail: Promise<void> = Promise.resolve();
  /** True while a queued write runs, i.e. while a LevelDB write of this group may be in progress. */
  #writing = false;
  #destroyed = false;

  private constructor(db: Db, groupId: number, owner: GroupLogOwner, state: LoadedState) {
    this.#db = db;
    this.groupId = groupId;
    this.#owner = owner;
    this.#where = `group ${groupId}`;
    this.#firstIndex = state.firstIndex;
    this.#lastIndex = state.lastIndex;
    this.#lastTerm = state.lastTerm;
    this.#lastTimestampMs = state.lastTimestampMs;
    this.#firstTimeKeyMs = state.firstTimeKeyMs;
    this.#maxTimestampMs = state.maxTimestampMs;
    this.#hardState = state.hardState;
    this.#snapshot = state.snapshot;
    this.#snapshotDataStored = state.snapshotDataStored;
  }

  /**
   * Loads a group's bounds, hard state and snapshot metadata, first finishing a compaction or snapshot
   * installation that a crash interrupted. Use `Store.group`, which caches the result.
   */
  static async open(db: Db, groupId: number, owner: GroupLogOwner): Promise<GroupLog> {
    assertGroupId(groupId);
    const state = await loadState(db, groupId);
    const log = new GroupLog(db, groupId, owner, state);
    const resume = state.resume;
    if (resume !== undefined) {
      await log.#enqueue(() => (resume.kind === "trim" ? log.#trimTo(resume.meta) : log.#finishReplace()));
    }
    return log;
  }

  firstIndex(): number {
    return this.#firstIndex;
  }

  lastIndex(): number {
    return this.#lastIndex;
  }

  hardState(): HardState {
    return this.#hardState;
  }

  /**
   * Where the log starts for Raft: the last index and term that `compact` or `installSnapshot` dropped,
   * and the configuration in effect there; index and term 0 and an empty conf until either is called.
   * trimBefore leaves it as it is.
   */
  snapshotMeta(): SnapshotMeta {
    return this.#snapshot;
  }

  /**
   * The snapshot at the compaction point: `snapshotMeta()` and the data stored with it by `compact` or
   * `installSnapshot`, read together (it waits for the writes queued before it, and none runs while it
   * reads). The data is empty when none was stored, as for shard groups.
   */
  snapshot(): Promise<Snapshot> {
    return this.#enqueue(async () => {
      const meta = this.#snapshot;
      if (!this.#snapshotDataStored) return { meta, data: EMPTY_VALUE };
      const value: Uint8Array | undefined = await this.#db.get(groupKey(NS_SNAPSHOT, this.groupId));
      if (value === undefined) throw corruptData(`${this.#where}: snapshot data at ${meta.index} is missing`);
      const stored = decodeSnapshotData(value, this.#where);
      if (stored.index !== meta.index || stored.term !== meta.term) {
        throw corruptData(
          `${this.#where}: snapshot data is of ${stored.index}/t${stored.term}, the snapshot is at ${meta.index}/t${meta.term}`,
        );
      }
      return { meta, data: stored.data };
    }, false);
  }

  /** Timestamp of the last entry, 0 when the log is empty. */
  lastTimestampMs(): number {
    return this.#isEmpty() ? 0 : this.#lastTimestampMs;
  }

  async term(index: number): Promise<number | undefined> {
    if (index < this.#firstIndex || index > this.#lastIndex) return undefined;
    if (index === this.#lastIndex) return this.#lastTerm;
    const value: Uint8Array | undefined = await this.#db.get(entryKey(this.groupId, index));
    // Missing only when a trim overtook this read: the entry is gone, as if trimmed before it.
    if (value === undefined) return undefined;
    return decodeEntryValue(index, value, `${this.#where} index ${index}`).term;
  }

  /**
   * Entries in [lo, hi) that are retained, in order and without gaps, stopping once the data bytes
   * returned reach `maxBytes` (so the last entry may cross it; at least one entry is returned when any
   * is in range). Below firstIndex nothing is returned: callers compare the first entry's index to `lo`.
   */
  async entries(lo: number, hi: number, maxBytes: number): Promise<Entry[]> {
    const from = Math.max(lo, this.#firstIndex);
    const to = Math.min(hi, this.#lastIndex + 1);
    if (from >= to) return [];
    // The iterator is created in this same synchronous step, so it reads a snapshot in which every entry
    // in [from, to) exists: trims move firstIndex before they write, appends move lastIndex after.
    const iterator = this.#db.iterator({ gte: entryKey(this.groupId, from), lt: entryKey(this.groupId, to) });
    // With no write running, the snapshot and [from, to) describe the same log, so even a short tail is a
    // hole. During a write, an overwrite may have shortened the log just before the snapshot was taken.
    const tailMustBeWhole = !this.#writing;
    const out: Entry[] = [];
    let bytes = 0;
    let expected = from;
    try {
      while (expected < to) {
        const chunk = await iterator.nextv(Math.min(to - expected, READ_CHUNK_ENTRIES));
        if (chunk.length === 0) break;
        for (const [key, value] of chunk) {
          const index = entryKeyIndex(key);
          if (index !== expected) {
            throw corruptData(`${this.#where}: entry ${expected} is missing (next key holds index ${index})`);
          }
          const entry = decodeEntryValue(index, value, `${this.#where} index ${index}`);
          out.push(entry);
          bytes += entry.data.length;
          expected += 1;
          if (bytes >= maxBytes) return out;
        }
      }
    } finally {
      await iterator.close();
    }
    if (expected < to && tailMustBeWhole) {
      throw corruptData(`${this.#where}: entry ${expected} is missing (the log ends at ${this.#lastIndex})`);
    }
    return out;
  }

  async indexAtTime(timestampMs: number): Promise<number> {
    assert(!Number.isNaN(timestampMs), `${this.#where}: indexAtTime of NaN`);
    if (this.#isEmpty()) return this.#lastIndex + 1;
    // Stored timestamps are whole milliseconds, so "at or after 1000.5" means "at or after 1001".
    const target = Math.ceil(timestampMs);
    // The first retained entry always has a time-index key; answering below it from memory also keeps
    // the seek off the tombstones that trimming leaves at the start of the range.
    if (target <= this.#firstTimeKeyMs) return this.#firstIndex;
    if (target > this.#maxTimestampMs) return this.#lastIndex + 1;
    const keys = await this.#db
      .keys({ gte: timeKey(this.groupId, target, 0), lt: groupKeyEnd(NS_TIME, this.groupId), limit: 1 })
      .all();
    const key = keys[0];
    if (key === undefined) return this.#lastIndex + 1;
    return Math.max(this.#decodeTimeKey(key).index, this.#firstIndex);
  }

  append(entries: readonly Entry[], hardState: HardState | undefined, sync: boolean): Promise<void> {
    return this.#enqueue(() => this.#append(entries, hardState, sync));
  }

  /**
   * Drops entries below `index`, never past lastIndex+1, in atomic chunks of TRIM_CHUNK_ENTRIES. Each
   * chunk deletes its entries and their time-index and config-index keys and records the new first
   * index; a crash between chunks leaves a shorter trim, never a hole. The snapshot metadata stays as it
   * is, so this is for logs without Raft: a Raft group uses `compact`.
   */
  trimBefore(index: number): Promise<void> {
    return this.#enqueue(async () => {
      assert(Number.isSafeInteger(index), `${this.#where}: trimBefore(${index}) needs a safe integer`);
      const target = Math.min(index, this.#lastIndex + 1);
      while (this.#firstIndex < target) {
        const end = Math.min(target, this.#firstIndex + TRIM_CHUNK_ENTRIES);
        await this.#trimChunk(end, { firstIndex: end, snapshot: this.#snapshot, replacing: false });
      }
    });
  }

  /**
   * Compaction after a snapshot or a retention trim under Raft: drops the entries up to `meta.index`
   * (inclusive) and stores `meta` (from `RawNode.compactLog`) as the snapshot metadata, so that the log
   * then starts at `meta.index + 1`. Works in atomic chunks of TRIM_CHUNK_ENTRIES like trimBefore; the
   * first chunk already records `meta` and the final first index, and a group opened after a crash
   * part way deletes the rest. Not synced: a lost compaction leaves the previous one, and more entries.
   *
   * Nothing happens when `meta.index` is not above the current snapshot index. `meta.index` may not be
   * past lastIndex, and when that entry is retained, `meta.term` must be its term (both asserted).
   *
   * `data`, when given, is the state machine's state at `meta.index`: it is stored in the first chunk's
   * batch, with the metadata, and `snapshot()` returns it from then on.
   */
  compact(meta: SnapshotMeta, data?: Uint8Array): Promise<void> {
    return this.#enqueue(async () => {
      this.#checkSnapshotMeta(meta, "compact");
      if (meta.index <= this.#snapshot.index) return;
      assert(
        meta.index <= this.#lastIndex,
        `${this.#where}: compact(${meta.index}) is past the last index ${this.#lastIndex}`,
      );
      if (meta.index >= this.#firstIndex) {
        const term = await this.term(meta.index);
        assert(
          term === meta.term,
          `${this.#where}: compact(${meta.index}) with term ${meta.term}, but the entry's term is ${term}`,
        );
      }
      const stored: GroupMeta = {
        firstIndex: Math.max(this.#firstIndex, meta.index + 1),
        snapshot: meta,
        replacing: false,
      };
      this.#snapshot = meta;
      if (this.#firstIndex >= stored.firstIndex) {
        // The entries are gone already (a trimBefore went further): only the metadata changes.
        const batch = this.#db.batch();
        batch.put(groupKey(NS_GROUP_META, this.groupId), encodeGroupMeta(stored));
        const dataStored = this.#putSnapshotData(batch, meta, data);
        await batch.write({ sync: false });
        this.#snapshotDataStored = dataStored;
        return;
      }
      await this.#trimTo(stored, { meta, data });
    });
  }

  /**
   * A follower installs a snapshot from its leader: the group's whole log goes, and it starts again
   * empty at `meta.index + 1` (the next append starts there), with `meta` as its snapshot metadata.
   * `hardState` and `data` (the state machine's state at `meta.index`), when given, are written in the
   * same synced batch as the metadata (a Ready's snapshot and hard state are one write). The hard state
   * is otherwise kept. Resolves once the metadata is synced and the old keys are gone; a crash in
   * between is finished when the group is next opened.
   */
  installSnapshot(meta: SnapshotMeta, hardState?: HardState, data?: Uint8Array): Promise<void> {
    return this.#enqueue(async () => {
      this.#checkSnapshotMeta(meta, "installSnapshot");
      const stored: GroupMeta = { firstIndex: meta.index + 1, snapshot: meta, replacing: true };
      const batch = this.#db.batch();
      batch.put(groupKey(NS_GROUP_META, this.groupId), encodeGroupMeta(stored));
      if (hardState !== undefined) batch.put(groupKey(NS_HARD_STATE, this.groupId), encodeHardState(hardState));
      const dataStored = this.#putSnapshotData(batch, meta, data);
      await batch.write({ sync: true });
      this.#snapshotDataStored = dataStored;

      this.#firstIndex = meta.index + 1;
      this.#lastIndex = meta.index;
      this.#lastTerm = meta.term;
      this.#lastTimestampMs = 0;
      this.#firstTimeKeyMs = NO_TIMESTAMP;
      this.#maxTimestampMs = NO_TIMESTAMP;
      this.#snapshot = meta;
      if (hardState !== undefined) this.#hardState = hardState;
      await this.#finishReplace();
    });
  }

  /**
   * Every retained Config entry above the snapshot index, in index order, found through the config
   * index. Waits for the writes queued before it, and none runs while it reads.
   */
  configEntries(): Promise<Entry[]> {
    return this.#enqueue(() => this.#readConfigEntries(), false);
  }

  /**
   * What `new RawNode(config, restored, random)` needs after a restart (see RestoredState):
   * - `entries`: the entry at the commit index (`hardState.commitIndex`, brought into
   *   [firstIndex, lastIndex]) and every entry after it. RawNode asserts that it gets all of them, so
   *   this tail is never cut short; its size is bounded by Raft itself (a leader holds at most
   *   `maxUncommittedEntriesBytes` of uncommitted entries), plus whatever the stored commit index lags.
   *   A hard state that was never written (commit 0) makes it the whole log.
   * - `lastTerm`: the snapshot's term when the log is empty.
   * - `configEntries`: as `configEntries()`.
   * - `appliedIndex`: the given one, by default the stored commit index, brought into
   *   [snapshot.index, lastIndex].
   * Asserts that the log starts right after its snapshot (firstIndex = snapshot.index + 1), which
   * trimBefore, or an append past the first index of an empty log, break: a Raft group must use
   * compact and installSnapshot instead. Waits for the writes queued before it, and none runs while it
   * reads.
   */
  restoredState(appliedIndex?: number): Promise<RestoredState> {
    return this.#enqueue(async () => {
      assert(
        appliedIndex === undefined || Number.isSafeInteger(appliedIndex),
        `${this.#where}: restoredState(${appliedIndex}) needs a safe integer`,
      );
      const snapshot = this.#snapshot;
      const firstIndex = this.#firstIndex;
      const lastIndex = this.#lastIndex;
      const hardState = this.#hardState;
      assert(
        firstIndex === snapshot.index + 1,
        `${this.#where}: the log starts at ${firstIndex}, not right after its snapshot index ${snapshot.index}; ` +
          "a Raft group must drop entries with compact or installSnapshot, not trimBefore or an append past its first index",
      );
      const empty = lastIndex < firstIndex;
      const from = Math.max(firstIndex, Math.min(hardState.commitIndex, lastIndex));
      const entries = empty ? [] : await this.entries(from, lastIndex + 1, Infinity);
      assert(
        entries.length === (empty ? 0 : lastIndex + 1 - from),
        `${this.#where}: read ${entries.length} entries of [${from}, ${lastIndex}]`,
      );
      return {
        hardState,
        snapshot,
        firstIndex,
        lastIndex,
        lastTerm: empty ? snapshot.term : this.#lastTerm,
        entries,
        configEntries: await this.#readConfigEntries(),
        appliedIndex: Math.min(Math.max(appliedIndex ?? hardState.commitIndex, snapshot.index), lastIndex),
      };
    }, false);
  }

  /**
   * Deletes every key of the group (entries, hard state, time index, meta, config index) after the writes queued
   * before it. The object is unusable afterwards; `Store.group` opens the group afresh, empty.
   */
  destroy(): Promise<void> {
    assert(!this.#destroyed, `${this.#where}: destroyed twice`);
    this.#destroyed = true;
    const done = this.#tail.then(() =>
      this.#run(async () => {
        for (const ns of GROUP_NAMESPACES) {
          await this.#db.clear({ gte: groupKey(ns, this.groupId), lt: groupKeyEnd(ns, this.groupId) });
        }
      }),
    );
    this.#tail = done.then(noop, noop);
    this.#owner.groupDestroying(this.groupId, done);
    return done;
  }

  /** Resolves once every write queued so far has finished (successfully or not). */
  flushed(): Promise<void> {
    return this.#tail;
  }

  #isEmpty(): boolean {
    return this.#lastIndex < this.#firstIndex;
  }

  /** Runs `op` after every queued write and before any later one; `writes` says whether it writes. */
  #enqueue<T>(op: () => Promise<T>, writes = true): Promise<T> {
    assert(!this.#destroyed, `${this.#where}: used after destroy()`);
    const result = this.#tail.then(() => (writes ? this.#run(op) : op()));
    this.#tail = result.then(noop, noop);
    return result;
  }

  async #run<T>(write: () => Promise<T>): Promise<T> {
    this.#writing = true;
    try {
      return await write();
    } finally {
      this.#writing = false;
    }
  }

  #checkSnapshotMeta(meta: SnapshotMeta, what: string): void {
    assert(
      Number.isSafeInteger(meta.index) && meta.index >= 0 && Number.isSafeInteger(meta.term) && meta.term >= 0,
      `${this.#where}: ${what} needs a non-negative integer index and term (got ${meta.index}, ${meta.term})`,
    );
  }

  /** The retained Config entries above the snapshot index, through the config index. */
  async #readConfigEntries(): Promise<Entry[]> {
    const lo = Math.max(this.#firstIndex, this.#snapshot.index + 1);
    const hi = this.#lastIndex;
    if (lo > hi) return [];
    const keys = await this.#db.keys({ gte: configKey(this.groupId, lo), lt: configKey(this.groupId, hi + 1) }).all();
    const indexes = keys.map((key) => {
      const index = configKeyIndex(key);
      if (index === undefined) throw corruptData(`${this.#where}: malformed config-index key (${key.length} bytes)`);
      return index;
    });
    if (indexes.length === 0) return [];
    const values = await this.#db.getMany(indexes.map((index) => entryKey(this.groupId, index)));
    return indexes.map((index, i) => {
      const value: Uint8Array | undefined = values[i];
      if (value === undefined)
        throw corruptData(`${this.#where}: Config entry ${index} is in the config index but missing`);
      const entry = decodeEntryValue(index, value, `${this.#where} index ${index}`);
      if (entry.type !== EntryType.Config) {
        throw corruptData(`${this.#where}: entry ${index} is in the config index but has type ${entry.type}`);
      }
      return entry;
    });
  }

  /**
   * Trims up to `meta.firstIndex` in chunks, each recording `meta` (a compaction, or its remainder). A
   * compaction's `snapshot` goes into the first chunk's batch: its data, or the deletion of stale data.
   */
  async #trimTo(meta: GroupMeta, snapshot?: { meta: SnapshotMeta; data: Uint8Array | undefined }): Promise<void> {
    let withSnapshot = snapshot;
    while (this.#firstIndex < meta.firstIndex) {
      await this.#trimChunk(Math.min(meta.firstIndex, this.#firstIndex + TRIM_CHUNK_ENTRIES), meta, withSnapshot);
      withSnapshot = undefined;
    }
  }

  /**
   * Adds the snapshot data of `meta` to `batch`, or without `data` the deletion of data stored for an
   * earlier snapshot, so that stored data always matches the snapshot index. Returns whether data is
   * stored once the batch is written.
   */
  #putSnapshotData(batch: BatchOps, meta: SnapshotMeta, data: Uint8Array | undefined): boolean {
    const key = groupKey(NS_SNAPSHOT, this.groupId);
    if (data !== undefined) {
      batch.put(key, encodeSnapshotData({ index: meta.index, term: meta.term, data }));
      return true;
    }
    if (this.#snapshotDataStored) batch.del(key);
    return false;
  }

  /** The end of installSnapshot: clears the old log's keys, then drops the `replacing` flag. */
  async #finishReplace(): Promise<void> {
    for (const ns of [NS_ENTRY, NS_TIME, NS_CONFIG]) {
      await this.#db.clear({ gte: groupKey(ns, this.groupId), lt: groupKeyEnd(ns, this.groupId) });
    }
    // Not synced: should it be lost, a later synced write cannot survive without it (LevelDB's log is
    // replayed in order), and a reopen finds the flag and clears again, which no entry can yet follow.
    const meta: GroupMeta = { firstIndex: this.#firstIndex, snapshot: this.#snapshot, replacing: false };
    await this.#db.put(groupKey(NS_GROUP_META, this.groupId), encodeGroupMeta(meta));
  }

  async #append(entries: readonly Entry[], hardState: HardState | undefined, sync: boolean): Promise<void> {
    const batch = new OpsBatch();
    if (hardState !== undefined) {
      batch.put(groupKey(NS_HARD_STATE, this.groupId), encodeHardState(hardState));
    }
    const first = entries[0];
    if (first === undefined) {
      await this.#owner.write(batch, sync);
      if (hardState !== undefined) this.#hardState = hardState;
      return;
    }
    this.#checkAppend(entries, first.index);
    const lastNew = first.index + entries.length - 1;

    // The running maximum timestamp before the first new entry decides which new entries get a
    // time-index key; NO_TIMESTAMP makes the first retained entry always get one.
    let maxTimestampMs = this.#maxTimestampMs;
    let firstIndex = this.#firstIndex;
    let firstTimeKeyMs = this.#firstTimeKeyMs;
    if (this.#isEmpty()) {
      maxTimestampMs = NO_TIMESTAMP;
      if (first.index > firstIndex) {
        // An empty log may start further on (a follower caught up past the leader's trim point).
        firstIndex = first.index;
        const meta: GroupMeta = { firstIndex, snapshot: this.#snapshot, replacing: false };
        batch.put(groupKey(NS_GROUP_META, this.groupId), encodeGroupMeta(meta));
      }
      // An empty log has no Config entries; this only clears what a partial destroy may have left.
      await this.#deleteConfigKeysFrom(batch, first.index);
    } else if (first.index <= this.#lastIndex) {
      // Raft replaces a conflicting uncommitted suffix: drop its time-index and config-index keys and any
      // entries past the new last one (the others are overwritten by the puts below; LevelDB applies a
      // batch in order, so a Config entry written again at the same index keeps its key).
      maxTimestampMs = await this.#deleteTimeKeysFrom(batch, first.index);
      await this.#deleteConfigKeysFrom(batch, first.index);
      for (let index = lastNew + 1; index <= this.#lastIndex; index++) {
        batch.del(entryKey(this.groupId, index));
      }
    }

    const keys = Buffer.allocUnsafe(ENTRY_KEY_BYTES * entries.length);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const offset = i * ENTRY_KEY_BYTES;
      writeEntryKey(keys, offset, this.groupId, entry.index);
      batch.put(keys.subarray(offset, offset + ENTRY_KEY_BYTES), encodeEntryValue(entry));
      if (entry.type === EntryType.Config) batch.put(configKey(this.groupId, entry.index), EMPTY_VALUE);
      if (entry.timestampMs > maxTimestampMs) {
        batch.put(timeKey(this.groupId, entry.timestampMs, entry.index), EMPTY_VALUE);
        maxTimestampMs = entry.timestampMs;
        if (entry.index === firstIndex) firstTimeKeyMs = entry.timestampMs;
      }
    }
    await this.#owner.write(batch, sync);

    const last = entries[entries.length - 1]!;
    this.#firstIndex = firstIndex;
    this.#lastIndex = lastNew;
    this.#lastTerm = last.term;
    this.#lastTimestampMs = last.timestampMs;
    this.#firstTimeKeyMs = firstTimeKeyMs;
    this.#maxTimestampMs = maxTimestampMs;
    if (hardState !== undefined) this.#hardState = hardState;
  }

  #checkAppend(entries: readonly Entry[], firstIndex: number): void {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      assert(
        entry.index === firstIndex + i,
        `${this.#where}: appended entries are not contiguous (entry ${i} has index ${entry.index}, expected ${firstIndex + i})`,
      );
      assert(
        Number.isSafeInteger(entry.term) &&
          entry.term >= 0 &&
          Number.isSafeInteger(entry.timestampMs) &&
          entry.timestampMs >= 0,
        `${this.#where}: entry ${entry.index} needs a non-negative integer term and timestampMs`,
      );
    }
    assert(
      Number.isSafeInteger(firstIndex) && firstIndex >= this.#firstIndex,
      `${this.#where}: append at ${firstIndex} is below the first retained index ${this.#firstIndex}`,
    );
    assert(
      this.#isEmpty() || firstIndex <= this.#lastIndex + 1,
      `${this.#where}: append at ${firstIndex} leaves a gap after the last index ${this.#lastIndex}`,
    );
  }

  /**
   * Adds deletes of the time-index keys of entries >= `index` to `batch` and returns the running maximum
   * timestamp of the entries before `index` (NO_TIMESTAMP when there are none). The keys are sorted by
   * index as well as by timestamp, so a reverse walk meets exactly the keys to drop first.
   */
  async #deleteTimeKeysFrom(batch: OpsBatch, index: number): Promise<number> {
    const keys = this.#db.keys({
      gte: groupKey(NS_TIME, this.groupId),
      lt: groupKeyEnd(NS_TIME, this.groupId),
      reverse: true,
    });
    try {
      for await (const key of keys) {
        const decoded = this.#decodeTimeKey(key);
        if (decoded.index < index) return decoded.timestampMs;
        batch.del(key);
      }
    } finally {
      await keys.close();
    }
    return NO_TIMESTAMP;
  }

  /** Adds deletes of the config-index keys of entries >= `index` to `batch`. */
  async #deleteConfigKeysFrom(batch: OpsBatch, index: number): Promise<void> {
    const keys = await this.#db
      .keys({ gte: configKey(this.groupId, index), lt: groupKeyEnd(NS_CONFIG, this.groupId) })
      .all();
    for (const key of keys) batch.del(key);
  }

  /**
   * One atomic step of trimBefore or compact: entries [firstIndex, end) go, with their time-index and
   * config-index keys, and `meta` is written (trimBefore: the old snapshot and `end` as first index;
   * compact: its final metadata, and in its first chunk the snapshot data).
   */
  async #trimChunk(
    end: number,
    meta: GroupMeta,
    snapshot?: { meta: SnapshotMeta; data: Uint8Array | undefined },
  ): Promise<void> {
    const batch = this.#db.batch();
    for (let index = this.#firstIndex; index < end; index++) {
      batch.del(entryKey(this.groupId, index));
    }
    const configKeys = await this.#db
      .keys({ gte: configKey(this.groupId, this.#firstIndex), lt: configKey(this.groupId, end) })
      .all();
    for (const key of configKeys) batch.del(key);
    // Start at the first retained entry's key, skipping the tombstones of earlier trims.
    const keys = this.#db.keys({
      gte: timeKey(this.groupId, this.#firstTimeKeyMs, this.#firstIndex),
      lt: groupKeyEnd(NS_TIME, this.groupId),
    });
    let lastDropped: TimeKey | undefined;
    let kept: TimeKey | undefined;
    try {
      for await (const key of keys) {
        const decoded = this.#decodeTimeKey(key);
        if (decoded.index >= end) {
          kept = decoded;
          break;
        }
        batch.del(key);
        lastDropped = decoded;
      }
    } finally {
      await keys.close();
    }

    const nowEmpty = end > this.#lastIndex;
    let firstTimeKeyMs = kept?.timestampMs ?? NO_TIMESTAMP;
    if (!nowEmpty && kept?.index !== end) {
      // Entry `end` shares its millisecond run with dropped entries: its key went with them, so it gets
      // its own, keeping "the first retained entry has a time-index key" true.
      if (lastDropped === undefined) {
        throw corruptData(`${this.#where}: no time-index key covers entry ${end}`);
      }
      batch.put(timeKey(this.groupId, lastDropped.timestampMs, end), EMPTY_VALUE);
      firstTimeKeyMs = lastDropped.timestampMs;
    }
    batch.put(groupKey(NS_GROUP_META, this.groupId), encodeGroupMeta(meta));
    const dataStored =
      snapshot === undefined ? this.#snapshotDataStored : this.#putSnapshotData(batch, snapshot.meta, snapshot.data);

    // Readers stop asking for the dropped entries before they go (see entries()).
    this.#firstIndex = end;
    this.#firstTimeKeyMs = firstTimeKeyMs;
    if (nowEmpty) this.#maxTimestampMs = NO_TIMESTAMP;
    // Not synced: a trim lost in a machine crash only leaves more entries, and is redone (with the
    // snapshot data of its batch: the previous snapshot and the data stored with it are what remain).
    await batch.write({ sync: false });
    this.#snapshotDataStored = dataStored;
  }

  #decodeTimeKey(key: Uint8Array): TimeKey {
    const decoded = decodeTimeKey(key);
    if (decoded === undefined) throw corruptData(`${this.#where}: malformed time-index key (${key.length} bytes)`);
    return decoded;
  }
}

async function firstKey(db: Db, ns: number, groupId: number, reverse: boolean): Promise<Uint8Array | undefined> {
  const keys = await db.keys({ gte: groupKey(ns, groupId), lt: groupKeyEnd(ns, groupId), reverse, limit: 1 }).all();
  return keys[0];
}

async function loadState(db: Db, groupId: number): Promise<LoadedState> {
  const where = `group ${groupId}`;
  const [metaValue, hardStateValue, firstEntryKey, lastEntries, firstTimeKey, lastTimeKey, snapshotDataKey] =
    await Promise.all([
      db.get(groupKey(NS_GROUP_META, groupId)) as Promise<Uint8Array | undefined>,
      db.get(groupKey(NS_HARD_STATE, groupId)) as Promise<Uint8Array | undefined>,
      firstKey(db, NS_ENTRY, groupId, false),
      db
        .iterator({ gte: groupKey(NS_ENTRY, groupId), lt: groupKeyEnd(NS_ENTRY, groupId), reverse: true, limit: 1 })
        .all(),
      firstKey(db, NS_TIME, groupId, false),
      firstKey(db, NS_TIME, groupId, true),
      // Only whether it exists: the data itself (up to a few MiB) is read when a snapshot is asked for.
      firstKey(db, NS_SNAPSHOT, groupId, false),
    ]);
  const snapshotDataStored = snapshotDataKey !== undefined;
  const hardState = hardStateValue === undefined ? EMPTY_HARD_STATE : decodeHardState(hardStateValue, where);
  const keyIndex = (key: Uint8Array): number => {
    const index = entryKeyIndex(key);
    if (index === undefined) throw corruptData(`${where}: malformed entry key (${key.length} bytes)`);
    return index;
  };
  const meta = metaValue === undefined ? undefined : decodeGroupMeta(metaValue, where);
  const snapshot = meta?.snapshot ?? EMPTY_SNAPSHOT_META;
  const emptyAt = (firstIndex: number, resume: Resume | undefined): LoadedState => ({
    firstIndex,
    lastIndex: firstIndex - 1,
    lastTerm: snapshot.term,
    lastTimestampMs: 0,
    firstTimeKeyMs: NO_TIMESTAMP,
    maxTimestampMs: NO_TIMESTAMP,
    hardState,
    snapshot,
    snapshotDataStored,
    resume,
  });
  // An installSnapshot did not finish: whatever keys are left are stale, and go when the group opens.
  if (meta?.replacing === true) return emptyAt(meta.firstIndex, { kind: "replace" });

  const lastEntry = lastEntries[0];
  if (lastEntry === undefined || firstEntryKey === undefined) {
    return emptyAt(meta?.firstIndex ?? 1, undefined);
  }
  // Entries below the recorded first index are what an interrupted compaction left (its first chunk
  // recorded the final first index): the log is loaded from the first stored entry, and opening the
  // group finishes the trim.
  const storedFirstIndex = keyIndex(firstEntryKey);
  const leftover = meta !== undefined && storedFirstIndex < meta.firstIndex;
  const firstIndex = meta === undefined || leftover ? storedFirstIndex : meta.firstIndex;
  const resume: Resume | undefined = leftover ? { kind: "trim", meta } : undefined;
  const lastIndex = keyIndex(lastEntry[0]);
  // A compaction never goes past the last entry; without one, every stored entry is at or above the first.
  if (leftover && lastIndex < meta.firstIndex - 1) {
    throw corruptData(`${where}: last entry ${lastIndex} is below the compaction point ${meta.firstIndex - 1}`);
  }
  const last = decodeEntryValue(lastIndex, lastEntry[1], `${where} index ${lastIndex}`);
  const firstTime = firstTimeKey === undefined ? undefined : decodeTimeKey(firstTimeKey);
  const lastTime = lastTimeKey === undefined ? undefined : decodeTimeKey(lastTimeKey);
  if (firstTime?.index !== firstIndex || lastTime === undefined) {
    throw corruptData(`${where}: the time index does not start at the first retained entry ${firstIndex}`);
  }
  return {
    firstIndex,
    lastIndex,
    lastTerm: last.term,
    lastTimestampMs: last.timestampMs,
    firstTimeKeyMs: firstTime.timestampMs,
    maxTimestampMs: lastTime.timestampMs,
    hardState,
    snapshot,
    snapshotDataStored,
    resume,
  };
}
