/**
 * The arithmetic of `eddy stream split|merge|scale`, apart from the calls: the UpdateShardCount steps
 * toward a shard count, a shard's middle hash key, a shard's children, and the argument parsers.
 */
import assert from "node:assert/strict";
import { InvalidArgumentError } from "commander";
import type { HashKeyRange, Shard } from "@eddy/client";

/** Hash keys are 128-bit: MD5 of the partition key, or an explicit hash key. */
export const HASH_KEY_MAX = (1n << 128n) - 1n;

/**
 * The targets of the UpdateShardCount calls that take a stream from `openShardCount` to
 * `targetShardCount` open shards. Kinesis bounds each call's target to [ceil(open / 2), 2 * open] of
 * the shards open before it, so a larger change takes several calls; each goes as far as the bound
 * allows, which makes the list as short as it can be. Empty when the count is already the target.
 */
export function scaleSteps(openShardCount: number, targetShardCount: number): number[] {
  assert.ok(Number.isSafeInteger(openShardCount) && openShardCount >= 1, `open shard count ${openShardCount}`);
  assert.ok(Number.isSafeInteger(targetShardCount) && targetShardCount >= 1, `target shard count ${targetShardCount}`);
  const steps: number[] = [];
  for (let open = openShardCount; open !== targetShardCount;) {
    open =
      targetShardCount > open ? Math.min(targetShardCount, open * 2) : Math.max(targetShardCount, Math.ceil(open / 2));
    steps.push(open);
  }
  return steps;
}

/**
 * The hash key that splits `range` into two halves of equal size (the lower one a key smaller when
 * the range holds an odd number of keys): the default starting hash key of a split's second child.
 */
export function middleHashKey(range: HashKeyRange): string {
  const start = BigInt(range.startingHashKey);
  const end = BigInt(range.endingHashKey);
  assert.ok(start <= end, `hash key range ${start}..${end}`);
  return ((start + end + 1n) / 2n).toString();
}

/** The shards that `parentShardId` was split into or merged into, in the order given. */
export function childShards(shards: readonly Shard[], parentShardId: string): Shard[] {
  return shards.filter((s) => s.parentShardId === parentShardId || s.adjacentParentShardId === parentShardId);
}

/** COUNT of `eddy stream scale`: a whole number of shards, at least 1. */
export function shardCountArg(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError(`expected a shard count of at least 1, got ${value}`);
  return parsed;
}

/** --at of `eddy stream split`: a decimal hash key, 0 to 2^128 - 1; returned without leading zeros. */
export function hashKeyArg(value: string): string {
  if (!/^\d+$/.test(value) || BigInt(value) > HASH_KEY_MAX)
    throw new InvalidArgumentError(`expected a decimal hash key from 0 to 2^128 - 1, got ${value}`);
  return BigInt(value).toString();
}
