import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { AssertionError, KinesisError } from "./errors.js";
import { decodeShardIterator, encodeShardIterator, type IteratorPayload } from "./iterator.js";
import { LIMITS } from "./limits.js";
import { SEQUENCE_OFFSET_MAX } from "./sequence.js";
import { SHARD_NUMBER_MAX, shardIdOf } from "./shards.js";

const KEY = new Uint8Array(32).fill(7);
const OTHER_KEY = new Uint8Array(32).fill(8);
const TTL_MS = LIMITS.iteratorTtlMs;
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const payload: IteratorPayload = {
  streamName: "orders",
  streamId: "3f1c2a9e-8d0b-4d6e-9a51-2b7f0c4e1d22",
  shardId: "shardId-000000000003",
  position: { index: 12345, offset: 17 },
  issuedAtMs: 1_700_000_000_000,
};

function caught(fn: () => unknown): KinesisError {
  try {
    fn();
  } catch (error) {
    if (error instanceof KinesisError) return error;
    throw error;
  }
  throw new Error("expected a KinesisError, nothing was thrown");
}

const payloads: fc.Arbitrary<IteratorPayload> = fc.record({
  streamName: fc.string({ unit: fc.constantFrom(..."aZ09_.-"), minLength: 1, maxLength: LIMITS.streamNameLengthMax }),
  streamId: fc.string({ maxLength: 64 }),
  shardId: fc.integer({ min: 0, max: SHARD_NUMBER_MAX }).map(shardIdOf),
  position: fc.record({
    index: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    offset: fc.integer({ min: 0, max: SEQUENCE_OFFSET_MAX }),
  }),
  issuedAtMs: fc.integer({ min: 0, max: 4_000_000_000_000 }),
});

describe("shard iterators", () => {
  it("round-trip", () => {
    fc.assert(
      fc.property(payloads, (p) => {
        const token = encodeShardIterator(p, KEY);
        expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeShardIterator(token, KEY, p.issuedAtMs)).toEqual(p);
      }),
    );
  });

  it("stay under 512 characters for the longest stream name and stream id", () => {
    const longest = { ...payload, streamName: "n".repeat(128), streamId: "i".repeat(LIMITS.streamIdBytesMax) };
    const token = encodeShardIterator(longest, KEY);
    expect(token.length).toBeLessThanOrEqual(400);
    expect(decodeShardIterator(token, KEY, longest.issuedAtMs)).toEqual(longest);
  });

  it("reject a change to any character", () => {
    const token = encodeShardIterator(payload, KEY);
    for (let at = 0; at < token.length; at++) {
      for (const replacement of BASE64URL) {
        if (replacement === token[at]) continue;
        const tampered = token.slice(0, at) + replacement + token.slice(at + 1);
        const error = caught(() => decodeShardIterator(tampered, KEY, payload.issuedAtMs));
        expect(error.name).toBe("InvalidArgumentException");
      }
    }
  });

  it("reject truncation, extension and garbage", () => {
    const token = encodeShardIterator(payload, KEY);
    for (const bad of [token.slice(0, -1), token.slice(1), `${token}A`, "", "not a token!", "AAAA", "x".repeat(513)]) {
      const error = caught(() => decodeShardIterator(bad, KEY, payload.issuedAtMs));
      expect(error.name).toBe("InvalidArgumentException");
      expect(error.message).toContain("ShardIterator");
    }
  });

  it("reject a token signed with another key", () => {
    const token = encodeShardIterator(payload, OTHER_KEY);
    expect(caught(() => decodeShardIterator(token, KEY, payload.issuedAtMs)).name).toBe("InvalidArgumentException");
  });

  it("expire after the TTL: valid at exactly ttl, expired at ttl + 1 ms", () => {
    const token = encodeShardIterator(payload, KEY);
    expect(decodeShardIterator(token, KEY, payload.issuedAtMs + TTL_MS)).toEqual(payload);
    const error = caught(() => decodeShardIterator(token, KEY, payload.issuedAtMs + TTL_MS + 1));
    expect(error.name).toBe("ExpiredIteratorException");
    expect(error.message).toBe(
      "Iterator expired. The iterator was created at time 2023-11-14T22:13:20.000Z while right now it is " +
        "2023-11-14T22:18:20.001Z which is further in the future than the tolerated delay of 300000 milliseconds.",
    );
  });

  it("honour a custom TTL", () => {
    const token = encodeShardIterator(payload, KEY);
    expect(caught(() => decodeShardIterator(token, KEY, payload.issuedAtMs + 11, 10)).name).toBe(
      "ExpiredIteratorException",
    );
  });

  it("check the signature before the age, so a forged token never reports as merely expired", () => {
    const token = encodeShardIterator(payload, OTHER_KEY);
    expect(caught(() => decodeShardIterator(token, KEY, payload.issuedAtMs + 10 * TTL_MS)).name).toBe(
      "InvalidArgumentException",
    );
  });

  it("refuse a short key or a malformed payload as a bug", () => {
    expect(() => encodeShardIterator(payload, new Uint8Array(8))).toThrow(AssertionError);
    expect(() => encodeShardIterator({ ...payload, shardId: "shard-3" }, KEY)).toThrow(AssertionError);
    expect(() => encodeShardIterator({ ...payload, issuedAtMs: 1.5 }, KEY)).toThrow(AssertionError);
  });
});
