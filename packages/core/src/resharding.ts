/**
 * Resharding as pure functions: checking SplitShard and MergeShards requests, planning UpdateShardCount
 * as steps of splits and merges, and the children a step creates. A step's parents are first sealed in
 * their own logs (each at an ending sequence number); only then does the step complete and its children
 * take writes, so no record lands in a parent after its end.
 */
import { invalidArgument, limitExceeded, resourceInUse, resourceNotFound } from "./errors.js";
import { parseHashKey } from "./hashing.js";
import type { HashKeyRange, Shard, Stream } from "./model.js";
import { sequenceNumberOf } from "./sequence.js";
import { evenHashKeyRanges, isOpen, shardIdOf } from "./shards.js";
import { validateShardIdFormat } from "./validation.js";
import { constraintViolation } from "./violations.js";

export type ReshardOp =
  /** The parent's range splits at `newStartingHashKey` (decimal), which starts the second child. */
  | { readonly kind: "split"; readonly parentShardId: string; readonly newStartingHashKey: string }
  /** Two adjacent shards merge into one; the first is the child's parent, the second its adjacent parent. */
  | { readonly kind: "merge"; readonly parentShardId: string; readonly adjacentShardId: string };

/** A reshard in progress on a stream (its status is UPDATING meanwhile). */
export interface Reshard {
  /** The current step: every parent in it is sealed, then the step completes at once. */
  readonly ops: readonly ReshardOp[];
  /** Parents of the step sealed so far, with their ending sequence numbers (decimal). */
  readonly sealed: ReadonlyArray<{ readonly shardId: string; readonly endingSequenceNumber: string }>;
  /** UpdateShardCount: further steps are planned until the open shards are these many, evenly. */
  readonly targetShardCount?: number;
  readonly startedAtMs: number;
}

/** The shards a step closes. */
export function parentsOf(ops: readonly ReshardOp[]): string[] {
  return ops.flatMap((op) => (op.kind === "split" ? [op.parentShardId] : [op.parentShardId, op.adjacentShardId]));
}

export function checkSplit(stream: Stream, shardId: string, newStartingHashKey: string): ReshardOp {
  validateShardIdFormat(shardId, "ShardToSplit");
  const key = parseHashKey(newStartingHashKey, "NewStartingHashKey");
  const shard = requireOpenShard(stream, shardId);
  const { startingHashKey, endingHashKey } = shard.hashKeyRange;
  if (key <= startingHashKey || key > endingHashKey) {
    throw invalidArgument(
      `NewStartingHashKey ${key} is not inside shard ${shardId}'s range: it must be greater than ` +
        `${startingHashKey} and at most ${endingHashKey}.`,
    );
  }
  return { kind: "split", parentShardId: shardId, newStartingHashKey: key.toString() };
}

export function checkMerge(stream: Stream, shardId: string, adjacentShardId: string): ReshardOp {
  validateShardIdFormat(shardId, "ShardToMerge");
  validateShardIdFormat(adjacentShardId, "AdjacentShardToMerge");
  const a = requireOpenShard(stream, shardId);
  const b = requireOpenShard(stream, adjacentShardId);
  if (!areAdjacent(a.hashKeyRange, b.hashKeyRange)) {
    throw invalidArgument(
      `Shards ${shardId} and ${adjacentShardId} are not adjacent: their hash key ranges ` +
        `[${a.hashKeyRange.startingHashKey}, ${a.hashKeyRange.endingHashKey}] and ` +
        `[${b.hashKeyRange.startingHashKey}, ${b.hashKeyRange.endingHashKey}] do not touch.`,
    );
  }
  return { kind: "merge", parentShardId: shardId, adjacentShardId };
}

/** Kinesis's bounds on UpdateShardCount: at most double and at least half the open shards, per call. */
export function checkTargetShardCount(stream: Stream, target: number, shardCountMax: number): void {
  const open = stream.shards.filter(isOpen).length;
  if (!Number.isSafeInteger(target) || target < 1) {
    throw constraintViolation("TargetShardCount", "have value greater than or equal to 1");
  }
  if (target > open * 2 || target < Math.ceil(open / 2)) {
    throw invalidArgument(
      `TargetShardCount ${target} must be between half (${Math.ceil(open / 2)}) and double (${open * 2}) ` +
        `the stream's ${open} open shards.`,
    );
  }
  if (target > shardCountMax) {
    throw limitExceeded(`TargetShardCount ${target} is over the stream's shard limit of ${shardCountMax}.`);
  }
}

/**
 * The next step toward `target` even shards: first, each open shard with a target boundary inside it is
 * split at the first such boundary; once every target boundary is a shard boundary, neighbours within one
 * target range are merged in disjoint pairs. Empty when the open shards are the target ranges already.
 */
export function planScalingStep(openShards: readonly Shard[], target: number): ReshardOp[] {
  const shards = [...openShards].sort((a, b) =>
    compareKeys(a.hashKeyRange.startingHashKey, b.hashKeyRange.startingHashKey),
  );
  const targets = evenHashKeyRanges(target);
  const boundaries = targets.slice(1).map((r) => r.startingHashKey);
  const splits: ReshardOp[] = [];
  for (const shard of shards) {
    const inside = boundaries.find(
      (b) => b > shard.hashKeyRange.startingHashKey && b <= shard.hashKeyRange.endingHashKey,
    );
    if (inside !== undefined) {
      splits.push({ kind: "split", parentShardId: shard.shardId, newStartingHashKey: inside.toString() });
    }
  }
  if (splits.length > 0) return splits;
  const merges: ReshardOp[] = [];
  for (let i = 0; i + 1 < shards.length; i++) {
    const a = shards[i]!;
    const b = shards[i + 1]!;
    if (targetIndexOf(targets, a) === targetIndexOf(targets, b)) {
      merges.push({ kind: "merge", parentShardId: a.shardId, adjacentShardId: b.shardId });
      i++; // disjoint pairs: b is taken
    }
  }
  return merges;
}

/**
 * The shards a completed step creates, numbered from `nextShardNumber` with group ids from
 * `nextGroupId`, in the order of `ops`.
 */
export function childrenOf(
  stream: Stream,
  ops: readonly ReshardOp[],
  nextShardNumber: number,
  nextGroupId: number,
): Shard[] {
  const children: Shard[] = [];
  const child = (range: HashKeyRange, parentShardId: string, adjacentParentShardId?: string): Shard => {
    const shardNumber = nextShardNumber + children.length;
    return {
      shardId: shardIdOf(shardNumber),
      shardNumber,
      groupId: nextGroupId + children.length,
      parentShardId,
      ...(adjacentParentShardId !== undefined ? { adjacentParentShardId } : {}),
      hashKeyRange: range,
      startingSequenceNumber: sequenceNumberOf(shardNumber, { index: 0, offset: 0 }),
    };
  };
  for (const op of ops) {
    const parent = stream.shards.find((s) => s.shardId === op.parentShardId)!;
    if (op.kind === "split") {
      const at = BigInt(op.newStartingHashKey);
      children.push(
        child({ startingHashKey: parent.hashKeyRange.startingHashKey, endingHashKey: at - 1n }, parent.shardId),
      );
      children.push(child({ startingHashKey: at, endingHashKey: parent.hashKeyRange.endingHashKey }, parent.shardId));
    } else {
      const adjacent = stream.shards.find((s) => s.shardId === op.adjacentShardId)!;
      const range = {
        startingHashKey: minKey(parent.hashKeyRange.startingHashKey, adjacent.hashKeyRange.startingHashKey),
        endingHashKey: maxKey(parent.hashKeyRange.endingHashKey, adjacent.hashKeyRange.endingHashKey),
      };
      children.push(child(range, parent.shardId, adjacent.shardId));
    }
  }
  return children;
}

/** The shards that a closed shard's range went to (Kinesis's ChildShards). */
export function childShardsOf(stream: Stream, shardId: string): Shard[] {
  return stream.shards.filter((s) => s.parentShardId === shardId || s.adjacentParentShardId === shardId);
}

/** A second reshard while one runs is refused, as Kinesis refuses a change to an UPDATING stream. */
export function requireNoReshard(streamName: string, reshard: Reshard | undefined, status: string): void {
  if (reshard !== undefined || status !== "ACTIVE") {
    throw resourceInUse(`Stream ${streamName} is ${status}; it takes one reshard at a time.`);
  }
}

function requireOpenShard(stream: Stream, shardId: string): Shard {
  const shard = stream.shards.find((s) => s.shardId === shardId);
  if (!shard) throw resourceNotFound(`Shard ${shardId} in stream ${stream.streamName} not found.`);
  if (!isOpen(shard)) throw invalidArgument(`Shard ${shardId} in stream ${stream.streamName} is closed.`);
  return shard;
}

function areAdjacent(a: HashKeyRange, b: HashKeyRange): boolean {
  return a.endingHashKey + 1n === b.startingHashKey || b.endingHashKey + 1n === a.startingHashKey;
}

function targetIndexOf(targets: readonly HashKeyRange[], shard: Shard): number {
  return targets.findIndex(
    (t) =>
      t.startingHashKey <= shard.hashKeyRange.startingHashKey && shard.hashKeyRange.endingHashKey <= t.endingHashKey,
  );
}

const compareKeys = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
const minKey = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const maxKey = (a: bigint, b: bigint): bigint => (a > b ? a : b);
