import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { EntryType, type Entry } from "@eddy/raft";

import {
  decodeEntryValue,
  decodeGroupMeta,
  decodeHardState,
  encodeEntryValue,
  encodeGroupMeta,
  encodeHardState,
  ENTRY_HEADER_BYTES,
  EMPTY_SNAPSHOT_META,
  type GroupMeta,
} from "./codec.js";
import { configKey, configKeyIndex, decodeTimeKey, entryKey, entryKeyIndex, timeKey, writeU64 } from "./keys.js";

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

const CORRUPT = expect.objectContaining({ name: "CorruptDataException" });
const arbU64 = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const arbGroupMeta: fc.Arbitrary<GroupMeta> = fc.record({
  firstIndex: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  snapshot: fc.record({
    index: arbU64,
    term: arbU64,
    conf: fc.record({
      voters: fc.array(fc.string({ unit: "grapheme", maxLength: 20 }), { maxLength: 6 }),
      learners: fc.array(fc.string({ unit: "grapheme", maxLength: 20 }), { maxLength: 6 }),
    }),
  }),
  replacing: fc.boolean(),
});

describe("group meta codec", () => {
  it("round-trips first index, snapshot index, term, conf (UTF-8 ids) and the replacing flag", () => {
    fc.assert(
      fc.property(arbGroupMeta, (meta) => {
        expect(decodeGroupMeta(encodeGroupMeta(meta), "group 1")).toEqual(meta);
      }),
    );
  });

  it("detects any single flipped bit as CorruptDataException", () => {
    fc.assert(
      fc.property(arbGroupMeta, fc.nat(), fc.integer({ min: 0, max: 7 }), (meta, at, bit) => {
        const value = encodeGroupMeta(meta);
        const position = at % value.length;
        value[position] = value[position]! ^ (1 << bit);
        expect(() => decodeGroupMeta(value, "group 3")).toThrow(CORRUPT);
      }),
    );
  });

  it("still reads the original format, a bare u64 first index, as having no snapshot", () => {
    const legacy = Buffer.alloc(8);
    writeU64(legacy, 0, 2 ** 40 + 7);
    expect(decodeGroupMeta(legacy, "group 1")).toEqual({
      firstIndex: 2 ** 40 + 7,
      snapshot: EMPTY_SNAPSHOT_META,
      replacing: false,
    });
    expect(EMPTY_SNAPSHOT_META).toEqual({ index: 0, term: 0, conf: { voters: [], learners: [] } });
    expect(() => decodeGroupMeta(Buffer.alloc(8), "group 1")).toThrow(/first index/);
  });

  it("rejects other lengths, an unknown version and trailing bytes", () => {
    const value = encodeGroupMeta({
      firstIndex: 5,
      snapshot: { index: 4, term: 2, conf: { voters: ["a"], learners: [] } },
      replacing: false,
    });
    expect(value[0]).toBe(1);
    expect(() => decodeGroupMeta(value.subarray(0, 20), "group 1")).toThrow(CORRUPT);
    expect(() => decodeGroupMeta(Buffer.concat([value, Buffer.from([0])]), "group 1")).toThrow(CORRUPT);
    const future = Buffer.from(value);
    future[0] = 2;
    expect(() => decodeGroupMeta(future, "group 1")).toThrow(/unknown version 2/);
  });

  it("refuses to encode what the format cannot hold", () => {
    const conf = { voters: ["x".repeat(0x1_0000)], learners: [] };
    expect(() => encodeGroupMeta({ firstIndex: 1, snapshot: { index: 0, term: 0, conf }, replacing: false })).toThrow(
      /longer than 65,535/,
    );
    expect(() => encodeGroupMeta({ firstIndex: 0, snapshot: EMPTY_SNAPSHOT_META, replacing: false })).toThrow(
      /first index >= 1/,
    );
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
          expect(Math.sign(Buffer.compare(configKey(5, a), configKey(5, b)))).toBe(Math.sign(a - b));
          expect(configKeyIndex(configKey(5, a))).toBe(a);
        },
      ),
    );
  });
});
