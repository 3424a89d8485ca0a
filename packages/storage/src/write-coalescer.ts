/**
 * Group commit at the store. A broker writes the logs of many Raft groups into one LevelDB, and each
 * group's write (entries, hard state) is small next to the fixed cost of a write: a call into the
 * native binding, a trip through its thread pool, a log record and, for acknowledged batches, a sync.
 * Writes that arrive in the same event-loop turn, or while one is in flight, wait and then go together
 * as the next LevelDB batch, synced if any of them must be. An idle store writes at the end of the
 * current turn (setImmediate), so that the groups a single peer frame or a single burst of puts woke
 * share one write: one peer frame often carries appends for several groups, each of which runs its
 * own Raft turn in a microtask of that same turn. A busy store writes fewer, larger batches, as the
 * append path does for puts.
 *
 * Each group's own writes stay in order (a GroupLog starts a write only when its previous one is done),
 * and a LevelDB batch is atomic, so merging the writes of several groups keeps each write whole.
 */
import type { Db } from "./group-log.js";

export type WriteOp =
  | { readonly type: "put"; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: "del"; readonly key: Uint8Array };

/** Puts and deletes collected for one write, in the order given; the buffers must not change until it is done. */
export class OpsBatch {
  readonly ops: WriteOp[] = [];

  put(key: Uint8Array, value: Uint8Array): this {
    this.ops.push({ type: "put", key, value });
    return this;
  }

  del(key: Uint8Array): this {
    this.ops.push({ type: "del", key });
    return this;
  }
}

interface Waiting {
  readonly ops: WriteOp[];
  sync: boolean;
  readonly settle: Array<(error: unknown) => void>;
}

export class WriteCoalescer {
  #next: Waiting | undefined;
  /** A drain is scheduled or running: new writes join `#next`. */
  #writing = false;
  /** LevelDB batches written, and the group writes they carried: how much the coalescing saves. */
  batches = 0;
  writes = 0;

  /** LevelDB's array form of batch (one native call), typed for the operations built here. */
  readonly #batch: (ops: readonly WriteOp[], options: { sync: boolean }) => Promise<void>;

  constructor(db: Db) {
    // Our ops are exactly its put and del operations; the cast only drops its readonly-unaware typing.
    const batch = db.batch as unknown as (o: readonly WriteOp[], p: { sync: boolean }) => Promise<void>;
    this.#batch = (ops, options) => batch.call(db, ops, options);
  }

  write(batch: OpsBatch, sync: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const next = (this.#next ??= { ops: [], sync: false, settle: [] });
      for (const op of batch.ops) next.ops.push(op);
      next.sync ||= sync;
      next.settle.push((error) => (error === undefined ? resolve() : reject(error)));
      if (!this.#writing) {
        this.#writing = true;
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#next !== undefined) {
        const batch = this.#next;
        this.#next = undefined;
        let failure: unknown;
        try {
          await this.#batch(batch.ops, { sync: batch.sync });
        } catch (error) {
          failure = error ?? new Error("LevelDB batch failed");
        }
        this.batches += 1;
        this.writes += batch.settle.length;
        for (const settle of batch.settle) settle(failure);
      }
    } finally {
      this.#writing = false;
    }
  }
}
