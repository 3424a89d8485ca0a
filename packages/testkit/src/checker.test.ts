import { describe, expect, it } from "vitest";
import { checkHistory, type AckedWrite, type StoredRecord } from "./checker.js";

const w = (seq: number, key: string, data: string, shardId = "s0"): AckedWrite => ({
  shardId,
  sequenceNumber: String(seq),
  partitionKey: key,
  data,
});
const stored = (writes: readonly AckedWrite[]): StoredRecord[] => writes.map((x) => ({ ...x }));

describe("history checker", () => {
  const acked = [w(1, "a", "a1"), w(2, "b", "b1"), w(3, "a", "a2"), w(4, "a", "a3", "s0")];

  it("passes a history where every replica holds every acknowledged write once, in order", () => {
    const report = checkHistory(acked, [
      { replica: "r1", records: stored(acked) },
      { replica: "r2", records: stored(acked) },
    ]);
    expect(report).toMatchObject({ ok: true, lost: [], duplicates: [], divergent: [] });
  });

  it("reports a lost write", () => {
    const report = checkHistory(acked, [{ replica: "r1", records: stored(acked.slice(0, 3)) }]);
    expect(report.ok).toBe(false);
    expect(report.lost.map((l) => l.write.data)).toEqual(["a3"]);
  });

  it("reports a duplicate", () => {
    const report = checkHistory(acked, [
      { replica: "r1", records: [...stored(acked), { ...acked[1]!, sequenceNumber: "9" }] },
    ]);
    expect(report.duplicates).toEqual([{ replica: "r1", data: "b1", sequenceNumbers: ["2", "9"] }]);
  });

  it("reports one sequence number holding two records", () => {
    const report = checkHistory(acked, [
      { replica: "r1", records: stored([...acked.slice(0, 3), w(4, "a", "other")]) },
    ]);
    expect(report.inconsistentOffsets).toEqual([{ shardId: "s0", sequenceNumber: "4", records: ["a3", "other"] }]);
  });

  it("reports records of one key read out of acknowledgement order, and a shard out of sequence order", () => {
    const swapped = stored([
      acked[0]!,
      acked[1]!,
      { ...acked[3]!, sequenceNumber: "3" },
      { ...acked[2]!, sequenceNumber: "4" },
    ]);
    const report = checkHistory(acked, [{ replica: "r1", records: swapped }]);
    expect(report.reordered).toEqual([{ replica: "r1", partitionKey: "a" }]);
    const backwards = checkHistory(acked, [{ replica: "r1", records: stored([acked[1]!, acked[0]!]) }]);
    expect(backwards.unordered).toEqual([{ replica: "r1", shardId: "s0", at: 1 }]);
  });

  it("reports replicas whose logs of a shard diverge", () => {
    const report = checkHistory(
      [],
      [
        { replica: "r1", records: stored([w(1, "a", "x"), w(2, "a", "y")]) },
        { replica: "r2", records: stored([w(1, "a", "x"), w(2, "a", "z")]) },
      ],
    );
    expect(report.divergent).toEqual([{ shardId: "s0", replicas: ["r1", "r2"] }]);
  });
});
