import { describe, expect, it } from "vitest";
import type { StreamRecord } from "../types.js";
import { wholeRecordCheckpoints } from "./shard-consumer.js";

const record = (sequenceNumber: string): StreamRecord => ({
  sequenceNumber,
  approximateArrivalTimestamp: new Date(0),
  data: Buffer.alloc(0),
  partitionKey: "k",
});
const user = (sequenceNumber: string, subSequenceNumber: number) => ({
  ...record(sequenceNumber),
  subSequenceNumber,
  aggregated: true,
});

describe("wholeRecordCheckpoints", () => {
  it("names a batch's last record when it is whole, else the record before its aggregate", () => {
    // 10 plain, 20 an aggregate of three user records, 30 plain; the batches cut the aggregate.
    const records = [record("10"), record("20"), record("30")];
    const batches = [
      [record("10"), user("20", 0)],
      [user("20", 1), user("20", 2), record("30")],
    ];
    const at = wholeRecordCheckpoints(records, batches, "5");
    expect(at(batches[0]![1]!)).toBe("10"); // inside the aggregate: a restart reads all of it again
    expect(at(batches[1]![0]!)).toBe("10");
    expect(at(batches[1]![1]!)).toBe("20"); // the aggregate's last user record: the aggregate is done
    expect(at(batches[1]![2]!)).toBe("30");
    expect(at(batches[0]![0]!)).toBe("10");
    // An aggregate first in this reading: the record before it is the previous reading's last.
    const first = wholeRecordCheckpoints([record("20")], [[user("20", 0)], [user("20", 1)]], "5");
    expect(first(user("20", 0))).toBe("5");
    expect(
      wholeRecordCheckpoints([record("20")], [[user("20", 0)], [user("20", 1)]], undefined)(user("20", 0)),
    ).toBeUndefined();
  });
});
