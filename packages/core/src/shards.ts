/** Shard ids and the shard map: which shard owns which part of the hash key space. */
import { assert } from "./errors.js";
import { HASH_KEY_MAX } from "./hashing.js";
import type { HashKeyRange, Shard } from "./model.js";

const SHARD_ID_PREFIX = "shardId-";
const SHARD_ID_DIGITS = 12;
/** The largest shard number that fits the 12 digits of a Kinesis shard id. */
export const SHARD_NUMBER_MAX = 10 ** SHARD_ID_DIGITS - 1;
const SHARD_ID_PATTERN = /^shardId-([0-9]{12})$/;

/** "shardId-000000000000" for shard number 0, as Kinesis spells it. */
export function shardIdOf(shardNumber: number): string {
  assert(
    Number.isInteger(shardNumber) && shardNumber >= 0 && shardNumber <= SHARD_NUMBER_MAX,
    `shard number ${shardNumber} out of range`,
  );
  return SHARD_ID_PREFIX + String(shardNumber).padStart(SHARD_ID_DIGITS, "0");
}

/** The shard number of a well-formed shard id, or undefined for anything else. */
export function parseShardId(shardId: string): number | undefined {
  const match = SHARD_ID_PATTERN.exec(shardId);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * Splits the hash key space into `count` contiguous ranges the way Kinesis CreateStream does: range i
 * starts at floor(i * 2^128 / count) and ends just before the next one starts; the last ends at 2^128-1.
 */
export function evenHashKeyRanges(count: number): HashKeyRange[] {
  assert(Number.isInteger(count) && count >= 1, `hash key range count ${count} must be a positive integer`);
  const startOf = (i: number): bigint => (BigInt(i) << 128n) / BigInt(count);
  const ranges: HashKeyRange[] = [];
  for (let i = 0; i < count; i++) {
    const endingHashKey = i === count - 1 ? HASH_KEY_MAX : startOf(i + 1) - 1n;
    ranges.push({ startingHashKey: startOf(i), endingHashKey });
  }
  return ranges;
}

export function isOpen(shard: Shard): boolean {
  return shard.endingSequenceNumber === undefined;
}

export function hashKeyRangeContains(range: HashKeyRange, hashKey: bigint): boolean {
  return range.startingHashKey <= hashKey && hashKey <= range.endingHashKey;
}

/**
 * The open shard whose inclusive range contains `hashKey`. Open shards never overlap, so the first match
 * is the only one. A linear scan: streams have at most a few thousand shards, and the order of `shards`
 * (which holds closed shards too) is not something callers must maintain.
 */
export function shardForHashKey(shards: readonly Shard[], hashKey: bigint): Shard | undefined {
  for (const shard of shards) {
    if (isOpen(shard) && hashKeyRangeContains(shard.hashKeyRange, hashKey)) return shard;
  }
  return undefined;
}
