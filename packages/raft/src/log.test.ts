/** RaftLog: the in-memory window over the durable log, and its bookkeeping. */
import { describe, expect, it } from "vitest";

import { RaftLog } from "./log.js";
import { ENTRY_OVERHEAD_BYTES, EntryType, type Entry, type RestoredState } from "./types.js";

const CONF = { voters: ["a"], learners: [] };

function entry(index: number, term: number): Entry {
  return { index, term, type: EntryType.Records, timestampMs: 0, data: new Uint8Array(0) };
}

function logWith(terms: number[], commitIndex = 0): RaftLog {
  const entries = terms.map((term, i) => entry(i + 1, term));
  const restored: RestoredState = {
    hardState: { term: terms.at(-1) ?? 0, vote: "", commitIndex },
    snapshot: { index: 0, term: 0, conf: CONF },
    firstIndex: 1,
    lastIndex: terms.length,
    lastTerm: terms.at(-1) ?? 0,
    entries,
    configEntries: [],
    appliedIndex: 0,
  };
  return new RaftLog(restored);
}

describe("RaftLog", () => {
  it("finds the largest index at or below a given one whose term is at most a given term", () => {
    const log = logWith([1, 1, 1, 4, 4, 5, 5, 6, 6, 6]);
    expect(log.findConflictByTerm(10, 3)).toEqual({ index: 3, term: 1 });
    expect(log.findConflictByTerm(10, 5)).toEqual({ index: 7, term: 5 });
    expect(log.findConflictByTerm(5, 6)).toEqual({ index: 5, term: 4 });
    expect(log.findConflictByTerm(10, 0)).toEqual({ index: 0, term: 0 });
  });

  it("a follower's append keeps matching entries and replaces a conflicting suffix", () => {
    const log = logWith([1, 1, 2, 2]);
    expect(log.maybeAppend(1, 1, 0, [entry(2, 1), entry(3, 3)])).toEqual({
      lastNewIndex: 3,
      truncatedFrom: 3,
      appended: [entry(3, 3)],
    });
    expect([1, 2, 3].map((i) => log.term(i))).toEqual([1, 1, 3]);
    expect(log.lastIndex).toBe(3);
    expect(log.maybeAppend(3, 2, 0, [])).toBeUndefined();
  });

  it("entries overwritten while their Ready is being written are not counted durable when it completes", () => {
    const log = logWith([1, 1]);
    log.maybeAppend(2, 1, 0, [entry(3, 1), entry(4, 1)]);
    expect(log.takeUnstable().map((e) => e.index)).toEqual([3, 4]); // the driver writes these...
    log.maybeAppend(2, 1, 0, [entry(3, 2)]); // ...while a new leader overwrites them
    log.persistedTo(4);
    expect(log.durableIndex).toBe(2);
    expect(log.takeUnstable()).toEqual([entry(3, 2)]);
    log.persistedTo(3);
    expect(log.durableIndex).toBe(3);
  });

  it("never overwrites a committed entry", () => {
    const log = logWith([1, 1, 2], 3);
    expect(() => log.maybeAppend(2, 1, 0, [entry(3, 3)])).toThrow(/below the commit index/);
  });

  it("keeps in memory what is not yet durable, committed or applied, and a tail bounded in bytes", () => {
    const log = logWith([1, 1, 1, 1, 1, 1], 6);
    log.appliedTo(6);
    log.trimMemory(2 * ENTRY_OVERHEAD_BYTES);
    expect(log.memFirst).toBe(5);
    expect(log.slice(3, 7, Infinity)).toBeUndefined();
    expect(log.term(4)).toBe(1); // the entry just below the window
    expect(log.term(3)).toBeUndefined();
    log.appendAsLeader(entry(7, 2));
    log.trimMemory(0);
    expect(log.memFirst).toBe(7); // entry 7 is neither durable nor committed
    expect(log.applyLimit).toBe(6);
  });

  it("after a restart, knows the terms from the commit index on, and none below the restored entries", () => {
    const restored: RestoredState = {
      hardState: { term: 1, vote: "", commitIndex: 4 },
      snapshot: { index: 0, term: 0, conf: CONF },
      firstIndex: 1,
      lastIndex: 5,
      lastTerm: 1,
      entries: [entry(4, 1), entry(5, 1)],
      configEntries: [],
      appliedIndex: 1,
    };
    const log = new RaftLog(restored);
    expect(log.memFirst).toBe(4);
    expect(log.term(4)).toBe(1);
    expect(log.term(3)).toBeUndefined();
  });
});
