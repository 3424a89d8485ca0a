import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { EntryType, type Entry } from "@eddy/raft";

import { decodeEntryValue, decodeHardState, encodeEntryValue, encodeHardState, ENTRY_HEADER_BYTES } from "./codec.js";
import { decodeTimeKey, entryKey, entryKeyIndex, timeKey } from "./keys.js";

const arbEntry = fc.record({
  index: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  term: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  type: fc.constantFrom(EntryType.Noop, EntryType.Records, EntryType.Config),
  timestampMs: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  data: fc.uint8Array({ maxLength: 300 }),
});

describe("entry value codec", () => {
  it("round-trips every field, including u64 values past 2^32", () => {
    fc.assert(
      fc.property(arbEntry, (entry: Entry) => {
        const decoded = decodeEntryValue(entry.index, encodeEntryValue(entry));
        expect({ ...decoded, data: [...decoded.data] }).toEqual({ ...entry, data: [...entry.data] });
      }),
    );
  });

  it("detects any single flipped bit as CorruptDataException", () => {
    fc.assert(
      fc.property(arbEntry, fc.nat(), fc.integer({ min: 0, max: 7 }), (entry, at, bit) => {
        const value = encodeEntryValue(entry);
        const position = at % value.length;
        value[position] = value[position]! ^ (1 << bit);
        expect(() => decodeEntryValue(entry.index, value, "group 3 index 9")).toThrow(
          expect.objectContaining({
            name: "CorruptDataException",
            message: expect.stringContaining("group 3 index 9"),
          }),
        );
      }),
    );
  });

  it("rejects a value shorter than its header", () => {
    expect(() => decodeEntryValue(1, new Uint8Array(ENTRY_HEADER_BYTES - 1))).toThrow(
      expect.objectContaining({ name: "CorruptDataException" }),
    );
  });
});

describe("hard state codec", () => {
  it("round-trips, and a flipped byte is CorruptDataException", () => {
    const hardState = { term: 2 ** 40 + 3, vote: "broker-b", commitIndex: 2 ** 33 };
    const value = encodeHardState(hardState);
    expect(decodeHardState(value, "group 1")).toEqual(hardState);
    value[value.length - 1]! ^= 0x01;
    expect(() => decodeHardState(value, "group 1")).toThrow(expect.objectContaining({ name: "CorruptDataException" }));
  });
});

describe("keys", () => {
  it("sort in log order: big-endian indexes and timestamps compare like numbers", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        (a, b) => {
          expect(Math.sign(Buffer.compare(entryKey(5, a), entryKey(5, b)))).toBe(Math.sign(a - b));
          expect(Math.sign(Buffer.compare(timeKey(5, a, 1), timeKey(5, b, 1)))).toBe(Math.sign(a - b));
          expect(entryKeyIndex(entryKey(5, a))).toBe(a);
          expect(decodeTimeKey(timeKey(5, a, b))).toEqual({ timestampMs: a, index: b });
        },
      ),
    );
  });
});
