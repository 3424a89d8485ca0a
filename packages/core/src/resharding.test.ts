import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kinesisErrorOf } from "./test-support.js";
import { HASH_KEY_MAX } from "./hashing.js";
import type { Stream } from "./model.js";
import {
  checkMerge,
  checkSplit,
  checkTargetShardCount,
  childrenOf,
  childShardsOf,
  parentsOf,
  planScalingStep,
  type ReshardOp,
} from "./resharding.js";
import { evenHashKeyRanges, isOpen } from "./shards.js";
import { newStream } from "./stream.js";

const streamOf = (shardCount: number): Stream =>
  newStream({
    streamName: "s",
    streamId: "id",
    streamArn: "arn",
    shardCount,
    mode: "PROVISIONED",
    retentionPeriodHours: 24,
    maxRecordSizeBytes: 1 << 20,
    nowMs: 0,
    firstGroupId: 1,
  });

/** Completes a step the way the controller does: parents closed, children appended. */
function completeStep(stream: Stream, ops: readonly ReshardOp[]): Stream {
  const parents = new Set(parentsOf(ops));
  const children = childrenOf(stream, ops, stream.nextShardNumber, 1000 + stream.nextShardNumber);
  return {
    ...stream,
    shards: [
      ...stream.shards.map((s) => (parents.has(s.shardId) ? { ...s, endingSequenceNumber: 1n } : s)),
      ...children,
    ],
    nextShardNumber: stream.nextShardNumber + children.length,
  };
}

function scale(stream: Stream, target: number): { stream: Stream; steps: number } {
  let steps = 0;
  for (;;) {
    const ops = planScalingStep(stream.shards.filter(isOpen), target);
    if (ops.length === 0) return { stream, steps };
    const parents = parentsOf(ops);
    expect(new Set(parents).size).toBe(parents.length); // a shard is in at most one op of a step
    stream = completeStep(stream, ops);
    steps++;
    expect(steps).toBeLessThanOrEqual(64);
  }
}

describe("split and merge requests", () => {
  it("a split creates two children covering the parent's range, each naming it", () => {
    const stream = streamOf(2);
    const parent = stream.shards[0]!;
    const op = checkSplit(stream, parent.shardId, "1000");
    const [left, right] = childrenOf(stream, [op], 2, 10);
    expect(left).toMatchObject({ shardId: "shardId-000000000002", groupId: 10, parentShardId: parent.shardId });
    expect(left!.hashKeyRange).toEqual({ startingHashKey: 0n, endingHashKey: 999n });
    expect(right!.hashKeyRange).toEqual({ startingHashKey: 1000n, endingHashKey: parent.hashKeyRange.endingHashKey });
    expect(right!.adjacentParentShardId).toBeUndefined();
  });

  it("a merge of adjacent shards creates one child with both as parents; the lineage is found again", () => {
    const stream = streamOf(3);
    const [a, b] = stream.shards;
    const op = checkMerge(stream, b!.shardId, a!.shardId);
    const [child] = childrenOf(stream, [op], 3, 10);
    expect(child).toMatchObject({ parentShardId: b!.shardId, adjacentParentShardId: a!.shardId });
    expect(child!.hashKeyRange).toEqual({ startingHashKey: 0n, endingHashKey: b!.hashKeyRange.endingHashKey });
    const merged = completeStep(stream, [op]);
    expect(childShardsOf(merged, a!.shardId).map((s) => s.shardId)).toEqual([child!.shardId]);
  });

  it("refuses bad hash keys, unknown or closed shards, and shards that are not adjacent, naming them", () => {
    const stream = streamOf(3);
    const [a, , c] = stream.shards;
    expect(kinesisErrorOf(() => checkSplit(stream, a!.shardId, "0")).message).toMatch(/not inside shard/);
    expect(kinesisErrorOf(() => checkSplit(stream, a!.shardId, "12x")).message).toMatch(/NewStartingHashKey/);
    expect(kinesisErrorOf(() => checkSplit(stream, a!.shardId, (HASH_KEY_MAX + 1n).toString())).name).toBe(
      "InvalidArgumentException",
    );
    expect(kinesisErrorOf(() => checkSplit(stream, "shardId-000000000009", "5")).name).toBe(
      "ResourceNotFoundException",
    );
    expect(kinesisErrorOf(() => checkSplit(stream, "bogus", "5")).message).toMatch(/ShardToSplit/);
    const merge = kinesisErrorOf(() => checkMerge(stream, a!.shardId, c!.shardId));
    expect(merge.name).toBe("InvalidArgumentException");
    expect(merge.message).toMatch(/not adjacent/);
    const split = completeStep(stream, [checkSplit(stream, a!.shardId, "1000")]);
    expect(kinesisErrorOf(() => checkSplit(split, a!.shardId, "500")).message).toMatch(/is closed/);
  });

  it("UpdateShardCount is bounded by half and double the open shards", () => {
    const stream = streamOf(4);
    expect(() => checkTargetShardCount(stream, 8, 100)).not.toThrow();
    expect(() => checkTargetShardCount(stream, 2, 100)).not.toThrow();
    expect(kinesisErrorOf(() => checkTargetShardCount(stream, 9, 100)).message).toMatch(
      /between half \(2\) and double \(8\)/,
    );
    expect(kinesisErrorOf(() => checkTargetShardCount(stream, 1, 100)).name).toBe("InvalidArgumentException");
    expect(kinesisErrorOf(() => checkTargetShardCount(stream, 8, 6)).name).toBe("LimitExceededException");
  });
});

describe("planScalingStep", () => {
  it("2 -> 4 -> 8 -> 3 ends each time with exactly the even ranges", () => {
    let stream = streamOf(2);
    for (const target of [4, 8, 3]) {
      ({ stream } = scale(stream, target));
      const open = stream.shards.filter(isOpen).map((s) => s.hashKeyRange);
      expect(open.sort((x, y) => (x.startingHashKey < y.startingHashKey ? -1 : 1))).toEqual(evenHashKeyRanges(target));
    }
  });

  it("doubling is one step of splits, halving one step of merges", () => {
    expect(scale(streamOf(4), 8).steps).toBe(1);
    expect(scale(streamOf(8), 4).steps).toBe(1);
    expect(planScalingStep(streamOf(5).shards, 5)).toEqual([]);
  });

  it("from any even count to any allowed target, it reaches the target's even ranges in a few steps", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1000 }), (n, pick) => {
        const lo = Math.ceil(n / 2);
        const target = lo + (pick % (2 * n - lo + 1));
        const { stream, steps } = scale(streamOf(n), target);
        const open = stream.shards.filter(isOpen).map((s) => s.hashKeyRange);
        expect(open.sort((x, y) => (x.startingHashKey < y.startingHashKey ? -1 : 1))).toEqual(
          evenHashKeyRanges(target),
        );
        expect(steps).toBeLessThanOrEqual(8);
        // Every closed shard's range is covered exactly by its children.
        for (const closed of stream.shards.filter((s) => !isOpen(s))) {
          const children = childShardsOf(stream, closed.shardId);
          expect(children.length).toBeGreaterThan(0);
          expect(
            children.every((c) => c.parentShardId === closed.shardId || c.adjacentParentShardId === closed.shardId),
          ).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
