/**
 * The Producer against real brokers: 100,000 records through a SIGKILL of a shard's leader (every record
 * stored exactly once on every replica, per key in put order), a PROVISIONED stream driven over its limit,
 * bad input in the middle of good, a buffer that stays within its bound while the broker is slower than
 * the producer, and fencing by a second producer with the same id.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { KinesisError } from "@eddy/core";
import { EddyClient, Producer, type ProducerMetrics, type ProducerPutResult } from "@eddy/client";
import {
  BrokerProcess,
  checkHistory,
  ClusterProcess,
  FAST_FAILOVER_ARGS,
  replicasConverged,
  readReplica,
  shardLeader,
  type AckedWrite,
  type ClusterStatuses,
  type ReplicaRead,
} from "@eddy/testkit";
import { readShard } from "./helpers.js";

const CONVERGE_TIMEOUT_MS = 30_000;

describe("Producer through a leader's SIGKILL (3 brokers, RF=3)", () => {
  const STREAM = "produced";
  const SHARDS = 2;
  const RECORDS = 100_000;
  const PARTITION_KEYS = 1_000;
  /** The leader of the first shard is killed once this many records were put. */
  const KILL_AT = 30_000;
  let cluster: ClusterProcess | undefined;

  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  async function startCluster(): Promise<ClusterProcess> {
    const c = (cluster = await ClusterProcess.start({ args: FAST_FAILOVER_ARGS }));
    await c.formed();
    await c.createStream(STREAM, SHARDS);
    return c;
  }

  it.each([true, false])(
    "exactlyOnce %s: 100,000 records, 1,000 keys; every put resolves; each record is on every replica once, per key in put order",
    async (exactlyOnce) => {
      const c = await startCluster();
      const producer = new Producer({ endpoints: c.endpoints(), exactlyOnce });
      const retries: string[] = [];
      producer.on("retry", (e) => retries.push(e.error.name));
      const startedAtMs = Date.now();
      const acknowledged: Promise<ProducerPutResult>[] = [];
      let victim: string | undefined;
      for (let i = 0; i < RECORDS; i++) {
        if (i === KILL_AT) {
          const [shardId] = shardIdsOf(await c.statuses(), STREAM);
          victim = (await c.awaitLeader(STREAM, shardId!)).brokerId;
          await c.kill(victim);
        }
        // enqueue() resolves once the record is in the buffer: the loop goes at the producer's pace.
        const { acknowledged: ack } = await producer.enqueue({
          stream: STREAM,
          partitionKey: `k${i % PARTITION_KEYS}`,
          data: `r${i}`,
        });
        acknowledged.push(ack);
      }
      const results = await Promise.allSettled(acknowledged);
      const elapsedMs = Date.now() - startedAtMs;
      const failed = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
      expect(
        failed.map((f) => `${(f.reason as KinesisError).name}: ${(f.reason as Error).message}`).slice(0, 5),
      ).toEqual([]);
      const metrics = producer.metrics();
      console.log(
        `producer (exactlyOnce ${exactlyOnce}): ${RECORDS} records in ${elapsedMs} ms through the SIGKILL of ${victim}; ` +
          `${metrics.batchesSent} batches (mean ${metrics.batchRecordsMean.toFixed(0)} records), ` +
          `${metrics.retries} retries (${summarize(retries)}), epochs ${metrics.epochs}`,
      );
      await producer.close();
      expect(metrics).toMatchObject({ recordsSent: RECORDS, recordsFailed: 0, bufferedBytes: 0, inFlightBatches: 0 });
      // Acknowledged in put order: per key, the log must hold them in that order.
      const acked: AckedWrite[] = results.map((r, i) => {
        const { shardId, sequenceNumber } = (r as PromiseFulfilledResult<ProducerPutResult>).value;
        return { shardId, sequenceNumber, partitionKey: `k${i % PARTITION_KEYS}`, data: `r${i}` };
      });
      await c.restart(victim!);
      const reports = await checkReplicas(c, STREAM, acked);
      for (const { shardId, report, stored } of reports) {
        if (exactlyOnce) {
          expect(report, JSON.stringify(report).slice(0, 2000)).toMatchObject({ ok: true });
          expect(stored, `${shardId} holds exactly the acknowledged records`).toBe(
            acked.filter((a) => a.shardId === shardId).length,
          );
        } else {
          // At least once: a batch whose answer was lost may be stored twice, and nothing else may go wrong.
          const { duplicates, ok: _ok, ...rest } = report;
          expect(rest, JSON.stringify(report).slice(0, 2000)).toEqual({
            lost: [],
            inconsistentOffsets: [],
            unordered: [],
            reordered: [],
            divergent: [],
          });
          if (duplicates.length > 0) console.log(`exactlyOnce false: ${duplicates.length} duplicates on ${shardId}`);
        }
      }
    },
    180_000,
  );
});

describe("Producer against one broker", () => {
  /** The PROVISIONED stream's records/s per shard. */
  const WRITE_RECORDS_PER_SEC = 200;
  let broker: BrokerProcess;
  let admin: EddyClient;

  beforeAll(async () => {
    broker = await BrokerProcess.start({ args: ["--shard-write-records-per-sec", String(WRITE_RECORDS_PER_SEC)] });
    admin = new EddyClient({ endpoint: broker.endpoint });
    await admin.createStream({ streamName: "limited", shardCount: 1, streamMode: "PROVISIONED" });
    await admin.createStream({ streamName: "slow", shardCount: 1, streamMode: "PROVISIONED" });
    await admin.createStream({ streamName: "small", shardCount: 1, streamMode: "ON_DEMAND", maxRecordSizeBytes: 1024 });
    await admin.createStream({ streamName: "fenced", shardCount: 1, streamMode: "ON_DEMAND" });
  });

  afterAll(async () => {
    admin?.close();
    await broker?.destroy();
  });

  it("PROVISIONED, driven over its limit: throttles are retried, nothing is lost, the accepted rate is the limit's", async () => {
    const RECORDS = 1_000;
    // Batches within one second of the shard's budget, so that the limit and not a batch's debt sets the pace.
    const producer = new Producer({ endpoint: broker.endpoint, batchRecordsMax: 100 });
    await producer.ready();
    const startedAtMs = Date.now();
    const results = await Promise.all(
      Array.from({ length: RECORDS }, (_, i) =>
        producer.put({ stream: "limited", partitionKey: `k${i % 10}`, data: `p${i}` }),
      ),
    );
    const elapsedSec = (Date.now() - startedAtMs) / 1000;
    const metrics = producer.metrics();
    await producer.close();
    console.log(
      `PROVISIONED ${WRITE_RECORDS_PER_SEC} records/s: ${RECORDS} records in ${elapsedSec.toFixed(2)} s ` +
        `(${(RECORDS / elapsedSec).toFixed(0)} records/s), ${metrics.throttles} throttled calls, ${metrics.retries} retries`,
    );
    expect(results).toHaveLength(RECORDS);
    expect(metrics.throttles).toBeGreaterThan(0);
    const stored = await readShard(admin, "limited", results[0]!.shardId);
    expect(stored.map((r) => r.data).sort()).toEqual(results.map((_, i) => `p${i}`).sort());
    // The bucket holds one second and refills at the limit: at most this many could be accepted this fast.
    expect(RECORDS).toBeLessThanOrEqual(WRITE_RECORDS_PER_SEC * (1 + elapsedSec) + 100);
    // And the retries keep up with the refill, within 2x.
    expect(RECORDS / elapsedSec).toBeGreaterThanOrEqual(WRITE_RECORDS_PER_SEC / 2);
  }, 60_000);

  it("bad input rejects that record at once with a clear error; the others of its batch are appended", async () => {
    // A long linger: everything put below would share one batch.
    const producer = new Producer({ endpoint: broker.endpoint, lingerMs: 200 });
    await producer.ready();
    const settleOrder: number[] = [];
    const put = (stream: string, partitionKey: string, data: string | Buffer, i: number) =>
      producer.put({ stream, partitionKey, data }).finally(() => settleOrder.push(i));
    const outcomes = await Promise.allSettled([
      put("small", "a", "good-0", 0),
      put("small", "a", Buffer.alloc(1024), 1), // 1,024 bytes of data plus the key: over the stream's 1 KiB
      put("small", "", "empty key", 2),
      put("small", "k".repeat(257), "long key", 3),
      put("no-such-stream", "a", "unknown stream", 4),
      put("small", "a", "good-1", 5),
      put("small", "b", "good-2", 6),
    ]);
    const failure = (i: number) => (outcomes[i] as PromiseRejectedResult).reason as KinesisError;
    expect(outcomes.map((o) => o.status)).toEqual([
      "fulfilled",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
    expect(failure(1)).toMatchObject({ name: "InvalidArgumentException", message: /'Data'.*1024 bytes/ });
    expect(failure(2)).toMatchObject({
      name: "InvalidArgumentException",
      message: /'PartitionKey'.*greater than or equal to 1/,
    });
    expect(failure(3)).toMatchObject({ name: "InvalidArgumentException", message: /'PartitionKey'.*256/ });
    expect(failure(4)).toMatchObject({ name: "ResourceNotFoundException", message: /no-such-stream/ });
    // At once: before the good records' batch was even sent (it lingers 200 ms).
    expect(settleOrder.slice(0, 4).sort()).toEqual([1, 2, 3, 4]);
    const metrics = producer.metrics();
    await producer.close();
    expect(metrics).toMatchObject({ batchesSent: 1, batchRecordsMax: 3, recordsSent: 3 });
    const shardId = (outcomes[0] as PromiseFulfilledResult<ProducerPutResult>).value.shardId;
    expect((await readShard(admin, "small", shardId)).map((r) => r.data)).toEqual(["good-0", "good-1", "good-2"]);
  });

  it("memory stays bounded when the broker is slower than the producer: put() waits, buffered bytes never pass the bound", async () => {
    const RECORDS = 600;
    const BUFFER_BYTES_MAX = 16 * 1024;
    const producer = new Producer({ endpoint: broker.endpoint, bufferBytesMax: BUFFER_BYTES_MAX, batchRecordsMax: 50 });
    await producer.ready();
    const samples: ProducerMetrics[] = [];
    const sampler = setInterval(() => samples.push(producer.metrics()), 5);
    let accepted = 0;
    let acceptedAtFirstAck: number | undefined;
    const data = Buffer.alloc(1_000, "x");
    try {
      // Every put() at once, as a producer much faster than the broker (200 records/s) would.
      const acks = Array.from({ length: RECORDS }, (_, i) =>
        producer.enqueue({ stream: "slow", partitionKey: `k${i % 10}`, data }).then(({ acknowledged }) => {
          accepted += 1;
          return acknowledged.then((result) => {
            acceptedAtFirstAck ??= accepted;
            samples.push(producer.metrics());
            return result;
          });
        }),
      );
      await Promise.all(acks);
    } finally {
      clearInterval(sampler);
    }
    const metrics = producer.metrics();
    await producer.close();
    const recordBytes = data.length + 2;
    expect(metrics.recordsSent).toBe(RECORDS);
    expect(metrics.bufferedBytesPeak).toBeLessThanOrEqual(BUFFER_BYTES_MAX);
    expect(Math.max(...samples.map((s) => s.bufferedBytes))).toBeLessThanOrEqual(BUFFER_BYTES_MAX);
    // While the first records were on their way, the rest waited outside the buffer.
    expect(acceptedAtFirstAck).toBeLessThanOrEqual(Math.floor(BUFFER_BYTES_MAX / recordBytes));
    expect(Math.max(...samples.map((s) => s.putsWaiting))).toBeGreaterThan(RECORDS / 2);
    expect(metrics.throttles).toBeGreaterThan(0);
  }, 60_000);

  it("a second producer with the same id fences the first: the first's records fail with ProducerFencedException", async () => {
    const first = new Producer({ endpoint: broker.endpoint, producerId: "pod-7" });
    await first.put({ stream: "fenced", partitionKey: "a", data: "first-1" });
    const second = new Producer({ endpoint: broker.endpoint, producerId: "pod-7" });
    await second.ready();
    await second.put({ stream: "fenced", partitionKey: "a", data: "second-1" });
    await expect(first.put({ stream: "fenced", partitionKey: "a", data: "first-2" })).rejects.toMatchObject({
      name: "ProducerFencedException",
    });
    await expect(first.put({ stream: "fenced", partitionKey: "a", data: "first-3" })).rejects.toMatchObject({
      name: "ProducerFencedException",
    });
    await second.put({ stream: "fenced", partitionKey: "a", data: "second-2" });
    await Promise.all([first.close(), second.close()]);
    const shardId = (await admin.listShards({ streamName: "fenced" })).shards[0]!.shardId;
    expect((await readShard(admin, "fenced", shardId)).map((r) => r.data)).toEqual(["first-1", "second-1", "second-2"]);
  });
});

function shardIdsOf(statuses: ClusterStatuses, stream: string): string[] {
  const ids = new Set<string>();
  for (const s of statuses.values()) for (const g of s.groups) if (g.stream === stream) ids.add(g.shard);
  return [...ids].sort();
}

/** Reads every shard through every replica once they converged, and runs the history checker per shard. */
async function checkReplicas(c: ClusterProcess, stream: string, acked: readonly AckedWrite[]) {
  const shards = shardIdsOf(await c.statuses(), stream);
  // The statuses that showed convergence: a later look may fall in a leadership hand-over, with no leader.
  const statuses = await c.waitFor((s) => replicasConverged(s, stream, shards) && s, {
    what: "every replica caught up",
    timeoutMs: CONVERGE_TIMEOUT_MS,
  });
  const reports = [];
  for (const shardId of shards) {
    const reads: ReplicaRead[] = [];
    for (const brokerId of shardLeader(statuses, stream, shardId)!.group.replicas) {
      const log = await readReplica(c.broker(brokerId).endpoint, brokerId, stream, shardId);
      expect(log, `${brokerId} holds a replica of ${shardId}`).toBeDefined();
      reads.push({ replica: `${brokerId}/${shardId}`, records: log!.records });
    }
    expect(reads.every((r) => r.records.length === reads[0]!.records.length)).toBe(true);
    reports.push({
      shardId,
      stored: reads[0]!.records.length,
      report: checkHistory(
        acked.filter((w) => w.shardId === shardId),
        reads,
      ),
    });
  }
  return reports;
}

function summarize(names: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, n]) => `${n} ${name}`).join(", ") || "none";
}
