/**
 * A Raft log store in memory, for tests and the simulator. It keeps what was written apart from what
 * was synced, like a disk with a page cache: reads see every write, but a crash keeps only the synced
 * writes and, of the unsynced ones, as many as the caller says the operating system happened to flush
 * (always a prefix: a later write never survives without the earlier ones, as with LevelDB's log).
 *
 * Each write is atomic: a Ready's snapshot, entries and hard state are one write.
 */
import { assert } from "@eddy/core";

import { decodeConfigEntry } from "./conf-change.js";
import {
  EMPTY_HARD_STATE,
  EntryType,
  entrySizeBytes,
  type ConfState,
  type Entry,
  type HardState,
  type LogStorage,
  type RestoredState,
  type Snapshot,
} from "./types.js";

/** What a Ready asks to persist. */
export interface ReadyWrite {
  readonly snapshot?: Snapshot | undefined;
  readonly entries: readonly Entry[];
  readonly hardState?: HardState | undefined;
}

type WriteOp =
  { readonly kind: "ready"; readonly write: ReadyWrite } | { readonly kind: "compact"; readonly snapshot: Snapshot };

interface StoreState {
  snapshot: Snapshot;
  /** entries[i] is the entry at snapshot.meta.index + 1 + i. */
  entries: Entry[];
  hardState: HardState;
}

const NO_DATA = new Uint8Array(0);

export class MemoryStorage implements LogStorage {
  #written: StoreState;
  #synced: StoreState;
  #unsynced: WriteOp[] = [];

  constructor(snapshot: Snapshot, hardState: HardState = EMPTY_HARD_STATE) {
    this.#written = { snapshot, entries: [], hardState };
    this.#synced = { snapshot, entries: [], hardState };
  }

  /** The store of a member of a brand-new group whose initial configuration is `conf`. */
  static create(conf: ConfState): MemoryStorage {
    return new MemoryStorage({ meta: { index: 0, term: 0, conf }, data: NO_DATA });
  }

  // Reads see every write, synced or not.

  firstIndex(): number {
    return this.#written.snapshot.meta.index + 1;
  }

  lastIndex(): number {
    return this.#written.snapshot.meta.index + this.#written.entries.length;
  }

  hardState(): HardState {
    return this.#written.hardState;
  }

  snapshot(): Snapshot {
    return this.#written.snapshot;
  }

  termAt(index: number): number | undefined {
    const { snapshot } = this.#written;
    if (index === snapshot.meta.index) return snapshot.meta.term;
    return this.#entryAt(index)?.term;
  }

  /** Entries [lo, hi) (hi clamped to the log's end), stopping once maxBytes is reached (at least one); none when lo was trimmed. */
  readEntries(lo: number, hi: number, maxBytes: number): Entry[] {
    if (lo < this.firstIndex()) return [];
    const out: Entry[] = [];
    let bytes = 0;
    for (let index = lo; index < Math.min(hi, this.lastIndex() + 1); index++) {
      const entry = this.#entryAt(index)!;
      bytes += entrySizeBytes(entry);
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  term(index: number): Promise<number | undefined> {
    return Promise.resolve(this.termAt(index));
  }

  entries(lo: number, hi: number, maxBytes: number): Promise<Entry[]> {
    return Promise.resolve(this.readEntries(lo, hi, maxBytes));
  }

  indexAtTime(timestampMs: number): Promise<number> {
    const { entries } = this.#written;
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (entries[mid]!.timestampMs >= timestampMs) hi = mid;
      else lo = mid + 1;
    }
    return Promise.resolve(this.firstIndex() + lo);
  }

  // Writes.

  append(entries: readonly Entry[], hardState: HardState | undefined, sync: boolean): Promise<void> {
    this.writeReady({ entries, hardState });
    if (sync) this.sync();
    return Promise.resolve();
  }

  /** A Ready's snapshot, entries and hard state, as one atomic write; durable after `sync`. */
  writeReady(write: ReadyWrite): void {
    this.#write({ kind: "ready", write });
  }

  /** Stores `snapshot` and drops the entries up to its index (a snapshot or a retention trim). */
  compact(snapshot: Snapshot): void {
    assert(snapshot.meta.index <= this.lastIndex(), "compaction beyond the last index");
    this.#write({ kind: "compact", snapshot });
  }

  /** Retention: drops the entries below `index`, keeping their last term and configuration as an empty snapshot. */
  trimBefore(index: number): Promise<void> {
    const last = index - 1;
    if (last > this.#written.snapshot.meta.index) {
      const term = this.termAt(last);
      assert(term !== undefined, `no entry at ${last} to trim to`);
      this.compact({ meta: { index: last, term, conf: this.confAt(last) }, data: NO_DATA });
    }
    return Promise.resolve();
  }

  /** Makes every write so far durable. */
  sync(): void {
    for (const op of this.#unsynced) applyOp(this.#synced, op);
    this.#unsynced = [];
  }

  get unsyncedWrites(): number {
    return this.#unsynced.length;
  }

  /** A crash: the first `keepUnsynced` unsynced writes happened to reach the disk, the rest are lost. */
  crash(keepUnsynced: number): void {
    for (const op of this.#unsynced.slice(0, keepUnsynced)) applyOp(this.#synced, op);
    this.#unsynced = [];
    const { snapshot, entries, hardState } = this.#synced;
    this.#written = { snapshot, entries: [...entries], hardState };
  }

  /** The configuration in effect at `index`, from the log's Config entries or the snapshot. */
  confAt(index: number): ConfState {
    const { snapshot, entries } = this.#written;
    for (let i = Math.min(index, this.lastIndex()) - snapshot.meta.index - 1; i >= 0; i--) {
      const entry = entries[i]!;
      if (entry.type === EntryType.Config) return decodeConfigEntry(entry.data).conf;
    }
    return snapshot.meta.conf;
  }

  /** What a restarting node finds here (see RestoredState); the state machine starts from the snapshot. */
  restoredState(): RestoredState {
    const { snapshot, entries, hardState } = this.#written;
    const meta = snapshot.meta;
    const lastIndex = this.lastIndex();
    assert(hardState.commitIndex <= lastIndex, "stored commit index beyond the stored log");
    const from = hardState.commitIndex > meta.index ? hardState.commitIndex : meta.index + 1;
    return {
      hardState,
      snapshot: meta,
      firstIndex: meta.index + 1,
      lastIndex,
      lastTerm: this.termAt(lastIndex)!,
      entries: this.readEntries(from, lastIndex + 1, Infinity),
      configEntries: entries.filter((entry) => entry.type === EntryType.Config),
      appliedIndex: meta.index,
    };
  }

  #entryAt(index: number): Entry | undefined {
    return this.#written.entries[index - this.#written.snapshot.meta.index - 1];
  }

  #write(op: WriteOp): void {
    applyOp(this.#written, op);
    this.#unsynced.push(op);
  }
}

function applyOp(state: StoreState, op: WriteOp): void {
  if (op.kind === "compact") return compactState(state, op.snapshot);
  const { snapshot, entries, hardState } = op.write;
  if (snapshot !== undefined) {
    state.snapshot = snapshot;
    state.entries = [];
  }
  const first = entries[0];
  if (first !== undefined) {
    const base = state.snapshot.meta.index;
    assert(
      first.index > base && first.index <= base + state.entries.length + 1,
      `write at ${first.index} leaves a gap`,
    );
    state.entries.length = first.index - base - 1;
    for (const entry of entries) state.entries.push(entry);
  }
  if (hardState !== undefined) state.hardState = hardState;
}

function compactState(state: StoreState, snapshot: Snapshot): void {
  const base = state.snapshot.meta.index;
  if (snapshot.meta.index <= base) return;
  state.entries = state.entries.slice(snapshot.meta.index - base);
  state.snapshot = snapshot;
}
