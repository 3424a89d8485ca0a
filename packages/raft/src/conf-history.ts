/**
 * The configurations of a node's log. A configuration takes effect as soon as its entry is appended,
 * committed or not (Raft dissertation §4.1), so a follower whose newest Config entry is overwritten by a
 * new leader falls back to the one before it; and a snapshot carries the configuration in effect at its
 * index. Config changes are rare, so this keeps one item per Config entry of the retained log.
 */
import { assert } from "@eddy/core";

import { decodeConfigEntry } from "./conf-change.js";
import { EntryType, type ConfState, type Entry } from "./types.js";

interface ConfItem {
  readonly index: number;
  readonly conf: ConfState;
}

export class ConfHistory {
  /** Ascending by index; the first item is the configuration at or below the log's first index. */
  #items: ConfItem[];

  constructor(base: ConfItem, configEntries: readonly Entry[]) {
    this.#items = [base];
    this.appendFrom(configEntries.filter((entry) => entry.index > base.index));
  }

  get current(): ConfState {
    return this.#items.at(-1)!.conf;
  }

  /** Index of the entry that set the current configuration (or of the snapshot that carried it). */
  get currentIndex(): number {
    return this.#items.at(-1)!.index;
  }

  /** The configuration in effect at `index`. */
  confAt(index: number): ConfState {
    for (let i = this.#items.length - 1; i >= 0; i--) {
      const item = this.#items[i]!;
      if (item.index <= index) return item.conf;
    }
    assert(false, `no configuration known at index ${index}`);
  }

  /** Takes the Config entries among `entries` into effect; true when the configuration changed. */
  appendFrom(entries: readonly Entry[]): boolean {
    let changed = false;
    for (const entry of entries) {
      if (entry.type !== EntryType.Config) continue;
      assert(entry.index > this.currentIndex, `Config entry ${entry.index} out of order`);
      this.#items.push({ index: entry.index, conf: decodeConfigEntry(entry.data).conf });
      changed = true;
    }
    return changed;
  }

  /** Falls back past Config entries at or above `index`, which a new leader overwrote; true when that changed anything. */
  truncateFrom(index: number): boolean {
    const before = this.#items.length;
    while (this.#items.length > 1 && this.#items.at(-1)!.index >= index) this.#items.pop();
    assert(this.#items.at(-1)!.index < index, `truncation at ${index} below the base configuration`);
    return this.#items.length !== before;
  }

  /** Forgets configurations no longer needed once the log starts after `index`. */
  compact(index: number): void {
    while (this.#items.length > 1 && this.#items[1]!.index <= index) this.#items.shift();
  }

  /** After installing a snapshot: its configuration is the only one. */
  reset(index: number, conf: ConfState): void {
    this.#items = [{ index, conf }];
  }
}
