import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EddyClient } from "@eddy/client";
import { BrokerProcess } from "@eddy/testkit";
import { readStream } from "./helpers.js";

const STREAM = "valid";
const OTHER = "other";
const MiB = 1024 * 1024;

describe("bad input gets its named error and changes nothing", () => {
  let broker: BrokerProcess;
  let client: EddyClient;
  let shardId: string;
  let otherShardSeq: string;
  let validIterator: string;

  beforeAll(async () => {
    broker = await BrokerProcess.start();
    client = new EddyClient({ endpoint: broker.endpoint });
    await client.createStream({ streamName: STREAM, shardCount: 2, streamMode: "ON_DEMAND" });
    await client.createStream({ streamName: OTHER, shardCount: 2, streamMode: "ON_DEMAND" });
    await client.putRecord({ streamName: STREAM, partitionKey: "seed", data: "seed" });
    shardId = (await client.listShards({ streamName: STREAM })).shards[0]!.shardId;
    const other = await client.putRecord({
      streamName: OTHER,
      partitionKey: "x",
      data: "x",
      explicitHashKey: (1n << 127n).toString(),
    });
    otherShardSeq = other.sequenceNumber;
    validIterator = await client.getShardIterator({ streamName: STREAM, shardId, shardIteratorType: "TRIM_HORIZON" });
  });

  afterAll(async () => {
    client?.close();
    await broker?.destroy();
  });

  const cases: Array<[string, () => Promise<unknown>, string, RegExp]> = [
    [
      "stream name with a bad character",
      () => client.createStream({ streamName: "bad name!", shardCount: 1 }),
      "InvalidArgumentException",
      /StreamName/,
    ],
    [
      "stream name of 129 characters",
      () => client.createStream({ streamName: "a".repeat(129), shardCount: 1 }),
      "InvalidArgumentException",
      /StreamName.*128/,
    ],
    ["empty stream name", () => client.describeStream({ streamName: "" }), "InvalidArgumentException", /StreamName/],
    [
      "zero shards",
      () => client.createStream({ streamName: "s0", shardCount: 0 }),
      "InvalidArgumentException",
      /ShardCount/,
    ],
    [
      "retention below 24 h",
      () => client.createStream({ streamName: "r", shardCount: 1, retentionPeriodHours: 23 }),
      "InvalidArgumentException",
      /RetentionPeriodHours/,
    ],
    [
      "retention above 8760 h",
      () => client.updateRetentionPeriod({ streamName: STREAM, retentionPeriodHours: 8761 }),
      "InvalidArgumentException",
      /RetentionPeriodHours.*8760/,
    ],
    [
      "max record size above 10 MiB",
      () => client.createStream({ streamName: "m", shardCount: 1, maxRecordSizeBytes: 10 * MiB + 1 }),
      "InvalidArgumentException",
      /MaxRecordSize/,
    ],
    [
      "creating an existing stream",
      () => client.createStream({ streamName: STREAM, shardCount: 1 }),
      "ResourceInUseException",
      /already exists/,
    ],
    [
      "unknown stream",
      () => client.putRecord({ streamName: "nope", partitionKey: "k", data: "d" }),
      "ResourceNotFoundException",
      /nope/,
    ],
    [
      "empty partition key",
      () => client.putRecord({ streamName: STREAM, partitionKey: "", data: "d" }),
      "InvalidArgumentException",
      /PartitionKey/,
    ],
    [
      "partition key of 257 characters",
      () => client.putRecord({ streamName: STREAM, partitionKey: "k".repeat(257), data: "d" }),
      "InvalidArgumentException",
      /PartitionKey.*256/,
    ],
    [
      "record over 1 MiB",
      () => client.putRecord({ streamName: STREAM, partitionKey: "k", data: new Uint8Array(MiB) }),
      "InvalidArgumentException",
      /Data/,
    ],
    [
      "hash key 2^128",
      () =>
        client.putRecord({
          streamName: STREAM,
          partitionKey: "k",
          data: "d",
          explicitHashKey: (1n << 128n).toString(),
        }),
      "InvalidArgumentException",
      /ExplicitHashKey/,
    ],
    [
      "hash key not a number",
      () => client.putRecord({ streamName: STREAM, partitionKey: "k", data: "d", explicitHashKey: "-1" }),
      "InvalidArgumentException",
      /ExplicitHashKey/,
    ],
    [
      "PutRecords of 501 records",
      () =>
        client.putRecords({
          streamName: STREAM,
          records: Array.from({ length: 501 }, () => ({ partitionKey: "k", data: "d" })),
        }),
      "InvalidArgumentException",
      /Records.*500/,
    ],
    [
      "PutRecords of 0 records",
      () => client.putRecords({ streamName: STREAM, records: [] }),
      "InvalidArgumentException",
      /Records/,
    ],
    [
      "PutRecords over 10 MiB",
      () =>
        client.putRecords({
          streamName: STREAM,
          records: Array.from({ length: 11 }, (_, i) => ({ partitionKey: `k${i}`, data: new Uint8Array(MiB - 100) })),
        }),
      "InvalidArgumentException",
      /10485760|10 MiB/,
    ],
    [
      "GetRecords limit 0 is the default, 10,001 is too many",
      () => client.getRecords({ shardIterator: validIterator, limit: 10_001 }),
      "InvalidArgumentException",
      /Limit.*10000/,
    ],
    [
      "a forged iterator",
      () => client.getRecords({ shardIterator: validIterator.slice(0, -4) + "AAAA" }),
      "InvalidArgumentException",
      /ShardIterator/,
    ],
    [
      "garbage as iterator",
      () => client.getRecords({ shardIterator: "not-an-iterator" }),
      "InvalidArgumentException",
      /ShardIterator/,
    ],
    [
      "unknown shard",
      () =>
        client.getShardIterator({ streamName: STREAM, shardId: "shardId-000000000009", shardIteratorType: "LATEST" }),
      "ResourceNotFoundException",
      /shardId-000000000009/,
    ],
    [
      "malformed shard id",
      () => client.getShardIterator({ streamName: STREAM, shardId: "shard-1", shardIteratorType: "LATEST" }),
      "InvalidArgumentException",
      /ShardId/,
    ],
    [
      "sequence number of another shard",
      () =>
        client.getShardIterator({
          streamName: STREAM,
          shardId,
          shardIteratorType: "AT_SEQUENCE_NUMBER",
          startingSequenceNumber: otherShardSeq,
        }),
      "InvalidArgumentException",
      /StartingSequenceNumber/,
    ],
    [
      "sequence number that is not a number",
      () =>
        client.getShardIterator({
          streamName: STREAM,
          shardId,
          shardIteratorType: "AFTER_SEQUENCE_NUMBER",
          startingSequenceNumber: "12ab",
        }),
      "InvalidArgumentException",
      /StartingSequenceNumber/,
    ],
    [
      "AT_SEQUENCE_NUMBER without a sequence number",
      () => client.getShardIterator({ streamName: STREAM, shardId, shardIteratorType: "AT_SEQUENCE_NUMBER" }),
      "InvalidArgumentException",
      /StartingSequenceNumber/,
    ],
  ];

  it.each(cases)("%s", async (_name, call, errorName, message) => {
    const before = await snapshot();
    const error = await call().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error, "the call should fail").toBeDefined();
    expect(error!.name).toBe(errorName);
    expect(error!.message).toMatch(message);
    expect(await snapshot()).toEqual(before);
  });

  it("PutRecords with some bad entries answers per entry and stores only the good ones", async () => {
    const before = await snapshot();
    const result = await client.putRecords({
      streamName: STREAM,
      records: [
        { partitionKey: "good-1", data: "a" },
        { partitionKey: "", data: "b" },
        { partitionKey: "good-2", data: "c", explicitHashKey: "x" },
        { partitionKey: "good-3", data: "d" },
      ],
    });
    expect(result.failedRecordCount).toBe(2);
    expect(result.records.map((r) => r.errorCode ?? "ok")).toEqual([
      "ok",
      "InvalidArgumentException",
      "InvalidArgumentException",
      "ok",
    ]);
    expect(result.records[1]!.errorMessage).toMatch(/Records\.1\.PartitionKey/);
    expect(result.records[2]!.errorMessage).toMatch(/Records\.2\.ExplicitHashKey/);
    const after = await snapshot();
    expect(after.recordCount).toBe(before.recordCount + 2);
  });

  it("a deleted stream's iterator and puts get ResourceNotFoundException", async () => {
    await client.createStream({ streamName: "doomed", shardCount: 1, streamMode: "ON_DEMAND" });
    const doomedShard = (await client.listShards({ streamName: "doomed" })).shards[0]!.shardId;
    const iterator = await client.getShardIterator({
      streamName: "doomed",
      shardId: doomedShard,
      shardIteratorType: "TRIM_HORIZON",
    });
    await client.deleteStream({ streamName: "doomed" });
    await expect(client.getRecords({ shardIterator: iterator })).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
    await expect(client.putRecord({ streamName: "doomed", partitionKey: "k", data: "d" })).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });

  async function snapshot() {
    const streams = (await client.listStreams({})).streamNames.filter((n) => n === STREAM || n === OTHER);
    const description = await client.describeStreamAll(STREAM);
    const records = await readStream(client, STREAM);
    return { streams, description, recordCount: [...records.values()].flat().length };
  }
});

describe("expired iterators", () => {
  it("an iterator older than the configured lifetime gets ExpiredIteratorException", async () => {
    const ttlMs = 300;
    const broker = await BrokerProcess.start({ args: ["--iterator-ttl-ms", String(ttlMs)] });
    const client = new EddyClient({ endpoint: broker.endpoint });
    try {
      await client.createStream({ streamName: "ttl", shardCount: 1, streamMode: "ON_DEMAND" });
      const shardId = (await client.listShards({ streamName: "ttl" })).shards[0]!.shardId;
      const iterator = await client.getShardIterator({ streamName: "ttl", shardId, shardIteratorType: "TRIM_HORIZON" });
      await client.getRecords({ shardIterator: iterator });
      // The condition is the passage of time itself, so waiting for it is the test.
      await new Promise((resolve) => setTimeout(resolve, ttlMs + 100));
      await expect(client.getRecords({ shardIterator: iterator })).rejects.toMatchObject({
        name: "ExpiredIteratorException",
        message: expect.stringMatching(/expired/i),
      });
    } finally {
      client.close();
      await broker.destroy();
    }
  });
});
