import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { EddyClient } from "@eddy/client";
import { BrokerProcess } from "@eddy/testkit";
import { isStrictlyIncreasing, readShard, readStream } from "./helpers.js";

const RECORD_COUNT = 10_000;
const STREAM = "model";

function hashOf(key: string): bigint {
  return BigInt("0x" + createHash("md5").update(key, "utf8").digest("hex"));
}

describe("data model: 10,000 records into a 4-shard stream, read back through every iterator type", () => {
  let broker: BrokerProcess;
  let client: EddyClient;
  const put: Array<{ key: string; data: string; shardId: string; sequenceNumber: string }> = [];
  let midpointMs = 0;

  beforeAll(async () => {
    broker = await BrokerProcess.start();
    client = new EddyClient({ endpoint: broker.endpoint });
    await client.createStream({ streamName: STREAM, shardCount: 4, streamMode: "ON_DEMAND" });
    for (let batch = 0; batch < RECORD_COUNT / 500; batch++) {
      if (batch === RECORD_COUNT / 1000) midpointMs = Date.now();
      const records = Array.from({ length: 500 }, (_, i) => ({
        partitionKey: randomBytes(12).toString("base64url"),
        data: `record-${batch * 500 + i}`,
      }));
      const result = await client.putRecords({ streamName: STREAM, records });
      expect(result.failedRecordCount).toBe(0);
      result.records.forEach((r, i) =>
        put.push({
          key: records[i]!.partitionKey,
          data: records[i]!.data,
          shardId: r.shardId!,
          sequenceNumber: r.sequenceNumber!,
        }),
      );
    }
  });

  afterAll(async () => {
    client?.close();
    await broker?.destroy();
  });

  it("splits the hash key space evenly, as Kinesis's CreateStream does", async () => {
    const { shards } = await client.listShards({ streamName: STREAM });
    expect(shards.map((s) => s.shardId)).toEqual([0, 1, 2, 3].map((n) => `shardId-${String(n).padStart(12, "0")}`));
    const quarter = 1n << 126n;
    shards.forEach((s, i) => {
      expect(BigInt(s.hashKeyRange.startingHashKey)).toBe(BigInt(i) * quarter);
      expect(BigInt(s.hashKeyRange.endingHashKey)).toBe(BigInt(i + 1) * quarter - 1n);
    });
  });

  it("puts each record in the shard its MD5 hash names", async () => {
    const { shards } = await client.listShards({ streamName: STREAM });
    for (const record of put) {
      const hash = hashOf(record.key);
      const owner = shards.find(
        (s) => BigInt(s.hashKeyRange.startingHashKey) <= hash && hash <= BigInt(s.hashKeyRange.endingHashKey),
      );
      expect(record.shardId).toBe(owner!.shardId);
    }
  });

  it("TRIM_HORIZON returns every record, complete and in put order, per shard", async () => {
    const byShard = await readStream(client, STREAM);
    let total = 0;
    for (const [shardId, records] of byShard) {
      const expected = put.filter((p) => p.shardId === shardId);
      expect(records.map((r) => r.data)).toEqual(expected.map((p) => p.data));
      expect(records.map((r) => r.sequenceNumber)).toEqual(expected.map((p) => p.sequenceNumber));
      expect(records.map((r) => r.partitionKey)).toEqual(expected.map((p) => p.key));
      expect(isStrictlyIncreasing(records.map((r) => r.sequenceNumber))).toBe(true);
      total += records.length;
    }
    expect(total).toBe(RECORD_COUNT);
  });

  it("AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER start at and after a record", async () => {
    const shardId = put[0]!.shardId;
    const inShard = put.filter((p) => p.shardId === shardId);
    const middle = inShard[Math.floor(inShard.length / 2)]!;
    const at = await readShard(client, STREAM, shardId, {
      shardIteratorType: "AT_SEQUENCE_NUMBER",
      startingSequenceNumber: middle.sequenceNumber,
    });
    const after = await readShard(client, STREAM, shardId, {
      shardIteratorType: "AFTER_SEQUENCE_NUMBER",
      startingSequenceNumber: middle.sequenceNumber,
    });
    const expectedAt = inShard.slice(inShard.indexOf(middle)).map((p) => p.sequenceNumber);
    expect(at.map((r) => r.sequenceNumber)).toEqual(expectedAt);
    expect(after.map((r) => r.sequenceNumber)).toEqual(expectedAt.slice(1));
  });

  it("AT_TIMESTAMP starts at the first record that arrived at or after the time", async () => {
    const shardId = put[0]!.shardId;
    const all = await readShard(client, STREAM, shardId);
    const fromMid = await readShard(client, STREAM, shardId, {
      shardIteratorType: "AT_TIMESTAMP",
      timestamp: new Date(midpointMs),
    });
    expect(fromMid.length).toBeGreaterThan(0);
    expect(fromMid.length).toBeLessThan(all.length);
    expect(fromMid.every((r) => r.arrivalMs >= midpointMs)).toBe(true);
    const skipped = all.slice(0, all.length - fromMid.length);
    expect(skipped.every((r) => r.arrivalMs < midpointMs)).toBe(true);
    expect(fromMid).toEqual(all.slice(skipped.length));
  });

  it("LATEST sees only records put after the iterator was taken", async () => {
    const shardId = put[0]!.shardId;
    const iterator = await client.getShardIterator({ streamName: STREAM, shardId, shardIteratorType: "LATEST" });
    const empty = await client.getRecords({ shardIterator: iterator });
    expect(empty.records).toEqual([]);
    expect(empty.millisBehindLatest).toBe(0);
    const fresh = await client.putRecord({ streamName: STREAM, partitionKey: put[0]!.key, data: "after-latest" });
    const page = await client.getRecords({ shardIterator: empty.nextShardIterator! });
    expect(page.records.map((r) => r.sequenceNumber)).toEqual([fresh.sequenceNumber]);
    expect(Buffer.from(page.records[0]!.data).toString()).toBe("after-latest");
  });

  it("pages with Limit and reports millisBehindLatest while behind", async () => {
    const shardId = put[0]!.shardId;
    const iterator = await client.getShardIterator({ streamName: STREAM, shardId, shardIteratorType: "TRIM_HORIZON" });
    const page = await client.getRecords({ shardIterator: iterator, limit: 10 });
    expect(page.records).toHaveLength(10);
    expect(page.millisBehindLatest).toBeGreaterThan(0);
    const next = await client.getRecords({ shardIterator: page.nextShardIterator!, limit: 10 });
    expect(BigInt(next.records[0]!.sequenceNumber)).toBeGreaterThan(BigInt(page.records[9]!.sequenceNumber));
  });

  it("routes by ExplicitHashKey, including exactly on a shard boundary", async () => {
    const { shards } = await client.listShards({ streamName: STREAM });
    const boundary = shards[1]!.hashKeyRange.startingHashKey;
    const onBoundary = await client.putRecord({
      streamName: STREAM,
      partitionKey: "k",
      data: "x",
      explicitHashKey: boundary,
    });
    expect(onBoundary.shardId).toBe(shards[1]!.shardId);
    const below = await client.putRecord({
      streamName: STREAM,
      partitionKey: "k",
      data: "x",
      explicitHashKey: (BigInt(boundary) - 1n).toString(),
    });
    expect(below.shardId).toBe(shards[0]!.shardId);
  });
});
