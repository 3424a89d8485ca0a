import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { AssertionError, KinesisError } from "./errors.js";
import {
  comparePositions,
  decodeSequenceNumber,
  parseSequenceNumber,
  SEQUENCE_INDEX_BITS,
  SEQUENCE_OFFSET_BITS,
  SEQUENCE_OFFSET_MAX,
  sequenceNumberOf,
  type LogPosition,
} from "./sequence.js";
import { SHARD_NUMBER_MAX } from "./shards.js";

const shardNumbers = fc.integer({ min: 0, max: SHARD_NUMBER_MAX });
const positions: fc.Arbitrary<LogPosition> = fc.record({
  index: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  offset: fc.integer({ min: 0, max: SEQUENCE_OFFSET_MAX }),
});

describe("sequence numbers", () => {
  it("lay out shard, index and offset as documented", () => {
    expect(SEQUENCE_OFFSET_BITS + SEQUENCE_INDEX_BITS).toBe(96);
    expect(sequenceNumberOf(0, { index: 0, offset: 0 })).toBe(0n);
    expect(sequenceNumberOf(0, { index: 0, offset: 1 })).toBe(1n);
    expect(sequenceNumberOf(0, { index: 1, offset: 0 })).toBe(1n << 24n);
    expect(sequenceNumberOf(1, { index: 0, offset: 0 })).toBe(1n << 96n);
    expect(sequenceNumberOf(3, { index: 5, offset: 7 })).toBe((3n << 96n) | (5n << 24n) | 7n);
  });

  it("round-trip through decodeSequenceNumber", () => {
    fc.assert(
      fc.property(shardNumbers, positions, (shardNumber, position) => {
        expect(decodeSequenceNumber(sequenceNumberOf(shardNumber, position))).toEqual({ shardNumber, position });
      }),
    );
  });

  it("strictly increase within a shard as (index, offset) increases", () => {
    fc.assert(
      fc.property(shardNumbers, positions, positions, (shardNumber, a, b) => {
        const order = Math.sign(comparePositions(a, b));
        const seqA = sequenceNumberOf(shardNumber, a);
        const seqB = sequenceNumberOf(shardNumber, b);
        expect(seqA < seqB ? -1 : seqA > seqB ? 1 : 0).toBe(order);
      }),
    );
  });

  it("differ between shards, whatever the positions", () => {
    fc.assert(
      fc.property(shardNumbers, shardNumbers, positions, positions, (shardA, shardB, a, b) => {
        fc.pre(shardA !== shardB);
        expect(sequenceNumberOf(shardA, a)).not.toBe(sequenceNumberOf(shardB, b));
      }),
    );
  });

  it("refuse positions that would spill into a neighbouring field", () => {
    expect(() => sequenceNumberOf(0, { index: 0, offset: SEQUENCE_OFFSET_MAX + 1 })).toThrow(AssertionError);
    expect(() => sequenceNumberOf(0, { index: -1, offset: 0 })).toThrow(AssertionError);
    expect(() => sequenceNumberOf(0, { index: 0.5, offset: 0 })).toThrow(AssertionError);
    expect(() => sequenceNumberOf(-1, { index: 0, offset: 0 })).toThrow(AssertionError);
  });

  it("decoding one that was never issued is an InvalidArgumentException, not a crash", () => {
    for (const seq of [-1n, 1n << 200n, ((1n << 60n) << 24n) | 1n]) {
      expect(() => decodeSequenceNumber(seq)).toThrow(KinesisError);
      expect(() => decodeSequenceNumber(seq, "StartingSequenceNumber")).toThrow("'StartingSequenceNumber'");
    }
  });
});

describe("comparePositions", () => {
  it("orders by index, then offset", () => {
    expect(comparePositions({ index: 1, offset: 9 }, { index: 2, offset: 0 })).toBeLessThan(0);
    expect(comparePositions({ index: 2, offset: 0 }, { index: 1, offset: 9 })).toBeGreaterThan(0);
    expect(comparePositions({ index: 2, offset: 1 }, { index: 2, offset: 2 })).toBeLessThan(0);
    expect(comparePositions({ index: 2, offset: 2 }, { index: 2, offset: 2 })).toBe(0);
  });
});

describe("parseSequenceNumber", () => {
  it("accepts Kinesis's pattern 0|([1-9]\\d{0,128})", () => {
    expect(parseSequenceNumber("0", "StartingSequenceNumber")).toBe(0n);
    expect(parseSequenceNumber("49590338271490256608559692538361571095921575989136588898", "X")).toBe(
      49590338271490256608559692538361571095921575989136588898n,
    );
    expect(parseSequenceNumber("9".repeat(129), "X")).toBe(BigInt("9".repeat(129)));
  });

  it.each(["", "01", "-1", "+1", " 1", "1 ", "1.5", "abc", "9".repeat(130)])("rejects %j naming the field", (text) => {
    try {
      parseSequenceNumber(text, "StartingSequenceNumber");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(KinesisError);
      expect((error as KinesisError).name).toBe("InvalidArgumentException");
      expect((error as KinesisError).message).toContain("'StartingSequenceNumber'");
    }
  });

  it("round-trips issued sequence numbers through their decimal text", () => {
    fc.assert(
      fc.property(shardNumbers, positions, (shardNumber, position) => {
        const seq = sequenceNumberOf(shardNumber, position);
        expect(parseSequenceNumber(seq.toString(), "SequenceNumber")).toBe(seq);
      }),
    );
  });
});
