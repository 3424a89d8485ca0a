/**
 * Replication under faults, with real broker processes on loopback: a leader SIGKILLed mid-load, a
 * broker frozen (SIGSTOP) and thawed, a rolling restart, and a broker lost for good whose replicas are
 * rebuilt elsewhere. Every test ends with the history checker reading every shard back through every
 * replica: nothing acknowledged may be lost, duplicated, reordered or stored differently on two replicas.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { KinesisError } from "@eddy/core";
import { EddyClient } from "@eddy/client";
import {
  checkHistory,
  ClusterProcess,
  FAST_FAILOVER_ARGS,
  replicasConverged,
  readReplica,
  shardLeader,
  type AckedWrite,
  type ReplicaRead,
} from "@eddy/testkit";

const STREAM = "faults";
const SHARDS = 2;
/** Writers, each with its own partition keys: one put in flight per writer keeps per-key order checkable. */
const WRITERS = 6;
const PUT_DEADLINE_MS = 4_000;
const CONVERGE_TIMEOUT_MS = 30_000;
/** Under load a follower's applied index trails the leader's commit by the entries of a round trip. */
const LOADED_SLACK_ENTRIES = 50;

let cluster: ClusterProcess | undefined;

afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

interface Load {
  readonly acked: AckedWrite[];
  /** Writes that failed: they may or may not be stored (the checker requires nothing of them). */
  failed: number;
  /** When each acknowledged put was sent, with its shard, to find the gap a failover leaves. */
  readonly ackTimes: Array<{ sentAtMs: number; atMs: number; shardId: string }>;
  stop(): Promise<void>;
}

/**
 * WRITERS loops, each putting one record at a time with unique data and keys `w<i>-<n % 4>`, through the
 * brokers in turn (any broker forwards to the shard's leader); a failed put is counted, not retried, so
 * no data is ever written twice by the test itself. Bounded by `maxPuts` per writer.
 */
function startLoad(endpoints: () => string[], maxPuts = 100_000): Load {
  const clients = new Map<string, EddyClient>();
  const clientFor = (endpoint: string) => {
    let client = clients.get(endpoint);
    if (!client) clients.set(endpoint, (client = new EddyClient({ endpoint, deadlineMs: PUT_DEADLINE_MS })));
    return client;
  };
  let running = true;
  const load: Load = {
    acked: [],
    failed: 0,
    ackTimes: [],
    stop: async () => {
      running = false;
      await Promise.all(loops);
      for (const client of clients.values()) client.close();
    },
  };
  const loops = Array.from({ length: WRITERS }, async (_, writer) => {
    for (let n = 0; running && n < maxPuts; n++) {
      const targets = endpoints();
      const endpoint = targets[(writer + n) % targets.length]!;
      const partitionKey = `w${writer}-${n % 4}`;
      const data = `w${writer}-n${n}`;
      const sentAtMs = Date.now();
      try {
        const put = await clientFor(endpoint).putRecord({ streamName: STREAM, partitionKey, data: Buffer.from(data) });
        load.acked.push({ shardId: put.shardId, sequenceNumber: put.sequenceNumber, partitionKey, data });
        load.ackTimes.push({ sentAtMs, atMs: Date.now(), shardId: put.shardId });
      } catch {
        load.failed += 1;
      }
    }
  });
  return load;
}

async function startCluster(options: { brokers?: number; args?: string[] } = {}): Promise<ClusterProcess> {
  cluster = await ClusterProcess.start({
    brokers: options.brokers ?? 3,
    args: [...FAST_FAILOVER_ARGS, ...(options.args ?? [])],
  });
  await cluster.formed();
  await cluster.createStream(STREAM, SHARDS);
  return cluster;
}

async function shardIds(c: ClusterProcess): Promise<string[]> {
  const statuses = await c.statuses();
  const ids = new Set<string>();
  for (const s of statuses.values()) for (const g of s.groups) if (g.stream === STREAM) ids.add(g.shard);
  return [...ids].sort();
}

/** Reads every shard through every replica and runs the checker, shard by shard. */
async function checkReplicas(c: ClusterProcess, acked: readonly AckedWrite[]): Promise<void> {
  const shards = await shardIds(c);
  // The statuses that showed convergence: a later look may fall in a leadership hand-over, with no leader.
  const statuses = await c.waitFor((s) => replicasConverged(s, STREAM, shards) && s, {
    what: "every replica caught up",
    timeoutMs: CONVERGE_TIMEOUT_MS,
  });
  for (const shardId of shards) {
    const replicas = shardLeader(statuses, STREAM, shardId)!.group.replicas;
    const reads: ReplicaRead[] = [];
    for (const brokerId of replicas) {
      const log = await readReplica(c.broker(brokerId).endpoint, brokerId, STREAM, shardId);
      expect(log, `${brokerId} holds a replica of ${shardId}`).toBeDefined();
      reads.push({ replica: `${brokerId}/${shardId}`, records: log!.records });
    }
    const ackedHere = acked.filter((w) => w.shardId === shardId);
    const report = checkHistory(ackedHere, reads);
    expect(report, JSON.stringify(report).slice(0, 2000)).toMatchObject({ ok: true });
    // The replicas hold the same log, and at least every acknowledged write of the shard.
    expect(reads.every((r) => r.records.length === reads[0]!.records.length)).toBe(true);
    expect(reads[0]!.records.length).toBeGreaterThanOrEqual(ackedHere.length);
  }
}

/** Resolves once `count` more writes are acknowledged (bounded by `timeoutMs`). */
async function awaitAcks(load: Load, count: number, timeoutMs = 20_000): Promise<void> {
  const target = load.acked.length + count;
  const deadline = Date.now() + timeoutMs;
  while (load.acked.length < target) {
    if (Date.now() > deadline)
      throw new Error(`only ${load.acked.length} of ${target} writes acknowledged in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("replication under faults", () => {
  it("SIGKILL of a shard's leader mid-load: a new leader serves within seconds and every acknowledged write is on every replica once, in order", async () => {
    const c = await startCluster();
    const live = new Set(c.brokers.map((b) => b.id));
    const load = startLoad(() => c.brokers.filter((b) => live.has(b.id)).map((b) => b.endpoint));
    await awaitAcks(load, 300);
    const [shardId] = await shardIds(c);
    const victim = (await c.awaitLeader(STREAM, shardId!)).brokerId;
    live.delete(victim);
    const killedAtMs = Date.now();
    await c.kill(victim);
    // A write to the victim's shard sent after the kill and acknowledged proves a new leader serves.
    const servedAfterKill = () => load.ackTimes.find((a) => a.shardId === shardId && a.sentAtMs > killedAtMs);
    await c.waitFor(servedAfterKill, {
      what: `a write to ${shardId} sent after its leader was killed, acknowledged`,
      timeoutMs: 10_000,
    });
    const failoverMs = servedAfterKill()!.atMs - killedAtMs;
    console.log(`failover: first write to ${shardId} acknowledged ${failoverMs} ms after SIGKILL of ${victim}`);
    await awaitAcks(load, 300);
    await c.restart(victim);
    live.add(victim);
    await awaitAcks(load, 200);
    await load.stop();
    expect(load.acked.length).toBeGreaterThan(800);
    await checkReplicas(c, load.acked);
  }, 90_000);

  it("a frozen broker (SIGSTOP) acknowledges nothing; the others go on; thawed, it converges", async () => {
    const c = await startCluster();
    const [shardId] = await shardIds(c);
    const frozen = (await c.awaitLeader(STREAM, shardId!)).brokerId;
    const others = c.brokers.filter((b) => b.id !== frozen);
    const load = startLoad(() => others.map((b) => b.endpoint));
    await awaitAcks(load, 200);
    c.pause(frozen);
    // Calls straight to the frozen broker: none may be acknowledged while it is stopped.
    const direct = new EddyClient({ endpoint: c.broker(frozen).endpoint, deadlineMs: 1_500 });
    const directResults = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        direct.putRecord({ streamName: STREAM, partitionKey: `direct-${i}`, data: Buffer.from(`direct-${i}`) }),
      ),
    );
    direct.close();
    expect(directResults.every((r) => r.status === "rejected")).toBe(true);
    expect(
      directResults.map((r) => (r as PromiseRejectedResult).reason as KinesisError).every((e) => e.retriable),
    ).toBe(true);
    // The majority elects a new leader for the frozen broker's shard and goes on.
    const frozenAtMs = Date.now();
    await c.waitFor(() => load.ackTimes.some((a) => a.shardId === shardId && a.sentAtMs > frozenAtMs), {
      what: `writes to ${shardId} acknowledged by the majority`,
      timeoutMs: 10_000,
    });
    await awaitAcks(load, 300);
    c.resume(frozen);
    await awaitAcks(load, 200);
    await load.stop();
    await checkReplicas(c, load.acked);
  }, 90_000);

  it("a rolling restart of all three brokers under load loses nothing acknowledged", async () => {
    const c = await startCluster();
    const live = new Set(c.brokers.map((b) => b.id));
    const load = startLoad(() => c.brokers.filter((b) => live.has(b.id)).map((b) => b.endpoint));
    await awaitAcks(load, 200);
    const shards = await shardIds(c);
    for (const broker of c.brokers.map((b) => b.id)) {
      live.delete(broker);
      const exit = await c.stop(broker);
      expect(exit.code, `${broker} exits cleanly on SIGTERM`).toBe(0);
      await c.restart(broker);
      live.add(broker);
      await c.waitFor((s) => replicasConverged(s, STREAM, shards, LOADED_SLACK_ENTRIES), {
        what: `${broker} back and caught up`,
        timeoutMs: CONVERGE_TIMEOUT_MS,
      });
      await awaitAcks(load, 150);
    }
    await load.stop();
    await checkReplicas(c, load.acked);
  }, 120_000);

  it("a broker lost for good: its replicas are rebuilt on a live broker, and the stream survives losing a second one", async () => {
    const c = await startCluster({ args: ["--replace-after", "2s"] });
    await c.addBroker({ id: "b4", zone: "a" });
    await c.waitFor(
      (s) => [...s.values()].every((b) => b.brokers.length === 4 && b.brokers.every((x) => x.state === "live")),
      {
        what: "b4 registered",
        timeoutMs: 20_000,
      },
    );
    const live = new Set(["b1", "b2", "b3", "b4"]);
    const load = startLoad(() => c.brokers.filter((b) => live.has(b.id)).map((b) => b.endpoint));
    await awaitAcks(load, 200);
    // b2 holds a replica of every shard (b4 joined after the stream was placed on b1-b3).
    live.delete("b2");
    await c.kill("b2");
    const shards = await shardIds(c);
    await c.waitFor(
      (s) =>
        shards.every((shardId) => {
          const leader = shardLeader(s, STREAM, shardId);
          return leader !== undefined && !leader.group.replicas.includes("b2") && leader.group.replicas.includes("b4");
        }) && replicasConverged(s, STREAM, shards, LOADED_SLACK_ENTRIES),
      { what: "b2's replicas rebuilt on b4 and caught up", timeoutMs: 30_000 },
    );
    // The controller replaced its lost voter too, so it keeps a majority after the next loss.
    await c.waitFor(
      (s) => {
        const voters = s.get("b1")?.controller.voters ?? [];
        return voters.length === 3 && voters.includes("b4") && !voters.includes("b2");
      },
      { what: "b4 a controller voter in place of b2", timeoutMs: 20_000 },
    );
    await awaitAcks(load, 200);
    // The stream keeps three copies: losing another broker leaves a majority of every shard.
    const second = "b3";
    live.delete(second);
    await c.kill(second);
    await awaitAcks(load, 300);
    // The controller still commits changes with two of its three voters. If the killed broker led it,
    // b1 would forward to the dead leader until the election: the change is made once b1 knows the new one
    // (a forward refused by a dead broker is answered ServiceUnavailable, which is the client's to retry).
    await c.waitFor(
      (s) => {
        const leaderId = s.get("b1")?.controller.leaderId ?? "";
        return leaderId !== "" && leaderId !== second && live.has(leaderId);
      },
      { what: `a controller leader other than ${second}, known to b1`, timeoutMs: 20_000 },
    );
    const admin = new EddyClient({ endpoint: c.broker("b1").endpoint });
    try {
      await admin.updateRetentionPeriod({ streamName: STREAM, retentionPeriodHours: 48 });
      expect((await admin.describeStreamSummary({ streamName: STREAM })).retentionPeriodHours).toBe(48);
    } finally {
      admin.close();
    }
    await load.stop();
    // The dead brokers come back for the check: b3 still holds its replicas, b2's were replaced.
    await c.restart(second);
    await checkReplicas(c, load.acked);
    // b2 rejoins cleanly: live again, its stale replicas dropped, back in the controller's group.
    await c.restart("b2");
    await c.waitFor(
      (s) => {
        const b2 = s.get("b2");
        const b1 = s.get("b1");
        return (
          b2 !== undefined &&
          b2.groups.every((g) => g.stream !== STREAM) &&
          b1?.brokers.find((b) => b.id === "b2")?.state === "live" &&
          [...b1.controller.voters, ...b1.controller.learners].includes("b2")
        );
      },
      { what: "b2 live, without its old replicas, a member of the controller's group", timeoutMs: 20_000 },
    );
  }, 150_000);
});
