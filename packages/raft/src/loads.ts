/**
 * Reads the core asks the driver for. Storage is asynchronous and the core cannot wait, so when it
 * needs entries below its in-memory window (for a lagging follower, or to apply after a restart) or a
 * snapshot (for a follower below the log's first index), it puts a request with an id in the Ready;
 * the driver reads and hands the result back with `RawNode.entriesLoaded` / `snapshotLoaded`.
 *
 * Results can arrive after the world moved on (a new term, a truncated log, a compaction); each
 * pending request remembers what it was for, so that a stale result is recognized and dropped.
 */

/** Read entries [lo, hi) from storage, stopping once `maxBytes` is reached (at least one entry). */
export interface EntryLoad {
  readonly id: number;
  readonly lo: number;
  readonly hi: number;
  readonly maxBytes: number;
}

/**
 * Hand over the latest snapshot, at an index of at least `minIndex` (the log's compaction point; an older one is dropped and asked for again later), to
 * send to follower `to`.
 */
export interface SnapshotLoad {
  readonly id: number;
  readonly to: string;
  readonly minIndex: number;
}

export type PendingLoad =
  | {
      readonly kind: "replicate";
      readonly to: string;
      readonly term: number;
      readonly next: number;
      readonly lo: number;
      readonly epoch: number;
    }
  | { readonly kind: "apply"; readonly lo: number }
  | { readonly kind: "snapshot"; readonly to: string; readonly term: number };

export class LoadBook {
  #nextId = 1;
  readonly #pending = new Map<number, PendingLoad>();
  #entryLoads: EntryLoad[] = [];
  #snapshotLoads: SnapshotLoad[] = [];
  /** An apply load is outstanding; at most one at a time. */
  applyPending = false;

  get hasRequests(): boolean {
    return this.#entryLoads.length > 0 || this.#snapshotLoads.length > 0;
  }

  requestEntries(purpose: PendingLoad, lo: number, hi: number, maxBytes: number): number {
    const id = this.#nextId++;
    this.#pending.set(id, purpose);
    this.#entryLoads.push({ id, lo, hi, maxBytes });
    return id;
  }

  requestSnapshot(purpose: PendingLoad & { kind: "snapshot" }, minIndex: number): number {
    const id = this.#nextId++;
    this.#pending.set(id, purpose);
    this.#snapshotLoads.push({ id, to: purpose.to, minIndex });
    return id;
  }

  /** The pending request `id` answers, forgotten from now on; undefined for an unknown id. */
  settle(id: number): PendingLoad | undefined {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    return pending;
  }

  takeRequests(): { entryLoads: EntryLoad[]; snapshotLoads: SnapshotLoad[] } {
    const taken = { entryLoads: this.#entryLoads, snapshotLoads: this.#snapshotLoads };
    this.#entryLoads = [];
    this.#snapshotLoads = [];
    return taken;
  }
}
