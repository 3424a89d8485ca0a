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
    // 10 batches of 100 records at once: five seconds' worth arriving together, so that some are
    // throttled however slowly a busy machine gets through them (it would need over 4 s).
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        client.putRecords({
          streamName: "limited",
          records: Array.from({ length: 100 }, (_, j) => ({ partitionKey: `k${j}`, data: "x" })),
        }),
      ),
    );
    for (const result of results) {
      for (const r of result.records) {
        if (r.errorCode) {
          expect(r.errorCode).toBe("ProvisionedThroughputExceededException");
          throttled++;
        } else accepted++;
      }
    }
    const elapsedSec = (Date.now() - startedMs) / 1000;
    expect(throttled).toBeGreaterThan(0);
    // One second of burst plus what refilled while the batches were taken, in whole batches of 100.
    expect(accepted).toBeGreaterThanOrEqual(WRITE_RECORDS_PER_SEC);
    expect(accepted).toBeLessThanOrEqual(WRITE_RECORDS_PER_SEC * (1 + elapsedSec) + 100);
    // PutRecord is refused the same way once the bucket is empty: five seconds' worth at once.
    const single = await Promise.allSettled(
      Array.from({ length: WRITE_RECORDS_PER_SEC * 5 }, () =>
        client.putRecord({ streamName: "limited", partitionKey: "k", data: "x" }),
      ),
    );
    const refused = single.find((r) => r.status === "rejected") as PromiseRejectedResult | undefined;
    expect(refused?.reason).toMatchObject({
      name: "ProvisionedThroughputExceededException",
      message: expect.stringMatching(/shardId-000000000000/),
    });
  });

  it("PROVISIONED: more than 5 GetRecords calls in a second are throttled", async () => {
    const shardId = (await client.listShards({ streamName: "limited" })).shards[0]!.shardId;
    let iterator = await client.getShardIterator({ streamName: "limited", shardId, shardIteratorType: "LATEST" });
    // The bucket holds one second's calls: these pass, however long each takes.
    for (let i = 0; i < READ_CALLS_PER_SEC; i++) {
      iterator = (await client.getRecords({ shardIterator: iterator })).nextShardIterator!;
    }
    // Two seconds' worth more at once: some must be refused (an iterator may be read more than once).
    const burst = await Promise.allSettled(
      Array.from({ length: READ_CALLS_PER_SEC * 2 }, () => client.getRecords({ shardIterator: iterator })),
    );
    const refusals = burst.filter((r) => r.status === "rejected").map((r) => (r.reason as Error).name);
    expect(refusals.length).toBeGreaterThan(0);
    expect(new Set(refusals)).toEqual(new Set(["ProvisionedThroughputExceededException"]));
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
