import { beforeAll, describe, expect, it } from "vitest";
import type { EddyClient } from "@eddy/client";
import { useBroker } from "./helpers.js";

describe("stream administration", () => {
  const eddy = useBroker();
  let client: EddyClient;
  beforeAll(() => {
    client = eddy.client;
  });

  it("ListStreams pages with NextToken, in name order", async () => {
    const names = ["p-a", "p-b", "p-c", "p-d", "p-e"];
    for (const streamName of names) await client.createStream({ streamName, shardCount: 1 });
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.listStreams({ limit: 2, nextToken });
      seen.push(...page.streamNames);
      expect(page.hasMoreStreams).toBe(page.nextToken !== undefined);
      nextToken = page.nextToken;
      pages++;
    } while (nextToken && pages < 10);
    expect(seen.filter((n) => n.startsWith("p-"))).toEqual(names);
    expect(pages).toBe(3);
  });

  it("DescribeStream and ListShards page through shards; shard filters apply", async () => {
    await client.createStream({ streamName: "wide", shardCount: 7 });
    const first = await client.describeStream({ streamName: "wide", limit: 3 });
    expect(first.shards).toHaveLength(3);
    expect(first.hasMoreShards).toBe(true);
    const rest = await client.describeStream({ streamName: "wide", exclusiveStartShardId: first.shards[2]!.shardId });
    expect(rest.shards.map((s) => s.shardId)).toEqual(
      [3, 4, 5, 6].map((n) => `shardId-${String(n).padStart(12, "0")}`),
    );
    expect((await client.describeStreamAll("wide")).shards).toHaveLength(7);

    const page1 = await client.listShards({ streamName: "wide", maxResults: 4 });
    expect(page1.shards).toHaveLength(4);
    const page2 = await client.listShards({ nextToken: page1.nextToken! });
    expect(page2.shards).toHaveLength(3);
    expect(page2.nextToken).toBeUndefined();
    const after = await client.listShards({
      streamName: "wide",
      shardFilter: { type: "AFTER_SHARD_ID", shardId: "shardId-000000000004" },
    });
    expect(after.shards.map((s) => s.shardId)).toEqual(["shardId-000000000005", "shardId-000000000006"]);
    const latest = await client.listShards({ streamName: "wide", shardFilter: { type: "AT_LATEST" } });
    expect(latest.shards).toHaveLength(7);
    for (const shard of latest.shards) {
      expect(shard.parentShardId).toBeUndefined();
      expect(shard.sequenceNumberRange.endingSequenceNumber).toBeUndefined();
    }
  });

  it("UpdateRetentionPeriod and UpdateStreamMode change what DescribeStreamSummary shows, and survive no-ops", async () => {
    await client.createStream({ streamName: "tunable", shardCount: 2 });
    await client.updateRetentionPeriod({ streamName: "tunable", retentionPeriodHours: 168 });
    await client.updateStreamMode({ streamName: "tunable", streamMode: "ON_DEMAND" });
    const summary = await client.describeStreamSummary({ streamName: "tunable" });
    expect(summary).toMatchObject({
      retentionPeriodHours: 168,
      streamMode: "ON_DEMAND",
      openShardCount: 2,
      streamStatus: "ACTIVE",
    });
  });

  it("a stream created with a 10 MiB maximum record size takes a 5 MiB record; the default stream refuses it", async () => {
    const big = new Uint8Array(5 * 1024 * 1024).fill(7);
    await client.createStream({
      streamName: "big",
      shardCount: 1,
      streamMode: "ON_DEMAND",
      maxRecordSizeBytes: 10 * 1024 * 1024,
    });
    const put = await client.putRecord({ streamName: "big", partitionKey: "k", data: big });
    const iterator = await client.getShardIterator({
      streamName: "big",
      shardId: put.shardId,
      shardIteratorType: "TRIM_HORIZON",
    });
    const got = await client.getRecords({ shardIterator: iterator });
    expect(got.records).toHaveLength(1);
    expect(Buffer.from(got.records[0]!.data).equals(Buffer.from(big))).toBe(true);
    await client.createStream({ streamName: "small", shardCount: 1, streamMode: "ON_DEMAND" });
    await expect(client.putRecord({ streamName: "small", partitionKey: "k", data: big })).rejects.toMatchObject({
      name: "InvalidArgumentException",
      message: expect.stringMatching(/1048576/),
    });
  });

  it("DeleteStream removes the stream; its name can be used again for a new, empty stream", async () => {
    await client.createStream({ streamName: "again", shardCount: 1, streamMode: "ON_DEMAND" });
    await client.putRecord({ streamName: "again", partitionKey: "k", data: "old" });
    await client.deleteStream({ streamName: "again" });
    // Deletion finishes in the background; wait for the name to be free (bounded).
    let created = false;
    for (let attempt = 0; attempt < 100 && !created; attempt++) {
      created = await client.createStream({ streamName: "again", shardCount: 1, streamMode: "ON_DEMAND" }).then(
        () => true,
        async (error: Error) => {
          expect(error.name).toBe("ResourceInUseException");
          await new Promise((resolve) => setTimeout(resolve, 20));
          return false;
        },
      );
    }
    expect(created).toBe(true);
    const shardId = (await client.listShards({ streamName: "again" })).shards[0]!.shardId;
    const iterator = await client.getShardIterator({ streamName: "again", shardId, shardIteratorType: "TRIM_HORIZON" });
    expect((await client.getRecords({ shardIterator: iterator })).records).toEqual([]);
  });
});
