/** Helpers shared by this package's tests: temporary stores and entry builders. */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { EntryType, type Entry } from "@eddy/raft";

import { Store, type StoreOptions } from "./store.js";

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "eddy-storage-"));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A store in a fresh temporary directory, and a way to reopen it and to clean up. */
export class TempStore {
  store!: Store;
  readonly #options: StoreOptions;

  private constructor(
    readonly dir: string,
    options: StoreOptions,
  ) {
    this.#options = options;
  }

  static async create(options: StoreOptions = {}): Promise<TempStore> {
    const temp = new TempStore(await tempDir(), options);
    temp.store = await Store.open(temp.dir, options);
    return temp;
  }

  async reopen(): Promise<Store> {
    await this.store.close();
    this.store = await Store.open(this.dir, this.#options);
    return this.store;
  }

  async dispose(): Promise<void> {
    await this.store.close();
    await removeDir(this.dir);
  }
}

/** Deterministic data for an entry, so that reads can be checked against the index alone. */
export function dataFor(index: number, bytes = 16): Uint8Array {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (index * 31 + i * 7) & 0xff;
  return data;
}

export function entry(index: number, term: number, timestampMs: number, data: Uint8Array = dataFor(index)): Entry {
  return { index, term, type: EntryType.Records, timestampMs, data };
}

/** Entries [from, to) of `term`, with timestamps from `timestampMs(index)`. */
export function entriesRange(from: number, to: number, term: number, timestampMs: (index: number) => number): Entry[] {
  const out: Entry[] = [];
  for (let index = from; index < to; index++) out.push(entry(index, term, timestampMs(index)));
  return out;
}

/** Entries compared as plain values (data as a Uint8Array, not a Buffer view). */
export function plain(entries: readonly Entry[]): Array<Omit<Entry, "data"> & { data: number[] }> {
  return entries.map((e) => ({
    index: e.index,
    term: e.term,
    type: e.type,
    timestampMs: e.timestampMs,
    data: [...e.data],
  }));
}
