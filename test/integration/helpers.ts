import { afterAll, beforeAll } from "vitest";
import { EddyClient, type GetRecordsOutput, type ShardIteratorType } from "@eddy/client";
import { BrokerProcess, type BrokerProcessOptions } from "@eddy/testkit";
import { KinesisError } from "@eddy/core";

export interface ReadBack {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: string;
  readonly arrivalMs: number;
}

/** Where a read starts: TRIM_HORIZON unless given. */
export type ReadStart = { shardIteratorType: ShardIteratorType; startingSequenceNumber?: string; timestamp?: Date };

/**
 * Reads a shard with GetRecords from `start` until caught up with its tip or, for a closed shard, to its
 * end (`ended`, with the children the last page names); bounded by `maxCalls`.
 */
export async function readShardToEnd(
  client: EddyClient,
  streamName: string,
  shardId: string,
  start: ReadStart = { shardIteratorType: "TRIM_HORIZON" },
  maxCalls = 1_000,
): Promise<{ records: ReadBack[]; ended: boolean; childShards: GetRecordsOutput["childShards"] }> {
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
    if (!page.nextShardIterator) return { records, ended: true, childShards: page.childShards };
    if (page.records.length === 0 && page.millisBehindLatest === 0)
      return { records, ended: false, childShards: page.childShards };
    iterator = page.nextShardIterator;
  }
  throw new Error(`shard ${shardId} not read to its tip in ${maxCalls} calls`);
}

/** The records of a shard from `start` until caught up (or the end of a closed shard). */
export async function readShard(
  client: EddyClient,
  streamName: string,
  shardId: string,
  start: ReadStart = { shardIteratorType: "TRIM_HORIZON" },
  maxCalls = 1_000,
): Promise<ReadBack[]> {
  return (await readShardToEnd(client, streamName, shardId, start, maxCalls)).records;
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

/** How often, and how far apart, `untilAccepted` sends a call again. */
const RETRIABLE_ATTEMPTS_MAX = 50;
const RETRIABLE_BACKOFF_MS = 50;

/**
 * Runs `call` again while it fails with a retriable KinesisError, as an application would: a shard's
 * leader moving to its preferred replica refuses writes for a moment (ServiceUnavailableException), and
 * the SDK leaves retrying a single call to its caller. Anything else fails at once.
 */
export async function untilAccepted<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof KinesisError) || !error.retriable || attempt >= RETRIABLE_ATTEMPTS_MAX) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRIABLE_BACKOFF_MS));
    }
  }
}
