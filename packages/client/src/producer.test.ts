/**
 * The Producer's batching, ordering, retries, exactly-once numbering and backpressure, against an
 * in-memory model of the brokers' side of the contract (proto/eddy/v1/streams.proto: InitProducer, and
 * PutRecords with producer_id/epoch/sequence). The real brokers are in test/integration/producer.test.ts.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { grpc } from "@eddy/api";
import { KinesisError, hashKeyOf } from "@eddy/core";
import type { PutShardRecordsInput } from "./client.js";
import { Producer, type ProducerClient, type ProducerOptions } from "./producer.js";
import { streamRouteFromWire, type StreamRoute } from "./routing.js";
import type { PutRecordsOutput, StreamDescriptionSummary } from "./types.js";

const HALF = 1n << 127n;
const MAX = (1n << 128n) - 1n;

interface Stored {
  readonly partitionKey: string;
  readonly data: string;
  readonly sequenceNumber: string;
}

/** What a test makes of one PutRecords call: the model's own answer unless it returns something else. */
type Intercept = (
  input: PutShardRecordsInput,
  call: number,
  append: () => PutRecordsOutput,
) => PutRecordsOutput | Promise<PutRecordsOutput>;

/** The brokers as the contract describes them: per shard a log, and per producer id its last batch. */
class FakeCluster implements ProducerClient {
  readonly logs = new Map<string, Stored[]>();
  readonly calls: PutShardRecordsInput[] = [];
  readonly epochs = new Map<string, number>();
  /** Per shard and producer id: the epoch, last sequence and its answer. */
  readonly lastBatch = new Map<string, { epoch: number; sequence: number; answer: PutRecordsOutput }>();
  intercept: Intercept | undefined;
  initProducerFails: KinesisError | undefined;
  readonly route: StreamRoute = streamRouteFromWire(
    [shard("shardId-000000000000", 0n, HALF - 1n), shard("shardId-000000000001", HALF, MAX)],
    Date.now(),
  );

  describeStreamSummary(input: { streamName: string }): Promise<StreamDescriptionSummary> {
    if (input.streamName !== "s") {
      return Promise.reject(new KinesisError("ResourceNotFoundException", `Stream ${input.streamName} not found.`));
    }
    return Promise.resolve({
      streamName: "s",
      streamArn: "arn",
      streamStatus: "ACTIVE",
      streamMode: "ON_DEMAND",
      retentionPeriodHours: 24,
      streamCreationTimestamp: new Date(),
      openShardCount: 2,
      consumerCount: 0,
      maxRecordSizeBytes: 1024,
    });
  }

  streamRoute(): Promise<StreamRoute> {
    return Promise.resolve(this.route);
  }

  peekStreamRoute(): StreamRoute | undefined {
    return this.route;
  }

  loadStreamRoute(): Promise<StreamRoute> {
    return Promise.resolve(this.route);
  }

  initProducer(input: { producerId: string }): Promise<{ producerEpoch: number }> {
    if (this.initProducerFails) return Promise.reject(this.initProducerFails);
    const epoch = (this.epochs.get(input.producerId) ?? 0) + 1;
    this.epochs.set(input.producerId, epoch);
    return Promise.resolve({ producerEpoch: epoch });
  }

  async putShardRecords(input: PutShardRecordsInput): Promise<PutRecordsOutput> {
    const call = this.calls.push(input) - 1;
    await Promise.resolve();
    const append = () => this.#append(input);
    return this.intercept ? this.intercept(input, call, append) : append();
  }

  close(): void {}

  log(shardId: string): Stored[] {
    return this.logs.get(shardId) ?? [];
  }

  /** Appends the entries, numbering and dedup aside. */
  appendPlain(input: PutShardRecordsInput): PutRecordsOutput {
    const log = this.logs.get(input.shardId) ?? [];
    this.logs.set(input.shardId, log);
    return {
      failedRecordCount: 0,
      records: input.records.map((r) => {
        const sequenceNumber = String(log.length + 1);
        log.push({ partitionKey: r.partitionKey, data: Buffer.from(r.data).toString(), sequenceNumber });
        return { shardId: input.shardId, sequenceNumber };
      }),
    };
  }

  #append(input: PutShardRecordsInput): PutRecordsOutput {
    const p = input.producer;
    const key = `${input.shardId}/${p?.producerId}`;
    if (p) {
      if (p.producerEpoch < (this.epochs.get(p.producerId) ?? 0)) {
        throw new KinesisError("ProducerFencedException", `epoch ${p.producerEpoch} is fenced`);
      }
      const last = this.lastBatch.get(key);
      const expected = last === undefined || last.epoch < p.producerEpoch ? 0 : last.sequence + 1;
      if (last && last.epoch === p.producerEpoch && last.sequence === p.producerSequence) return last.answer;
      if (p.producerSequence !== expected) {
        throw new KinesisError("OutOfOrderSequenceException", `expected ${expected}, got ${p.producerSequence}`);
      }
    }
    const answer = this.appendPlain(input);
    if (p) this.lastBatch.set(key, { epoch: p.producerEpoch, sequence: p.producerSequence, answer });
    return answer;
  }
}

function shard(shardId: string, start: bigint, end: bigint) {
  return {
    shard_id: shardId,
    parent_shard_id: "",
    adjacent_parent_shard_id: "",
    hash_key_range: { starting_hash_key: String(start), ending_hash_key: String(end) },
    sequence_number_range: { starting_sequence_number: "1", ending_sequence_number: "" },
    leader_address: "127.0.0.1:1",
  };
}

function shardOf(partitionKey: string): string {
  return hashKeyOf(partitionKey) < HALF ? "shardId-000000000000" : "shardId-000000000001";
}

function producerOn(cluster: FakeCluster, options: ProducerOptions = {}): Producer {
  return new Producer({ client: cluster, retryBaseMs: 1, retryMaxMs: 5, lingerMs: 1, ...options });
}

/** Per partition key, the data in log order must be the data in put order. */
function expectKeyOrder(cluster: FakeCluster, put: Array<{ partitionKey: string; data: string }>): void {
  const expected = new Map<string, string[]>();
  for (const r of put) expected.set(r.partitionKey, [...(expected.get(r.partitionKey) ?? []), r.data]);
  const actual = new Map<string, string[]>();
  for (const log of cluster.logs.values()) {
    for (const r of log) actual.set(r.partitionKey, [...(actual.get(r.partitionKey) ?? []), r.data]);
  }
  expect(actual).toEqual(expected);
}

function records(count: number, keys = 10): Array<{ stream: string; partitionKey: string; data: string }> {
  return Array.from({ length: count }, (_, i) => ({ stream: "s", partitionKey: `k${i % keys}`, data: `d${i}` }));
}

describe("Producer", () => {
  it("batches per shard, sends each batch to its shard with the batch's number, and keeps per-key order", async () => {
    const cluster = new FakeCluster();
    const producer = producerOn(cluster, { batchRecordsMax: 7 });
    const input = records(200);
    const results = await Promise.all(input.map((r) => producer.put(r)));
    results.forEach((result, i) => expect(result.shardId).toBe(shardOf(input[i]!.partitionKey)));
    for (const call of cluster.calls) {
      expect(call.records.length).toBeLessThanOrEqual(7);
      expect(call.records.every((r) => shardOf(r.partitionKey) === call.shardId)).toBe(true);
    }
    // Numbered 0, 1, 2, ... per shard in epoch 1.
    for (const shardId of cluster.logs.keys()) {
      const numbers = cluster.calls.filter((c) => c.shardId === shardId).map((c) => c.producer!.producerSequence);
      expect(numbers).toEqual(numbers.map((_, i) => i));
      expect(cluster.calls.every((c) => c.producer!.producerEpoch === 1)).toBe(true);
    }
    expectKeyOrder(cluster, input);
    expect(producer.metrics()).toMatchObject({ recordsPut: 200, recordsSent: 200, bufferedBytes: 0, retries: 0 });
    await producer.close();
  });

  it("exactly-once: a batch whose answer is lost is sent again with the same number and appended once", async () => {
    const cluster = new FakeCluster();
    cluster.intercept = (_input, call, append) => {
      // Every third call is appended, but its answer never arrives.
      const answer = append();
      if (call % 3 === 0) throw new KinesisError("ServiceUnavailableException", "UNAVAILABLE: Connection dropped");
      return answer;
    };
    const producer = producerOn(cluster, { batchRecordsMax: 5 });
    const input = records(300, 30);
    await Promise.all(input.map((r) => producer.put(r)));
    const stored = [...cluster.logs.values()].flat();
    expect(stored).toHaveLength(300);
    expectKeyOrder(cluster, input);
    expect(producer.metrics().retries).toBeGreaterThan(0);
    await producer.close();
  });

  it("without exactly-once, only the failed entries are retried, ahead of anything newer of the shard", async () => {
    const cluster = new FakeCluster();
    cluster.intercept = (input, call, append) => {
      if (call % 2 === 1) return append();
      // Even calls: the second half of the entries is throttled, the first half appended.
      const half = Math.ceil(input.records.length / 2);
      const first = cluster.appendPlain({ ...input, records: input.records.slice(0, half) });
      const throttled = input.records.slice(half).map(() => ({
        errorCode: "ProvisionedThroughputExceededException",
        errorMessage: "slow down",
      }));
      return { failedRecordCount: throttled.length, records: [...first.records, ...throttled] };
    };
    const producer = producerOn(cluster, { exactlyOnce: false, batchRecordsMax: 10 });
    const input = records(200, 1); // one key: every retry must keep its place
    await Promise.all(input.map((r) => producer.put(r)));
    expect(cluster.calls.every((c) => c.producer === undefined)).toBe(true);
    expectKeyOrder(cluster, input);
    expect(producer.metrics().throttles).toBeGreaterThan(0);
    await producer.close();
  });

  it("bad input rejects that record at once with the field and limit; the others are sent", async () => {
    const cluster = new FakeCluster();
    const producer = producerOn(cluster);
    const put = (partitionKey: string, data: string, stream = "s") => producer.put({ stream, partitionKey, data });
    const outcomes = await Promise.allSettled([
      put("a", "ok-1"),
      put("", "empty key"),
      put("k".repeat(257), "long key"),
      put("b", "x".repeat(2000)),
      put("c", "unknown stream", "nope"),
      producer.put({ stream: "s", partitionKey: "d", data: "bad hash", explicitHashKey: "12x" }),
      put("a", "ok-2"),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      "fulfilled",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    const reason = (i: number) => (outcomes[i] as PromiseRejectedResult).reason as KinesisError;
    expect(reason(1)).toMatchObject({
      name: "InvalidArgumentException",
      message: /PartitionKey.*greater than or equal to 1/,
    });
    expect(reason(2)).toMatchObject({ name: "InvalidArgumentException", message: /PartitionKey.*256/ });
    expect(reason(3)).toMatchObject({ name: "InvalidArgumentException", message: /Data.*1024 bytes/ });
    expect(reason(4)).toMatchObject({ name: "ResourceNotFoundException", message: /nope/ });
    expect(reason(5)).toMatchObject({ name: "InvalidArgumentException", message: /ExplicitHashKey/ });
    expect([...cluster.logs.values()].flat().map((r) => r.data)).toEqual(["ok-1", "ok-2"]);
    await producer.close();
  });

  it("a record refused for good fails alone; a new epoch follows so that no number is reused", async () => {
    const cluster = new FakeCluster();
    cluster.intercept = (input, _call, append) => {
      if (!input.records.some((r) => Buffer.from(r.data).toString() === "poison")) return append();
      throw new KinesisError("InvalidArgumentException", "poison");
    };
    const producer = producerOn(cluster, { lingerMs: 0 });
    const first = await producer.put({ stream: "s", partitionKey: "a", data: "one" });
    await expect(producer.put({ stream: "s", partitionKey: "a", data: "poison" })).rejects.toMatchObject({
      name: "InvalidArgumentException",
    });
    const after = await producer.put({ stream: "s", partitionKey: "a", data: "two" });
    expect(BigInt(after.sequenceNumber)).toBeGreaterThan(BigInt(first.sequenceNumber));
    expect(producer.metrics()).toMatchObject({ epochs: 2, producerEpoch: 2 });
    expect(cluster.calls.at(-1)!.producer).toMatchObject({ producerEpoch: 2, producerSequence: 0 });
    await producer.close();
  });

  it("a leader that forgot the producer refuses its next number: a new epoch, and the batch goes again", async () => {
    const cluster = new FakeCluster();
    const producer = producerOn(cluster, { lingerMs: 0 });
    await producer.put({ stream: "s", partitionKey: "a", data: "1" });
    await producer.put({ stream: "s", partitionKey: "a", data: "2" });
    cluster.lastBatch.clear(); // a restarted leader whose log no longer holds this producer's last batch
    await producer.put({ stream: "s", partitionKey: "a", data: "3" });
    expect(cluster.log(shardOf("a")).map((r) => r.data)).toEqual(["1", "2", "3"]);
    expect(producer.metrics()).toMatchObject({ epochs: 2, recordsFailed: 0 });
    await producer.close();
  });

  it("refused after an earlier send whose answer was lost, a batch fails rather than risk a duplicate", async () => {
    const cluster = new FakeCluster();
    cluster.intercept = (input, call, append) => {
      if (call !== 1) return append();
      append();
      cluster.lastBatch.clear();
      throw new KinesisError("ServiceUnavailableException", "UNAVAILABLE: Connection dropped");
    };
    const producer = producerOn(cluster, { lingerMs: 0 });
    await producer.put({ stream: "s", partitionKey: "a", data: "1" });
    await expect(producer.put({ stream: "s", partitionKey: "a", data: "2" })).rejects.toMatchObject({
      name: "OutOfOrderSequenceException",
    });
    await producer.put({ stream: "s", partitionKey: "a", data: "3" });
    expect(cluster.log(shardOf("a")).map((r) => r.data)).toEqual(["1", "2", "3"]);
    expect(producer.metrics()).toMatchObject({ epochs: 2, recordsFailed: 1 });
    await producer.close();
  });

  it("a second producer with the same id fences the first: its pending records fail and it stops", async () => {
    const cluster = new FakeCluster();
    const first = producerOn(cluster, { producerId: "pod-1" });
    await first.put({ stream: "s", partitionKey: "a", data: "1" });
    const second = producerOn(cluster, { producerId: "pod-1" });
    await second.ready();
    const fenced = await Promise.allSettled(records(20).map((r) => first.put(r)));
    expect(fenced.every((o) => o.status === "rejected")).toBe(true);
    expect((fenced[0] as PromiseRejectedResult).reason).toMatchObject({ name: "ProducerFencedException" });
    await expect(first.put({ stream: "s", partitionKey: "a", data: "late" })).rejects.toMatchObject({
      name: "ProducerFencedException",
    });
    await second.put({ stream: "s", partitionKey: "a", data: "2" });
    await Promise.all([first.close(), second.close()]);
  });

  it("brokers without InitProducer: a clear error that says to turn exactly-once off", async () => {
    const cluster = new FakeCluster();
    const unimplemented = Object.assign(new Error("12 UNIMPLEMENTED: The server does not implement the method"), {
      code: grpc.status.UNIMPLEMENTED,
      details: "The server does not implement the method InitProducer",
      metadata: new grpc.Metadata(),
    });
    cluster.initProducerFails = new KinesisError("InternalFailure", "UNIMPLEMENTED", { cause: unimplemented });
    const producer = producerOn(cluster);
    await expect(producer.put({ stream: "s", partitionKey: "a", data: "x" })).rejects.toMatchObject({
      name: "InvalidArgumentException",
      message: /exactlyOnce: false/,
    });
    await expect(producer.ready()).rejects.toThrow(/UNIMPLEMENTED/);
    await producer.close();
  });

  it("transient failures past deliveryTimeoutMs fail those records with the last error; others go on", async () => {
    const cluster = new FakeCluster();
    cluster.intercept = (input, _call, append) => {
      if (input.shardId === shardOf("stuck")) throw new KinesisError("ServiceUnavailableException", "leader gone");
      return append();
    };
    const producer = producerOn(cluster, { deliveryTimeoutMs: 50, exactlyOnce: false });
    const stuck = producer.put({ stream: "s", partitionKey: "stuck", data: "x" });
    const otherKey = ["a", "b", "c", "d", "e", "f"].find((k) => shardOf(k) !== shardOf("stuck"))!;
    await expect(producer.put({ stream: "s", partitionKey: otherKey, data: "y" })).resolves.toBeDefined();
    await expect(stuck).rejects.toMatchObject({ name: "ServiceUnavailableException", message: /deliveryTimeoutMs/ });
    await producer.close();
  });

  it("backpressure: buffered bytes stay within bufferBytesMax and put() waits for room", async () => {
    const cluster = new FakeCluster();
    let release: () => void = () => {};
    let gate = new Promise<void>((resolve) => (release = resolve));
    cluster.intercept = async (_input, _call, append) => {
      await gate;
      return append();
    };
    const producer = producerOn(cluster, { bufferBytesMax: 1_000, batchRecordsMax: 4 });
    const input = records(100).map((r) => ({ ...r, data: r.data.padEnd(98, ".") })); // 100 bytes with the key
    let accepted = 0;
    const acks = input.map((r) =>
      producer.enqueue(r).then(({ acknowledged }) => {
        accepted += 1;
        return acknowledged;
      }),
    );
    await until(() => accepted === 10 && producer.metrics().putsWaiting === 90);
    expect(producer.metrics()).toMatchObject({ bufferedBytes: 1_000, bufferedRecords: 10 });
    // The broker answers one batch at a time: each answer lets as many waiting puts in as it freed room for.
    for (let answered = 0; answered < 5; answered++) {
      const before = producer.metrics().recordsSent;
      release();
      gate = new Promise<void>((resolve) => (release = resolve));
      await until(() => producer.metrics().recordsSent > before);
      expect(producer.metrics().bufferedBytes).toBeLessThanOrEqual(1_000);
      expect(accepted).toBe(10 + producer.metrics().recordsSent);
    }
    release();
    gate = Promise.resolve();
    await Promise.all(acks);
    expect(producer.metrics().bufferedBytesPeak).toBeLessThanOrEqual(1_000);
    expectKeyOrder(cluster, input);
    await producer.close();
  });

  it("flush() waits for what was put before it, sending at once whatever lingers", async () => {
    const cluster = new FakeCluster();
    const producer = producerOn(cluster, { lingerMs: 60_000 });
    const put = producer.put({ stream: "s", partitionKey: "a", data: "x" });
    await producer.flush();
    await expect(put).resolves.toMatchObject({ sequenceNumber: "1" });
    await producer.close();
    await expect(producer.put({ stream: "s", partitionKey: "a", data: "y" })).rejects.toThrow(/closed/);
  });

  it("writable(): one record per chunk, results in write order, a failure destroys it", async () => {
    const cluster = new FakeCluster();
    const producer = producerOn(cluster);
    const results: string[] = [];
    const lines = Array.from({ length: 50 }, (_, i) => `line-${i}`);
    await pipeline(
      Readable.from(lines),
      producer.writable("s", {
        partitionKeyOf: (_chunk, i) => `k${i % 7}`,
        onResult: (r, i) => results.push(`${i}:${r.shardId}`),
        recordsOutstandingMax: 8,
      }),
    );
    expect(results.map((r) => r.split(":")[0])).toEqual(lines.map((_, i) => String(i)));
    expect([...cluster.logs.values()].flat()).toHaveLength(50);
    // A record refused in the middle: those written before it are reported first, none after it is put.
    const reported: number[] = [];
    await expect(
      pipeline(
        Readable.from(["ok-0", "ok-1", "x".repeat(5000), "never"]),
        producer.writable("s", { partitionKey: "k", onResult: (_r, i) => reported.push(i) }),
      ),
    ).rejects.toMatchObject({ name: "InvalidArgumentException", message: /Data/ });
    expect(reported).toEqual([0, 1]);
    const stored = [...cluster.logs.values()].flat().map((r) => r.data);
    expect(stored.filter((d) => !d.startsWith("line-"))).toEqual(["ok-0", "ok-1"]);
    await producer.close();
  });
});

/** Resolves once `condition` holds, checking after each turn of the event loop (at most 2 s). */
async function until(condition: () => boolean): Promise<void> {
  const deadlineAtMs = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadlineAtMs) throw new Error(`condition not met in 2 s: ${condition.toString()}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
