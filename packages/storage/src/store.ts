/**
 * A broker's storage: one LevelDB database (binary keys and values) holding the log of every Raft group
 * the broker takes part in, plus a small metadata store. The key layout is documented in keys.ts and the
 * value formats in codec.ts.
 */

import { assert, corruptData } from "@eddy/core";
import { Level } from "level";

import { GroupLog, type Db, type GroupLogOwner } from "./group-log.js";
import { GROUP_ID_MAX, GROUP_NAMESPACES, GROUP_PREFIX_BYTES, assertGroupId, groupKey, readU32 } from "./keys.js";
import { MetaStore } from "./meta-store.js";
import { WriteCoalescer, type OpsBatch } from "./write-coalescer.js";

export interface StoreOptions {
  /** LevelDB's block cache (LevelDB's default: 8 MiB). */
  readonly cacheSizeBytes?: number;
  /** LevelDB's memtable size before it is written to a table file (LevelDB's default: 4 MiB). */
  readonly writeBufferSizeBytes?: number;
}

const noop = (): void => {};

export class Store implements GroupLogOwner {
  /** The underlying database; exposed for tests and tools, not for writing around the store. */
  readonly db: Db;
  readonly meta: MetaStore;
  /** Opened (or opening) groups, so that every caller of group(id) shares one GroupLog. */
  readonly #groups = new Map<number, Promise<GroupLog>>();
  /** Groups being destroyed: group(id) opens them again only once the keys are gone. */
  readonly #destroying = new Map<number, Promise<void>>();
  #closed = false;
  /** The groups' log writes, coalesced into shared LevelDB batches. */
  readonly writes: WriteCoalescer;

  private constructor(db: Db) {
    this.db = db;
    this.meta = new MetaStore(db);
    this.writes = new WriteCoalescer(db);
  }

  /** Called by GroupLog for its appends; not for other callers. */
  write(batch: OpsBatch, sync: boolean): Promise<void> {
    return this.writes.write(batch, sync);
  }

  static async open(dir: string, options: StoreOptions = {}): Promise<Store> {
    const db: Db = new Level<Uint8Array, Uint8Array>(dir, {
      keyEncoding: "view",
      valueEncoding: "view",
      ...(options.cacheSizeBytes === undefined ? {} : { cacheSize: options.cacheSizeBytes }),
      ...(options.writeBufferSizeBytes === undefined ? {} : { writeBufferSize: options.writeBufferSizeBytes }),
    });
    await db.open();
    return new Store(db);
  }

  /** The log of `groupId`, opened on first use and cached; an absent group opens empty. */
  group(groupId: number): Promise<GroupLog> {
    assert(!this.#closed, `group ${groupId} requested from a closed store`);
    assertGroupId(groupId);
    const cached = this.#groups.get(groupId);
    if (cached !== undefined) return cached;
    const destroyed = this.#destroying.get(groupId) ?? Promise.resolve();
    const opening = destroyed.then(() => GroupLog.open(this.db, groupId, this));
    this.#groups.set(groupId, opening);
    // A failed open is not cached, so that a later call tries again.
    opening.catch(() => {
      if (this.#groups.get(groupId) === opening) this.#groups.delete(groupId);
    });
    return opening;
  }

  /** Called by GroupLog.destroy(); not for other callers. */
  groupDestroying(groupId: number, done: Promise<void>): void {
    this.#groups.delete(groupId);
    const settled = done.then(noop, noop);
    this.#destroying.set(groupId, settled);
    void settled.then(() => {
      if (this.#destroying.get(groupId) === settled) this.#destroying.delete(groupId);
    });
  }

  /**
   * Every group id with any key in the database, ascending. Rather than keep a registry that could
   * disagree with the data, it reads the keys themselves: in each per-group namespace it seeks to the
   * first key, notes its group, then seeks straight past that group, so the cost is one seek per group
   * and namespace, not one step per entry.
   */
  async groupIds(): Promise<number[]> {
    const ids = new Set<number>();
    for (const ns of GROUP_NAMESPACES) {
      const keys = this.db.keys<Uint8Array>({ gte: Buffer.from([ns]), lt: Buffer.from([ns + 1]) });
      try {
        let key = await keys.next();
        while (key !== undefined) {
          if (key.length < GROUP_PREFIX_BYTES)
            throw corruptData(`malformed key in namespace ${ns} (${key.length} bytes)`);
          const groupId = readU32(key, 1);
          ids.add(groupId);
          if (groupId === GROUP_ID_MAX) break;
          keys.seek(groupKey(ns, groupId + 1));
          key = await keys.next();
        }
      } finally {
        await keys.close();
      }
    }
    return [...ids].sort((a, b) => a - b);
  }

  /** Waits for queued writes of every open group, then closes the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const groups = await Promise.allSettled([...this.#groups.values()]);
    const pending: Array<Promise<void>> = [...this.#destroying.values()];
    for (const group of groups) {
      if (group.status === "fulfilled") pending.push(group.value.flushed());
    }
    await Promise.all(pending);
    this.#groups.clear();
    await this.db.close();
  }
}
