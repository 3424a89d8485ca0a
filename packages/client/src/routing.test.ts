/**
 * Routing against fake brokers with fixed replies: which broker each call reaches, and what is sent
 * again where after NotLeaderException, a broker that cannot be reached, or a deadline. The cluster's
 * own behaviour is tested with real brokers in test/integration/client-routing.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  GRPC_CHANNEL_OPTIONS,
  grpc,
  loadStreamsService,
  toServiceError,
  type Shard,
  type StreamsHandlers,
} from "@eddy/api";
import { HASH_KEY_MAX, KinesisError, hashKeyOf } from "@eddy/core";
import { EddyClient } from "./index.js";

/** A port nothing listens on: connections to it are refused. */
const CLOSED_ADDRESS = "127.0.0.1:1";
const HALF = (HASH_KEY_MAX + 1n) / 2n;
const ITERATOR_PREFIX = "iterator-of-";

interface Call {
  readonly method: string;
  readonly key: string;
}

/** How a fake broker answers: the route it reports, and which keys it refuses or delays. */
interface Behaviour {
  /** Leader address of shard 0 (the lower half of the hash key space) and shard 1. */
  leaders: [string, string];
  notLeaderKeys: Set<string>;
  slowKeys: Set<string>;
}

class FakeBroker {
  readonly calls: Call[] = [];
  address = "";
  readonly #server = new grpc.Server(GRPC_CHANNEL_OPTIONS);

  constructor(
    readonly name: string,
    readonly behaviour: Behaviour,
  ) {}

  async start(): Promise<void> {
    const answer = <T>(key: string, callback: grpc.sendUnaryData<T>, value: () => T): void => {
      if (this.behaviour.notLeaderKeys.has(key)) {
        callback(toServiceError(new KinesisError("NotLeaderException", `${this.name} does not lead`)));
      } else if (this.behaviour.slowKeys.has(key)) {
        setTimeout(() => callback(null, value()), 1_000);
      } else {
        callback(null, value());
      }
    };
    const handlers: Pick<
      StreamsHandlers,
      | "ListShards"
      | "PutRecord"
      | "PutRecords"
      | "GetShardIterator"
      | "GetRecords"
      | "SubscribeToShard"
      | "DescribeStreamSummary"
    > = {
      ListShards: (call, callback) => {
        this.calls.push({ method: "ListShards", key: call.request.stream_name });
        const shard = (i: 0 | 1): Shard => ({
          shard_id: `shardId-00000000000${i}`,
          hash_key_range: {
            starting_hash_key: String(i === 0 ? 0n : HALF),
            ending_hash_key: String(i === 0 ? HALF - 1n : HASH_KEY_MAX),
          },
          sequence_number_range: { starting_sequence_number: "0" },
          leader_address: this.behaviour.leaders[i],
        });
        callback(null, { shards: [shard(0), shard(1)] });
      },
      PutRecord: (call, callback) => {
        const key = call.request.partition_key;
        this.calls.push({ method: "PutRecord", key });
        answer(key, callback, () => ({ shard_id: this.name, sequence_number: key }));
      },
      PutRecords: (call, callback) => {
        const keys = call.request.records.map((r) => r.partition_key);
        this.calls.push({ method: "PutRecords", key: keys.join(",") });
        callback(null, {
          failed_record_count: keys.filter((k) => this.behaviour.notLeaderKeys.has(k)).length,
          records: keys.map((k) =>
            this.behaviour.notLeaderKeys.has(k)
              ? { error_code: "NotLeaderException", error_message: `${this.name} does not lead` }
              : { shard_id: this.name, sequence_number: k },
          ),
        });
      },
      GetShardIterator: (call, callback) => {
        this.calls.push({ method: "GetShardIterator", key: call.request.shard_id });
        answer(call.request.shard_id, callback, () => ({
          shard_iterator: `${ITERATOR_PREFIX}${call.request.shard_id}-0`,
        }));
      },
      GetRecords: (call, callback) => {
        const iterator = call.request.shard_iterator;
        this.calls.push({ method: "GetRecords", key: iterator });
        const [, n] = /-(\d+)$/.exec(iterator) ?? [];
        callback(null, {
          records: [],
          next_shard_iterator: iterator.replace(/-\d+$/, `-${Number(n) + 1}`),
          millis_behind_latest: "0",
        });
      },
      SubscribeToShard: (call) => {
        this.calls.push({ method: "SubscribeToShard", key: call.request.shard_id });
        call.write({ records: [], continuation_sequence_number: this.name, millis_behind_latest: "0" });
        call.end();
      },
      DescribeStreamSummary: (call, callback) => {
        this.calls.push({ method: "DescribeStreamSummary", key: call.request.stream_name });
        callback(toServiceError(new KinesisError("ResourceNotFoundException", `answered by ${this.name}`)));
      },
    };
    this.#server.addService(loadStreamsService().service, handlers);
    const port = await new Promise<number>((resolve, reject) =>
      this.#server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, boundPort) =>
        err === null ? resolve(boundPort) : reject(err),
      ),
    );
    this.address = `127.0.0.1:${port}`;
  }

  received(method: string): string[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.key);
  }

  stop(): void {
    this.#server.forceShutdown();
  }
}

/** A partition key whose MD5 falls in the lower half (shard 0) or the upper half (shard 1). */
function keyOn(shard: 0 | 1, from = 0): string {
  for (let i = from; ; i++) {
    const key = `key-${i}`;
    if (hashKeyOf(key) < HALF === (shard === 0)) return key;
  }
}

const behaviour = (): Behaviour => ({ leaders: ["", ""], notLeaderKeys: new Set(), slowKeys: new Set() });
/** `entry` answers ListShards; `leader` leads shard 0, `entry` leads shard 1. */
const entry = new FakeBroker("entry", behaviour());
const leader = new FakeBroker("leader", behaviour());
const clients: EddyClient[] = [];

function client(options: ConstructorParameters<typeof EddyClient>[0]): EddyClient {
  const c = new EddyClient({ deadlineMs: 2_000, ...options });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  await Promise.all([entry.start(), leader.start()]);
  entry.behaviour.leaders = [leader.address, entry.address];
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const broker of [entry, leader]) {
    broker.calls.length = 0;
    broker.behaviour.notLeaderKeys.clear();
    broker.behaviour.slowKeys.clear();
  }
  entry.behaviour.leaders = [leader.address, entry.address];
});

afterAll(() => {
  entry.stop();
  leader.stop();
});

/** Resolves once `condition` holds; fails after `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("routing", () => {
  it("puts go to the leader of the key's shard, from routes loaded once", async () => {
    const c = client({ endpoint: entry.address });
    const [k0, k1] = [keyOn(0), keyOn(1)];
    expect((await c.putRecord({ streamName: "s", partitionKey: k0, data: "x" })).shardId).toBe("leader");
    expect((await c.putRecord({ streamName: "s", partitionKey: k1, data: "x" })).shardId).toBe("entry");
    expect(leader.received("PutRecord")).toEqual([k0]);
    expect(entry.received("PutRecord")).toEqual([k1]);
    expect(entry.received("ListShards")).toEqual(["s"]);
    expect(c.routeOf("s", "shardId-000000000000")).toBe(leader.address);
    // An explicit hash key wins over the partition key.
    await c.putRecord({ streamName: "s", partitionKey: k0, data: "x", explicitHashKey: String(HASH_KEY_MAX) });
    expect(entry.received("PutRecord")).toEqual([k1, k0]);
  });

  it("putRecords: one request per leader, results back in the entries' order", async () => {
    const c = client({ endpoint: entry.address });
    const keys = [keyOn(0), keyOn(1), keyOn(0, 100), keyOn(1, 100)];
    const out = await c.putRecords({
      streamName: "s",
      records: keys.map((partitionKey) => ({ partitionKey, data: "x" })),
    });
    expect(out.failedRecordCount).toBe(0);
    expect(out.records.map((r) => [r.shardId, r.sequenceNumber])).toEqual([
      ["leader", keys[0]],
      ["entry", keys[1]],
      ["leader", keys[2]],
      ["entry", keys[3]],
    ]);
    expect(leader.received("PutRecords")).toEqual([`${keys[0]},${keys[2]}`]);
    expect(entry.received("PutRecords")).toEqual([`${keys[1]},${keys[3]}`]);

    // Entries a leader refuses as NotLeaderException (not appended) go once more through the endpoint.
    leader.behaviour.notLeaderKeys.add(keys[2]!);
    const again = await c.putRecords({
      streamName: "s",
      records: keys.slice(0, 3).map((partitionKey) => ({ partitionKey, data: "x" })),
    });
    expect(again.failedRecordCount).toBe(0);
    expect(again.records.map((r) => r.shardId)).toEqual(["leader", "entry", "entry"]);
    expect(entry.received("PutRecords").at(-1)).toBe(keys[2]);
  });

  it("NotLeaderException: sent again through the endpoint, and the routes are reloaded", async () => {
    const c = client({ endpoint: entry.address });
    const k0 = keyOn(0);
    await c.putRecord({ streamName: "s", partitionKey: keyOn(0, 50), data: "x" });
    leader.behaviour.notLeaderKeys.add(k0);
    expect((await c.putRecord({ streamName: "s", partitionKey: k0, data: "x" })).shardId).toBe("entry");
    expect(leader.received("PutRecord")).toContain(k0);
    expect(entry.received("PutRecord")).toEqual([k0]);
    await until(() => entry.received("ListShards").length === 2);
  });

  it("a leader that cannot be reached: the put goes through the endpoint, the route moves when reloaded", async () => {
    entry.behaviour.leaders = [CLOSED_ADDRESS, entry.address];
    const c = client({ endpoint: entry.address });
    const k0 = keyOn(0);
    expect((await c.putRecord({ streamName: "s", partitionKey: k0, data: "x" })).shardId).toBe("entry");
    expect(entry.received("PutRecord")).toEqual([k0]);
    entry.behaviour.leaders = [leader.address, entry.address];
    await until(() => c.routeOf("s", "shardId-000000000000") === leader.address);
    await c.putRecord({ streamName: "s", partitionKey: k0, data: "x" });
    expect(leader.received("PutRecord")).toEqual([k0]);
  });

  it("a put whose deadline passes is not sent again: it may have been appended", async () => {
    const c = client({ endpoint: entry.address, deadlineMs: 300 });
    const k0 = keyOn(0);
    await c.putRecord({ streamName: "s", partitionKey: keyOn(0, 50), data: "x" });
    leader.behaviour.slowKeys.add(k0);
    const failure = await c.putRecord({ streamName: "s", partitionKey: k0, data: "x" }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KinesisError);
    expect((failure as KinesisError).name).toBe("ServiceUnavailableException");
    expect(entry.received("PutRecord")).toEqual([]);
    // A leader that let a deadline pass may be frozen: the next put of its shard goes through the endpoint.
    const k1 = keyOn(0, 1_000);
    await c.putRecord({ streamName: "s", partitionKey: k1, data: "x" });
    expect(entry.received("PutRecord")).toEqual([k1]);
  });

  it("iterators of a shard are read from its leader", async () => {
    const c = client({ endpoint: entry.address });
    const iterator = await c.getShardIterator({
      streamName: "s",
      shardId: "shardId-000000000000",
      shardIteratorType: "TRIM_HORIZON",
    });
    const page = await c.getRecords({ shardIterator: iterator });
    await c.getRecords({ shardIterator: page.nextShardIterator! });
    expect(leader.received("GetShardIterator")).toEqual(["shardId-000000000000"]);
    expect(leader.received("GetRecords")).toHaveLength(2);
    // An iterator this client did not hand out goes through the endpoint.
    await c.getRecords({ shardIterator: `${ITERATOR_PREFIX}elsewhere-0` });
    expect(entry.received("GetRecords")).toEqual([`${ITERATOR_PREFIX}elsewhere-0`]);
  });

  it("subscriptions go to the shard's leader, or through the endpoint when it cannot be reached", async () => {
    /** The brokers that sent the events (each fake sends one, naming itself). */
    const subscribe = async (c: EddyClient, shardId: string): Promise<string[]> => {
      const from: string[] = [];
      const events = c.subscribeToShard({ streamName: "s", shardId, startingPosition: { type: "LATEST" } });
      for await (const event of events) from.push(event.continuationSequenceNumber);
      return from;
    };
    const c = client({ endpoint: entry.address });
    expect(await subscribe(c, "shardId-000000000000")).toEqual(["leader"]);
    expect(await subscribe(c, "shardId-000000000001")).toEqual(["entry"]);

    entry.behaviour.leaders = [CLOSED_ADDRESS, entry.address];
    expect(await subscribe(client({ endpoint: entry.address }), "shardId-000000000000")).toEqual(["entry"]);
  });

  it("routing: false sends everything through the endpoint, as before", async () => {
    const c = client({ endpoint: entry.address, routing: false });
    await c.putRecord({ streamName: "s", partitionKey: keyOn(0), data: "x" });
    await c.putRecords({
      streamName: "s",
      records: [keyOn(0), keyOn(1)].map((partitionKey) => ({ partitionKey, data: "x" })),
    });
    expect(leader.calls).toEqual([]);
    expect(entry.received("ListShards")).toEqual([]);
    expect(c.routeOf("s", "shardId-000000000000")).toBeUndefined();
  });

  it("endpoints: the first that answers takes the calls", async () => {
    const c = client({ endpoints: [CLOSED_ADDRESS, entry.address, leader.address], routing: false });
    const failure = await c.describeStreamSummary({ streamName: "s" }).catch((e: unknown) => e);
    expect((failure as KinesisError).message).toBe("answered by entry");
    await c.describeStreamSummary({ streamName: "s" }).catch(() => undefined);
    expect(entry.received("DescribeStreamSummary")).toHaveLength(2);
    expect(leader.calls).toEqual([]);
  });

  it("endpoint and endpoints are not both given; endpoints is not empty", () => {
    expect(() => new EddyClient({ endpoint: entry.address, endpoints: [entry.address] })).toThrow(KinesisError);
    expect(() => new EddyClient({ endpoints: [] })).toThrow(KinesisError);
  });
});
