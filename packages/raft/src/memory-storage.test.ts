/**
 * MemoryStorage keeps what was written apart from what was synced, so that a simulated crash loses
 * exactly the unsynced writes (or a prefix of them survives, as after an OS flush).
 */
import { describe, expect, it } from "vitest";

import { ConfChangeType, encodeConfigEntry } from "./conf-change.js";
import { MemoryStorage } from "./memory-storage.js";
import { EntryType, type Entry } from "./types.js";

const ABC = { voters: ["a", "b", "c"], learners: [] };

function entry(
  index: number,
  term: number,
  type = EntryType.Records,
  data: Uint8Array = new Uint8Array([index]),
): Entry {
  return { index, term, type, timestampMs: index * 10, data };
}

describe("MemoryStorage", () => {
  it("reads see every write; a crash keeps only what was synced", () => {
    const storage = MemoryStorage.create(ABC);
    storage.writeReady({ entries: [entry(1, 1), entry(2, 1)], hardState: { term: 1, vote: "a", commitIndex: 1 } });
    storage.sync();
    storage.writeReady({ entries: [entry(3, 1)], hardState: { term: 1, vote: "a", commitIndex: 2 } });
    expect(storage.lastIndex()).toBe(3);
    storage.crash(0);
    expect(storage.lastIndex()).toBe(2);
    expect(storage.hardState()).toEqual({ term: 1, vote: "a", commitIndex: 1 });
  });

  it("a crash may keep a prefix of the unsynced writes, never a later one without the earlier", () => {
    const storage = MemoryStorage.create(ABC);
    storage.writeReady({ entries: [entry(1, 1)] });
    storage.writeReady({ entries: [entry(2, 1)] });
    storage.writeReady({ entries: [entry(3, 1)] });
    expect(storage.unsyncedWrites).toBe(3);
    storage.crash(2);
    expect(storage.lastIndex()).toBe(2);
    expect(storage.unsyncedWrites).toBe(0);
  });

  it("a write replaces the stored suffix from its first index on", () => {
    const storage = MemoryStorage.create(ABC);
    storage.writeReady({ entries: [entry(1, 1), entry(2, 1), entry(3, 1)] });
    storage.writeReady({ entries: [entry(2, 2)] });
    expect(storage.readEntries(1, 10, Infinity).map((e) => e.term)).toEqual([1, 2]);
  });

  it("reads stop at maxBytes but return at least one entry, and nothing below the first index", () => {
    const storage = MemoryStorage.create(ABC);
    storage.writeReady({ entries: [entry(1, 1), entry(2, 1), entry(3, 1)] });
    expect(storage.readEntries(1, 4, 1).map((e) => e.index)).toEqual([1]);
    expect(storage.readEntries(1, 4, 100).map((e) => e.index)).toEqual([1, 2]);
    storage.compact({ meta: { index: 2, term: 1, conf: ABC }, data: new Uint8Array() });
    expect(storage.readEntries(1, 4, Infinity)).toEqual([]);
    expect(storage.readEntries(3, 4, Infinity).map((e) => e.index)).toEqual([3]);
    expect(storage.termAt(2)).toBe(1);
  });

  it("trimBefore (retention) keeps the trimmed log's last term and configuration as an empty snapshot", async () => {
    const storage = MemoryStorage.create(ABC);
    const withD = { voters: ["a", "b", "c", "d"], learners: [] };
    const config = entry(
      2,
      1,
      EntryType.Config,
      encodeConfigEntry({ type: ConfChangeType.AddVoter, nodeId: "d" }, withD),
    );
    storage.writeReady({ entries: [entry(1, 1), config, entry(3, 2), entry(4, 2)] });
    await storage.trimBefore(4);
    expect(storage.snapshot().meta).toEqual({ index: 3, term: 2, conf: withD });
    expect(storage.firstIndex()).toBe(4);
    expect(await storage.indexAtTime(35)).toBe(4);
  });

  it("restoredState holds the entry at the commit index and everything above, and the Config entries", () => {
    const storage = MemoryStorage.create(ABC);
    const withD = { voters: ["a", "b", "c", "d"], learners: [] };
    const config = entry(
      2,
      1,
      EntryType.Config,
      encodeConfigEntry({ type: ConfChangeType.AddVoter, nodeId: "d" }, withD),
    );
    storage.writeReady({
      entries: [entry(1, 1), config, entry(3, 1), entry(4, 1)],
      hardState: { term: 1, vote: "", commitIndex: 3 },
    });
    const restored = storage.restoredState();
    expect(restored.entries.map((e) => e.index)).toEqual([3, 4]);
    expect(restored.configEntries.map((e) => e.index)).toEqual([2]);
    expect(restored).toMatchObject({ firstIndex: 1, lastIndex: 4, lastTerm: 1, appliedIndex: 0 });
  });
});
