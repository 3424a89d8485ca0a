import { afterAll, beforeAll } from "vitest";
import { EddyClient, type ShardIteratorType } from "@eddy/client";
import { BrokerProcess, type BrokerProcessOptions } from "@eddy/testkit";

export interface ReadBack {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: string;
  readonly arrivalMs: number;
}

/** Reads a shard with GetRecords from the given start until caught up; bounded by `maxCalls`. */
export async function readShard(
  client: EddyClient,
  streamName: string,
  shardId: string,
  start: { shardIteratorType: ShardIteratorType; startingSequenceNumber?: string; timestamp?: Date } = {
    shardIteratorType: "TRIM_HORIZON",
  },
  maxCalls = 1_000,
): Promise<ReadBack[]> {
  const records: ReadBack[] = [];
  let iterator: string | undefined = await client.getShardIterator({ streamName, shardId, ...start });
  for (let call = 0; call < maxCalls && iterator; call++) {
    const page = await client.getRecords({ shardIterator: iterator });
    for (const r of page.records) {
      records.push({
        sequenceNumber: r.sequenceNumber,
        partitionKey: r.partitionKey,
        data: Buffer.from(r.data).toString("utf8"),
        arrivalMs: r.approximateArrivalTimestamp.getTime(),
      });
    }
    if (page.records.length === 0 && page.millisBehindLatest === 0) return records;
    iterator = page.nextShardIterator;
  }
  throw new Error(`shard ${shardId} not read to its tip in ${maxCalls} calls`);
}

/** Every record of every shard, keyed by shard id. */
export async function readStream(client: EddyClient, streamName: string): Promise<Map<string, ReadBack[]>> {
  const shards = (await client.listShards({ streamName })).shards;
  const byShard = new Map<string, ReadBack[]>();
  for (const shard of shards) byShard.set(shard.shardId, await readShard(client, streamName, shard.shardId));
  return byShard;
}

export function isStrictlyIncreasing(sequenceNumbers: readonly string[]): boolean {
  return sequenceNumbers.every((s, i) => i === 0 || BigInt(s) > BigInt(sequenceNumbers[i - 1]!));
}

/**
 * Starts one broker process (and a client to it) before the tests of a file, and destroys both after.
 * Read `broker` and `client` inside tests, not at collection time.
 */
export function useBroker(options: BrokerProcessOptions = {}): {
  readonly broker: BrokerProcess;
  readonly client: EddyClient;
} {
  const context: { broker?: BrokerProcess; client?: EddyClient } = {};
  beforeAll(async () => {
    context.broker = await BrokerProcess.start(options);
    context.client = new EddyClient({ endpoint: context.broker.endpoint });
  });
  afterAll(async () => {
    context.client?.close();
    await context.broker?.destroy();
  });
  return {
    get broker() {
      if (!context.broker) throw new Error("the broker is not started yet");
      return context.broker;
    },
    get client() {
      if (!context.client) throw new Error("the broker is not started yet");
      return context.client;
    },
  };
}
