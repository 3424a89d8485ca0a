import { afterEach, describe, expect, it } from "vitest";
import { EddyClient } from "@eddy/client";
import { BrokerProcess } from "@eddy/testkit";
import { isStrictlyIncreasing, readStream } from "./helpers.js";

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
    const acked = new Map<string, string>(); // sequence number -> data
    let stopWriters = false;
    let killed!: () => void;
    const killPoint = new Promise<void>((resolve) => (killed = resolve));
    // Four concurrent writers, so the broker is group-committing when it dies.
    const writer = async (id: number) => {
      for (let i = 0; !stopWriters && i < 100_000; i++) {
        const data = `w${id}-${i}`;
        try {
          const r = await client.putRecord({ streamName: STREAM, partitionKey: `key-${id}-${i % 7}`, data });
          acked.set(r.sequenceNumber, data);
          if (acked.size === 2_000) killed();
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
    const storedBySeq = new Map<string, string>();
    for (const records of stored.values()) {
      expect(isStrictlyIncreasing(records.map((r) => r.sequenceNumber))).toBe(true);
      for (const r of records) storedBySeq.set(r.sequenceNumber, r.data);
    }
    expect(acked.size).toBeGreaterThanOrEqual(2_000);
    const missing = [...acked].filter(([seq, data]) => storedBySeq.get(seq) !== data);
    expect(missing).toEqual([]);
    // Per writer and key, stored order is put order.
    for (const records of stored.values()) {
      const lastByKey = new Map<string, number>();
      for (const r of records) {
        const i = Number(r.data.split("-")[1]);
        const prev = lastByKey.get(r.partitionKey) ?? -1;
        expect(i).toBeGreaterThan(prev);
        lastByKey.set(r.partitionKey, i);
      }
    }
  });
});
