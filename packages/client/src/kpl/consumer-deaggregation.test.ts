/**
 * The consumer worker with KPL aggregates: one shard consumer over a scripted subscription (one event,
 * then nothing until it is stopped) and a client that records the checkpoints it is asked to write.
 */
import { describe, expect, it } from "vitest";
import type { EddyClient } from "../client.js";
import { DEFAULT_FAILURE_POLICY } from "../application/batch-runner.js";
import { ShardConsumer, type ShardConsumerEvents, type ShardConsumerSettings } from "../application/shard-consumer.js";
import type { CheckpointInput } from "../application/wire.js";
import type { StreamRecord, SubscribeEvent, SubscribeToShardInput } from "../types.js";
import { aggregate, type UserRecord } from "./kpl.js";

const ARRIVAL = new Date("2024-05-01T12:00:00.000Z");

function record(sequenceNumber: string, data: Buffer): StreamRecord {
  return { sequenceNumber, approximateArrivalTimestamp: ARRIVAL, data, partitionKey: "outer" };
}

/** Runs one consumer over one event until every record is handed over, then stops it. */
async function consume(records: StreamRecord[], settings: Partial<ShardConsumerSettings>) {
  const batches: string[][] = [];
  const checkpoints: CheckpointInput[] = [];
  const event: SubscribeEvent = {
    records,
    continuationSequenceNumber: records.at(-1)!.sequenceNumber,
    millisBehindLatest: 0,
    childShards: [],
  };
  const client = {
    async *subscribeToShard(input: SubscribeToShardInput) {
      yield event;
      await new Promise((resolve) => input.signal!.addEventListener("abort", resolve, { once: true }));
    },
    async checkpoint(input: CheckpointInput) {
      checkpoints.push(input);
    },
  } as unknown as EddyClient;
  const noop = () => {};
  const events: ShardConsumerEvents = {
    processed: noop,
    retrying: noop,
    deadLettered: noop,
    skipped: noop,
    halted: noop,
    checkpointed: noop,
    ended: noop,
    failed: (_shardId, error) => {
      throw error;
    },
  };
  let allHandedOver: () => void = noop;
  const done = new Promise<void>((resolve) => (allHandedOver = resolve));
  const consumer = new ShardConsumer(
    client,
    "shardId-000000000000",
    1,
    { type: "TRIM_HORIZON" },
    {
      processRecords({ records: batch }) {
        batches.push(
          batch.map((r) => {
            const user = r as UserRecord;
            return user.aggregated === undefined ? r.sequenceNumber : `${r.sequenceNumber}.${user.subSequenceNumber}`;
          }),
        );
        // Everything is handed over with the last outer record, or with its aggregate's last user record.
        const last = batch.at(-1)! as UserRecord;
        if (last.sequenceNumber === event.continuationSequenceNumber && last.aggregated !== true) allHandedOver();
        if (last.aggregated && last.data.toString() === "last") allHandedOver();
      },
    },
    {
      streamName: "orders",
      applicationName: "billing",
      workerId: "w1",
      maxBatchRecords: 3,
      checkpointing: { everyRecords: 1_000_000, everyMs: 3_600_000 },
      policy: DEFAULT_FAILURE_POLICY,
      readRetryMs: 1,
      ...settings,
    },
    events,
  );
  await done;
  await consumer.stop();
  return { batches, checkpoints: checkpoints.map((c) => c.position) };
}

describe("consumer: KPL aggregates", () => {
  const records = [
    record("10", Buffer.from("plain")),
    record(
      "20",
      aggregate([
        { partitionKey: "a", data: "a0" },
        { partitionKey: "b", data: "a1" },
        { partitionKey: "a", data: "last" },
      ]),
    ),
  ];

  it("by default the processor gets the user records, batched at aggregate ends; the checkpoint is the outer record's", async () => {
    const { batches, checkpoints } = await consume(records, {});
    expect(batches).toEqual([["10.0"], ["20.0", "20.1", "20.2"]]);
    expect(checkpoints).toEqual([{ type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "20" }]);
  });

  it("deaggregate: false hands over the records as stored", async () => {
    const { batches, checkpoints } = await consume(records, { deaggregate: false });
    expect(batches).toEqual([["10", "20"]]);
    expect(checkpoints).toEqual([{ type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "20" }]);
  });
});
