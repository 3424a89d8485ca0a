/** Building and querying the Stream model. Pure: the caller supplies ids, the clock and group ids. */
import { assert } from "./errors.js";
import type { Shard, Stream, StreamMode } from "./model.js";
import { sequenceNumberOf } from "./sequence.js";
import { evenHashKeyRanges, isOpen, shardIdOf } from "./shards.js";

export interface NewStreamInput {
  streamName: string;
  streamId: string;
  streamArn: string;
  shardCount: number;
  mode: StreamMode;
  retentionPeriodHours: number;
  maxRecordSizeBytes: number;
  nowMs: number;
  /** Shard i's log gets group id firstGroupId + i; the controller hands out unused ranges. */
  firstGroupId: number;
}

/**
 * A new ACTIVE stream whose shards split the hash key space evenly, as Kinesis CreateStream does.
 * Inputs are validated by the caller (against its configured limits); here a bad one is a bug.
 */
export function newStream(input: NewStreamInput): Stream {
  assert(Number.isInteger(input.shardCount) && input.shardCount >= 1, `bad shard count ${input.shardCount}`);
  assert(Number.isSafeInteger(input.firstGroupId) && input.firstGroupId >= 0, `bad group id ${input.firstGroupId}`);
  const shards: Shard[] = evenHashKeyRanges(input.shardCount).map((hashKeyRange, shardNumber) => ({
    shardId: shardIdOf(shardNumber),
    shardNumber,
    groupId: input.firstGroupId + shardNumber,
    hashKeyRange,
    startingSequenceNumber: sequenceNumberOf(shardNumber, { index: 0, offset: 0 }),
  }));
  return {
    streamName: input.streamName,
    streamId: input.streamId,
    streamArn: input.streamArn,
    status: "ACTIVE",
    mode: input.mode,
    retentionPeriodHours: input.retentionPeriodHours,
    maxRecordSizeBytes: input.maxRecordSizeBytes,
    createdAtMs: input.nowMs,
    shards,
    nextShardNumber: input.shardCount,
  };
}

export function streamArnOf(region: string, accountId: string, streamName: string): string {
  return `arn:aws:kinesis:${region}:${accountId}:stream/${streamName}`;
}

/** The shards that accept writes: those not closed by a split or merge. */
export function openShards(stream: Stream): Shard[] {
  return stream.shards.filter(isOpen);
}

export function findShard(stream: Stream, shardId: string): Shard | undefined {
  return stream.shards.find((shard) => shard.shardId === shardId);
}

/** A shard as JSON can carry it: hash keys and sequence numbers as decimal strings. */
export type ShardJson<S extends Shard = Shard> = Omit<
  S,
  "hashKeyRange" | "startingSequenceNumber" | "endingSequenceNumber"
> & {
  readonly hashKeyRange: { readonly startingHashKey: string; readonly endingHashKey: string };
  readonly startingSequenceNumber: string;
  readonly endingSequenceNumber?: string;
};

export function shardToJson<S extends Shard>(shard: S): ShardJson<S> {
  const { hashKeyRange, startingSequenceNumber, endingSequenceNumber, ...rest } = shard;
  return {
    ...rest,
    hashKeyRange: {
      startingHashKey: hashKeyRange.startingHashKey.toString(),
      endingHashKey: hashKeyRange.endingHashKey.toString(),
    },
    startingSequenceNumber: startingSequenceNumber.toString(),
    ...(endingSequenceNumber === undefined ? {} : { endingSequenceNumber: endingSequenceNumber.toString() }),
  } as ShardJson<S>;
}

export function shardFromJson<S extends Shard>(json: ShardJson<S>): S {
  const { hashKeyRange, startingSequenceNumber, endingSequenceNumber, ...rest } = json;
  return {
    ...rest,
    hashKeyRange: {
      startingHashKey: BigInt(hashKeyRange.startingHashKey),
      endingHashKey: BigInt(hashKeyRange.endingHashKey),
    },
    startingSequenceNumber: BigInt(startingSequenceNumber),
    ...(endingSequenceNumber === undefined ? {} : { endingSequenceNumber: BigInt(endingSequenceNumber) }),
  } as unknown as S;
}
