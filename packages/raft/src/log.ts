/**
 * A node's view of its log. The log itself lives in durable storage, which the pure core cannot read
 * (reads are asynchronous), so this keeps in memory a contiguous window [memFirst, lastIndex] of it:
 * every entry not yet durable, committed or applied, plus a recent tail bounded in bytes. Entries below
 * the window are loaded on request (see loads.ts).
 *
 * It also keeps the log's bookkeeping: the compaction point (snapshot), the commit, applied and durable
 * indexes, and which entries still have to be handed to the driver for persisting.
 *
 * Terms are known for every index of the window and for the entry just below it when that is known;
 * the follower never needs more, because entries at or below its commit index match every leader's
 * (Leader Completeness, §5.4) and only entries above it are ever checked or overwritten.
 */
import { assert } from "@eddy/core";

import { entrySizeBytes, type ConfState, type Entry, type RestoredState, type SnapshotMeta } from "./types.js";

/** What a follower's append did: the last index now known to match the leader, and what changed. */
export interface AppendOutcome {
  readonly lastNewIndex: number;
  /** Set when a conflicting suffix from this index on was dropped. */
  readonly truncatedFrom: number | undefined;
  readonly appended: readonly Entry[];
}

/** Entries the in-memory array may hold before it is compacted after dropping its front. */
const MEM_COMPACT_MIN_ENTRIES = 256;

export class RaftLog {
  #snapshot: SnapshotMeta;
  #lastIndex: number;
  #lastTimestampMs: number;

  /** The window: #mem[#head] is the entry at #memFirst. */
  #mem: Entry[];
  #head = 0;
  #memFirst: number;
  /** Term of the entry at #memFirst - 1, when known. */
  #memPrevTerm: number | undefined;
  #memBytes = 0;

  #commitIndex: number;
  #appliedIndex: number;
  /** Every entry up to here is durable and matches this log. */
  #durableIndex: number;
  /** First entry not yet handed out for persisting. */
  #unstableFrom: number;
  /** Lowest index overwritten (or discarded by a snapshot) since entries were last handed out. */
  #overwrittenSinceHandOut = Infinity;
  /** Bumped whenever entries at existing indexes change, so that loads started before are discarded. */
  #epoch = 0;

  constructor(restored: RestoredState) {
    const { snapshot, entries, hardState } = restored;
    assert(restored.firstIndex === snapshot.index + 1, "restored firstIndex must be snapshot.index + 1");
    assert(restored.lastIndex >= snapshot.index, "restored lastIndex is below the snapshot");
    this.#snapshot = snapshot;
    this.#lastIndex = restored.lastIndex;
    this.#mem = [...entries];
    this.#memFirst = entries[0]?.index ?? restored.lastIndex + 1;
    this.#memPrevTerm = this.#memFirst - 1 === snapshot.index ? snapshot.term : undefined;
    if (entries.length === 0) {
      assert(restored.lastIndex === snapshot.index, "restored entries must include the last entry");
      assert(
        restored.lastTerm === snapshot.term,
        "restored lastTerm must be the snapshot's term when the log is empty",
      );
    }
    entries.forEach((entry, i) => {
      assert(entry.index === this.#memFirst + i, "restored entries must be contiguous");
      this.#memBytes += entrySizeBytes(entry);
    });
    const last = entries.at(-1);
    assert(
      last === undefined || (last.index === restored.lastIndex && last.term === restored.lastTerm),
      "restored entries must end at lastIndex/lastTerm",
    );
    this.#lastTimestampMs = last?.timestampMs ?? 0;
    // A compaction only ever drops applied, hence committed, entries.
    this.#commitIndex = Math.max(hardState.commitIndex, snapshot.index);
    assert(this.#commitIndex <= this.#lastIndex, "restored commit index is beyond the last index");
    // The entry at the commit index is needed too: its term is the base for checking the entries above.
    assert(
      this.#memFirst >= snapshot.index + 1 && this.#memFirst <= Math.max(this.#commitIndex, snapshot.index + 1),
      "restored entries must hold the entry at the commit index and every entry above it",
    );
    this.#appliedIndex = Math.max(restored.appliedIndex, snapshot.index);
    assert(this.#appliedIndex <= this.#commitIndex, "restored applied index is beyond the commit index");
    this.#durableIndex = this.#lastIndex;
    this.#unstableFrom = this.#lastIndex + 1;
  }

  get snapshot(): SnapshotMeta {
    return this.#snapshot;
  }
  get firstIndex(): number {
    return this.#snapshot.index + 1;
  }
  get lastIndex(): number {
    return this.#lastIndex;
  }
  get lastTerm(): number {
    return this.term(this.#lastIndex)!;
  }
  get lastTimestampMs(): number {
    return this.#lastTimestampMs;
  }
  get memFirst(): number {
    return this.#memFirst;
  }
  get memBytes(): number {
    return this.#memBytes;
  }
  get commitIndex(): number {
    return this.#commitIndex;
  }
  get appliedIndex(): number {
    return this.#appliedIndex;
  }
  get durableIndex(): number {
    return this.#durableIndex;
  }
  get epoch(): number {
    return this.#epoch;
  }

  /** The term of the entry at `index`, or undefined when it is outside what this node knows without a read. */
  term(index: number): number | undefined {
    if (index === this.#snapshot.index) return this.#snapshot.term;
    if (index > this.#lastIndex || index < this.#snapshot.index) return undefined;
    if (index >= this.#memFirst) return this.#at(index).term;
    return index === this.#memFirst - 1 ? this.#memPrevTerm : undefined;
  }

  /** The entry at `index` if it is in memory. */
  entry(index: number): Entry | undefined {
    return index >= this.#memFirst && index <= this.#lastIndex ? this.#at(index) : undefined;
  }

  /** Whether a log ending at (lastIndex, lastTerm) is at least as up-to-date as this one (§5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourLastTerm = this.lastTerm;
    return lastTerm > ourLastTerm || (lastTerm === ourLastTerm && lastIndex >= this.#lastIndex);
  }

  /**
   * Entries [lo, hi) from memory, stopping once `maxBytes` is reached (at least one entry), or undefined
   * when lo is below the window and they must be loaded.
   */
  slice(lo: number, hi: number, maxBytes: number): Entry[] | undefined {
    assert(lo <= hi && hi <= this.#lastIndex + 1, `slice [${lo}, ${hi}) beyond the log (last ${this.#lastIndex})`);
    if (lo < this.#memFirst) return undefined;
    const out: Entry[] = [];
    let bytes = 0;
    for (let index = lo; index < hi; index++) {
      const entry = this.#at(index);
      bytes += entrySizeBytes(entry);
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  /** The leader's own append. */
  appendAsLeader(entry: Entry): void {
    this.#push(entry);
  }

  /**
   * A follower's append (§5.3): entries following (prevIndex, prevTerm) from the leader. Entries that
   * already match are kept (messages may be duplicated or reordered); a conflicting suffix is replaced.
   * Undefined when the log does not contain (prevIndex, prevTerm). The caller handles
   * prevIndex < commitIndex, which needs no check.
   */
  maybeAppend(
    prevIndex: number,
    prevTerm: number,
    leaderCommit: number,
    entries: readonly Entry[],
  ): AppendOutcome | undefined {
    assert(prevIndex >= this.#commitIndex, "maybeAppend below the commit index");
    if (this.term(prevIndex) !== prevTerm) return undefined;
    assert(entries.length === 0 || entries[0]!.index === prevIndex + 1, "MsgApp entries must follow prevIndex");
    const lastNewIndex = prevIndex + entries.length;
    const conflict = this.#findConflict(entries);
    let appended: readonly Entry[] = [];
    let truncatedFrom: number | undefined;
    if (conflict !== undefined) {
      // Committed entries are never overwritten (§5.4): they match every leader's log.
      assert(
        conflict > this.#commitIndex,
        `entry ${conflict} conflicts but is committed (commit ${this.#commitIndex})`,
      );
      if (conflict <= this.#lastIndex) {
        truncatedFrom = conflict;
        this.#truncateFrom(conflict);
      }
      appended = entries.slice(conflict - (prevIndex + 1));
      for (const entry of appended) this.#push(entry);
    }
    this.commitTo(Math.min(leaderCommit, lastNewIndex));
    return { lastNewIndex, truncatedFrom, appended };
  }

  /**
   * The largest index k <= index whose term is <= term, searched in memory; terms never decrease along a
   * log, so a binary search finds it. Below the window the answer is a bound the caller probes from.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number | undefined } {
    assert(index <= this.#lastIndex, "findConflictByTerm beyond the last index");
    if (index < this.#memFirst) return { index, term: this.term(index) };
    if (this.#at(this.#memFirst).term > term) return { index: this.#memFirst - 1, term: this.#memPrevTerm };
    let lo = this.#memFirst;
    let hi = index;
    while (lo < hi) {
      const mid = lo + Math.ceil((hi - lo) / 2);
      if (this.#at(mid).term <= term) lo = mid;
      else hi = mid - 1;
    }
    return { index: lo, term: this.#at(lo).term };
  }

  commitTo(index: number): void {
    if (index <= this.#commitIndex) return;
    assert(
      index <= this.#lastIndex,
      `commit index ${index} beyond the last index ${this.#lastIndex}: was the log lost?`,
    );
    this.#commitIndex = index;
  }

  appliedTo(index: number): void {
    assert(
      index > this.#appliedIndex && index <= Math.min(this.#commitIndex, this.#durableIndex),
      `applied index ${index} out of range`,
    );
    this.#appliedIndex = index;
  }

  /** Committed entries may be applied once they are durable here too. */
  get applyLimit(): number {
    return Math.min(this.#commitIndex, this.#durableIndex);
  }

  hasUnstable(): boolean {
    return this.#unstableFrom <= this.#lastIndex;
  }

  /** Hands out the entries to persist with the next Ready. */
  takeUnstable(): Entry[] {
    const entries = this.slice(this.#unstableFrom, this.#lastIndex + 1, Infinity);
    assert(entries !== undefined, "unstable entries must be in memory");
    this.#unstableFrom = this.#lastIndex + 1;
    this.#overwrittenSinceHandOut = Infinity;
    return entries;
  }

  /** The driver made the handed-out entries up to `index` durable; ignore those overwritten meanwhile. */
  persistedTo(index: number): void {
    this.#durableIndex = Math.max(this.#durableIndex, Math.min(index, this.#overwrittenSinceHandOut - 1));
  }

  /** Replaces the whole log by a snapshot (a follower installing one, §7). */
  restore(meta: SnapshotMeta): void {
    assert(meta.index > this.#commitIndex, "a snapshot at or below the commit index is never installed");
    this.#snapshot = meta;
    this.#lastIndex = meta.index;
    this.#mem = [];
    this.#head = 0;
    this.#memFirst = meta.index + 1;
    this.#memPrevTerm = meta.term;
    this.#memBytes = 0;
    // The snapshot is handed out with the next Ready, before anything that depends on these indexes.
    this.#commitIndex = meta.index;
    this.#appliedIndex = meta.index;
    this.#durableIndex = meta.index;
    this.#unstableFrom = meta.index + 1;
    this.#overwrittenSinceHandOut = 0;
    this.#epoch++;
  }

  /** The driver dropped (or will drop) the entries up to `index` from storage. */
  compact(index: number, term: number, conf: ConfState): void {
    assert(index <= this.#appliedIndex, `compaction at ${index} beyond the applied index ${this.#appliedIndex}`);
    const known = this.term(index);
    assert(
      known === undefined || known === term,
      `compaction term ${term} differs from the log's ${known} at ${index}`,
    );
    this.#snapshot = { index, term, conf };
    while (this.#memFirst <= index) this.#dropFront();
    if (this.#memFirst === index + 1) this.#memPrevTerm = term;
  }

  /** Drops the oldest entries that are durable, committed and applied while memory exceeds `maxBytes`. */
  trimMemory(maxBytes: number): void {
    const droppable = Math.min(this.#durableIndex, this.#commitIndex, this.#appliedIndex);
    while (this.#memBytes > maxBytes && this.#memFirst <= droppable) this.#dropFront();
    if (this.#head >= MEM_COMPACT_MIN_ENTRIES && this.#head * 2 >= this.#mem.length) {
      this.#mem = this.#mem.slice(this.#head);
      this.#head = 0;
    }
  }

  #at(index: number): Entry {
    return this.#mem[this.#head + index - this.#memFirst]!;
  }

  #push(entry: Entry): void {
    assert(
      entry.index === this.#lastIndex + 1,
      `entry ${entry.index} does not follow the last index ${this.#lastIndex}`,
    );
    assert(entry.term >= this.lastTerm, `entry term ${entry.term} below the last term ${this.lastTerm}`);
    this.#mem.push(entry);
    this.#memBytes += entrySizeBytes(entry);
    this.#lastIndex = entry.index;
    this.#lastTimestampMs = Math.max(this.#lastTimestampMs, entry.timestampMs);
  }

  #findConflict(entries: readonly Entry[]): number | undefined {
    for (const entry of entries) {
      if (entry.index > this.#lastIndex || this.term(entry.index) !== entry.term) return entry.index;
    }
    return undefined;
  }

  #truncateFrom(index: number): void {
    assert(index >= this.#memFirst && index <= this.#lastIndex, "truncation outside the window");
    for (let i = index; i <= this.#lastIndex; i++) this.#memBytes -= entrySizeBytes(this.#at(i));
    this.#mem.length = this.#head + index - this.#memFirst;
    this.#lastIndex = index - 1;
    this.#unstableFrom = Math.min(this.#unstableFrom, index);
    this.#durableIndex = Math.min(this.#durableIndex, index - 1);
    this.#overwrittenSinceHandOut = Math.min(this.#overwrittenSinceHandOut, index);
    this.#epoch++;
  }

  #dropFront(): void {
    const entry = this.#at(this.#memFirst);
    this.#memBytes -= entrySizeBytes(entry);
    this.#memPrevTerm = entry.term;
    this.#head++;
    this.#memFirst++;
  }
}
