import type { BatchRecord } from "@eddy/core";
import { ByteBudget } from "./budget.js";

export interface CachedEntry {
  readonly index: number;
  readonly timestampMs: number;
  /** Empty for entries that carry no records. */
  readonly records: readonly BatchRecord[];
  readonly bytes: number;
}

/** Entries from `entries[start]` on, in index order: a window onto a shared array, not a copy. */
export interface EntryWindow {
  readonly entries: readonly (CachedEntry | undefined)[];
  readonly start: number;
}

/**
 * The newest committed entries of a shard, decoded, bounded by bytes (its own bound, and the broker's
 * shared budget: a shard pushing while the budget is spent evicts its own oldest entries, so the busy
 * shards make room, and the total stays within the budget plus one newest entry per shard). Readers at the tip (subscribers
 * above all) read from here without touching LevelDB or decoding again. Entries are contiguous by index.
 * Eviction advances a head position instead of shifting the array, and reads get a window instead of a
 * slice, so neither costs time proportional to the cache's length.
 */
export class TailCache {
  private entries: (CachedEntry | undefined)[] = [];
  private head = 0;
  private bytes = 0;

  constructor(
    private readonly bytesMax: number,
    private readonly budget: ByteBudget = new ByteBudget(Number.POSITIVE_INFINITY),
  ) {}

  /** Index of the oldest cached entry, or undefined when empty. */
  firstIndex(): number | undefined {
    return this.entries[this.head]?.index;
  }

  push(entry: CachedEntry): void {
    this.entries.push(entry);
    this.bytes += entry.bytes;
    this.budget.charge(entry.bytes);
    // The newest entry stays even when it alone is over the bound.
    while ((this.bytes > this.bytesMax || this.budget.over()) && this.entries.length - this.head > 1)
      this.evictOldest();
  }

  /** Cached entries from `index` on, or undefined when `index` is older than the cache. */
  from(index: number): EntryWindow | undefined {
    const first = this.firstIndex();
    if (first === undefined || index < first) return undefined;
    return { entries: this.entries, start: this.head + (index - first) };
  }

  /** Drops entries below `index` (retention trimmed them). */
  evictBelow(index: number): void {
    while (this.head < this.entries.length && this.entries[this.head]!.index < index) this.evictOldest();
  }

  /** Gives every entry's bytes back to the budget: the shard's log is closing. */
  clear(): void {
    while (this.head < this.entries.length) this.evictOldest();
  }

  private evictOldest(): void {
    this.bytes -= this.entries[this.head]!.bytes;
    this.budget.charge(-this.entries[this.head]!.bytes);
    this.entries[this.head] = undefined;
    this.head += 1;
    // Compact once the dead prefix is most of the array, so the cost stays amortized O(1).
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
