import { afterEach, describe, expect, it } from "vitest";
import { EddyClient } from "@eddy/client";
import { Store } from "@eddy/storage";
import { BrokerProcess, checkHistory, type AckedWrite } from "@eddy/testkit";
import { isStrictlyIncreasing, readShard, readStream } from "./helpers.js";

const STREAM = "durable";

describe("durability", () => {
  const brokers: BrokerProcess[] = [];
  const clients: EddyClient[] = [];
  const track = (b: BrokerProcess) => (brokers.push(b), b);
  const connect = (b: BrokerProcess) => {
    const c = new EddyClient({ endpoint: b.endpoint, deadlineMs: 10_000 });
    clients.push(c);
    return c;
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    const dataDirs = new Set(brokers.map((b) => b.dataDir));
    for (const b of brokers.splice(0)) await b.kill();
    for (const dir of dataDirs) await (await import("node:fs/promises")).rm(dir, { recursive: true, force: true });
  });

  it("restart: a clean stop and start keeps every stream, record and sequence number, and numbers keep rising", async () => {
    const first = track(await BrokerProcess.start());
    let client = connect(first);
    await client.createStream({ streamName: STREAM, shardCount: 2, streamMode: "ON_DEMAND" });
    const acked: string[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await client.putRecords({
        streamName: STREAM,
        records: Array.from({ length: 20 }, (_, j) => ({ partitionKey: `k${j}`, data: `r${i * 20 + j}` })),
      });
      expect(r.failedRecordCount).toBe(0);
      for (const e of r.records) acked.push(e.sequenceNumber!);
    }
    const before = await readStream(client, STREAM);
    const exit = await first.stop();
    expect(exit.code).toBe(0);

    const second = track(await first.restart());
    client = connect(second);
    const after = await readStream(client, STREAM);
    expect(after).toEqual(before);
    expect([...after.values()].flat()).toHaveLength(1000);
    const next = await client.putRecord({ streamName: STREAM, partitionKey: "k0", data: "after-restart" });
    const shardRecords = after.get(next.shardId)!.map((r) => r.sequenceNumber);
    expect(BigInt(next.sequenceNumber)).toBeGreaterThan(BigInt(shardRecords.at(-1)!));
  });

  it("SIGKILL during a put loop: every acknowledged record is there afterwards, in order", async () => {
    const first = track(await BrokerProcess.start());
    let client = connect(first);
    await client.createStream({ streamName: STREAM, shardCount: 3, streamMode: "ON_DEMAND" });
    const acked: AckedWrite[] = [];
    let stopWriters = false;
    let killed!: () => void;
    const killPoint = new Promise<void>((resolve) => (killed = resolve));
    // Four concurrent writers, so the broker is group-committing when it dies.
    const writer = async (id: number) => {
      for (let i = 0; !stopWriters && i < 100_000; i++) {
        const data = `w${id}-${i}`;
        const partitionKey = `key-${id}-${i % 7}`;
        try {
          const r = await client.putRecord({ streamName: STREAM, partitionKey, data });
          acked.push({ shardId: r.shardId, sequenceNumber: r.sequenceNumber, partitionKey, data });
          if (acked.length === 2_000) killed();
        } catch {
          return; // The broker died under this call: it was never acknowledged.
        }
      }
    };
    const writers = Promise.all([0, 1, 2, 3].map(writer));
    await killPoint;
    first.signal("SIGKILL");
    await first.waitForExit();
    stopWriters = true;
    await writers;
    client.close();

    const second = track(await first.restart());
    client = connect(second);
    const stored = await readStream(client, STREAM);
    expect(acked.length).toBeGreaterThanOrEqual(2_000);
    const records = [...stored].flatMap(([shardId, list]) => list.map((r) => ({ ...r, shardId })));
    // Nothing acknowledged lost, nothing duplicated or reordered, one record per sequence number.
    expect(checkHistory(acked, [{ replica: "broker", records }])).toMatchObject({ ok: true });
  });
});

describe("a frozen broker (SIGSTOP) and a corrupted store", () => {
  it("SIGSTOP during puts: calls time out without an acknowledgement; after SIGCONT every acknowledged record is there once", async () => {
    const broker = await BrokerProcess.start();
    const client = new EddyClient({ endpoint: broker.endpoint, deadlineMs: 500 });
    try {
      await client.createStream({ streamName: "frozen", shardCount: 1, streamMode: "ON_DEMAND" });
      const acked: string[] = [];
      const failures: string[] = [];
      let reachedCount!: () => void;
      const reached = new Promise<void>((resolve) => (reachedCount = resolve));
      const writer = async () => {
        for (let i = 0; i < 2_000 && failures.length === 0; i++) {
          try {
            const r = await client.putRecord({ streamName: "frozen", partitionKey: "k", data: `f-${i}` });
            acked.push(r.sequenceNumber);
            if (acked.length === 200) reachedCount();
          } catch (error) {
            failures.push((error as Error).name);
          }
        }
      };
      const running = writer();
      await reached;
      broker.signal("SIGSTOP");
      await running;
      expect(failures).toEqual(["ServiceUnavailableException"]);
      broker.signal("SIGCONT");
      // The broker serves again, and holds every acknowledged record exactly once, in order.
      const resumed = await client.putRecord({ streamName: "frozen", partitionKey: "k", data: "after" });
      const shardId = resumed.shardId;
      const stored = (await readShard(client, "frozen", shardId)).map((r) => r.sequenceNumber);
      expect(isStrictlyIncreasing(stored)).toBe(true);
      expect(acked.filter((s) => !stored.includes(s))).toEqual([]);
      expect(stored.at(-1)).toBe(resumed.sequenceNumber);
    } finally {
      client.close();
      await broker.destroy();
    }
  });

  it("a corrupted entry on disk is reported as CorruptDataException, never returned as data", async () => {
    const broker = await BrokerProcess.start();
    let client = new EddyClient({ endpoint: broker.endpoint });
    await client.createStream({ streamName: "rotten", shardCount: 1, streamMode: "ON_DEMAND" });
    const sequenceNumbers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const put = await client.putRecord({ streamName: "rotten", partitionKey: "k", data: `intact-${i}` });
      sequenceNumbers.push(put.sequenceNumber);
    }
    client.close();
    expect((await broker.stop()).code).toBe(0);

    // Flip one byte inside the log entry that holds "intact-1", as a failing disk might.
    const store = await Store.open(broker.dataDir);
    const entries: Array<[Uint8Array, Uint8Array]> = [];
    for await (const [key, value] of store.db.iterator({ gte: Uint8Array.of(0x01), lt: Uint8Array.of(0x02) })) {
      if (Buffer.from(value).includes("intact-1")) entries.push([key, value]);
    }
    expect(entries).toHaveLength(1);
    const [key, value] = entries[0]!;
    const damaged = Uint8Array.from(value);
    damaged[damaged.length - 3]! ^= 0xff;
    await store.db.put(key, damaged);
    await store.close();

    const restarted = await broker.restart();
    client = new EddyClient({ endpoint: restarted.endpoint });
    try {
      const shardId = (await client.listShards({ streamName: "rotten" })).shards[0]!.shardId;
      const iterator = await client.getShardIterator({
        streamName: "rotten",
        shardId,
        shardIteratorType: "TRIM_HORIZON",
      });
      await expect(client.getRecords({ shardIterator: iterator })).rejects.toMatchObject({
        name: "CorruptDataException",
        message: expect.stringMatching(/checksum/),
      });
      // The damage is contained: the entry after the corrupted one reads normally.
      const afterDamage = await client.getShardIterator({
        streamName: "rotten",
        shardId,
        shardIteratorType: "AT_SEQUENCE_NUMBER",
        startingSequenceNumber: sequenceNumbers[2]!,
      });
      const third = (await client.getRecords({ shardIterator: afterDamage })).records;
      expect(third.map((r) => Buffer.from(r.data).toString())).toEqual(["intact-2"]);
    } finally {
      client.close();
      await restarted.destroy();
    }
  });
});
