/**
 * The SDK's view of the API: camelCase, optional where Kinesis leaves a field out, timestamps as
 * `Date`, counts and lags as numbers. Sequence numbers and hash keys stay decimal strings, as in the
 * AWS SDKs: they are 128-bit and only the broker does arithmetic on them.
 */

import type { ShardIteratorType, StreamMode, StreamStatus } from "@eddy/core";

export type { ShardIteratorType, StreamMode, StreamStatus };

/** Kinesis's ShardFilterType names. (The proto spells AT_TIMESTAMP as AT_TIMESTAMP_FILTER.) */
export type ShardFilterType =
  "AFTER_SHARD_ID" | "AT_TRIM_HORIZON" | "FROM_TRIM_HORIZON" | "AT_LATEST" | "AT_TIMESTAMP" | "FROM_TIMESTAMP";

/** Record data: bytes, or a string sent as its UTF-8 bytes. */
export type RecordData = Uint8Array | string;
/** A point in time: a Date or milliseconds since the Unix epoch. */
export type Timestamp = Date | number;

export interface HashKeyRange {
  readonly startingHashKey: string;
  readonly endingHashKey: string;
}

export interface SequenceNumberRange {
  readonly startingSequenceNumber: string;
  /** Set once the shard is closed. */
  readonly endingSequenceNumber?: string;
}

export interface Shard {
  readonly shardId: string;
  readonly parentShardId?: string;
  readonly adjacentParentShardId?: string;
  readonly hashKeyRange: HashKeyRange;
  readonly sequenceNumberRange: SequenceNumberRange;
}

export interface ChildShard {
  readonly shardId: string;
  readonly parentShards: readonly string[];
  readonly hashKeyRange: HashKeyRange;
}

export interface StreamDescription {
  readonly streamName: string;
  readonly streamArn: string;
  readonly streamStatus: StreamStatus;
  readonly streamMode: StreamMode;
  readonly shards: readonly Shard[];
  readonly hasMoreShards: boolean;
  readonly retentionPeriodHours: number;
  readonly streamCreationTimestamp: Date;
  readonly maxRecordSizeBytes: number;
}

export interface StreamDescriptionSummary {
  readonly streamName: string;
  readonly streamArn: string;
  readonly streamStatus: StreamStatus;
  readonly streamMode: StreamMode;
  readonly retentionPeriodHours: number;
  readonly streamCreationTimestamp: Date;
  readonly openShardCount: number;
  readonly consumerCount: number;
  readonly maxRecordSizeBytes: number;
}

export interface StreamSummary {
  readonly streamName: string;
  readonly streamArn: string;
  readonly streamStatus: StreamStatus;
  readonly streamMode: StreamMode;
  readonly streamCreationTimestamp: Date;
}

export interface CreateStreamInput {
  readonly streamName: string;
  /** Required for PROVISIONED; ON_DEMAND defaults to 4. */
  readonly shardCount?: number;
  /** PROVISIONED unless given. */
  readonly streamMode?: StreamMode;
  /** 24 unless given. */
  readonly retentionPeriodHours?: number;
  /** 1 MiB unless given. */
  readonly maxRecordSizeBytes?: number;
}

export interface DeleteStreamInput {
  readonly streamName: string;
  readonly enforceConsumerDeletion?: boolean;
}

export interface DescribeStreamInput {
  readonly streamName: string;
  /** Shards per page; the broker's default (100) unless given. */
  readonly limit?: number;
  readonly exclusiveStartShardId?: string;
}

export interface DescribeStreamSummaryInput {
  readonly streamName: string;
}

export interface ListStreamsInput {
  readonly limit?: number;
  readonly exclusiveStartStreamName?: string;
  readonly nextToken?: string;
}

export interface ListStreamsOutput {
  readonly streamNames: readonly string[];
  readonly hasMoreStreams: boolean;
  readonly nextToken?: string;
  readonly streamSummaries: readonly StreamSummary[];
}

export interface ShardFilter {
  readonly type: ShardFilterType;
  /** For AFTER_SHARD_ID. */
  readonly shardId?: string;
  /** For AT_TIMESTAMP and FROM_TIMESTAMP. */
  readonly timestamp?: Timestamp;
}

export interface ListShardsInput {
  /** Required unless `nextToken` is given. */
  readonly streamName?: string;
  readonly nextToken?: string;
  readonly exclusiveStartShardId?: string;
  readonly maxResults?: number;
  readonly shardFilter?: ShardFilter;
}

export interface ListShardsOutput {
  readonly shards: readonly Shard[];
  readonly nextToken?: string;
}

export interface UpdateRetentionPeriodInput {
  readonly streamName: string;
  readonly retentionPeriodHours: number;
}

export interface UpdateStreamModeInput {
  readonly streamName: string;
  readonly streamMode: StreamMode;
}

export interface SplitShardInput {
  readonly streamName: string;
  readonly shardToSplit: string;
  /** Decimal hash key that starts the second child's range. */
  readonly newStartingHashKey: string;
}

export interface MergeShardsInput {
  readonly streamName: string;
  readonly shardToMerge: string;
  readonly adjacentShardToMerge: string;
}

export interface UpdateShardCountInput {
  readonly streamName: string;
  /** Between half and double the open shards. */
  readonly targetShardCount: number;
}

export interface UpdateShardCountOutput {
  readonly streamName: string;
  readonly currentShardCount: number;
  readonly targetShardCount: number;
}

export interface PutRecordInput {
  readonly streamName: string;
  readonly partitionKey: string;
  readonly data: RecordData;
  /** A decimal 128-bit hash key that overrides MD5(partitionKey). */
  readonly explicitHashKey?: string;
}

export interface PutRecordOutput {
  readonly shardId: string;
  readonly sequenceNumber: string;
}

export interface PutRecordsEntry {
  readonly partitionKey: string;
  readonly data: RecordData;
  readonly explicitHashKey?: string;
}

export interface PutRecordsInput {
  readonly streamName: string;
  readonly records: readonly PutRecordsEntry[];
}

/** One entry per input record, in input order: shard and sequence number, or an error. */
export interface PutRecordsResultEntry {
  readonly shardId?: string;
  readonly sequenceNumber?: string;
  /** The Kinesis error name, e.g. ProvisionedThroughputExceededException. */
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

export interface PutRecordsOutput {
  readonly failedRecordCount: number;
  readonly records: readonly PutRecordsResultEntry[];
}

export interface GetShardIteratorInput {
  readonly streamName: string;
  readonly shardId: string;
  readonly shardIteratorType: ShardIteratorType;
  /** For AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER. */
  readonly startingSequenceNumber?: string;
  /** For AT_TIMESTAMP. */
  readonly timestamp?: Timestamp;
}

export interface GetRecordsInput {
  readonly shardIterator: string;
  /** Records per call; the broker's default (10,000) unless given. */
  readonly limit?: number;
}

export interface StreamRecord {
  readonly sequenceNumber: string;
  readonly approximateArrivalTimestamp: Date;
  readonly data: Buffer;
  readonly partitionKey: string;
}

export interface GetRecordsOutput {
  readonly records: readonly StreamRecord[];
  /** Undefined once a closed shard has been read to its end. */
  readonly nextShardIterator?: string;
  readonly millisBehindLatest: number;
  readonly childShards: readonly ChildShard[];
}

export interface StartingPosition {
  readonly type: ShardIteratorType;
  /** For AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER. */
  readonly sequenceNumber?: string;
  /** For AT_TIMESTAMP. */
  readonly timestamp?: Timestamp;
}

export interface SubscribeToShardInput {
  readonly streamName: string;
  readonly shardId: string;
  readonly startingPosition: StartingPosition;
  /** Names the subscriber in the broker's metrics and logs. */
  readonly consumerName?: string;
  /** Aborting cancels the call; the iteration then ends without an error. */
  readonly signal?: AbortSignal;
}

export interface SubscribeEvent {
  readonly records: readonly StreamRecord[];
  /** Resume from here with AFTER_SEQUENCE_NUMBER after a reconnect. */
  readonly continuationSequenceNumber: string;
  readonly millisBehindLatest: number;
  readonly childShards: readonly ChildShard[];
}
