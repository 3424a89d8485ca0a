/**
 * A small key-value store for broker metadata (namespace 0x10 of the broker's database, key
 * [0x10][utf8 key]). Values are opaque bytes; their owners choose the format. Writes are synced unless
 * asked otherwise, since metadata is written rarely and must survive a crash once acknowledged.
 */

import type { Db } from "./group-log.js";
import { decodeMetaKey, metaKey, metaKeyPrefixEnd } from "./keys.js";

export type MetaOp =
  | { readonly type: "put"; readonly key: string; readonly value: Uint8Array }
  | { readonly type: "del"; readonly key: string };

export class MetaStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const value: Uint8Array | undefined = await this.#db.get(metaKey(key));
    return value;
  }

  put(key: string, value: Uint8Array, sync = true): Promise<void> {
    return this.#db.put(metaKey(key), value, { sync });
  }

  delete(key: string, sync = true): Promise<void> {
    return this.#db.del(metaKey(key), { sync });
  }

  /** Every entry whose key starts with `prefix` (whole keys, not stripped), in key order. */
  async entries(prefix: string): Promise<Array<[string, Uint8Array]>> {
    const found = await this.#db.iterator({ gte: metaKey(prefix), lt: metaKeyPrefixEnd(prefix) }).all();
    return found.map(([key, value]): [string, Uint8Array] => [decodeMetaKey(key), value]);
  }

  /** Applies the operations in order, atomically. */
  batch(ops: readonly MetaOp[], sync = true): Promise<void> {
    const batch = this.#db.batch();
    for (const op of ops) {
      if (op.type === "put") batch.put(metaKey(op.key), op.value);
      else batch.del(metaKey(op.key));
    }
    return batch.write({ sync });
  }
}
