import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EddyClient } from "@eddy/client";
import { BrokerProcess } from "@eddy/testkit";

const STREAM = "live";

describe("SubscribeToShard", () => {
  let broker: BrokerProcess;
  let client: EddyClient;
  let shardId: string;

  beforeAll(async () => {
    broker = await BrokerProcess.start({ args: ["--subscribe-heartbeat-ms", "200"] });
    client = new EddyClient({ endpoint: broker.endpoint });
    await client.createStream({ streamName: STREAM, shardCount: 1, streamMode: "ON_DEMAND" });
    shardId = (await client.listShards({ streamName: STREAM })).shards[0]!.shardId;
  });

  afterAll(async () => {
    client?.close();
    await broker?.destroy();
  });

  it("pushes records committed after the subscription starts, in order, as they commit", async () => {
    const abort = new AbortController();
    const events = client.subscribeToShard({
      streamName: STREAM,
      shardId,
      startingPosition: { type: "LATEST" },
      signal: abort.signal,
    });
    const iterator = events[Symbol.asyncIterator]();
    // The first heartbeat proves the subscription is open before anything is put.
    const first = await iterator.next();
    if (first.done) throw new Error("the subscription ended before its first event");
    expect(first.value.records).toEqual([]);

    const sent: string[] = [];
    const received: string[] = [];
    for (let i = 0; i < 20; i++) {
      const put = await client.putRecord({ streamName: STREAM, partitionKey: `k${i % 3}`, data: `live-${i}` });
      sent.push(put.sequenceNumber);
      // Each record arrives before the next is put: it is pushed, not picked up by a later poll.
      while (received.length < sent.length) {
        const next = await iterator.next();
        if (next.done) throw new Error("the subscription ended early");
        for (const r of next.value.records) received.push(r.sequenceNumber);
        if (next.value.records.length > 0) {
          expect(next.value.continuationSequenceNumber).toBe(received.at(-1));
        }
      }
    }
    expect(received).toEqual(sent);
    abort.abort();
    await iterator.return?.();
  });

  it("starts at TRIM_HORIZON and replays what is stored, then continues live", async () => {
    const stored = await client.putRecord({ streamName: STREAM, partitionKey: "replay", data: "stored" });
    const abort = new AbortController();
    const seen: string[] = [];
    let live: string | undefined;
    for await (const event of client.subscribeToShard({
      streamName: STREAM,
      shardId,
      startingPosition: { type: "TRIM_HORIZON" },
      signal: abort.signal,
    })) {
      for (const r of event.records) seen.push(r.sequenceNumber);
      if (!live && seen.includes(stored.sequenceNumber)) {
        live = (await client.putRecord({ streamName: STREAM, partitionKey: "replay", data: "live" })).sequenceNumber;
      }
      if (live && seen.includes(live)) break;
    }
    abort.abort();
    expect(seen.length).toBeGreaterThanOrEqual(22);
    expect(seen.at(-1)).toBe(live);
    expect(seen.every((s, i) => i === 0 || BigInt(s) > BigInt(seen[i - 1]!))).toBe(true);
  });

  it("refuses an unknown shard with ResourceNotFoundException", async () => {
    const events = client.subscribeToShard({
      streamName: STREAM,
      shardId: "shardId-000000000099",
      startingPosition: { type: "LATEST" },
    });
    await expect(events[Symbol.asyncIterator]().next()).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});
