/** The Kinesis data model, as plain data. Hash keys and sequence numbers are bigint inside Eddy. */

export type StreamStatus = "CREATING" | "DELETING" | "ACTIVE" | "UPDATING";
export type StreamMode = "PROVISIONED" | "ON_DEMAND";
export type ShardIteratorType =
  "TRIM_HORIZON" | "LATEST" | "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER" | "AT_TIMESTAMP";

export interface HashKeyRange {
  /** Inclusive. */
  readonly startingHashKey: bigint;
  /** Inclusive. */
  readonly endingHashKey: bigint;
}

export interface Shard {
  readonly shardId: string;
  /** The numeric part of `shardId`; also the high bits of every sequence number in the shard. */
  readonly shardNumber: number;
  /** Identifies the shard's log (its Raft group) in storage; unique for the lifetime of a broker's data. */
  readonly groupId: number;
  readonly parentShardId?: string;
  readonly adjacentParentShardId?: string;
  readonly hashKeyRange: HashKeyRange;
  readonly startingSequenceNumber: bigint;
  /** Set once the shard is closed (after a split or merge). */
  readonly endingSequenceNumber?: bigint;
}

export interface Stream {
  readonly streamName: string;
  /** Distinguishes a stream from an earlier one of the same name: iterators of a deleted stream die with it. */
  readonly streamId: string;
  readonly streamArn: string;
  readonly status: StreamStatus;
  readonly mode: StreamMode;
  readonly retentionPeriodHours: number;
  /** Per-stream maximum size of one record's data, bytes (1 MiB default, up to 10 MiB). */
  readonly maxRecordSizeBytes: number;
  readonly createdAtMs: number;
  readonly shards: readonly Shard[];
  readonly nextShardNumber: number;
}
