/**
 * Resharding against real brokers: a split and a merge with their lineage, writes after a split landing
 * in the children only, a closed shard read to its end reporting its children, the filters of ListShards,
 * and bad requests refused without changing anything.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KinesisError } from "@eddy/core";
import { EddyClient, Producer, type ProducerPutResult } from "@eddy/client";
import { ClusterProcess, FAST_FAILOVER_ARGS, WorkerProcess, type WorkerLine } from "@eddy/testkit";
import { readShardToEnd, useBroker } from "./helpers.js";

const HALF = (1n << 127n).toString();

async function refused(call: Promise<unknown>): Promise<KinesisError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KinesisError);
  return error as KinesisError;
}

/** Reads a shard from TRIM_HORIZON to its end (a closed shard) or its tip; returns data and the last page's children. */
async function readToEnd(client: EddyClient, streamName: string, shardId: string) {
  const { records, ended, childShards } = await readShardToEnd(client, streamName, shardId, undefined, 200);
  return { data: records.map((r) => r.data), childShards, ended };
}

describe("resharding on one broker", () => {
  const fixture = useBroker();

  it("a split closes the parent at its end: later writes go to the children, the parent reads to its end and names them", async () => {
    const { client } = fixture;
    const streamName = "split";
    await client.createStream({ streamName, shardCount: 2, streamMode: "ON_DEMAND" });
    await client.waitForStreamActive(streamName);
    const before = await client.putRecords({
      streamName,
      records: Array.from({ length: 400 }, (_, i) => ({ partitionKey: `k${i}`, data: `before-${i}` })),
    });
    const inParent = before.records.filter((r) => r.shardId === "shardId-000000000000").length;
    expect(inParent).toBeGreaterThan(0);

    const beforeSplitMs = Date.now();
    await client.splitShard({
      streamName,
      shardToSplit: "shardId-000000000000",
      newStartingHashKey: (1n << 126n).toString(),
    });
    // One reshard at a time.
    const busy = await refused(client.updateShardCount({ streamName, targetShardCount: 3 }));
    expect(busy.name).toBe("ResourceInUseException");
    await client.waitForStreamActive(streamName, 30_000);

    const described = await client.describeStream({ streamName });
    expect(described.streamStatus).toBe("ACTIVE");
    const byId = new Map(described.shards.map((s) => [s.shardId, s]));
    expect([...byId.keys()]).toEqual([
      "shardId-000000000000",
      "shardId-000000000001",
      "shardId-000000000002",
      "shardId-000000000003",
    ]);
    expect(byId.get("shardId-000000000000")!.sequenceNumberRange.endingSequenceNumber).toBeDefined();
    expect(byId.get("shardId-000000000002")).toMatchObject({
      parentShardId: "shardId-000000000000",
      hashKeyRange: { startingHashKey: "0", endingHashKey: ((1n << 126n) - 1n).toString() },
    });
    expect(byId.get("shardId-000000000003")).toMatchObject({
      parentShardId: "shardId-000000000000",
      hashKeyRange: { startingHashKey: (1n << 126n).toString(), endingHashKey: (BigInt(HALF) - 1n).toString() },
    });

    const after = await client.putRecords({
      streamName,
      records: Array.from({ length: 400 }, (_, i) => ({ partitionKey: `k${i}`, data: `after-${i}` })),
    });
    expect(after.failedRecordCount).toBe(0);
    expect(after.records.some((r) => r.shardId === "shardId-000000000000")).toBe(false);
    // Each key that went to the parent now goes to one of its children.
    before.records.forEach((r, i) => {
      if (r.shardId === "shardId-000000000000")
        expect(["shardId-000000000002", "shardId-000000000003"]).toContain(after.records[i]!.shardId);
      else expect(after.records[i]!.shardId).toBe(r.shardId);
    });

    const parent = await readToEnd(client, streamName, "shardId-000000000000");
    expect(parent.ended).toBe(true);
    expect(parent.data).toHaveLength(inParent);
    expect(parent.data.every((d) => d.startsWith("before-"))).toBe(true);
    expect(parent.childShards.map((c) => c.shardId)).toEqual(["shardId-000000000002", "shardId-000000000003"]);
    expect(parent.childShards[0]!.parentShards).toEqual(["shardId-000000000000"]);

    // A subscriber at the closed shard's end is told its children, and the subscription ends.
    const events = [];
    for await (const event of client.subscribeToShard({
      streamName,
      shardId: "shardId-000000000000",
      startingPosition: { type: "LATEST" },
    })) {
      events.push(event);
    }
    expect(events.at(-1)!.childShards.map((c) => c.shardId)).toEqual(["shardId-000000000002", "shardId-000000000003"]);

    // ListShards filters.
    const ids = async (type: "AT_LATEST" | "AT_TRIM_HORIZON" | "FROM_TRIM_HORIZON") =>
      (await client.listShards({ streamName, shardFilter: { type } })).shards.map((s) => s.shardId);
    expect(await ids("AT_LATEST")).toEqual(["shardId-000000000001", "shardId-000000000002", "shardId-000000000003"]);
    expect(await ids("AT_TRIM_HORIZON")).toEqual(["shardId-000000000000", "shardId-000000000001"]);
    expect(await ids("FROM_TRIM_HORIZON")).toHaveLength(4);
    const at = async (type: "AT_TIMESTAMP" | "FROM_TIMESTAMP", timestamp: Date) =>
      (await client.listShards({ streamName, shardFilter: { type, timestamp } })).shards.map((s) => s.shardId);
    // Before the split: the parent was open then; FROM_TIMESTAMP adds the shards opened since.
    expect(await at("AT_TIMESTAMP", new Date(beforeSplitMs))).toEqual(["shardId-000000000000", "shardId-000000000001"]);
    expect(await at("FROM_TIMESTAMP", new Date(beforeSplitMs))).toHaveLength(4);
    // Now: the open shards only.
    expect(await at("AT_TIMESTAMP", new Date())).toEqual([
      "shardId-000000000001",
      "shardId-000000000002",
      "shardId-000000000003",
    ]);
  });

  it("a merge of adjacent shards makes one child with both parents; bad requests are refused and change nothing", async () => {
    const { client } = fixture;
    const streamName = "merge";
    await client.createStream({ streamName, shardCount: 3, streamMode: "ON_DEMAND" });
    await client.waitForStreamActive(streamName);
    const notAdjacent = await refused(
      client.mergeShards({
        streamName,
        shardToMerge: "shardId-000000000000",
        adjacentShardToMerge: "shardId-000000000002",
      }),
    );
    expect(notAdjacent.name).toBe("InvalidArgumentException");
    expect(notAdjacent.message).toMatch(/not adjacent/);
    const badKey = await refused(
      client.splitShard({ streamName, shardToSplit: "shardId-000000000000", newStartingHashKey: "0" }),
    );
    expect(badKey.name).toBe("InvalidArgumentException");
    expect(badKey.message).toMatch(/NewStartingHashKey/);
    const tooMany = await refused(client.updateShardCount({ streamName, targetShardCount: 7 }));
    expect(tooMany.message).toMatch(/between half \(2\) and double \(6\)/);
    expect((await client.describeStreamSummary({ streamName })).streamStatus).toBe("ACTIVE");
    expect((await client.describeStream({ streamName })).shards).toHaveLength(3);

    await client.mergeShards({
      streamName,
      shardToMerge: "shardId-000000000001",
      adjacentShardToMerge: "shardId-000000000002",
    });
    await client.waitForStreamActive(streamName, 30_000);
    const shards = (await client.describeStream({ streamName })).shards;
    expect(shards.at(-1)).toMatchObject({
      shardId: "shardId-000000000003",
      parentShardId: "shardId-000000000001",
      adjacentParentShardId: "shardId-000000000002",
    });
    const put = await client.putRecords({
      streamName,
      records: Array.from({ length: 100 }, (_, i) => ({ partitionKey: `m${i}`, data: `${i}` })),
    });
    expect(new Set(put.records.map((r) => r.shardId))).toEqual(
      new Set(["shardId-000000000000", "shardId-000000000003"]),
    );
  });
});

describe("resharding under load", () => {
  const fixture = useBroker();
  let dir: string;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "eddy-reshard-"));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await rm(dir, { recursive: true, force: true });
  });

  it("scales 2 -> 4 -> 8 -> 4 -> 3 under writes of 1,000 keys while an application consumes: every record processed, per key in put order", async () => {
    const { client, broker } = fixture;
    const streamName = "scaled";
    const KEYS = 1_000;
    await client.createStream({ streamName, shardCount: 2, streamMode: "ON_DEMAND" });
    await client.waitForStreamActive(streamName);
    for (const workerId of ["s1", "s2"]) {
      workers.push(
        await WorkerProcess.start({
          endpoints: [broker.endpoint],
          stream: streamName,
          application: "ordered",
          workerId,
          leaseTimeoutMs: 2_000,
          outFile: join(dir, `${workerId}.log`),
        }),
      );
    }
    // Writes in rounds of one record per key: a key's next record is put only once its last was acknowledged,
    // so the put order of each key is the round order.
    let rounds = 0;
    let writing = true;
    const putRound = async (round: number) => {
      for (let from = 0; from < KEYS; from += 500) {
        // A record refused while its shard was being sealed is put again before the round goes on.
        let keys = Array.from({ length: Math.min(500, KEYS - from) }, (_, i) => from + i);
        for (let attempt = 0; keys.length > 0; attempt++) {
          expect(attempt).toBeLessThan(200);
          if (attempt > 0) await new Promise((r) => setTimeout(r, 20));
          const result = await client.putRecords({
            streamName,
            records: keys.map((k) => ({ partitionKey: `key-${k}`, data: `key-${k}:${round}` })),
          });
          keys = keys.filter((_, i) => result.records[i]!.errorCode !== undefined);
        }
      }
    };
    const writer = (async () => {
      while (writing && rounds < 200) {
        await putRound(rounds);
        rounds++;
      }
    })();
    const writerFailed = writer.then(() => new Promise<never>(() => {}));
    const waitRounds = async (n: number) => {
      const target = rounds + n;
      while (rounds < target) await Promise.race([new Promise((r) => setTimeout(r, 20)), writerFailed]);
    };
    await waitRounds(3);
    for (const target of [4, 8, 4, 3]) {
      await client.updateShardCount({ streamName, targetShardCount: target });
      await client.waitForStreamActive(streamName, 60_000);
      const open = (await client.listShards({ streamName, shardFilter: { type: "AT_LATEST" } })).shards;
      expect(open).toHaveLength(target);
      await waitRounds(3);
    }
    writing = false;
    await writer;
    const total = rounds * KEYS;

    const deadline = Date.now() + 90_000;
    let processed: Extract<WorkerLine, { kind: "P" }>[] = [];
    for (;;) {
      const lines = (await Promise.all(workers.map((w) => w.lines()))).flat();
      processed = lines.filter((l): l is Extract<WorkerLine, { kind: "P" }> => l.kind === "P");
      if (new Set(processed.map((p) => p.data)).size >= total) break;
      if (Date.now() > deadline) throw new Error(`${new Set(processed.map((p) => p.data)).size} of ${total} processed`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(new Set(processed.map((p) => p.data)).size).toBe(total);
    // Per key, in the order processed (over both workers), the rounds go up one by one: each record once, in put order.
    const byKey = new Map<string, number[]>();
    for (const p of [...processed].sort((a, b) => a.atMs - b.atMs)) {
      const round = Number(p.data.split(":")[1]);
      const list = byKey.get(p.partitionKey) ?? [];
      list.push(round);
      byKey.set(p.partitionKey, list);
    }
    expect(byKey.size).toBe(KEYS);
    for (const [key, list] of byKey) {
      expect(list, key).toEqual(Array.from({ length: rounds }, (_, i) => i));
    }
    const shardsUsed = new Set(processed.map((p) => p.shardId));
    console.log(
      `${total} records over ${rounds} rounds through ${shardsUsed.size} shards, ${processed.length} processings`,
    );
  });
});

describe("a split through a SIGKILL of the parent's leader (3 brokers, RF=3)", () => {
  let cluster: ClusterProcess | undefined;
  afterAll(async () => {
    await cluster?.close();
  });

  it.each([true, false])(
    "exactlyOnce %s: completes once a new leader seals the parent; every acknowledged record is in the parent or a child, once, per key in order",
    async (exactlyOnce) => {
      await cluster?.close();
      const c = (cluster = await ClusterProcess.start({ args: FAST_FAILOVER_ARGS }));
      await c.formed();
      const streamName = "killsplit";
      await c.createStream(streamName, 1);
      const client = new EddyClient({ endpoints: c.endpoints() });
      const producer = new Producer({ endpoints: c.endpoints(), exactlyOnce });
      const acked: Promise<ProducerPutResult>[] = [];
      const counters = new Map<string, number>();
      const put = (n: number) => {
        for (let i = 0; i < n; i++) {
          const key = `k${acked.length % 50}`;
          const seq = counters.get(key) ?? 0;
          counters.set(key, seq + 1);
          acked.push(producer.put({ stream: streamName, partitionKey: key, data: `${key}:${seq}` }));
        }
      };
      put(2_000);
      await Promise.all(acked);
      const { brokerId } = await c.awaitLeader(streamName, "shardId-000000000000");
      await client.splitShard({
        streamName,
        shardToSplit: "shardId-000000000000",
        newStartingHashKey: (1n << 127n).toString(),
      });
      // Killed as the split starts: its seal was not yet written, or not yet reported.
      await c.kill(brokerId);
      put(2_000);
      await client.waitForStreamActive(streamName, 60_000);
      put(2_000);
      const results = await Promise.all(acked);
      const shards = (await client.describeStream({ streamName })).shards;
      expect(shards.map((s) => s.shardId)).toEqual([
        "shardId-000000000000",
        "shardId-000000000001",
        "shardId-000000000002",
      ]);
      expect(shards[0]!.sequenceNumberRange.endingSequenceNumber).toBeDefined();
      const ending = BigInt(shards[0]!.sequenceNumberRange.endingSequenceNumber!);
      // Nothing acknowledged from the parent is past its end.
      for (const r of results)
        if (r.shardId === "shardId-000000000000") expect(BigInt(r.sequenceNumber)).toBeLessThan(ending);

      // Parent first, then its children (each key lives in one of them): per key, the order of the puts.
      const stored: string[] = [];
      const perKey = new Map<string, number[]>();
      for (const shard of shards) {
        const page = await readToEnd(client, streamName, shard.shardId);
        for (const data of page.data) {
          const [key, n] = data.split(":");
          perKey.set(key!, [...(perKey.get(key!) ?? []), Number(n)]);
        }
        stored.push(...page.data);
      }
      expect(stored).toHaveLength(acked.length);
      expect(new Set(stored).size).toBe(acked.length);
      for (const [key, ns] of perKey) expect(ns, key).toEqual(Array.from({ length: counters.get(key)! }, (_, i) => i));
      console.log(
        `records moved by the producer from the closed parent to its children: ${producer.metrics().reroutedRecords}`,
      );
      await producer.close();
      client.close();
    },
  );
});
