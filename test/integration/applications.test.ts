/**
 * Consumer applications against real brokers, with workers in their own processes: a SIGKILLed worker's
 * shards taken over within the lease timeout with every record processed (per key in order, duplicates
 * only after the last checkpoint), two applications reading one stream independently and a reset
 * replaying, a SIGSTOPped worker fenced from checkpointing over its successor, a poison record
 * dead-lettered or halting its shard, and a shard leader's SIGKILL not stopping the application.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EddyClient, Producer, parseDeadLetter, type ProducerPutResult } from "@eddy/client";
import { KinesisError } from "@eddy/core";
import {
  BrokerProcess,
  ClusterProcess,
  FAST_FAILOVER_ARGS,
  WorkerProcess,
  type WorkerLine,
  type WorkerSpec,
} from "@eddy/testkit";
import { readShard, useBroker } from "./helpers.js";

const LEASE_TIMEOUT_MS = 2_000;
const PROCESS_TIMEOUT_MS = 60_000;

type Processed = Extract<WorkerLine, { kind: "P" }>;

let dir: string;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "eddy-apps-"));
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.kill()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function startWorker(
  spec: Omit<WorkerSpec, "outFile" | "leaseTimeoutMs"> & Partial<WorkerSpec>,
): Promise<WorkerProcess> {
  const worker = await WorkerProcess.start({
    leaseTimeoutMs: LEASE_TIMEOUT_MS,
    outFile: join(dir, `${spec.application}-${spec.workerId}-${Date.now()}.log`),
    ...spec,
  });
  workers.push(worker);
  return worker;
}

/** Puts `count` records over `keys` partition keys; a record's data is "key:n", n counting per key from 0. */
async function putRecords(
  client: EddyClient,
  streamName: string,
  count: number,
  keys: number,
  counters = new Map<string, number>(),
): Promise<string[]> {
  const all: string[] = [];
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from({ length: Math.min(500, count - start) }, (_, i) => {
      const key = `k${(start + i) % keys}`;
      const n = counters.get(key) ?? 0;
      counters.set(key, n + 1);
      return { partitionKey: key, data: Buffer.from(`${key}:${n}`) };
    });
    const result = await client.putRecords({ streamName, records: batch });
    expect(result.failedRecordCount).toBe(0);
    all.push(...batch.map((r) => r.data.toString()));
  }
  return all;
}

/** Polls the workers' output files until `done` holds for the processed records of all of them together. */
async function waitProcessed(
  ws: readonly WorkerProcess[],
  done: (processed: Processed[]) => boolean,
  timeoutMs = PROCESS_TIMEOUT_MS,
): Promise<Processed[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const processed = (await Promise.all(ws.map((w) => w.lines())))
      .flat()
      .filter((l): l is Processed => l.kind === "P");
    if (done(processed)) return processed;
    if (Date.now() > deadline) throw new Error(`only ${processed.length} records processed in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const distinct = (processed: readonly Processed[]) => new Set(processed.map((p) => p.data));

/** Per worker and partition key, the records were processed in put order (n increasing). */
function expectInOrderPerKey(lines: readonly WorkerLine[]): void {
  const lastN = new Map<string, number>();
  for (const line of lines) {
    if (line.kind !== "P") continue;
    const n = Number(line.data.split(":")[1]);
    const previous = lastN.get(line.partitionKey) ?? -1;
    expect(n, `key ${line.partitionKey}: ${n} after ${previous}`).toBeGreaterThan(previous);
    lastN.set(line.partitionKey, n);
  }
}

describe("consumer applications on one broker", () => {
  const fixture = useBroker();
  let broker: BrokerProcess;
  let client: EddyClient;
  beforeAll(() => {
    ({ broker, client } = fixture);
  });

  it("3 workers, 50,000 records over 8 shards, one SIGKILLed: its shards are taken over within the lease timeout, every record processed, per key in order, duplicates only after its last checkpoint", async () => {
    const stream = "events";
    await client.createStream({ streamName: stream, shardCount: 8, streamMode: "ON_DEMAND" });
    await client.waitForStreamActive(stream);
    const counters = new Map<string, number>();
    const put = await putRecords(client, stream, 25_000, 1_000, counters);
    const base = { endpoints: [broker.endpoint], stream, application: "billing" };
    const [w1, w2, w3] = await Promise.all(["w1", "w2", "w3"].map((workerId) => startWorker({ ...base, workerId })));
    // Balanced: every worker holds shards before the kill.
    await Promise.all([w1, w2, w3].map((w) => w!.waitFor((e) => e.event === "leaseAcquired")));
    await waitProcessed([w1!, w2!, w3!], (p) => distinct(p).size >= 25_000);
    // The first worker up was given every shard and hands them over as the others arrive.
    const deadline = Date.now() + 10_000;
    let app = await client.describeApplication({ streamName: stream, applicationName: "billing" });
    while (
      app.workers
        .map((w) => w.leaseCount)
        .sort()
        .join() !== "2,3,3"
    ) {
      if (Date.now() > deadline) throw new Error(`not balanced: ${JSON.stringify(app.workers)}`);
      await new Promise((r) => setTimeout(r, 50));
      app = await client.describeApplication({ streamName: stream, applicationName: "billing" });
    }
    const victimShards = app.shards.filter((s) => s.owner === "w3").map((s) => s.shardId);
    expect(victimShards.length).toBeGreaterThanOrEqual(2);
    const since = [w1!.events.length, w2!.events.length];

    const more = putRecords(client, stream, 25_000, 1_000, counters);
    // Killed in the middle of the second half, with records processed since its last checkpoint.
    const victimBefore = (await w3!.lines()).filter((l) => l.kind === "P").length;
    await waitProcessed([w3!], (p) => p.length >= victimBefore + 500);
    await w3!.kill();
    const killedAtMs = Date.now();
    const takeovers = await Promise.all(
      victimShards.map((shardId) =>
        Promise.race(
          [w1!, w2!].map((w, i) =>
            w
              .waitFor((e) => e.event === "leaseAcquired" && e.shardId === shardId, { since: since[i]! })
              .then(() => Date.now()),
          ),
        ),
      ),
    );
    const takeoverMs = Math.max(...takeovers) - killedAtMs;
    console.log(
      `takeover of ${victimShards.length} shards after SIGKILL: ${takeoverMs} ms (lease timeout ${LEASE_TIMEOUT_MS} ms)`,
    );
    expect(takeoverMs).toBeLessThanOrEqual(LEASE_TIMEOUT_MS + 500);
    put.push(...(await more));

    const processed = await waitProcessed([w1!, w2!, w3!], (p) => distinct(p).size >= put.length);
    expect(distinct(processed)).toEqual(new Set(put));
    const lines = await Promise.all([w1!, w2!, w3!].map((w) => w.lines()));
    for (const l of lines) expectInOrderPerKey(l);
    // Duplicates: only in the victim's shards, and only after its last checkpoint there.
    const [survivorsLines, victimLines] = [[...lines[0]!, ...lines[1]!], lines[2]!];
    const survivorData = new Set(survivorsLines.filter((l) => l.kind === "P").map((l) => (l as Processed).data));
    const lastCheckpoint = new Map<string, bigint>();
    for (const l of victimLines) if (l.kind === "C") lastCheckpoint.set(l.shardId, BigInt(l.sequenceNumber));
    let duplicates = 0;
    for (const l of victimLines) {
      if (l.kind !== "P" || !survivorData.has(l.data)) continue;
      duplicates++;
      expect(victimShards).toContain(l.shardId);
      expect(BigInt(l.sequenceNumber)).toBeGreaterThan(lastCheckpoint.get(l.shardId) ?? -1n);
    }
    console.log(`records processed twice after the kill: ${duplicates}`);
  });

  it("two applications each see every record in order; a reset replays (refused while workers hold leases, unless forced)", async () => {
    const stream = "shared";
    await client.createStream({ streamName: stream, shardCount: 2, streamMode: "ON_DEMAND" });
    await client.waitForStreamActive(stream);
    const put = await putRecords(client, stream, 2_000, 50);
    const a = await startWorker({ endpoints: [broker.endpoint], stream, application: "alpha", workerId: "a1" });
    const b = await startWorker({ endpoints: [broker.endpoint], stream, application: "beta", workerId: "b1" });
    for (const w of [a, b]) {
      const processed = await waitProcessed([w], (p) => p.length >= put.length);
      expect(processed.map((p) => p.data).sort()).toEqual([...put].sort());
      expectInOrderPerKey(await w.lines());
    }
    const reset = { streamName: stream, applicationName: "alpha", position: { type: "TRIM_HORIZON" as const } };
    const refused = await client.resetApplication(reset).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KinesisError);
    expect((refused as KinesisError).name).toBe("ResourceInUseException");
    expect((refused as KinesisError).message).toMatch(/a1/);

    // Graceful stop: checkpoints, leases released at once; then a reset needs no force.
    expect((await a.stop()).code).toBe(0);
    const stopped = await client.describeApplication({ streamName: stream, applicationName: "alpha" });
    expect(stopped.shards.every((s) => s.owner === undefined && s.checkpoint?.type === "AFTER_SEQUENCE_NUMBER")).toBe(
      true,
    );
    await client.resetApplication(reset);
    const a2 = await startWorker({ endpoints: [broker.endpoint], stream, application: "alpha", workerId: "a2" });
    const replayed = await waitProcessed([a2], (p) => p.length >= put.length);
    expect(replayed.map((p) => p.data).sort()).toEqual([...put].sort());
    // beta was untouched by alpha's reset: it processed each record once.
    expect((await waitProcessed([b], () => true)).length).toBe(put.length);

    // A forced reset makes beta's running worker yield and read everything again.
    await client.resetApplication({ ...reset, applicationName: "beta", force: true });
    const again = await waitProcessed([b], (p) => p.length >= 2 * put.length);
    expect(again.length).toBe(2 * put.length);
    await b.waitFor((e) => e.event === "leaseLost");
  });

  it("a worker stopped gracefully hands its shards over at once; one restarted under its id within the lease timeout gets its shards back", async () => {
    const stream = "rolling";
    await client.createStream({ streamName: stream, shardCount: 4, streamMode: "ON_DEMAND" });
    await client.waitForStreamActive(stream);
    // The default lease timeout (10 s): neither hand-over may wait for it.
    const base = { endpoints: [broker.endpoint], stream, application: "deploy", leaseTimeoutMs: 10_000 };
    const r1 = await startWorker({ ...base, workerId: "r1" });
    const r2 = await startWorker({ ...base, workerId: "r2" });
    const held = async (workerId: string) =>
      (await client.describeApplication({ streamName: stream, applicationName: "deploy" })).shards
        .filter((s) => s.owner === workerId)
        .map((s) => s.shardId);
    const deadline = Date.now() + 10_000;
    while ((await held("r1")).length !== 2 || (await held("r2")).length !== 2) {
      if (Date.now() > deadline) throw new Error("shards not balanced over r1 and r2");
      await new Promise((r) => setTimeout(r, 50));
    }
    const r1Shards = await held("r1");
    const since = r2.events.length;
    const stoppedAtMs = Date.now();
    expect((await r1.stop()).code).toBe(0);
    await Promise.all(
      r1Shards.map((shardId) => r2.waitFor((e) => e.event === "leaseAcquired" && e.shardId === shardId, { since })),
    );
    const handoverMs = Date.now() - stoppedAtMs;
    console.log(`graceful hand-over of 2 shards: ${handoverMs} ms (lease timeout 10,000 ms)`);
    expect(handoverMs).toBeLessThan(5_000);

    // r3 joins and is given shards; SIGKILLed and back under the same id, it keeps them.
    const r3 = await startWorker({ ...base, workerId: "r3" });
    await r3.waitFor((e) => e.event === "leaseAcquired");
    while ((await held("r3")).length !== 2) {
      if (Date.now() > deadline + 20_000) throw new Error("r3 not given its share");
      await new Promise((r) => setTimeout(r, 50));
    }
    const r3Shards = await held("r3");
    // The table says r3 holds them; r3 itself learns it at its next heartbeat.
    const acquired = await Promise.all(
      r3Shards.map((shardId) => r3.waitFor((e) => e.event === "leaseAcquired" && e.shardId === shardId)),
    );
    const epochs = new Map(acquired.map((e) => [e.shardId, e.epoch]));
    const sinceKill = r2.events.length;
    await r3.kill();
    const again = await startWorker({ ...base, workerId: "r3" });
    const back = await Promise.all(
      r3Shards.map((shardId) => again.waitFor((e) => e.event === "leaseAcquired" && e.shardId === shardId)),
    );
    // Same shards, each at a higher epoch (the killed process is fenced), and r2 never had them.
    for (const e of back) expect(Number(e.epoch)).toBeGreaterThan(Number(epochs.get(e.shardId)));
    const takenByR2 = r2.events
      .slice(sinceKill)
      .filter((e) => e.event === "leaseAcquired" && r3Shards.includes(String(e.shardId)));
    expect(takenByR2).toEqual([]);
  });

  it("a new application at LATEST whose first worker dies before any record: its successor still gets what came after the start", async () => {
    const stream = "latest";
    await client.createStream({ streamName: stream, shardCount: 2, streamMode: "ON_DEMAND" });
    await client.waitForStreamActive(stream);
    const before = await putRecords(client, stream, 200, 10);
    const base = { endpoints: [broker.endpoint], stream, application: "late", initialPosition: "LATEST" as const };
    const first = await startWorker({ ...base, workerId: "l1" });
    await Promise.all(
      ["shardId-000000000000", "shardId-000000000001"].map((shardId) =>
        first.waitFor((e) => e.event === "leaseAcquired" && e.shardId === shardId),
      ),
    );
    // The start is pinned once the worker holds the shards: wait for both pins, then kill it.
    const deadline = Date.now() + 10_000;
    let app = await client.describeApplication({ streamName: stream, applicationName: "late" });
    while (!app.shards.every((s) => s.checkpoint?.type === "AT_TIMESTAMP")) {
      if (Date.now() > deadline) throw new Error(`not pinned: ${JSON.stringify(app.shards)}`);
      await new Promise((r) => setTimeout(r, 50));
      app = await client.describeApplication({ streamName: stream, applicationName: "late" });
    }
    await first.kill();
    const after = await putRecords(client, stream, 300, 10, new Map([...Array(10).keys()].map((k) => [`k${k}`, 20])));
    const successor = await startWorker({ ...base, workerId: "l2" });
    const processed = await waitProcessed([successor], (p) => after.every((d) => p.some((x) => x.data === d)));
    // Everything put after the first worker started, and nothing from before it.
    expect(processed.filter((p) => before.includes(p.data))).toEqual([]);
  });

  it("a worker paused (SIGSTOP) past its lease cannot checkpoint over its successor", async () => {
    const stream = "paused";
    await client.createStream({ streamName: stream, shardCount: 2, streamMode: "ON_DEMAND" });
    await client.waitForStreamActive(stream);
    const counters = new Map<string, number>();
    await putRecords(client, stream, 1_000, 20, counters);
    const base = { endpoints: [broker.endpoint], stream, application: "fenced" };
    const zombie = await startWorker({ ...base, workerId: "z1" });
    const acquired = await Promise.all(
      [0, 1].map((i) => zombie.waitFor((e) => e.event === "leaseAcquired" && String(e.shardId).endsWith(String(i)))),
    );
    await waitProcessed([zombie], (p) => p.length >= 1_000);
    zombie.signal("SIGSTOP");
    const successor = await startWorker({ ...base, workerId: "s1" });
    await Promise.all(
      acquired.map((e) => successor.waitFor((s) => s.event === "leaseAcquired" && s.shardId === e.shardId)),
    );
    const put = await putRecords(client, stream, 1_000, 20, counters);
    await waitProcessed([successor], (p) => put.every((data) => p.some((x) => x.data === data)));
    // The successor's checkpoints cover everything it processed.
    const lastProcessed = new Map<string, string>();
    for (const l of await successor.lines()) if (l.kind === "P") lastProcessed.set(l.shardId, l.sequenceNumber);
    const deadline = Date.now() + 10_000;
    let before = await client.describeApplication({ streamName: stream, applicationName: "fenced" });
    while (!before.shards.every((s) => s.checkpoint?.sequenceNumber === lastProcessed.get(s.shardId))) {
      if (Date.now() > deadline) throw new Error(`successor did not checkpoint: ${JSON.stringify(before.shards)}`);
      await new Promise((r) => setTimeout(r, 50));
      before = await client.describeApplication({ streamName: stream, applicationName: "fenced" });
    }
    // The old epoch is refused over the real RPC: this is what the paused worker would send.
    for (const e of acquired) {
      const refused = await client
        .checkpoint({
          streamName: stream,
          applicationName: "fenced",
          workerId: "z1",
          shardId: String(e.shardId),
          epoch: Number(e.epoch),
          position: { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "1" },
        })
        .catch((error: unknown) => error);
      expect((refused as KinesisError).name).toBe("LeaseLostException");
    }
    const zombieLinesBefore = (await zombie.lines()).length;
    zombie.signal("SIGCONT");
    await zombie.waitFor((e) => e.event === "leaseLost");
    const after = await client.describeApplication({ streamName: stream, applicationName: "fenced" });
    for (const shard of after.shards) {
      expect(shard.owner).toBe("s1");
      expect(shard.checkpointWorker).toBe("s1");
      expect(shard.checkpoint).toEqual(before.shards.find((s) => s.shardId === shard.shardId)!.checkpoint);
    }
    // Nothing the zombie did after waking was a checkpoint.
    expect((await zombie.lines()).slice(zombieLinesBefore).filter((l) => l.kind === "C")).toEqual([]);
  });

  it.each(["deadLetter", "halt"] as const)("a record that always fails, under %s", async (onFailure) => {
    const stream = `poison-${onFailure}`;
    const dlq = `dlq-${onFailure}`;
    for (const name of [stream, dlq]) {
      await client.createStream({ streamName: name, shardCount: 1, streamMode: "ON_DEMAND" });
      await client.waitForStreamActive(name);
    }
    const records = Array.from({ length: 300 }, (_, i) => ({
      partitionKey: `k${i % 7}`,
      data: Buffer.from(i === 150 ? "POISON" : `k${i % 7}:${Math.floor(i / 7)}`),
    }));
    const result = await client.putRecords({ streamName: stream, records });
    expect(result.failedRecordCount).toBe(0);
    const poisonSeq = result.records[150]!.sequenceNumber!;
    const worker = await startWorker({
      endpoints: [broker.endpoint],
      stream,
      application: "payments",
      workerId: "p1",
      poisonData: "POISON",
      failurePolicy: {
        maxAttempts: 2,
        backoffBaseMs: 1,
        backoffMaxMs: 5,
        onFailure: onFailure === "deadLetter" ? { kind: "deadLetter", streamName: dlq } : { kind: "halt" },
      },
    });
    if (onFailure === "deadLetter") {
      const processed = await waitProcessed([worker], (p) => distinct(p).size >= 299);
      expect(distinct(processed)).toEqual(new Set(records.filter((_, i) => i !== 150).map((r) => r.data.toString())));
      const letters = await readShard(client, dlq, "shardId-000000000000");
      expect(letters).toHaveLength(1);
      const letter = parseDeadLetter(Buffer.from(letters[0]!.data));
      expect(letter).toMatchObject({
        attempts: 2,
        streamName: stream,
        shardId: "shardId-000000000000",
        sequenceNumber: poisonSeq,
        partitionKey: "k3",
        application: "payments",
      });
      expect(letter.error.message).toMatch(/poison record/);
      expect(Buffer.from(letter.data, "base64").toString()).toBe("POISON");
      await worker.waitFor((e) => e.event === "deadLettered");
    } else {
      const halted = await worker.waitFor((e) => e.event === "shardHalted");
      expect(String(halted.reason)).toMatch(new RegExp(`record ${poisonSeq} failed 2 attempts.*poison record`));
      const processed = await waitProcessed([worker], (p) => p.length >= 150);
      // Everything before the poison record, nothing after it.
      expect(distinct(processed)).toEqual(new Set(records.slice(0, 150).map((r) => r.data.toString())));
      const deadline = Date.now() + 10_000;
      let app = await client.describeApplication({ streamName: stream, applicationName: "payments" });
      while (!app.shards[0]?.halted && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        app = await client.describeApplication({ streamName: stream, applicationName: "payments" });
      }
      expect(app.shards[0]?.halted).toMatchObject({ workerId: "p1" });
      expect(app.shards[0]?.halted?.reason).toMatch(/poison record/);
      expect(await readShard(client, dlq, "shardId-000000000000")).toEqual([]);
      const metrics = await (await fetch(`${broker.adminUrl}/metrics`)).text();
      expect(metrics).toMatch(
        /eddy_application_shard_halted\{stream="poison-halt",application="payments",shard="shardId-000000000000"\} 1/,
      );
      expect(metrics).toMatch(/eddy_application_live_workers\{stream="poison-halt",application="payments"\} 1/);
    }
  });
});

describe("consumer application through a shard leader's SIGKILL (3 brokers)", () => {
  let cluster: ClusterProcess | undefined;

  afterAll(async () => {
    await cluster?.close();
  });

  it("keeps processing: every acknowledged record is processed; the killed broker restarts from a controller snapshot with the same lease table", async () => {
    // Heartbeats and checkpoints go through the controller: with a small interval its log is compacted
    // several times during the test.
    const c = (cluster = await ClusterProcess.start({
      args: [...FAST_FAILOVER_ARGS, "--controller-snapshot-entries", "5"],
    }));
    await c.formed();
    const stream = "failover";
    await c.createStream(stream, 2);
    const worker = await startWorker({ endpoints: c.endpoints(), stream, application: "ledger", workerId: "f1" });
    const producer = new Producer({ endpoints: c.endpoints() });
    const acked: Promise<ProducerPutResult>[] = [];
    const put = (from: number, to: number) => {
      for (let i = from; i < to; i++) acked.push(producer.put({ stream, partitionKey: `k${i % 100}`, data: `r${i}` }));
    };
    put(0, 2_000);
    await Promise.all(acked);
    await waitProcessed([worker], (p) => distinct(p).size >= 2_000);
    const { brokerId } = await c.awaitLeader(stream, "shardId-000000000000");
    await c.kill(brokerId);
    put(2_000, 4_000);
    await Promise.all(acked);
    const processed = await waitProcessed([worker], (p) => distinct(p).size >= 4_000);
    expect(distinct(processed).size).toBe(4_000);
    await producer.close();

    // The worker is stopped (last checkpoints written, leases released): the table holds still.
    expect((await worker.stop()).code).toBe(0);
    const survivor = c.endpoints().find((e) => e !== c.broker(brokerId).endpoint)!;
    const live = new EddyClient({ endpoint: survivor });
    const expected = await live.describeApplication({ streamName: stream, applicationName: "ledger" });
    expect(expected.shards.every((s) => s.checkpoint?.type === "AFTER_SEQUENCE_NUMBER" && !s.owner)).toBe(true);
    const restarted = await c.restart(brokerId);
    const returning = new EddyClient({ endpoint: restarted.endpoint });
    const deadline = Date.now() + 30_000;
    let seen = await returning
      .describeApplication({ streamName: stream, applicationName: "ledger" })
      .catch(() => undefined);
    while (JSON.stringify(seen?.shards) !== JSON.stringify(expected.shards)) {
      if (Date.now() > deadline) throw new Error(`restarted broker has ${JSON.stringify(seen?.shards)}`);
      await new Promise((r) => setTimeout(r, 100));
      seen = await returning
        .describeApplication({ streamName: stream, applicationName: "ledger" })
        .catch(() => undefined);
    }
    // It did start from a snapshot, and replayed only the log after it.
    const status = (await c.statuses()).get(brokerId)!.controller;
    expect(status.snapshotIndex).toBeGreaterThan(0);
    expect(status.firstIndex).toBeGreaterThan(1);
    expect(status.appliedSinceOpen).toBeLessThan(status.appliedIndex);
    live.close();
    returning.close();
  });
});
