/**
 * The SDK's routing against a real three-broker cluster: with routes cached, puts go straight to each
 * shard's leader (no broker forwards them); after a leader is SIGKILLed, puts keep succeeding and the
 * client's route moves to the new leader, and every acknowledged record is readable afterwards.
 */
import { afterEach, describe, expect, it } from "vitest";
import { EddyClient, type PutRecordsOutput } from "@eddy/client";
import { ClusterProcess, FAST_FAILOVER_ARGS, shardLeader, type ClusterStatuses } from "@eddy/testkit";
import { readShard } from "./helpers.js";

const STREAM = "routed";
const SHARDS = 4;
const PUT_DEADLINE_MS = 5_000;
/** Calls of the measured load in test (a), and how many run at once. */
const LOAD_CALLS = 200;
const LOAD_CONCURRENCY = 8;
const PUT_RECORDS_ENTRIES = 8;
/** Writers of the load in test (b), one put in flight each. */
const WRITERS = 4;
/** A writer whose put failed waits this long before the next, as a client backing off would. */
const FAILED_PUT_BACKOFF_MS = 100;
/**
 * Puts that may fail in test (b): those in flight at the kill, and those sent while the election runs
 * (an endpoint forwards them to the dead leader until a new one is elected), at most one per writer
 * per FAILED_PUT_BACKOFF_MS of a few seconds.
 */
const FAILOVER_FAILED_PUTS_MAX = 100;
const FORWARDED_OPERATIONS = ["PutRecord", "PutRecords", "GetShardIterator", "GetRecords"] as const;

let cluster: ClusterProcess | undefined;
const clients: EddyClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await cluster?.close();
  cluster = undefined;
});

function newClient(options: ConstructorParameters<typeof EddyClient>[0]): EddyClient {
  const client = new EddyClient({ deadlineMs: PUT_DEADLINE_MS, ...options });
  clients.push(client);
  return client;
}

function shardIdOf(n: number): string {
  return `shardId-${String(n).padStart(12, "0")}`;
}

const SHARD_IDS = Array.from({ length: SHARDS }, (_, i) => shardIdOf(i));

/** Each shard's leader once every shard has one and it is its preferred replica (leaders no longer move). */
function settledLeaders(statuses: ClusterStatuses): Map<string, string> | undefined {
  const leaders = new Map<string, string>();
  for (const shardId of SHARD_IDS) {
    const leader = shardLeader(statuses, STREAM, shardId);
    if (!leader || leader.group.replicas[0] !== leader.brokerId) return undefined;
    leaders.set(shardId, leader.brokerId);
  }
  return leaders;
}

async function startCluster(): Promise<{ cluster: ClusterProcess; leaders: Map<string, string> }> {
  const c = (cluster = await ClusterProcess.start({ brokers: 3, args: FAST_FAILOVER_ARGS }));
  await c.waitFor(
    (s) =>
      s.size === c.brokers.length &&
      [...s.values()].every((b) => b.brokers.filter((x) => x.state === "live").length === c.brokers.length),
    { what: "every broker registered and live", timeoutMs: 20_000 },
  );
  const admin = newClient({ endpoint: c.brokers[0]!.endpoint, routing: false });
  await admin.createStream({ streamName: STREAM, shardCount: SHARDS, streamMode: "ON_DEMAND" });
  await admin.waitForStreamActive(STREAM);
  const leaders = await c.waitFor(settledLeaders, {
    what: "every shard led by its preferred replica",
    timeoutMs: 20_000,
  });
  return { cluster: c, leaders };
}

/** eddy_forwarded_calls_total per operation, summed over the brokers that run. */
async function forwardedCalls(c: ClusterProcess): Promise<Record<string, number>> {
  const sums: Record<string, number> = Object.fromEntries(FORWARDED_OPERATIONS.map((op) => [op, 0]));
  for (const broker of c.brokers.filter((b) => b.process.running)) {
    const text = await (await fetch(`${broker.adminUrl}/metrics`)).text();
    for (const op of FORWARDED_OPERATIONS) {
      const match = new RegExp(`^eddy_forwarded_calls_total\\{operation="${op}"\\} (\\d+)`, "m").exec(text);
      sums[op]! += match ? Number(match[1]) : 0;
    }
  }
  return sums;
}

/** LOAD_CALLS calls, a quarter of them PutRecords spanning shards; every record must be acknowledged. */
async function putLoad(client: EddyClient, tag: string): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: LOAD_CONCURRENCY }, async () => {
    for (let i = next++; i < LOAD_CALLS; i = next++) {
      if (i % 4 === 0) {
        const out: PutRecordsOutput = await client.putRecords({
          streamName: STREAM,
          records: Array.from({ length: PUT_RECORDS_ENTRIES }, (_, j) => ({
            partitionKey: `${tag}-${i}-${j}`,
            data: `${tag}-${i}-${j}`,
          })),
        });
        expect(out.failedRecordCount, JSON.stringify(out.records.find((r) => r.errorCode))).toBe(0);
      } else {
        await client.putRecord({ streamName: STREAM, partitionKey: `${tag}-${i}`, data: `${tag}-${i}` });
      }
    }
  });
  await Promise.all(workers);
}

/** Polls `condition` until it holds; fails after `timeoutMs`, naming `what`. */
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Acked {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly data: string;
}

describe("client routing", () => {
  it("with routes cached, puts and reads reach each shard's leader directly: no broker forwards them", async () => {
    const { cluster: c, leaders } = await startCluster();
    const led = new Map(c.brokers.map((b) => [b.id, 0]));
    for (const brokerId of leaders.values()) led.set(brokerId, led.get(brokerId)! + 1);
    const [first] = [...c.brokers].sort((a, b) => led.get(a.id)! - led.get(b.id)!);
    expect(led.get(first!.id)).toBeLessThan(SHARDS / 2);
    const endpoints = [first!.endpoint, ...c.brokers.filter((b) => b !== first).map((b) => b.endpoint)];

    const routed = newClient({ endpoints });
    await routed.putRecord({ streamName: STREAM, partitionKey: "warm-up", data: "warm-up" });
    for (const [shardId, brokerId] of leaders)
      expect(routed.routeOf(STREAM, shardId)).toBe(c.broker(brokerId).endpoint);
    const before = await forwardedCalls(c);
    await putLoad(routed, "routed");
    // Reads go to the leaders too: iterators from getShardIterator, then each page's next iterator.
    let readBack = 0;
    for (const shardId of SHARD_IDS) readBack += (await readShard(routed, STREAM, shardId)).length;
    expect(readBack).toBe(1 + LOAD_CALLS * (3 / 4) + (LOAD_CALLS / 4) * PUT_RECORDS_ENTRIES);
    const after = await forwardedCalls(c);
    // The leaders did not move meanwhile, so a forward could only be the client's doing.
    expect(settledLeaders(await c.statuses())).toEqual(leaders);
    expect(after).toEqual(before);

    const plain = newClient({ endpoint: first!.endpoint, routing: false });
    await putLoad(plain, "plain");
    const unrouted = await forwardedCalls(c);
    const added = (from: Record<string, number>, to: Record<string, number>) =>
      FORWARDED_OPERATIONS.map((op) => `${op} ${to[op]! - from[op]!}`).join(", ");
    console.log(
      `forwarded: ${added(before, after)} with routing; ${added(after, unrouted)} through ${first!.id} ` +
        `without (it leads ${led.get(first!.id)} of ${SHARDS} shards)`,
    );
    expect(unrouted.PutRecord! - after.PutRecord!).toBeGreaterThan(0);
    expect(unrouted.PutRecords! - after.PutRecords!).toBeGreaterThan(0);
  }, 90_000);

  it("a SIGKILLed leader: puts keep succeeding, the route moves to the new leader, every acknowledged record is readable", async () => {
    const { cluster: c, leaders } = await startCluster();
    const shardId = SHARD_IDS[0]!;
    const victim = leaders.get(shardId)!;
    // The victim is also the first endpoint: calls through an endpoint must move on to the next.
    const endpoints = [c.broker(victim).endpoint, ...c.brokers.filter((b) => b.id !== victim).map((b) => b.endpoint)];
    const client = newClient({ endpoints });

    const acked: Acked[] = [];
    let failed = 0;
    let lastFailure: unknown;
    let running = true;
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let n = 0; running && n < 100_000; n++) {
        const data = `w${w}-${n}`;
        try {
          const put = await client.putRecord({ streamName: STREAM, partitionKey: data, data });
          acked.push({ shardId: put.shardId, sequenceNumber: put.sequenceNumber, data });
        } catch (error) {
          failed += 1;
          lastFailure = error;
          await new Promise((resolve) => setTimeout(resolve, FAILED_PUT_BACKOFF_MS));
        }
      }
    });
    const ackedOn = (shard: string) => acked.filter((a) => a.shardId === shard).length;
    try {
      await until(() => ackedOn(shardId) >= 50, `50 puts to ${shardId} acknowledged`);
      expect(client.routeOf(STREAM, shardId)).toBe(c.broker(victim).endpoint);
      await c.kill(victim);
      const ackedBeforeElection = ackedOn(shardId);
      await until(() => ackedOn(shardId) >= ackedBeforeElection + 50, `puts to ${shardId} acknowledged after the kill`);
      const newLeader = await c.waitFor(
        (s) => {
          const leader = shardLeader(s, STREAM, shardId);
          return leader && leader.brokerId !== victim ? leader.brokerId : undefined;
        },
        { what: `a new leader of ${shardId}`, timeoutMs: 10_000 },
      );
      await until(
        () => client.routeOf(STREAM, shardId) === c.broker(newLeader).endpoint,
        `the client's route of ${shardId} to move to ${newLeader}`,
      );
      const total = acked.length;
      await until(() => acked.length >= total + 200, "200 more puts acknowledged");
    } finally {
      running = false;
      await Promise.all(writers);
    }
    console.log(`failover: ${acked.length} puts acknowledged, ${failed} failed; ${shardId} moved from ${victim}`);
    expect(failed, String(lastFailure)).toBeLessThanOrEqual(FAILOVER_FAILED_PUTS_MAX);

    for (const shard of SHARD_IDS) {
      const stored = new Map((await readShard(client, STREAM, shard)).map((r) => [r.sequenceNumber, r.data]));
      const missing = acked.filter((a) => a.shardId === shard && stored.get(a.sequenceNumber) !== a.data);
      expect(missing, `acknowledged records of ${shard} not read back`).toEqual([]);
    }
  }, 90_000);
});
