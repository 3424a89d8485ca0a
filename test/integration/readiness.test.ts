/**
 * Readiness (`/readyz`), which Kubernetes and rolling restarts wait on: a broker that comes back after
 * missing writes answers ready only once every replica on it has caught up with its shard's leader.
 */
import { afterAll, describe, expect, it } from "vitest";
import { Producer } from "@eddy/client";
import { ClusterProcess, FAST_FAILOVER_ARGS, shardLeader } from "@eddy/testkit";

describe("readiness after a restart", () => {
  let cluster: ClusterProcess | undefined;
  afterAll(async () => {
    await cluster?.close();
  });

  it("a broker that missed writes is ready only once its replicas have applied what their leaders committed", async () => {
    const c = (cluster = await ClusterProcess.start({ args: FAST_FAILOVER_ARGS }));
    await c.formed();
    await c.createStream("ready", 4);
    await c.kill("b3");
    const producer = new Producer({ endpoints: c.endpoints().filter((e) => e !== c.broker("b3").endpoint) });
    await Promise.all(
      Array.from({ length: 5_000 }, (_, i) =>
        producer.put({ stream: "ready", partitionKey: `k${i}`, data: "x".repeat(200) }),
      ),
    );
    await producer.close();
    const b3 = await c.restart("b3");
    const deadline = Date.now() + 30_000;
    while ((await fetch(`${b3.adminUrl}/readyz`)).status !== 200) {
      if (Date.now() > deadline) throw new Error("b3 never became ready");
      await new Promise((r) => setTimeout(r, 20));
    }
    // Ready: no writes since, so every leader's commit index is where it was, and b3 has applied it.
    const statuses = await c.statuses();
    const mine = statuses.get("b3")!.groups;
    expect(mine.length).toBeGreaterThan(0);
    for (const group of mine) {
      const leader = shardLeader(statuses, "ready", group.shard);
      expect(leader).toBeDefined();
      const leaderGroup = statuses.get(leader!.brokerId)!.groups.find((g) => g.shard === group.shard)!;
      expect(group.leaderId).toBe(leader!.brokerId);
      expect(group.appliedIndex).toBeGreaterThanOrEqual(leaderGroup.commitIndex - 8);
    }
  });
});
