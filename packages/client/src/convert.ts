/**
 * Conversions between the wire messages (snake_case, int64 as decimal strings, enums by name, unset
 * scalars as their defaults) and the SDK's types. A response that breaks the API's contract, such as
 * an unspecified enum or a missing nested message, is the broker's bug: it surfaces as InternalFailure
 * naming the field rather than as a half-filled object.
 */
import type * as wire from "@eddy/api";
import { KinesisError } from "@eddy/core";
import type {
  ChildShard,
  HashKeyRange,
  ListStreamsOutput,
  GetRecordsOutput,
  PutRecordsOutput,
  RecordData,
  Shard,
  ShardFilter,
  ShardFilterType,
  StartingPosition,
  StreamDescription,
  StreamDescriptionSummary,
  StreamMode,
  StreamRecord,
  StreamStatus,
  StreamSummary,
  SubscribeEvent,
  Timestamp,
  ListShardsOutput,
} from "./types.js";

// ---- To the wire ----

export function dataToWire(data: RecordData): Uint8Array {
  // A string must not reach protobufjs as is: it would read it as base64.
  return typeof data === "string" ? Buffer.from(data, "utf8") : data;
}

export function timestampToWire(timestamp: Timestamp, field: string): string {
  const ms = typeof timestamp === "number" ? timestamp : timestamp.getTime();
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new KinesisError(
      "InvalidArgumentException",
      `${field} must be a valid time: a Date or whole milliseconds since the epoch, 0 or more (got ${String(ms)})`,
    );
  }
  return String(ms);
}

const SHARD_FILTER_TYPES_WIRE = {
  AFTER_SHARD_ID: "AFTER_SHARD_ID",
  AT_TRIM_HORIZON: "AT_TRIM_HORIZON",
  FROM_TRIM_HORIZON: "FROM_TRIM_HORIZON",
  AT_LATEST: "AT_LATEST",
  AT_TIMESTAMP: "AT_TIMESTAMP_FILTER",
  FROM_TIMESTAMP: "FROM_TIMESTAMP",
} as const satisfies { [K in ShardFilterType]: wire.ShardFilterType__Output };

export function shardFilterToWire(filter: ShardFilter): wire.ShardFilter {
  return {
    type: SHARD_FILTER_TYPES_WIRE[filter.type],
    shard_id: filter.shardId,
    timestamp: filter.timestamp === undefined ? undefined : timestampToWire(filter.timestamp, "shardFilter.timestamp"),
  };
}

export function startingPositionToWire(position: StartingPosition): wire.StartingPosition {
  return {
    type: position.type,
    sequence_number: position.sequenceNumber,
    timestamp:
      position.timestamp === undefined ? undefined : timestampToWire(position.timestamp, "startingPosition.timestamp"),
  };
}

// ---- From the wire ----

function badResponse(field: string, problem: string): KinesisError {
  return new KinesisError("InternalFailure", `the broker's response breaks the API: ${field} ${problem}`);
}

function present<T>(value: T | null | undefined, field: string): T {
  if (value === null || value === undefined) throw badResponse(field, "is missing");
  return value;
}

/** Proto3 sends "" for an unset string; the SDK says undefined. */
function optionalString(value: string): string | undefined {
  return value === "" ? undefined : value;
}

export function int64ToNumber(value: string, field: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw badResponse(field, `is not a safe integer (${value})`);
  return n;
}

function timestampFromWire(value: string, field: string): Date {
  return new Date(int64ToNumber(value, field));
}

function streamStatusFromWire(value: wire.StreamStatus__Output, field: string): StreamStatus {
  if (value === "STREAM_STATUS_UNSPECIFIED") throw badResponse(field, "is unspecified");
  return value;
}

function streamModeFromWire(value: wire.StreamMode__Output, field: string): StreamMode {
  if (value === "STREAM_MODE_UNSPECIFIED") throw badResponse(field, "is unspecified");
  return value;
}

function hashKeyRangeFromWire(range: wire.HashKeyRange__Output | null, field: string): HashKeyRange {
  const r = present(range, field);
  return { startingHashKey: r.starting_hash_key, endingHashKey: r.ending_hash_key };
}

function shardFromWire(shard: wire.Shard__Output): Shard {
  const range = present(shard.sequence_number_range, "shard.sequence_number_range");
  return {
    shardId: shard.shard_id,
    parentShardId: optionalString(shard.parent_shard_id),
    adjacentParentShardId: optionalString(shard.adjacent_parent_shard_id),
    hashKeyRange: hashKeyRangeFromWire(shard.hash_key_range, "shard.hash_key_range"),
    sequenceNumberRange: {
      startingSequenceNumber: range.starting_sequence_number,
      endingSequenceNumber: optionalString(range.ending_sequence_number),
    },
  };
}

function childShardFromWire(child: wire.ChildShard__Output): ChildShard {
  return {
    shardId: child.shard_id,
    parentShards: child.parent_shards,
    hashKeyRange: hashKeyRangeFromWire(child.hash_key_range, "child_shard.hash_key_range"),
  };
}

function recordFromWire(record: wire.Record__Output): StreamRecord {
  return {
    sequenceNumber: record.sequence_number,
    approximateArrivalTimestamp: timestampFromWire(
      record.approximate_arrival_timestamp,
      "record.approximate_arrival_timestamp",
    ),
    data: record.data,
    partitionKey: record.partition_key,
  };
}

export function streamDescriptionFromWire(response: wire.DescribeStreamResponse__Output): StreamDescription {
  const d = present(response.stream_description, "stream_description");
  return {
    streamName: d.stream_name,
    streamArn: d.stream_arn,
    streamStatus: streamStatusFromWire(d.stream_status, "stream_description.stream_status"),
    streamMode: streamModeFromWire(d.stream_mode, "stream_description.stream_mode"),
    shards: d.shards.map(shardFromWire),
    hasMoreShards: d.has_more_shards,
    retentionPeriodHours: d.retention_period_hours,
    streamCreationTimestamp: timestampFromWire(
      d.stream_creation_timestamp,
      "stream_description.stream_creation_timestamp",
    ),
    maxRecordSizeBytes: d.max_record_size_bytes,
  };
}

export function streamDescriptionSummaryFromWire(
  response: wire.DescribeStreamSummaryResponse__Output,
): StreamDescriptionSummary {
  const s = present(response.stream_description_summary, "stream_description_summary");
  return {
    streamName: s.stream_name,
    streamArn: s.stream_arn,
    streamStatus: streamStatusFromWire(s.stream_status, "stream_description_summary.stream_status"),
    streamMode: streamModeFromWire(s.stream_mode, "stream_description_summary.stream_mode"),
    retentionPeriodHours: s.retention_period_hours,
    streamCreationTimestamp: timestampFromWire(
      s.stream_creation_timestamp,
      "stream_description_summary.stream_creation_timestamp",
    ),
    openShardCount: s.open_shard_count,
    consumerCount: s.consumer_count,
    maxRecordSizeBytes: s.max_record_size_bytes,
  };
}

function streamSummaryFromWire(s: wire.StreamSummary__Output): StreamSummary {
  return {
    streamName: s.stream_name,
    streamArn: s.stream_arn,
    streamStatus: streamStatusFromWire(s.stream_status, "stream_summaries.stream_status"),
    streamMode: streamModeFromWire(s.stream_mode, "stream_summaries.stream_mode"),
    streamCreationTimestamp: timestampFromWire(
      s.stream_creation_timestamp,
      "stream_summaries.stream_creation_timestamp",
    ),
  };
}

export function listStreamsFromWire(response: wire.ListStreamsResponse__Output): ListStreamsOutput {
  return {
    streamNames: response.stream_names,
    hasMoreStreams: response.has_more_streams,
    nextToken: optionalString(response.next_token),
    streamSummaries: response.stream_summaries.map(streamSummaryFromWire),
  };
}

export function listShardsFromWire(response: wire.ListShardsResponse__Output): ListShardsOutput {
  return { shards: response.shards.map(shardFromWire), nextToken: optionalString(response.next_token) };
}

export function putRecordsFromWire(response: wire.PutRecordsResponse__Output): PutRecordsOutput {
  return {
    failedRecordCount: response.failed_record_count,
    records: response.records.map((entry) => {
      const errorCode = optionalString(entry.error_code);
      if (errorCode !== undefined) return { errorCode, errorMessage: entry.error_message };
      return { shardId: entry.shard_id, sequenceNumber: entry.sequence_number };
    }),
  };
}

export function getRecordsFromWire(response: wire.GetRecordsResponse__Output): GetRecordsOutput {
  return {
    records: response.records.map(recordFromWire),
    nextShardIterator: optionalString(response.next_shard_iterator),
    millisBehindLatest: int64ToNumber(response.millis_behind_latest, "millis_behind_latest"),
    childShards: response.child_shards.map(childShardFromWire),
  };
}

export function subscribeEventFromWire(event: wire.SubscribeToShardEvent__Output): SubscribeEvent {
  return {
    records: event.records.map(recordFromWire),
    continuationSequenceNumber: event.continuation_sequence_number,
    millisBehindLatest: int64ToNumber(event.millis_behind_latest, "millis_behind_latest"),
    childShards: event.child_shards.map(childShardFromWire),
  };
}
