import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { KinesisError } from "./errors.js";
import { HASH_KEY_MAX, hashKeyOf, parseHashKey } from "./hashing.js";
import { evenHashKeyRanges, shardForHashKey, shardIdOf } from "./shards.js";
import type { Shard } from "./model.js";

function caught(fn: () => unknown): KinesisError {
  try {
    fn();
  } catch (error) {
    if (error instanceof KinesisError) return error;
    throw error;
  }
  throw new Error("expected a KinesisError, nothing was thrown");
}

function shardsOf(count: number): Shard[] {
  return evenHashKeyRanges(count).map((hashKeyRange, shardNumber) => ({
    shardId: shardIdOf(shardNumber),
    shardNumber,
    groupId: shardNumber,
    hashKeyRange,
    startingSequenceNumber: 0n,
  }));
}

describe("hashKeyOf: MD5 of the UTF-8 key as an unsigned 128-bit big-endian integer", () => {
  it.each([
    ["", 0xd41d8cd98f00b204e9800998ecf8427en],
    ["a", 0x0cc175b9c0f1b6a831c399e269772661n],
    ["abc", 0x900150983cd24fb0d6963f7d28e17f72n],
    ["message digest", 0xf96b697d7cb7938d525a2f31aaf161d0n],
  ])("md5(%j)", (key, expected) => {
    expect(hashKeyOf(key)).toBe(expected);
  });

  it("hashes the UTF-8 bytes, not UTF-16 units", () => {
    // md5 of the two bytes C3 A9, U+00E9 in UTF-8.
    expect(hashKeyOf("\u00e9")).toBe(0x66ddcd97cfdeabb2f6fb8a999b4bc76fn);
    // A lone surrogate is encoded as U+FFFD, as the record-batch codec stores it.
    expect(hashKeyOf("\ud800")).toBe(hashKeyOf("\ufffd"));
  });

  it("always lands in 0..2^128-1", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (key) => {
        const hashKey = hashKeyOf(key);
        return hashKey >= 0n && hashKey <= HASH_KEY_MAX;
      }),
    );
  });
});

describe("parseHashKey", () => {
  it("accepts the edges of the key space", () => {
    expect(parseHashKey("0", "ExplicitHashKey")).toBe(0n);
    expect(parseHashKey(HASH_KEY_MAX.toString(), "ExplicitHashKey")).toBe(HASH_KEY_MAX);
    expect(parseHashKey("00042", "ExplicitHashKey")).toBe(42n);
  });

  it.each(["", "-1", "+1", " 1", "1 ", "1.0", "0x10", "1e3", (HASH_KEY_MAX + 1n).toString(), "9".repeat(1000)])(
    "rejects %j naming the field",
    (text) => {
      const error = caught(() => parseHashKey(text, "ExplicitHashKey"));
      expect(error.name).toBe("InvalidArgumentException");
      expect(error.message).toContain("'ExplicitHashKey'");
    },
  );

  it("round-trips every key in range", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: HASH_KEY_MAX }), (hashKey) => {
        return parseHashKey(hashKey.toString(), "ExplicitHashKey") === hashKey;
      }),
    );
  });
});

describe("routing a hash key that falls exactly on a shard boundary", () => {
  // An ExplicitHashKey stands in for a partition key whose MD5 would equal the boundary.
  it.each([2, 3, 4, 7, 1024])("%i shards: each boundary and its neighbours go to the right shard", (count) => {
    const shards = shardsOf(count);
    for (const [i, shard] of shards.entries()) {
      const { startingHashKey: start, endingHashKey: end } = shard.hashKeyRange;
      expect(shardForHashKey(shards, start)?.shardNumber).toBe(i);
      expect(shardForHashKey(shards, end)?.shardNumber).toBe(i);
      if (start > 0n) expect(shardForHashKey(shards, start - 1n)?.shardNumber).toBe(i - 1);
      if (end < HASH_KEY_MAX) expect(shardForHashKey(shards, end + 1n)?.shardNumber).toBe(i + 1);
    }
  });

  it("routes a partition key by its MD5", () => {
    // md5("abc") = 0x9001... which is in the third quarter of the key space.
    expect(shardForHashKey(shardsOf(4), hashKeyOf("abc"))?.shardId).toBe("shardId-000000000002");
    // md5("a") = 0x0cc1... which is in the first quarter.
    expect(shardForHashKey(shardsOf(4), hashKeyOf("a"))?.shardId).toBe("shardId-000000000000");
  });
});
