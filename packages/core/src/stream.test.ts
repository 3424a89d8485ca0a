import { describe, expect, it } from "vitest";
import { HASH_KEY_MAX } from "./hashing.js";
import type { Stream } from "./model.js";
import { sequenceNumberOf } from "./sequence.js";
import { findShard, newStream, openShards, streamArnOf } from "./stream.js";

const input = {
  streamName: "orders",
  streamId: "id-1",
  streamArn: streamArnOf("eu-west-1", "000000000000", "orders"),
  shardCount: 4,
  mode: "PROVISIONED" as const,
  retentionPeriodHours: 24,
  maxRecordSizeBytes: 1024 * 1024,
  nowMs: 1_700_000_000_000,
  firstGroupId: 100,
};

describe("newStream", () => {
  const stream = newStream(input);

  it("is ACTIVE and keeps its settings", () => {
    expect(stream).toMatchObject({
      streamName: "orders",
      streamId: "id-1",
      streamArn: "arn:aws:kinesis:eu-west-1:000000000000:stream/orders",
      status: "ACTIVE",
      mode: "PROVISIONED",
      retentionPeriodHours: 24,
      maxRecordSizeBytes: 1024 * 1024,
      createdAtMs: 1_700_000_000_000,
      nextShardNumber: 4,
    });
  });

  it("numbers shards from 0, gives each its own group and splits the key space evenly", () => {
    expect(stream.shards.map((s) => s.shardId)).toEqual([
      "shardId-000000000000",
      "shardId-000000000001",
      "shardId-000000000002",
      "shardId-000000000003",
    ]);
    expect(stream.shards.map((s) => s.groupId)).toEqual([100, 101, 102, 103]);
    expect(stream.shards[0]?.hashKeyRange.endingHashKey).toBe(85070591730234615865843651857942052863n);
    expect(stream.shards[3]?.hashKeyRange.endingHashKey).toBe(HASH_KEY_MAX);
    stream.shards.forEach((shard, i) => {
      expect(shard.shardNumber).toBe(i);
      expect(shard.startingSequenceNumber).toBe(sequenceNumberOf(i, { index: 0, offset: 0 }));
      expect(shard.endingSequenceNumber).toBeUndefined();
      expect(shard.parentShardId).toBeUndefined();
    });
  });
});

describe("openShards and findShard", () => {
  const base = newStream({ ...input, shardCount: 2 });
  const [first, second] = base.shards;
  const stream: Stream = { ...base, shards: [{ ...first!, endingSequenceNumber: 5n }, second!] };

  it("openShards leaves out closed shards", () => {
    expect(openShards(stream).map((s) => s.shardId)).toEqual(["shardId-000000000001"]);
  });

  it("findShard finds open and closed shards by id", () => {
    expect(findShard(stream, "shardId-000000000000")?.endingSequenceNumber).toBe(5n);
    expect(findShard(stream, "shardId-000000000001")?.shardNumber).toBe(1);
    expect(findShard(stream, "shardId-000000000002")).toBeUndefined();
  });
});
