import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { AssertionError } from "./errors.js";
import { HASH_KEY_MAX } from "./hashing.js";
import type { Shard } from "./model.js";
import { evenHashKeyRanges, parseShardId, SHARD_NUMBER_MAX, shardForHashKey, shardIdOf } from "./shards.js";

describe("shard ids", () => {
  it("are spelled as Kinesis spells them", () => {
    expect(shardIdOf(0)).toBe("shardId-000000000000");
    expect(shardIdOf(42)).toBe("shardId-000000000042");
    expect(shardIdOf(SHARD_NUMBER_MAX)).toBe("shardId-999999999999");
  });

  it("round-trip", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: SHARD_NUMBER_MAX }), (n) => parseShardId(shardIdOf(n)) === n));
  });

  it.each([
    "",
    "shardId-",
    "shardId-0",
    "shardId-0000000000000",
    "shardid-000000000000",
    "shardId-00000000000a",
    " shardId-000000000000",
    "shardId-000000000000\n",
    "shardId-+00000000001",
  ])("rejects %j", (text) => {
    expect(parseShardId(text)).toBeUndefined();
  });

  it("refuses a shard number that does not fit 12 digits", () => {
    expect(() => shardIdOf(SHARD_NUMBER_MAX + 1)).toThrow(AssertionError);
    expect(() => shardIdOf(-1)).toThrow(AssertionError);
    expect(() => shardIdOf(1.5)).toThrow(AssertionError);
  });
});

describe("evenHashKeyRanges, as Kinesis CreateStream splits the key space", () => {
  it("4 shards: quarter boundaries", () => {
    const ranges = evenHashKeyRanges(4);
    expect(ranges[0]).toEqual({ startingHashKey: 0n, endingHashKey: 85070591730234615865843651857942052863n });
    expect(ranges[1]?.startingHashKey).toBe(85070591730234615865843651857942052864n);
    expect(ranges[3]?.endingHashKey).toBe(HASH_KEY_MAX);
  });

  it("1 shard covers everything", () => {
    expect(evenHashKeyRanges(1)).toEqual([{ startingHashKey: 0n, endingHashKey: HASH_KEY_MAX }]);
  });

  it("any count: contiguous, non-empty, covering 0..2^128-1, starts at floor(i * 2^128 / count)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), (count) => {
        const ranges = evenHashKeyRanges(count);
        expect(ranges).toHaveLength(count);
        expect(ranges[0]?.startingHashKey).toBe(0n);
        expect(ranges.at(-1)?.endingHashKey).toBe(HASH_KEY_MAX);
        ranges.forEach((range, i) => {
          expect(range.startingHashKey).toBe((BigInt(i) << 128n) / BigInt(count));
          expect(range.startingHashKey <= range.endingHashKey).toBe(true);
          const next = ranges[i + 1];
          if (next) expect(next.startingHashKey).toBe(range.endingHashKey + 1n);
        });
      }),
      { numRuns: 50 },
    );
  });
});

describe("shardForHashKey", () => {
  const shardOf = (shardNumber: number, start: bigint, end: bigint, closed = false): Shard => ({
    shardId: shardIdOf(shardNumber),
    shardNumber,
    groupId: shardNumber,
    hashKeyRange: { startingHashKey: start, endingHashKey: end },
    startingSequenceNumber: 0n,
    ...(closed ? { endingSequenceNumber: 1n } : {}),
  });

  it("skips closed shards, whose range is now owned by their children", () => {
    const half = 1n << 127n;
    const shards = [shardOf(0, 0n, HASH_KEY_MAX, true), shardOf(1, 0n, half - 1n), shardOf(2, half, HASH_KEY_MAX)];
    expect(shardForHashKey(shards, 0n)?.shardNumber).toBe(1);
    expect(shardForHashKey(shards, half - 1n)?.shardNumber).toBe(1);
    expect(shardForHashKey(shards, half)?.shardNumber).toBe(2);
    expect(shardForHashKey(shards, HASH_KEY_MAX)?.shardNumber).toBe(2);
  });

  it("returns undefined when no open shard owns the key", () => {
    expect(shardForHashKey([shardOf(0, 0n, HASH_KEY_MAX, true)], 5n)).toBeUndefined();
    expect(shardForHashKey([], 5n)).toBeUndefined();
  });

  it("finds exactly the shard whose range holds the key, for any layout of even ranges", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.bigInt({ min: 0n, max: HASH_KEY_MAX }), (count, hashKey) => {
        const shards = evenHashKeyRanges(count).map((r, i) => shardOf(i, r.startingHashKey, r.endingHashKey));
        const found = shardForHashKey(shards, hashKey);
        const expected = shards.filter(
          (s) => s.hashKeyRange.startingHashKey <= hashKey && hashKey <= s.hashKeyRange.endingHashKey,
        );
        expect(expected).toHaveLength(1);
        expect(found).toBe(expected[0]);
      }),
    );
  });
});
