import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KinesisError, type BatchRecord, type Shard } from "@eddy/core";
import { Store } from "@eddy/storage";
import { ByteBudget } from "./budget.js";
import { shardLogOptions, TEST_SHARD } from "./shard-log-test-support.js";
import { ShardLog, type ShardLogOptions } from "./shard-log.js";

const OPTIONS: ShardLogOptions = shardLogOptions();
const SHARD: Shard = TEST_SHARD;

const record = (i: number): BatchRecord => ({ partitionKey: `k${i}`, data: new TextEncoder().encode(`data-${i}`) });

describe("ShardLog on a real store", () => {
  let dir: string;
  let store: Store;
  let batches: number[];
  let opened: ShardLog[];

  const open = async (options: Partial<ShardLogOptions> = {}) => {
    batches = [];
    const group = await store.group(SHARD.groupId);
    const log = await ShardLog.open(
      SHARD,
      group,
      { ...OPTIONS, ...options },
      { batchCommitted: (records) => batches.push(records), roleChanged: () => undefined },
      {
        selfId: "local",
        voters: ["local"],
        config: { electionTimeoutTicks: 10, heartbeatIntervalTicks: 1 },
        send: () => undefined,
        failed: (error) => {
          throw error;
        },
      },
      Date.now(),
    );
    opened.push(log);
    return log;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "eddy-shardlog-"));
    store = await Store.open(dir);
    opened = [];
  });

  afterEach(async () => {
    // As the broker does at shutdown: a log's last writes (its commit index) finish before the store closes.
    for (const log of opened) await log.drain(new KinesisError("ServiceUnavailableException", "test over"));
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("group commit: 50 puts of one event-loop turn become 1 log entry, numbered in call order", async () => {
    const log = await open();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append([record(i)], 10)));
    // The group's next turn proposes everything queued by then as one batch.
    expect(batches).toEqual([50]);
    const sequenceNumbers = results.map((r) => r.sequenceNumbers[0]!);
    expect(sequenceNumbers.every((s, i) => i === 0 || s > sequenceNumbers[i - 1]!)).toBe(true);
    const read = await log.read(log.trimHorizon(), 1000, 1 << 20, Date.now());
    expect(read.records.map((r) => r.partitionKey)).toEqual(Array.from({ length: 50 }, (_, i) => `k${i}`));
    expect(read.records.map((r) => r.sequenceNumber)).toEqual(sequenceNumbers);
  });

  describe("exactly-once producer batches", () => {
    const stamp = (epoch: number, sequence: number) => ({ producerId: "p", epoch, sequence });
    const keys = async (log: ShardLog) =>
      (await log.read(log.trimHorizon(), 1000, 1 << 20, Date.now())).records.map((r) => r.partitionKey);

    it("a batch sent again, while queued or after it committed, is answered with its first result and stored once", async () => {
      const log = await open();
      const [first, again] = await Promise.all([
        log.append([record(0), record(1)], 20, stamp(1, 0)),
        log.append([record(0), record(1)], 20, stamp(1, 0)),
      ]);
      expect(again.sequenceNumbers).toEqual(first.sequenceNumbers);
      const later = await log.append([record(0), record(1)], 20, stamp(1, 0));
      expect(later.sequenceNumbers).toEqual(first.sequenceNumbers);
      await log.append([record(2)], 10, stamp(1, 1));
      expect(await keys(log)).toEqual(["k0", "k1", "k2"]);
    });

    it("fences an older epoch, refuses a skipped batch number, and starts a new epoch at batch 0", async () => {
      const log = await open();
      await log.append([record(0)], 10, stamp(1, 0));
      await expect(log.append([record(1)], 10, stamp(1, 2))).rejects.toMatchObject({
        name: "OutOfOrderSequenceException",
        message: expect.stringMatching(/batch 2 .* expects batch 1/),
      });
      await expect(log.append([record(1)], 10, stamp(2, 1))).rejects.toMatchObject({
        name: "OutOfOrderSequenceException",
      });
      await log.append([record(1)], 10, stamp(2, 0));
      await expect(log.append([record(2)], 10, stamp(1, 1))).rejects.toMatchObject({
        name: "ProducerFencedException",
        retriable: false,
      });
      expect(await keys(log)).toEqual(["k0", "k1"]);
    });

    it("puts of several producers and plain puts share a batch; each producer's state survives a restart", async () => {
      const log = await open();
      const [a, , b] = await Promise.all([
        log.append([record(0)], 10, { producerId: "a", epoch: 1, sequence: 0 }),
        log.append([record(1)], 10),
        log.append([record(2), record(3)], 20, { producerId: "b", epoch: 3, sequence: 0 }),
      ]);
      await log.drain(new KinesisError("ServiceUnavailableException", "restart"));
      opened = opened.filter((l) => l !== log);
      const reopened = await open();
      // Sent again after the restart: the same answers, nothing appended.
      expect(
        (await reopened.append([record(0)], 10, { producerId: "a", epoch: 1, sequence: 0 })).sequenceNumbers,
      ).toEqual(a.sequenceNumbers);
      expect(
        (await reopened.append([record(2), record(3)], 20, { producerId: "b", epoch: 3, sequence: 0 })).sequenceNumbers,
      ).toEqual(b.sequenceNumbers);
      expect((await keys(reopened)).sort()).toEqual(["k0", "k1", "k2", "k3"]);
    });
  });

  it("reads the same records from the tail cache and from the store", async () => {
    const log = await open({ tailCacheBytesMax: 1 << 20 });
    for (let i = 0; i < 20; i++) await log.append([record(2 * i), record(2 * i + 1)], 20);
    const cached = await log.read(log.trimHorizon(), 1000, 1 << 20, Date.now());
    const fromStore = await (await open({ tailCacheBytesMax: 1 })).read(log.trimHorizon(), 1000, 1 << 20, Date.now());
    expect(fromStore.records).toEqual(cached.records);
    expect(cached.records).toHaveLength(40);
  });

  it("continues inside an entry: a limit splits a batch and the next read resumes at the next record", async () => {
    const log = await open();
    await log.append([record(0), record(1), record(2), record(3), record(4)], 50);
    const first = await log.read(log.trimHorizon(), 2, 1 << 20, Date.now());
    expect(first.records.map((r) => r.partitionKey)).toEqual(["k0", "k1"]);
    expect(first.millisBehindLatest).toBeGreaterThanOrEqual(0);
    const second = await log.read(first.next, 10, 1 << 20, Date.now());
    expect(second.records.map((r) => r.partitionKey)).toEqual(["k2", "k3", "k4"]);
    expect(second.millisBehindLatest).toBe(0);
  });

  it("refuses puts over the queue bound with a retriable error and writes nothing for them", async () => {
    const log = await open({ queueBytesMax: 100 });
    const first = log.append([record(0)], 60);
    const second = log.append([record(1)], 60);
    await expect(second).rejects.toMatchObject({ name: "ServiceUnavailableException", retriable: true });
    await first;
    const read = await log.read(log.trimHorizon(), 10, 1 << 20, Date.now());
    expect(read.records.map((r) => r.partitionKey)).toEqual(["k0"]);
  });

  it("the broker's queue budget, shared by its shards, refuses a put once the queued bytes of all would pass it", async () => {
    const budget = new ByteBudget(100);
    const log = await open({ queueBudget: budget });
    const first = log.append([record(0)], 60);
    const second = log.append([record(1)], 60);
    await expect(second).rejects.toMatchObject({
      name: "ServiceUnavailableException",
      retriable: true,
      message: expect.stringMatching(/limit of 100/),
    });
    await first;
    // Committed bytes are given back.
    expect(budget.used).toBe(0);
    await log.append([record(2)], 60);
  });

  it("retention: trims entries older than the cutoff; a reader in trimmed data continues at the trim horizon", async () => {
    const log = await open();
    await log.append([record(0), record(1)], 20);
    const oldPosition = log.trimHorizon();
    const cutoffMs = await nextMillisecond();
    await log.append([record(2)], 10);
    // The leader's no-op at the start of its term and the first batch.
    expect(await log.trimOlderThan(cutoffMs)).toBe(2);
    expect(log.trimHorizon().index).toBeGreaterThan(oldPosition.index);
    const read = await log.read(oldPosition, 10, 1 << 20, Date.now());
    expect(read.records.map((r) => r.partitionKey)).toEqual(["k2"]);
    // Everything older than now + 1 ms: the whole log goes, and the log keeps numbering after it.
    expect(await log.trimOlderThan(Date.now() + 1)).toBe(1);
    expect((await log.read(log.trimHorizon(), 10, 1 << 20, Date.now())).records).toEqual([]);
    const after = await log.append([record(3)], 10);
    expect(after.sequenceNumbers[0]! > read.records[0]!.sequenceNumber).toBe(true);
  });

  it("after drain, puts are refused with the drain reason and waiting readers wake", async () => {
    const log = await open();
    const woke = log.nextCommit();
    await log.drain(new KinesisError("ServiceUnavailableException", "shutting down"));
    await woke;
    await expect(log.append([record(0)], 10)).rejects.toMatchObject({
      name: "ServiceUnavailableException",
      message: "shutting down",
    });
  });
});

/** Resolves with a timestamp strictly later than every arrival time assigned so far. */
async function nextMillisecond(): Promise<number> {
  const start = Date.now();
  while (Date.now() <= start) await new Promise((resolve) => setImmediate(resolve));
  return Date.now();
}
