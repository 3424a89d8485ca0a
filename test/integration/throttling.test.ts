import { beforeAll, describe, expect, it } from "vitest";
import type { EddyClient } from "@eddy/client";
import { useBroker } from "./helpers.js";

const WRITE_RECORDS_PER_SEC = 200;
const READ_CALLS_PER_SEC = 5;

describe("per-shard limits at the configured rates", () => {
  const eddy = useBroker({
    args: [
      "--shard-write-records-per-sec",
      String(WRITE_RECORDS_PER_SEC),
      "--shard-read-calls-per-sec",
      String(READ_CALLS_PER_SEC),
    ],
  });
  let client: EddyClient;

  beforeAll(async () => {
    client = eddy.client;
    await client.createStream({ streamName: "limited", shardCount: 1 });
    await client.createStream({ streamName: "unlimited", shardCount: 1, streamMode: "ON_DEMAND" });
  });

  it("PROVISIONED: writes over the records/s limit get ProvisionedThroughputExceededException; accepted ones fit the bucket", async () => {
    const startedMs = Date.now();
    let accepted = 0;
    let throttled = 0;
    // 10 batches of 100 records as fast as possible: far more than 200 records/s.
    for (let i = 0; i < 10; i++) {
      const result = await client.putRecords({
        streamName: "limited",
        records: Array.from({ length: 100 }, (_, j) => ({ partitionKey: `k${j}`, data: "x" })),
      });
      for (const r of result.records) {
        if (r.errorCode) {
          expect(r.errorCode).toBe("ProvisionedThroughputExceededException");
          throttled++;
        } else accepted++;
      }
    }
    const elapsedSec = (Date.now() - startedMs) / 1000;
    expect(throttled).toBeGreaterThan(0);
    // One second of burst plus what refilled while the loop ran, in whole batches of 100.
    expect(accepted).toBeGreaterThanOrEqual(WRITE_RECORDS_PER_SEC);
    expect(accepted).toBeLessThanOrEqual(WRITE_RECORDS_PER_SEC * (1 + elapsedSec) + 100);
    // PutRecord is refused the same way once the bucket is empty (bounded: 2 s worth of tokens).
    let refused: unknown;
    for (let i = 0; i < WRITE_RECORDS_PER_SEC * 2 && !refused; i++) {
      await client
        .putRecord({ streamName: "limited", partitionKey: "k", data: "x" })
        .catch((error: unknown) => (refused = error));
    }
    expect(refused).toMatchObject({
      name: "ProvisionedThroughputExceededException",
      message: expect.stringMatching(/shardId-000000000000/),
    });
  });

  it("PROVISIONED: more than 5 GetRecords calls in a second are throttled", async () => {
    const shardId = (await client.listShards({ streamName: "limited" })).shards[0]!.shardId;
    let iterator = await client.getShardIterator({ streamName: "limited", shardId, shardIteratorType: "LATEST" });
    const outcomes: string[] = [];
    for (let i = 0; i < READ_CALLS_PER_SEC + 3; i++) {
      try {
        iterator = (await client.getRecords({ shardIterator: iterator })).nextShardIterator!;
        outcomes.push("ok");
      } catch (error) {
        outcomes.push((error as Error).name);
      }
    }
    expect(outcomes.slice(0, READ_CALLS_PER_SEC)).toEqual(Array(READ_CALLS_PER_SEC).fill("ok"));
    expect(outcomes.slice(READ_CALLS_PER_SEC)).toContain("ProvisionedThroughputExceededException");
  });

  it("ON_DEMAND: the same load is never throttled", async () => {
    for (let i = 0; i < 10; i++) {
      const result = await client.putRecords({
        streamName: "unlimited",
        records: Array.from({ length: 100 }, (_, j) => ({ partitionKey: `k${j}`, data: "x" })),
      });
      expect(result.failedRecordCount).toBe(0);
    }
  });
});
