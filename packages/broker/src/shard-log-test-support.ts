/** What the ShardLog tests share (not exported from the package). */
import { DEFAULT_SHARD_LIMITS, newStream, type Shard } from "@eddy/core";
import type { ShardLogOptions } from "./shard-log.js";

/** Synced writes, roomy batches and queues; a test overrides what it is about. */
export function shardLogOptions(overrides: Partial<ShardLogOptions> = {}): ShardLogOptions {
  return {
    sync: true,
    batchRecordsMax: 10_000,
    batchBytesMax: 16 * 1024 * 1024,
    queueBytesMax: 64 * 1024 * 1024,
    proposalsInFlightMax: 8,
    tailCacheBytesMax: 1024,
    limits: DEFAULT_SHARD_LIMITS,
    ...overrides,
  };
}

/** The one shard of a one-shard ON_DEMAND stream, in storage group 7. */
export const TEST_SHARD: Shard = newStream({
  streamName: "s",
  streamId: "id",
  streamArn: "arn",
  shardCount: 1,
  mode: "ON_DEMAND",
  retentionPeriodHours: 24,
  maxRecordSizeBytes: 1024 * 1024,
  nowMs: 0,
  firstGroupId: 7,
}).shards[0]!;
