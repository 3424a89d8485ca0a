/**
 * What GroupLog keeps for Raft: snapshot metadata (compact, installSnapshot), the config index, and the
 * RestoredState a RawNode is rebuilt from after a restart. Against real LevelDB in temporary directories.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import {
  ConfChangeType,
  EMPTY_CONF,
  EMPTY_HARD_STATE,
  EntryType,
  RawNode,
  encodeConfigEntry,
  initialState,
  type ConfState,
  type Entry,
  type SnapshotMeta,
} from "@eddy/raft";

import { encodeGroupMeta, encodeSnapshotData } from "./codec.js";
import { TRIM_CHUNK_ENTRIES, type Db, type GroupLog } from "./group-log.js";
import {
  GROUP_NAMESPACES,
  NS_CONFIG,
  NS_ENTRY,
  NS_GROUP_META,
  NS_SNAPSHOT,
  NS_TIME,
  configKey,
  entryKey,
  groupKey,
  groupKeyEnd,
  timeKey,
} from "./keys.js";
import { TempStore, entriesRange, entry, plain } from "./test-support.js";

const A: ConfState = { voters: ["a"], learners: [] };
const AB: ConfState = { voters: ["a", "b"], learners: [] };
const A_LEARNER_B: ConfState = { voters: ["a"], learners: ["b"] };

/** A Config entry whose data is a real conf change (storage does not read it, RawNode does). */
function configEntry(index: number, term: number, timestampMs: number, conf: ConfState = AB): Entry {
  const data = encodeConfigEntry({ type: ConfChangeType.AddVoter, nodeId: conf.voters.at(-1) ?? "a" }, conf);
  return { index, term, type: EntryType.Config, timestampMs, data };
}

async function keysIn(db: Db, groupId: number, ns: number): Promise<Uint8Array[]> {
  return db.keys({ gte: groupKey(ns, groupId), lt: groupKeyEnd(ns, groupId) }).all();
}

async function configIndexes(db: Db, groupId: number): Promise<number[]> {
  return (await keysIn(db, groupId, NS_CONFIG)).map((key) => Buffer.from(key).readUIntBE(7, 6));
}

describe("GroupLog for Raft", () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await TempStore.create();
  });
  afterEach(async () => {
    await temp.dispose();
  });

  const reopen = async (groupId: number): Promise<GroupLog> => (await temp.reopen()).group(groupId);

  describe("an empty group", () => {
    it("has an empty snapshot and restores as raft's initialState(EMPTY_CONF)", async () => {
      const log = await temp.store.group(1);
      expect(log.snapshotMeta()).toEqual({ index: 0, term: 0, conf: EMPTY_CONF });
      expect(await log.configEntries()).toEqual([]);
      expect(await log.restoredState()).toEqual(initialState(EMPTY_CONF));
      expect(await log.restoredState(5)).toEqual(initialState(EMPTY_CONF));
    });

    it("bootstraps its initial configuration with installSnapshot at index 0", async () => {
      const log = await temp.store.group(1);
      await log.installSnapshot({ index: 0, term: 0, conf: A });
      expect([log.firstIndex(), log.lastIndex()]).toEqual([1, 0]);
      expect(await (await reopen(1)).restoredState()).toEqual(initialState(A));
    });
  });

  describe("the config index", () => {
    it("finds every Config entry, across reopens, and writes one key per Config entry only", async () => {
      const log = await temp.store.group(3);
      const written = [entry(1, 1, 10), configEntry(2, 1, 20, AB), entry(3, 1, 30), configEntry(4, 1, 40, A)];
      await log.append(written, undefined, true);
      await log.append([entry(5, 1, 50), configEntry(6, 2, 60, AB)], undefined, true);
      expect(await configIndexes(temp.store.db, 3)).toEqual([2, 4, 6]);
      expect(plain(await log.configEntries())).toEqual(plain([written[1]!, written[3]!, configEntry(6, 2, 60, AB)]));

      const reopened = await reopen(3);
      expect((await reopened.configEntries()).map((e) => [e.index, e.type])).toEqual([
        [2, EntryType.Config],
        [4, EntryType.Config],
        [6, EntryType.Config],
      ]);
    });

    it("forgets Config entries that a conflicting suffix replaces, and keeps one written again", async () => {
      const log = await temp.store.group(1);
      await log.append(
        [entry(1, 1, 1), configEntry(2, 1, 2), entry(3, 1, 3), configEntry(4, 1, 4), configEntry(5, 1, 5)],
        undefined,
        true,
      );
      // A new leader's log from index 4 on: a Records entry where a Config entry was, and a shorter log.
      await log.append([entry(4, 2, 4)], undefined, true);
      expect(await configIndexes(temp.store.db, 1)).toEqual([2]);
      expect((await log.configEntries()).map((e) => e.index)).toEqual([2]);

      // From 2 on: the Config entry at 2 is written again (same index, new term), 3 becomes one.
      await log.append([configEntry(2, 3, 2), configEntry(3, 3, 3)], undefined, true);
      expect(await configIndexes(temp.store.db, 1)).toEqual([2, 3]);
      expect((await log.configEntries()).map((e) => [e.index, e.term])).toEqual([
        [2, 3],
        [3, 3],
      ]);

      const reopened = await reopen(1);
      expect((await reopened.configEntries()).map((e) => [e.index, e.term])).toEqual([
        [2, 3],
        [3, 3],
      ]);
      expect(reopened.lastIndex()).toBe(3);
    });

    it("drops the keys of trimmed entries, and destroy drops them all", async () => {
      const log = await temp.store.group(1);
      await log.append(
        [configEntry(1, 1, 1), entry(2, 1, 2), configEntry(3, 1, 3), entry(4, 1, 4), configEntry(5, 1, 5)],
        undefined,
        true,
      );
      await log.trimBefore(4);
      expect(await configIndexes(temp.store.db, 1)).toEqual([5]);
      expect((await log.configEntries()).map((e) => e.index)).toEqual([5]);
      await log.destroy();
      for (const ns of GROUP_NAMESPACES) expect(await keysIn(temp.store.db, 1, ns)).toEqual([]);
    });

    it("reports an index key whose entry is missing or not a Config entry as corrupt", async () => {
      const log = await temp.store.group(1);
      await log.append([entry(1, 1, 1), configEntry(2, 1, 2), entry(3, 1, 3)], undefined, true);
      await temp.store.db.put(configKey(1, 3), new Uint8Array(0));
      await expect(log.configEntries()).rejects.toThrow(/entry 3 is in the config index but has type 1/);
      await temp.store.db.del(configKey(1, 3));
      await temp.store.db.del(entryKey(1, 2));
      await expect(log.configEntries()).rejects.toThrow(expect.objectContaining({ name: "CorruptDataException" }));
    });
  });

  describe("compact", () => {
    it("drops entries up to the index, keeps meta and conf across reopen, and only later Config entries", async () => {
      const log = await temp.store.group(2);
      const written = [
        entry(1, 1, 100),
        configEntry(2, 1, 100, AB),
        entry(3, 1, 105),
        entry(4, 2, 105),
        configEntry(5, 2, 110, A),
        entry(6, 2, 120),
        configEntry(7, 3, 120, AB),
        entry(8, 3, 130),
      ];
      await log.append(written, { term: 3, vote: "a", commitIndex: 8 }, true);
      const meta: SnapshotMeta = { index: 4, term: 2, conf: AB };
      await log.compact(meta);
      expect(log.snapshotMeta()).toEqual(meta);
      expect([log.firstIndex(), log.lastIndex()]).toEqual([5, 8]);
      expect(await log.term(4)).toBeUndefined();
      expect((await log.entries(1, 9, Infinity)).map((e) => e.index)).toEqual([5, 6, 7, 8]);
      expect((await log.configEntries()).map((e) => e.index)).toEqual([5, 7]);
      expect(await configIndexes(temp.store.db, 2)).toEqual([5, 7]);
      expect(await log.indexAtTime(0)).toBe(5);
      expect(await log.indexAtTime(111)).toBe(6);

      const reopened = await reopen(2);
      expect(reopened.snapshotMeta()).toEqual(meta);
      expect([reopened.firstIndex(), reopened.lastIndex()]).toEqual([5, 8]);
      expect((await reopened.configEntries()).map((e) => e.index)).toEqual([5, 7]);
      expect(await reopened.indexAtTime(106)).toBe(5);
      expect(await reopened.indexAtTime(121)).toBe(8);

      // Further on: the meta moves, an older or equal compaction point changes nothing.
      const later: SnapshotMeta = { index: 6, term: 2, conf: A };
      await reopened.compact(later);
      await reopened.compact(meta);
      await reopened.compact(later);
      expect(reopened.snapshotMeta()).toEqual(later);
      expect(reopened.firstIndex()).toBe(7);
      expect((await (await reopen(2)).configEntries()).map((e) => e.index)).toEqual([7]);
    });

    it("up to the last index leaves an empty log that continues after it", async () => {
      const log = await temp.store.group(1);
      await log.append(
        entriesRange(1, 6, 4, (i) => i),
        { term: 4, vote: "", commitIndex: 5 },
        true,
      );
      await log.compact({ index: 5, term: 4, conf: A });
      expect([log.firstIndex(), log.lastIndex(), log.lastTimestampMs()]).toEqual([6, 5, 0]);
      for (const ns of [NS_ENTRY, NS_TIME, NS_CONFIG]) expect(await keysIn(temp.store.db, 1, ns)).toEqual([]);
      const reopened = await reopen(1);
      expect([reopened.firstIndex(), reopened.lastIndex()]).toEqual([6, 5]);
      const restored = await reopened.restoredState();
      expect(restored).toMatchObject({ firstIndex: 6, lastIndex: 5, lastTerm: 4, entries: [], appliedIndex: 5 });
      await reopened.append([entry(6, 5, 1)], undefined, true);
      expect(await reopened.term(6)).toBe(5);
    });

    it("asserts on a term that is not the entry's and on an index past the log", async () => {
      const log = await temp.store.group(1);
      await log.append(
        entriesRange(1, 4, 2, (i) => i),
        undefined,
        true,
      );
      await expect(log.compact({ index: 2, term: 1, conf: A })).rejects.toThrow(/term 1, but the entry's term is 2/);
      await expect(log.compact({ index: 4, term: 2, conf: A })).rejects.toThrow(/past the last index 3/);
      expect(log.firstIndex()).toBe(1);
      expect(log.snapshotMeta().index).toBe(0);
    });

    it("works in chunks over a long log, with Config entries in several chunks", async () => {
      const log = await temp.store.group(1);
      const total = 2 * TRIM_CHUNK_ENTRIES + 500;
      const written = entriesRange(1, total + 1, 1, (i) => Math.floor(i / 1000)).map((e) =>
        e.index % 7_000 === 0 ? configEntry(e.index, 1, e.timestampMs) : e,
      );
      await log.append(written, undefined, false);
      expect(await configIndexes(temp.store.db, 1)).toEqual([7_000, 14_000]);
      const meta = { index: total - 100, term: 1, conf: AB };
      await log.compact(meta);
      expect([log.firstIndex(), log.lastIndex()]).toEqual([total - 99, total]);
      expect(await keysIn(temp.store.db, 1, NS_ENTRY)).toHaveLength(100);
      expect(await configIndexes(temp.store.db, 1)).toEqual([]);
      expect(await log.indexAtTime(0)).toBe(total - 99);
      expect(await log.indexAtTime(20)).toBe(total - 99);
      const reopened = await reopen(1);
      expect(reopened.snapshotMeta()).toEqual(meta);
      expect(reopened.firstIndex()).toBe(total - 99);
    });

    it("is finished when the group opens after a crash part way", async () => {
      const log = await temp.store.group(1);
      await log.append(
        [...entriesRange(1, 12, 1, (i) => 10 * i), configEntry(12, 1, 120), ...entriesRange(13, 21, 1, (i) => 10 * i)],
        { term: 1, vote: "a", commitIndex: 20 },
        true,
      );
      // The state after the first chunk of compact({index: 15}) with chunks of 4: entries 1..4 gone,
      // entry 5 has its own time key, the final meta is recorded.
      const { db } = temp.store;
      const meta: SnapshotMeta = { index: 15, term: 1, conf: AB };
      const batch = db.batch();
      for (let i = 1; i <= 4; i++) batch.del(entryKey(1, i)).del(timeKey(1, 10 * i, i));
      batch.put(groupKey(NS_GROUP_META, 1), encodeGroupMeta({ firstIndex: 16, snapshot: meta, replacing: false }));
      await batch.write();

      const reopened = await reopen(1);
      expect([reopened.firstIndex(), reopened.lastIndex()]).toEqual([16, 20]);
      expect(reopened.snapshotMeta()).toEqual(meta);
      const reopenedDb = temp.store.db;
      expect((await keysIn(reopenedDb, 1, NS_ENTRY)).length).toBe(5);
      expect((await keysIn(reopenedDb, 1, NS_TIME)).length).toBe(5);
      expect(await configIndexes(reopenedDb, 1)).toEqual([]);
      expect(await reopened.indexAtTime(0)).toBe(16);
      expect(await reopened.indexAtTime(171)).toBe(18);
      expect((await reopened.restoredState()).entries.map((e) => e.index)).toEqual([20]);
    });
  });

  describe("trimBefore next to compact", () => {
    it("keeps the previous meta while moving the first index, which restoredState refuses", async () => {
      const log = await temp.store.group(1);
      await log.append(
        entriesRange(1, 11, 1, (i) => i),
        undefined,
        true,
      );
      const meta = { index: 3, term: 1, conf: A };
      await log.compact(meta);
      await log.trimBefore(6);
      expect(log.snapshotMeta()).toEqual(meta);
      expect(log.firstIndex()).toBe(6);
      const reopened = await reopen(1);
      expect(reopened.snapshotMeta()).toEqual(meta);
      expect(reopened.firstIndex()).toBe(6);
      await expect(reopened.restoredState()).rejects.toThrow(/starts at 6, not right after its snapshot index 3/);
      // A compaction at or past the trim point makes the log whole for Raft again.
      await reopened.compact({ index: 7, term: 1, conf: A });
      expect((await reopened.restoredState()).firstIndex).toBe(8);
    });
  });

  describe("installSnapshot", () => {
    it("drops the whole log, keeps the hard state unless given, and appends continue at meta.index + 1", async () => {
      const log = await temp.store.group(4);
      await log.append(
        [entry(1, 1, 1), configEntry(2, 1, 2), ...entriesRange(3, 21, 1, (i) => i)],
        { term: 1, vote: "a", commitIndex: 3 },
        true,
      );
      // Below the last index: the entries above it go too.
      const meta: SnapshotMeta = { index: 10, term: 3, conf: A_LEARNER_B };
      await log.installSnapshot(meta);
      expect([log.firstIndex(), log.lastIndex(), log.lastTimestampMs()]).toEqual([11, 10, 0]);
      expect(log.snapshotMeta()).toEqual(meta);
      expect(log.hardState()).toEqual({ term: 1, vote: "a", commitIndex: 3 });
      expect(await log.entries(1, 30, Infinity)).toEqual([]);
      expect(await log.term(10)).toBeUndefined();
      expect(await log.configEntries()).toEqual([]);
      for (const ns of [NS_ENTRY, NS_TIME, NS_CONFIG]) expect(await keysIn(temp.store.db, 4, ns)).toEqual([]);

      await expect(log.append([entry(10, 3, 1)], undefined, true)).rejects.toThrow(/below the first retained index/);
      await log.append([entry(11, 3, 500), configEntry(12, 3, 501)], undefined, true);
      expect((await log.configEntries()).map((e) => e.index)).toEqual([12]);

      const reopened = await reopen(4);
      expect(reopened.snapshotMeta()).toEqual(meta);
      expect([reopened.firstIndex(), reopened.lastIndex()]).toEqual([11, 12]);
      expect(await reopened.indexAtTime(0)).toBe(11);
      expect(await reopened.indexAtTime(501)).toBe(12);

      // Past the last index, with the hard state in the same write.
      const further: SnapshotMeta = { index: 1000, term: 4, conf: AB };
      await reopened.installSnapshot(further, { term: 4, vote: "", commitIndex: 1000 });
      const again = await reopen(4);
      expect([again.firstIndex(), again.lastIndex()]).toEqual([1001, 1000]);
      expect(again.hardState()).toEqual({ term: 4, vote: "", commitIndex: 1000 });
      expect(await again.restoredState()).toEqual({
        hardState: { term: 4, vote: "", commitIndex: 1000 },
        snapshot: further,
        firstIndex: 1001,
        lastIndex: 1000,
        lastTerm: 4,
        entries: [],
        configEntries: [],
        appliedIndex: 1000,
      });
      await again.append([entry(1001, 4, 1)], undefined, true);
      expect(again.lastIndex()).toBe(1001);
    });

    it("is finished when the group opens after a crash before the old keys were cleared", async () => {
      const log = await temp.store.group(1);
      await log.append([configEntry(1, 1, 5), ...entriesRange(2, 9, 1, (i) => 5 + i)], undefined, true);
      const other = await temp.store.group(2);
      await other.append([configEntry(1, 1, 5)], undefined, true);
      const meta: SnapshotMeta = { index: 4, term: 2, conf: A };
      // installSnapshot's first (synced) write, and nothing after it.
      await temp.store.db.put(
        groupKey(NS_GROUP_META, 1),
        encodeGroupMeta({ firstIndex: 5, snapshot: meta, replacing: true }),
      );
      const reopened = await reopen(1);
      expect([reopened.firstIndex(), reopened.lastIndex()]).toEqual([5, 4]);
      expect(reopened.snapshotMeta()).toEqual(meta);
      for (const ns of [NS_ENTRY, NS_TIME, NS_CONFIG]) expect(await keysIn(temp.store.db, 1, ns)).toEqual([]);
      await reopened.append([entry(5, 2, 1)], undefined, true);
      // The flag is gone: a further reopen keeps the new entry.
      expect((await reopen(1)).lastIndex()).toBe(5);
      expect(await configIndexes(temp.store.db, 2)).toEqual([1]);
    });
  });

  describe("snapshot data", () => {
    const state = (text: string): Uint8Array => new TextEncoder().encode(text);
    const dataOf = async (log: GroupLog): Promise<string> => new TextDecoder().decode((await log.snapshot()).data);

    it("is stored with a compaction, read back with its metadata across reopen, and dropped by one without data", async () => {
      const log = await temp.store.group(0);
      await log.append(
        entriesRange(1, 21, 2, (i) => i),
        { term: 2, vote: "a", commitIndex: 20 },
        true,
      );
      expect(await log.snapshot()).toEqual({ meta: { index: 0, term: 0, conf: EMPTY_CONF }, data: new Uint8Array(0) });
      const meta: SnapshotMeta = { index: 12, term: 2, conf: AB };
      await log.compact(meta, state("state at 12"));
      expect((await log.snapshot()).meta).toEqual(meta);
      expect(await dataOf(log)).toBe("state at 12");

      const reopened = await reopen(0);
      expect((await reopened.snapshot()).meta).toEqual(meta);
      expect(await dataOf(reopened)).toBe("state at 12");
      expect((await reopened.restoredState(12)).entries.map((e) => e.index)).toEqual([20]);

      // A later compaction replaces the data; one without data leaves none behind, not stale data.
      await reopened.compact({ index: 15, term: 2, conf: AB }, state("state at 15"));
      expect(await dataOf(reopened)).toBe("state at 15");
      await reopened.compact({ index: 17, term: 2, conf: AB });
      expect(await reopened.snapshot()).toEqual({ meta: { index: 17, term: 2, conf: AB }, data: new Uint8Array(0) });
      expect(await keysIn(temp.store.db, 0, NS_SNAPSHOT)).toEqual([]);
    });

    it("is stored with an installed snapshot, in the same synced write, and goes with destroy", async () => {
      const log = await temp.store.group(0);
      await log.append(
        entriesRange(1, 6, 1, (i) => i),
        { term: 1, vote: "", commitIndex: 5 },
        true,
      );
      const meta: SnapshotMeta = { index: 40, term: 3, conf: A_LEARNER_B };
      await log.installSnapshot(meta, { term: 3, vote: "", commitIndex: 40 }, state("state at 40"));
      const reopened = await reopen(0);
      expect([reopened.firstIndex(), reopened.lastIndex()]).toEqual([41, 40]);
      expect((await reopened.snapshot()).meta).toEqual(meta);
      expect(await dataOf(reopened)).toBe("state at 40");
      // An installation without data (a shard group's) leaves no data of the previous snapshot.
      await reopened.installSnapshot({ index: 50, term: 3, conf: A });
      expect((await reopened.snapshot()).data).toEqual(new Uint8Array(0));
      await reopened.installSnapshot({ index: 60, term: 3, conf: A }, undefined, state("state at 60"));
      await reopened.destroy();
      for (const ns of GROUP_NAMESPACES) expect(await keysIn(temp.store.db, 0, ns)).toEqual([]);
    });

    it("with a multi-chunk compaction is written in the first chunk, which a crash right after leaves usable", async () => {
      const log = await temp.store.group(0);
      await log.append(
        entriesRange(1, 21, 1, (i) => 10 * i),
        { term: 1, vote: "a", commitIndex: 20 },
        true,
      );
      // What compact({index: 15}, data) writes in its first chunk (of 4 entries, as if TRIM_CHUNK_ENTRIES
      // were 4), and nothing after it: entries 1..4 gone, the final meta and the snapshot data recorded.
      const meta: SnapshotMeta = { index: 15, term: 1, conf: A };
      const batch = temp.store.db.batch();
      for (let i = 1; i <= 4; i++) batch.del(entryKey(0, i)).del(timeKey(0, 10 * i, i));
      batch.put(groupKey(NS_GROUP_META, 0), encodeGroupMeta({ firstIndex: 16, snapshot: meta, replacing: false }));
      batch.put(groupKey(NS_SNAPSHOT, 0), encodeSnapshotData({ index: 15, term: 1, data: state("state at 15") }));
      await batch.write();

      const reopened = await reopen(0);
      expect(await reopened.snapshot()).toMatchObject({ meta });
      expect(await dataOf(reopened)).toBe("state at 15");
      expect([reopened.firstIndex(), reopened.lastIndex()]).toEqual([16, 20]);
      expect((await keysIn(temp.store.db, 0, NS_ENTRY)).length).toBe(5);
      expect((await reopened.restoredState(15)).entries.map((e) => e.index)).toEqual([20]);
    });

    it("that does not match the snapshot, or is damaged, is reported as corrupt", async () => {
      const log = await temp.store.group(0);
      await log.append(
        entriesRange(1, 11, 1, (i) => i),
        undefined,
        true,
      );
      await log.compact({ index: 5, term: 1, conf: A }, state("state at 5"));
      const key = groupKey(NS_SNAPSHOT, 0);
      await temp.store.db.put(key, encodeSnapshotData({ index: 4, term: 1, data: state("state at 4") }));
      await expect(log.snapshot()).rejects.toThrow(/snapshot data is of 4\/t1, the snapshot is at 5\/t1/);
      const damaged = encodeSnapshotData({ index: 5, term: 1, data: state("state at 5") });
      damaged.writeUInt8(damaged.readUInt8(damaged.length - 1) ^ 0xff, damaged.length - 1);
      await temp.store.db.put(key, damaged);
      await expect(log.snapshot()).rejects.toThrow(expect.objectContaining({ name: "CorruptDataException" }));
    });
  });

  describe("restoredState", () => {
    it("holds the entry at the commit index and all after it, the Config entries, and the applied index", async () => {
      const log = await temp.store.group(1);
      const written = [
        entry(1, 1, 1),
        configEntry(2, 1, 2),
        entry(3, 1, 3),
        entry(4, 2, 4),
        configEntry(5, 2, 5, A),
        entry(6, 2, 6),
      ];
      await log.append(written, { term: 2, vote: "a", commitIndex: 4 }, true);
      const restored = await (await reopen(1)).restoredState();
      expect({ ...restored, entries: plain(restored.entries), configEntries: plain(restored.configEntries) }).toEqual({
        hardState: { term: 2, vote: "a", commitIndex: 4 },
        snapshot: { index: 0, term: 0, conf: EMPTY_CONF },
        firstIndex: 1,
        lastIndex: 6,
        lastTerm: 2,
        entries: plain(written.slice(3)),
        configEntries: plain([written[1]!, written[4]!]),
        appliedIndex: 4,
      });
    });

    it("brings the commit index into the log for the tail, and the applied index into [snapshot, last]", async () => {
      const log = await temp.store.group(1);
      await log.append(
        entriesRange(1, 11, 1, (i) => i),
        { term: 1, vote: "", commitIndex: 0 },
        true,
      );
      await log.compact({ index: 3, term: 1, conf: A });
      const indexes = async (applied?: number): Promise<[number[], number]> => {
        const restored = await log.restoredState(applied);
        return [restored.entries.map((e) => e.index), restored.appliedIndex];
      };
      // Commit below the snapshot: the whole log, applied at the snapshot.
      expect(await indexes()).toEqual([[4, 5, 6, 7, 8, 9, 10], 3]);
      expect(await indexes(1)).toEqual([[4, 5, 6, 7, 8, 9, 10], 3]);
      await log.append([], { term: 1, vote: "", commitIndex: 8 }, false);
      expect(await indexes()).toEqual([[8, 9, 10], 8]);
      expect(await indexes(6)).toEqual([[8, 9, 10], 6]);
      expect(await indexes(50)).toEqual([[8, 9, 10], 10]);
      // A commit index past the log (never written by Raft): the last entry.
      await log.append([], { term: 1, vote: "", commitIndex: 40 }, false);
      expect(await indexes()).toEqual([[10], 10]);
    });

    it("waits for the writes queued before it", async () => {
      const log = await temp.store.group(1);
      void log.append(
        entriesRange(1, 301, 1, (i) => i),
        { term: 1, vote: "", commitIndex: 299 },
        false,
      );
      void log.compact({ index: 200, term: 1, conf: A });
      const restored = await log.restoredState();
      expect([restored.firstIndex, restored.lastIndex, restored.entries.length]).toEqual([201, 300, 2]);
    });
  });
});

/**
 * A driver of one RawNode over a GroupLog, the way the broker will drive it: each Ready's snapshot,
 * entries and hard state are persisted, committed entries applied, loads answered, then `advance`.
 */
class Driver {
  applied: { index: number; term: number } = { index: 0, term: 0 };
  readonly appliedData: string[] = [];

  constructor(
    readonly raw: RawNode,
    readonly log: GroupLog,
  ) {}

  async run(): Promise<void> {
    for (let round = 0; round < 100 && this.raw.hasReady(); round++) {
      const ready = this.raw.ready();
      if (ready.snapshot !== undefined) await this.log.installSnapshot(ready.snapshot.meta);
      await this.log.append(ready.entries, ready.hardState, ready.mustSync);
      for (const e of ready.committedEntries) {
        this.applied = { index: e.index, term: e.term };
        if (e.type === EntryType.Records) this.appliedData.push(Buffer.from(e.data).toString());
      }
      const loads = await Promise.all(
        ready.entryLoads.map(
          async (load) => [load.id, await this.log.entries(load.lo, load.hi, load.maxBytes)] as const,
        ),
      );
      this.raw.advance(ready);
      for (const [id, entries] of loads) this.raw.entriesLoaded(id, entries);
    }
    expect(this.raw.hasReady()).toBe(false);
  }
}

describe("GroupLog restores a RawNode", () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await TempStore.create();
  });
  afterEach(async () => {
    await temp.dispose();
  });

  it("after membership changes, a compaction and a restart", async () => {
    let log = await temp.store.group(1);
    await log.installSnapshot({ index: 0, term: 0, conf: A });
    let driver = new Driver(new RawNode({ id: "a" }, await log.restoredState(), () => 0.5), log);
    driver.raw.campaign();
    await driver.run();
    expect(driver.raw.status()).toMatchObject({ role: "leader", term: 1 });
    for (const data of ["x", "y"]) expect(driver.raw.propose(Buffer.from(data), 1000)).toMatchObject({ ok: true });
    await driver.run();
    expect(driver.raw.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: "b" }, 1001)).toMatchObject({
      ok: true,
    });
    await driver.run();
    expect(driver.raw.propose(Buffer.from("z"), 1002)).toMatchObject({ ok: true });
    await driver.run();
    expect(driver.appliedData).toEqual(["x", "y", "z"]);
    const status = driver.raw.status();
    expect(status).toMatchObject({ lastIndex: 5, commitIndex: 5, conf: A_LEARNER_B });
    expect((await log.configEntries()).map((e) => e.index)).toEqual([4]);

    // Compact at index 3, before the Config entry: it stays in the config index.
    const meta = driver.raw.compactLog(3, 1);
    expect(meta).toEqual({ index: 3, term: 1, conf: A });
    await log.compact(meta!);

    log = await (await temp.reopen()).group(1);
    const restored = await log.restoredState(driver.applied.index);
    expect(restored).toMatchObject({ firstIndex: 4, lastIndex: 5, lastTerm: 1, appliedIndex: 5 });
    expect(restored.configEntries.map((e) => e.index)).toEqual([4]);
    driver = new Driver(new RawNode({ id: "a" }, restored, () => 0.5), log);
    expect(driver.raw.status()).toMatchObject({
      role: "follower",
      term: 1,
      firstIndex: 4,
      lastIndex: 5,
      commitIndex: 5,
      appliedIndex: 5,
      conf: A_LEARNER_B,
    });
    driver.raw.campaign();
    await driver.run();
    expect(driver.raw.status()).toMatchObject({ role: "leader", term: 2, commitIndex: 6 });
    expect(driver.raw.propose(Buffer.from("w"), 1003)).toMatchObject({ ok: true, index: 7, term: 2 });
    await driver.run();
    expect(driver.appliedData).toEqual(["w"]);

    // Compact past the Config entry: the conf moves into the snapshot metadata.
    const past = driver.raw.compactLog(6, 2);
    expect(past).toEqual({ index: 6, term: 2, conf: A_LEARNER_B });
    await log.compact(past!);
    log = await (await temp.reopen()).group(1);
    const again = await log.restoredState();
    expect(again).toMatchObject({ snapshot: past, configEntries: [], firstIndex: 7, lastIndex: 7 });
    expect(new RawNode({ id: "a" }, again, () => 0.5).status()).toMatchObject({ conf: A_LEARNER_B, commitIndex: 7 });
  });

  it("from an empty hard state: a fresh group restored twice", async () => {
    const log = await temp.store.group(1);
    const restored = await log.restoredState();
    expect(restored.hardState).toEqual(EMPTY_HARD_STATE);
    expect(() => new RawNode({ id: "a" }, restored, () => 0.5)).not.toThrow();
  });
});
