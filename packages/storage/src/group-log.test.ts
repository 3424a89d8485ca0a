import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { EMPTY_HARD_STATE, EntryType, type Entry, type RestoredState, type SnapshotMeta } from "@eddy/raft";

import { encodeEntryValue } from "./codec.js";
import type { Db } from "./group-log.js";
import { GROUP_NAMESPACES, NS_TIME, entryKey, groupKey, groupKeyEnd } from "./keys.js";
import { TempStore, dataFor, entriesRange, entry, plain } from "./test-support.js";

const CORRUPT = expect.objectContaining({ name: "CorruptDataException" });

async function countGroupKeys(
  db: Db,
  groupId: number,
  namespaces: readonly number[] = GROUP_NAMESPACES,
): Promise<number> {
  let count = 0;
  for (const ns of namespaces) {
    count += (await db.keys({ gte: groupKey(ns, groupId), lt: groupKeyEnd(ns, groupId) }).all()).length;
  }
  return count;
}

const countTimeKeys = (db: Db, groupId: number): Promise<number> => countGroupKeys(db, groupId, [NS_TIME]);

describe("GroupLog", () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await TempStore.create();
  });
  afterEach(async () => {
    await temp.dispose();
  });

  it("starts empty: firstIndex 1, lastIndex 0, empty hard state", async () => {
    const log = await temp.store.group(1);
    expect([log.firstIndex(), log.lastIndex(), log.lastTimestampMs()]).toEqual([1, 0, 0]);
    expect(log.hardState()).toEqual(EMPTY_HARD_STATE);
    expect(await log.entries(1, 10, Infinity)).toEqual([]);
    expect(await log.term(0)).toBeUndefined();
    expect(await log.term(1)).toBeUndefined();
    expect(await log.indexAtTime(0)).toBe(1);
  });

  it("round-trips appended entries, terms and hard state", async () => {
    const log = await temp.store.group(1);
    const written = [...entriesRange(1, 4, 1, (i) => 1000 + i), ...entriesRange(4, 6, 2, (i) => 1000 + i)];
    await log.append(written, { term: 2, vote: "b-2", commitIndex: 3 }, true);
    expect([log.firstIndex(), log.lastIndex(), log.lastTimestampMs()]).toEqual([1, 5, 1005]);
    expect(plain(await log.entries(1, 6, Infinity))).toEqual(plain(written));
    expect(plain(await log.entries(2, 4, Infinity))).toEqual(plain(written.slice(1, 3)));
    expect(await Promise.all([0, 1, 3, 4, 5, 6].map((i) => log.term(i)))).toEqual([undefined, 1, 1, 2, 2, undefined]);
    expect(log.hardState()).toEqual({ term: 2, vote: "b-2", commitIndex: 3 });
  });

  it("keeps bounds, last term and timestamp and hard state across close and reopen", async () => {
    const log = await temp.store.group(9);
    await log.append(
      entriesRange(1, 8, 3, (i) => 50 * i),
      { term: 3, vote: "a", commitIndex: 6 },
      true,
    );
    await log.append([], { term: 4, vote: "", commitIndex: 7 }, true);
    await log.trimBefore(3);

    const reopened = await (await temp.reopen()).group(9);
    expect(reopened).not.toBe(log);
    expect([reopened.firstIndex(), reopened.lastIndex(), reopened.lastTimestampMs()]).toEqual([3, 7, 350]);
    expect(reopened.hardState()).toEqual({ term: 4, vote: "", commitIndex: 7 });
    expect(await reopened.term(7)).toBe(3);
    expect(plain(await reopened.entries(1, 100, Infinity))).toEqual(plain(entriesRange(3, 8, 3, (i) => 50 * i)));
    await reopened.append([entry(8, 4, 400)], undefined, false);
    expect(reopened.lastIndex()).toBe(8);
  });

  it("overwrites a conflicting suffix, shorter or longer, and forgets the replaced entries", async () => {
    const log = await temp.store.group(1);
    await log.append(
      entriesRange(1, 11, 1, (i) => 10 * i),
      undefined,
      true,
    );

    // A new leader's shorter log from index 6 on: 8..10 must disappear.
    const replacement = [entry(6, 2, 55), entry(7, 2, 70)];
    await log.append(replacement, undefined, true);
    expect(log.lastIndex()).toBe(7);
    expect(await log.term(6)).toBe(2);
    expect(await log.term(7)).toBe(2);
    expect(await log.term(8)).toBeUndefined();
    expect(await temp.store.db.get(entryKey(1, 8))).toBeUndefined();
    expect(plain(await log.entries(1, 11, Infinity))).toEqual(
      plain([...entriesRange(1, 6, 1, (i) => 10 * i), ...replacement]),
    );
    expect(await log.indexAtTime(51)).toBe(6);
    expect(await log.indexAtTime(56)).toBe(7);
    expect(await log.indexAtTime(71)).toBe(8);
    expect(await countTimeKeys(temp.store.db, 1)).toBe(7);

    // And a longer one from index 3 on.
    const longer = entriesRange(3, 13, 3, (i) => 1000 + i);
    await log.append(longer, undefined, true);
    expect(log.lastIndex()).toBe(12);
    expect(plain(await log.entries(1, 20, Infinity))).toEqual(
      plain([...entriesRange(1, 3, 1, (i) => 10 * i), ...longer]),
    );

    const reopened = await (await temp.reopen()).group(1);
    expect(reopened.lastIndex()).toBe(12);
    expect(await reopened.term(12)).toBe(3);
    expect(await reopened.indexAtTime(21)).toBe(3);
    expect(await reopened.indexAtTime(1012)).toBe(12);
  });

  it("overwriting inside a millisecond run keeps the run's time-index key", async () => {
    const log = await temp.store.group(1);
    await log.append(
      entriesRange(1, 6, 1, () => 100),
      undefined,
      true,
    );
    await log.append([entry(3, 2, 100), entry(4, 2, 101)], undefined, true);
    expect(await log.indexAtTime(100)).toBe(1);
    expect(await log.indexAtTime(101)).toBe(4);
    expect(await countTimeKeys(temp.store.db, 1)).toBe(2);
  });

  it("pages entries by maxBytes, returning at least one entry", async () => {
    const log = await temp.store.group(1);
    const written = entriesRange(1, 11, 1, (i) => i).map((e) => ({ ...e, data: dataFor(e.index, 100) }));
    await log.append(written, undefined, true);
    expect((await log.entries(1, 11, 250)).map((e) => e.index)).toEqual([1, 2, 3]);
    expect((await log.entries(1, 11, 300)).map((e) => e.index)).toEqual([1, 2, 3]);
    expect((await log.entries(1, 11, 301)).map((e) => e.index)).toEqual([1, 2, 3, 4]);
    expect((await log.entries(4, 11, 0)).map((e) => e.index)).toEqual([4]);
    expect(await log.entries(11, 20, 0)).toEqual([]);
    expect(await log.entries(5, 5, 1000)).toEqual([]);

    const pages: number[][] = [];
    for (let next = 1; next <= log.lastIndex();) {
      const page = await log.entries(next, log.lastIndex() + 1, 250);
      pages.push(page.map((e) => e.index));
      next = page[page.length - 1]!.index + 1;
    }
    expect(pages).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9], [10]]);
  });

  it("reads long ranges across several iterator chunks", async () => {
    const log = await temp.store.group(1);
    await log.append(
      entriesRange(1, 1001, 1, (i) => i),
      undefined,
      false,
    );
    const all = await log.entries(1, 1001, Infinity);
    expect(all.map((e) => e.index)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(plain(all.slice(500, 501))).toEqual(plain([entry(501, 1, 501)]));
  });

  it("finds entries by time with several entries per millisecond and gaps between", async () => {
    const log = await temp.store.group(1);
    const times = [100, 100, 100, 105, 105, 110, 200, 200, 200, 201];
    await log.append(
      times.map((ts, i) => entry(i + 1, 1, ts)),
      undefined,
      true,
    );
    // One time-index key per new millisecond, not per entry.
    expect(await countTimeKeys(temp.store.db, 1)).toBe(5);
    const cases: Array<[number, number]> = [
      [0, 1],
      [99, 1],
      [100, 1],
      [100.5, 4],
      [101, 4],
      [105, 4],
      [106, 6],
      [110, 6],
      [111, 7],
      [150, 7],
      [200, 7],
      [201, 10],
      [202, 11],
      [Number.MAX_SAFE_INTEGER, 11],
      [-5, 1],
    ];
    for (const [ts, expected] of cases) expect([ts, await log.indexAtTime(ts)]).toEqual([ts, expected]);
  });

  it("answers indexAtTime by the running maximum when a timestamp goes backwards", async () => {
    const log = await temp.store.group(1);
    await log.append([entry(1, 1, 100), entry(2, 2, 50), entry(3, 2, 120)], undefined, true);
    expect(await log.indexAtTime(60)).toBe(1);
    expect(await log.indexAtTime(101)).toBe(3);
    expect(log.lastTimestampMs()).toBe(120);
  });

  it("trims: reads start at the new first index, time lookups stay exact, and it persists", async () => {
    const log = await temp.store.group(1);
    const times = [100, 100, 100, 105, 105, 110, 200, 200, 200, 201];
    await log.append(
      times.map((ts, i) => entry(i + 1, 1, ts)),
      { term: 1, vote: "", commitIndex: 10 },
      true,
    );

    await log.trimBefore(2);
    expect(log.firstIndex()).toBe(2);
    expect(await log.term(1)).toBeUndefined();
    expect(await log.term(2)).toBe(1);
    expect((await log.entries(1, 4, Infinity)).map((e) => e.index)).toEqual([2, 3]);
    // Entry 2 shared entry 1's millisecond; it now carries the key for it.
    expect(await log.indexAtTime(100)).toBe(2);
    expect(await log.indexAtTime(101)).toBe(4);

    await log.trimBefore(8);
    expect(await log.indexAtTime(0)).toBe(8);
    expect(await log.indexAtTime(200)).toBe(8);
    expect(await log.indexAtTime(201)).toBe(10);
    expect(await countTimeKeys(temp.store.db, 1)).toBe(2);
    expect(await countGroupKeys(temp.store.db, 1, [1])).toBe(3);

    await log.trimBefore(5); // Below the first index: nothing to do.
    expect(log.firstIndex()).toBe(8);

    let reopened = await (await temp.reopen()).group(1);
    expect([reopened.firstIndex(), reopened.lastIndex()]).toEqual([8, 10]);
    expect(await reopened.indexAtTime(150)).toBe(8);
    expect(plain(await reopened.entries(1, 11, Infinity))).toEqual(
      plain([8, 9, 10].map((i) => entry(i, 1, times[i - 1]!))),
    );

    // Never past lastIndex+1: the log becomes empty, keeping its position.
    await reopened.trimBefore(1000);
    expect([reopened.firstIndex(), reopened.lastIndex()]).toEqual([11, 10]);
    expect(await reopened.indexAtTime(0)).toBe(11);
    expect(await countGroupKeys(temp.store.db, 1, [1, NS_TIME])).toBe(0);
    reopened = await (await temp.reopen()).group(1);
    expect([reopened.firstIndex(), reopened.lastIndex(), reopened.lastTimestampMs()]).toEqual([11, 10, 0]);

    // The next entry lands at 11 and is found by time, even with an older timestamp.
    await reopened.append([entry(11, 2, 50)], undefined, true);
    expect(await reopened.indexAtTime(0)).toBe(11);
    expect(await reopened.indexAtTime(51)).toBe(12);
  });

  it("trims many entries in chunks, keeping millisecond runs that cross chunk boundaries findable", async () => {
    const log = await temp.store.group(1);
    await log.append(
      entriesRange(1, 25_001, 1, (i) => Math.floor(i / 1000)),
      undefined,
      false,
    );
    await log.trimBefore(24_500);
    expect([log.firstIndex(), log.lastIndex()]).toEqual([24_500, 25_000]);
    expect(await log.indexAtTime(0)).toBe(24_500);
    expect(await log.indexAtTime(24)).toBe(24_500);
    expect(await log.indexAtTime(25)).toBe(25_000);
    expect(await countTimeKeys(temp.store.db, 1)).toBe(2);
    expect(await countGroupKeys(temp.store.db, 1, [1])).toBe(501);
  });

  it("lets an empty log start further on (catch-up past a trim point), and not go back", async () => {
    const log = await temp.store.group(1);
    await log.append([entry(500, 7, 1), entry(501, 7, 2)], undefined, true);
    expect([log.firstIndex(), log.lastIndex()]).toEqual([500, 501]);
    const reopened = await (await temp.reopen()).group(1);
    expect([reopened.firstIndex(), reopened.lastIndex()]).toEqual([500, 501]);
    await expect(reopened.append([entry(3, 7, 1)], undefined, true)).rejects.toThrow(/below the first retained index/);
    await expect(reopened.append([entry(503, 7, 1)], undefined, true)).rejects.toThrow(/gap/);
    await expect(reopened.append([entry(502, 7, 1), entry(504, 7, 1)], undefined, true)).rejects.toThrow(/contiguous/);
    expect(reopened.lastIndex()).toBe(501);
  });

  it("serializes concurrent appends in call order", async () => {
    const log = await temp.store.group(1);
    await Promise.all([
      log.append(
        entriesRange(1, 6, 1, (i) => i),
        undefined,
        true,
      ),
      log.append(
        entriesRange(6, 11, 1, (i) => i),
        undefined,
        false,
      ),
      log.append(
        entriesRange(4, 7, 2, (i) => i),
        { term: 2, vote: "", commitIndex: 3 },
        true,
      ),
    ]);
    expect(log.lastIndex()).toBe(6);
    expect((await log.entries(1, 20, Infinity)).map((e) => [e.index, e.term])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 2],
      [5, 2],
      [6, 2],
    ]);
  });

  it("throws CorruptDataException on a corrupted entry, and never returns its data", async () => {
    const log = await temp.store.group(1);
    await log.append(
      entriesRange(1, 6, 1, (i) => i),
      undefined,
      true,
    );
    const { db } = temp.store;
    const value = (await db.get(entryKey(1, 3)))!;
    const corrupted = Uint8Array.from(value);
    corrupted[corrupted.length - 1]! ^= 0xff;
    await db.put(entryKey(1, 3), corrupted);

    await expect(log.entries(1, 6, Infinity)).rejects.toThrow(CORRUPT);
    await expect(log.entries(1, 6, Infinity)).rejects.toThrow(/group 1 index 3/);
    await expect(log.term(3)).rejects.toThrow(CORRUPT);
    expect((await log.entries(1, 3, Infinity)).map((e) => e.index)).toEqual([1, 2]);
    expect((await log.entries(4, 6, Infinity)).map((e) => e.index)).toEqual([4, 5]);

    // A truncated value is corrupt too.
    await db.put(entryKey(1, 4), value.subarray(0, 10));
    await expect(log.entries(4, 6, Infinity)).rejects.toThrow(CORRUPT);
    // A hole in the middle of the log is reported, not skipped.
    await db.del(entryKey(1, 2));
    await expect(log.entries(1, 3, Infinity)).rejects.toThrow(/entry 2 is missing/);
  });

  it("refuses to open a group whose last entry or hard state is corrupt", async () => {
    const log = await temp.store.group(1);
    await log.append(
      entriesRange(1, 4, 1, (i) => i),
      { term: 1, vote: "", commitIndex: 2 },
      true,
    );
    const other = await temp.store.group(2);
    await other.append([entry(1, 1, 1)], { term: 1, vote: "x", commitIndex: 0 }, true);
    const { db } = temp.store;
    await db.put(entryKey(1, 3), encodeEntryValue(entry(3, 1, 3)).subarray(0, 25));
    const hardState = (await db.get(groupKey(2, 2)))!;
    await db.put(
      groupKey(2, 2),
      Uint8Array.from(hardState, (b, i) => (i === 6 ? b ^ 1 : b)),
    );

    const store = await temp.reopen();
    await expect(store.group(1)).rejects.toThrow(CORRUPT);
    await expect(store.group(2)).rejects.toThrow(/hard state of group 2/);
  });

  it("destroy removes every key of the group and nothing else", async () => {
    const { store } = temp;
    const doomed = await store.group(1);
    await doomed.append(
      entriesRange(1, 21, 1, (i) => i),
      { term: 1, vote: "a", commitIndex: 20 },
      true,
    );
    await doomed.trimBefore(5);
    const kept = await store.group(2);
    await kept.append(
      entriesRange(1, 4, 1, (i) => i),
      { term: 1, vote: "", commitIndex: 1 },
      true,
    );
    expect(await countGroupKeys(store.db, 1)).toBeGreaterThan(0);

    const destroying = doomed.destroy();
    // Asked for while being destroyed, the group opens afresh once its keys are gone.
    const fresh = await store.group(1);
    await destroying;
    expect(fresh).not.toBe(doomed);
    expect([fresh.firstIndex(), fresh.lastIndex()]).toEqual([1, 0]);
    expect(fresh.hardState()).toEqual(EMPTY_HARD_STATE);
    expect(await countGroupKeys(store.db, 1)).toBe(0);
    expect(await store.groupIds()).toEqual([2]);
    expect(() => doomed.append([entry(21, 1, 1)], undefined, true)).toThrow(/after destroy/);

    expect(plain(await kept.entries(1, 4, Infinity))).toEqual(plain(entriesRange(1, 4, 1, (i) => i)));
    const reopened = await temp.reopen();
    expect(await reopened.groupIds()).toEqual([2]);
    expect((await reopened.group(2)).hardState()).toEqual({ term: 1, vote: "", commitIndex: 1 });
  });

  it("keeps groups apart, including neighbours and the extreme group ids", async () => {
    const { store } = temp;
    const ids = [0, 1, 2, 0xffff_ffff];
    for (const id of ids) {
      const log = await store.group(id);
      await log.append(
        entriesRange(1, 4 + (id % 5), (id % 7) + 1, (i) => (id % 1000) + i),
        { term: id, vote: `v${id}`, commitIndex: 1 },
        true,
      );
    }
    await (await store.group(1)).trimBefore(3);
    await (await store.group(2)).destroy();
    expect(await store.groupIds()).toEqual([0, 1, 0xffff_ffff]);

    const reopened = await temp.reopen();
    for (const id of [0, 1, 0xffff_ffff]) {
      const log = await reopened.group(id);
      const first = id === 1 ? 3 : 1;
      const expected = entriesRange(first, 4 + (id % 5), (id % 7) + 1, (i) => (id % 1000) + i);
      expect(plain(await log.entries(0, 100, Infinity))).toEqual(plain(expected));
      expect(log.lastIndex()).toBe(3 + (id % 5));
      expect(log.hardState().vote).toBe(`v${id}`);
      expect(await log.term(log.lastIndex() + 1)).toBeUndefined();
    }
    expect((await reopened.group(2)).lastIndex()).toBe(0);
  });
});

/** What the log should hold: the model the property test compares the store with. */
interface Model {
  first: number;
  entries: Map<number, Entry>;
  last: number;
  hardState: { term: number; vote: string; commitIndex: number };
  snapshot: SnapshotMeta;
}

type Op =
  | { kind: "append"; at: number; count: number; steps: number[]; configs: boolean[] }
  | { kind: "trim"; at: number }
  | { kind: "compact"; at: number }
  | { kind: "install"; at: number; term: number }
  | { kind: "hardState"; term: number; commitIndex: number }
  | { kind: "reopen" };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      at: fc.nat(),
      count: fc.integer({ min: 1, max: 6 }),
      steps: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 6, maxLength: 6 }),
      configs: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("trim" as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("compact" as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("install" as const), at: fc.nat(), term: fc.nat(50) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("hardState" as const), term: fc.nat(50), commitIndex: fc.nat(50) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reopen" as const) }) },
);

describe("GroupLog against a model", () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await TempStore.create();
  });
  afterEach(async () => {
    await temp.dispose();
  });

  it("matches the model through random appends, overwrites, trims, compactions, snapshot installs and reopens", async () => {
    let groupId = 100;
    let term = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(arbOp, { maxLength: 25 }), async (ops) => {
        groupId += 1;
        const model: Model = {
          first: 1,
          last: 0,
          entries: new Map(),
          hardState: EMPTY_HARD_STATE,
          snapshot: { index: 0, term: 0, conf: { voters: [], learners: [] } },
        };
        let log = await temp.store.group(groupId);
        let lastSeenMs = 0;
        for (const op of ops) {
          if (op.kind === "append") {
            const empty = model.last < model.first;
            const start = empty ? model.first + (op.at % 3) : model.first + (op.at % (model.last + 2 - model.first));
            term += 1;
            let ts = model.entries.get(start - 1)?.timestampMs ?? lastSeenMs;
            const batch: Entry[] = [];
            for (let i = 0; i < op.count; i++) {
              ts += op.steps[i]!;
              const e = entry(start + i, term, ts);
              batch.push(op.configs[i]! && i % 2 === 0 ? { ...e, type: EntryType.Config } : e);
            }
            lastSeenMs = Math.max(lastSeenMs, ts);
            await log.append(batch, undefined, false);
            if (empty) model.first = start;
            for (let i = start; i <= model.last; i++) model.entries.delete(i);
            for (const e of batch) model.entries.set(e.index, e);
            model.last = start + op.count - 1;
          } else if (op.kind === "trim") {
            const target = model.first + (op.at % (model.last + 3 - model.first));
            await log.trimBefore(target);
            const newFirst = Math.max(model.first, Math.min(target, model.last + 1));
            for (let i = model.first; i < newFirst; i++) model.entries.delete(i);
            model.first = newFirst;
          } else if (op.kind === "compact") {
            if (model.last < model.first) continue;
            const index = model.first + (op.at % (model.last + 1 - model.first));
            const meta = { index, term: model.entries.get(index)!.term, conf: { voters: [`v${index}`], learners: [] } };
            await log.compact(meta);
            for (let i = model.first; i <= index; i++) model.entries.delete(i);
            model.first = index + 1;
            model.snapshot = meta;
          } else if (op.kind === "install") {
            const index = Math.max(0, model.first - 3 + (op.at % 8));
            const meta = { index, term: op.term, conf: { voters: ["a", `v${index}`], learners: ["l"] } };
            await log.installSnapshot(meta);
            model.entries.clear();
            model.first = index + 1;
            model.last = index;
            model.snapshot = meta;
          } else if (op.kind === "hardState") {
            model.hardState = { term: op.term, vote: "", commitIndex: op.commitIndex };
            await log.append([], model.hardState, false);
          } else {
            log = await (await temp.reopen()).group(groupId);
          }
          await expectMatches(log, model);
        }
      }),
      { numRuns: 60 },
    );
    // Both sides of the restoredState check ran (about half the checks each).
    expect(restoredChecks.compared).toBeGreaterThan(30);
    expect(restoredChecks.refused).toBeGreaterThan(0);
  });
});

/** How often expectMatches compared restoredState with the model, and how often it expected a refusal. */
const restoredChecks = { compared: 0, refused: 0 };

async function expectMatches(log: Awaited<ReturnType<TempStore["store"]["group"]>>, model: Model): Promise<void> {
  expect([log.firstIndex(), log.lastIndex()]).toEqual([model.first, model.last]);
  expect(log.hardState()).toEqual(model.hardState);
  const expected = [...model.entries.values()].sort((a, b) => a.index - b.index);
  expect(plain(await log.entries(0, model.last + 5, Infinity))).toEqual(plain(expected));
  expect(log.lastTimestampMs()).toBe(expected[expected.length - 1]?.timestampMs ?? 0);
  expect(log.snapshotMeta()).toEqual(model.snapshot);
  const configs = expected.filter((e) => e.type === EntryType.Config);
  expect(plain(await log.configEntries())).toEqual(plain(configs));
  if (model.first === model.snapshot.index + 1) {
    const empty = model.last < model.first;
    const from = Math.max(model.first, Math.min(model.hardState.commitIndex, model.last));
    const restored = await log.restoredState();
    restoredChecks.compared += 1;
    const want: RestoredState = {
      hardState: model.hardState,
      snapshot: model.snapshot,
      firstIndex: model.first,
      lastIndex: model.last,
      lastTerm: empty ? model.snapshot.term : model.entries.get(model.last)!.term,
      entries: expected.filter((e) => e.index >= from),
      configEntries: configs,
      appliedIndex: Math.min(Math.max(model.hardState.commitIndex, model.snapshot.index), model.last),
    };
    expect({ ...restored, entries: plain(restored.entries), configEntries: plain(restored.configEntries) }).toEqual({
      ...want,
      entries: plain(want.entries),
      configEntries: plain(want.configEntries),
    });
  } else {
    // trimBefore, or an append past the first index of an empty log, moved the log off its snapshot.
    await expect(log.restoredState()).rejects.toThrow(/not right after its snapshot index/);
    restoredChecks.refused += 1;
  }
  for (let i = model.first - 1; i <= model.last + 1; i++) {
    expect(await log.term(i)).toBe(model.entries.get(i)?.term);
  }
  const times = new Set(expected.flatMap((e) => [e.timestampMs - 1, e.timestampMs, e.timestampMs + 1]));
  for (const ts of times) {
    const want = expected.find((e) => e.timestampMs >= ts)?.index ?? model.last + 1;
    expect([ts, await log.indexAtTime(ts)]).toEqual([ts, want]);
  }
}
