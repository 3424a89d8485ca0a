import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "commander";
import type { Shard } from "@eddy/client";
import { HASH_KEY_MAX, childShards, hashKeyArg, middleHashKey, scaleSteps, shardCountArg } from "./reshard-plan.js";

describe("eddy stream scale: UpdateShardCount steps", () => {
  it.each([
    [8, 3, [4, 3]],
    [2, 9, [4, 8, 9]],
    [10, 1, [5, 3, 2, 1]],
    [2, 5, [4, 5]],
    [2, 4, [4]],
    [4, 2, [2]],
    [3, 3, []],
    [1, 1, []],
    [7, 4, [4]],
    [7, 3, [4, 3]],
  ])("%i -> %i open shards takes the calls %j", (open, target, steps) => {
    expect(scaleSteps(open, target)).toEqual(steps);
  });

  it("keeps every call within [ceil(open / 2), 2 * open] and ends at the target, in the fewest calls", () => {
    for (let open = 1; open <= 40; open++) {
      for (let target = 1; target <= 40; target++) {
        const steps = scaleSteps(open, target);
        let before = open;
        for (const step of steps) {
          expect(step).toBeGreaterThanOrEqual(Math.ceil(before / 2));
          expect(step).toBeLessThanOrEqual(before * 2);
          expect(step).not.toBe(before);
          before = step;
        }
        expect(before).toBe(target);
        // Each call at most doubles, and at least ceil-halves, so no shorter list exists.
        let fewest = 0;
        for (let reach = open; target > reach; reach *= 2) fewest++;
        for (let reach = open; target < reach; reach = Math.ceil(reach / 2)) fewest++;
        expect(steps).toHaveLength(fewest);
      }
    }
  });

  it("crosses the whole range of counts in a bounded number of calls", () => {
    expect(scaleSteps(1, Number.MAX_SAFE_INTEGER)).toHaveLength(53);
    expect(scaleSteps(Number.MAX_SAFE_INTEGER, 1)).toHaveLength(53);
  });
});

describe("eddy stream split: the default split point", () => {
  it("is the first key of the upper half", () => {
    expect(middleHashKey({ startingHashKey: "0", endingHashKey: HASH_KEY_MAX.toString() })).toBe(
      (1n << 127n).toString(),
    );
    expect(middleHashKey({ startingHashKey: "10", endingHashKey: "19" })).toBe("15");
    // An odd number of keys: the lower half is a key smaller.
    expect(middleHashKey({ startingHashKey: "10", endingHashKey: "20" })).toBe("15");
    expect(middleHashKey({ startingHashKey: "10", endingHashKey: "11" })).toBe("11");
  });
});

describe("a shard's children", () => {
  const shard = (shardId: string, parentShardId?: string, adjacentParentShardId?: string): Shard => ({
    shardId,
    ...(parentShardId !== undefined ? { parentShardId } : {}),
    ...(adjacentParentShardId !== undefined ? { adjacentParentShardId } : {}),
    hashKeyRange: { startingHashKey: "0", endingHashKey: "1" },
    sequenceNumberRange: { startingSequenceNumber: "0" },
  });
  const shards = [shard("s0"), shard("s1"), shard("s2", "s0"), shard("s3", "s0"), shard("s4", "s3", "s1")];

  it("are the shards naming it as parent or as adjacent parent", () => {
    expect(childShards(shards, "s0").map((s) => s.shardId)).toEqual(["s2", "s3"]);
    expect(childShards(shards, "s1").map((s) => s.shardId)).toEqual(["s4"]);
    expect(childShards(shards, "s3").map((s) => s.shardId)).toEqual(["s4"]);
    expect(childShards(shards, "s4")).toEqual([]);
  });
});

describe("arguments", () => {
  it("COUNT is a whole number of shards, at least 1", () => {
    expect(shardCountArg("1")).toBe(1);
    expect(shardCountArg("500")).toBe(500);
    for (const bad of ["0", "-1", "1.5", "", "two", "1e3", "99999999999999999999"]) {
      expect(() => shardCountArg(bad)).toThrow(InvalidArgumentError);
      expect(() => shardCountArg(bad)).toThrow(/shard count of at least 1/);
    }
  });

  it("--at is a decimal 128-bit hash key", () => {
    expect(hashKeyArg("0")).toBe("0");
    expect(hashKeyArg("007")).toBe("7");
    expect(hashKeyArg(HASH_KEY_MAX.toString())).toBe(HASH_KEY_MAX.toString());
    for (const bad of ["", "-1", "0x10", "1.5", "12a", (HASH_KEY_MAX + 1n).toString()]) {
      expect(() => hashKeyArg(bad)).toThrow(InvalidArgumentError);
      expect(() => hashKeyArg(bad)).toThrow(/decimal hash key from 0 to 2\^128 - 1/);
    }
  });
});
