/**
 * Quiescence: an idle group goes quiet (no heartbeats, no election timers) and wakes on any sign of life.
 */
import { describe, expect, it } from "vitest";

import { TestCluster } from "./test-cluster.js";

const QUIET = { quiesce: true, electionTimeoutTicks: 10, heartbeatIntervalTicks: 2 };

/** Ticks every node and runs the cluster until it settles, `rounds` times; returns how many messages the ticks caused. */
function idle(c: TestCluster, rounds: number): number {
  let sent = 0;
  for (let i = 0; i < rounds; i++) {
    c.tickAll();
    for (const node of c.nodes.values()) c.processReadies(node);
    sent += c.inflight.length;
    c.stabilize();
  }
  return sent;
}

function quietCluster(): TestCluster {
  const c = new TestCluster(["a", "b", "c"], QUIET);
  c.elect("a");
  c.stabilize();
  idle(c, 10);
  return c;
}

describe("quiescence", () => {
  it("an idle group goes quiet: no messages at all, every member quiesced, everything committed everywhere", () => {
    const c = quietCluster();
    for (const id of ["a", "b", "c"]) {
      expect(c.raw(id).quiesced, `${id} quiesced`).toBe(true);
      expect(c.raw(id).status().commitIndex).toBe(c.raw("a").status().lastIndex);
    }
    expect(idle(c, 100)).toBe(0);
    expect(c.raw("a").status()).toMatchObject({ role: "leader", term: 1 });
  });

  it("without the option a group never goes quiet", () => {
    const c = new TestCluster(["a", "b", "c"], { ...QUIET, quiesce: false });
    c.elect("a");
    c.stabilize();
    idle(c, 10);
    expect(c.raw("a").quiesced).toBe(false);
    expect(idle(c, 10)).toBeGreaterThan(0);
  });

  it("a proposal wakes the group, commits on every member, and the group goes quiet again", () => {
    const c = quietCluster();
    expect(c.propose("a", "x")).toMatchObject({ ok: true });
    c.stabilize();
    expect(c.raw("a").quiesced).toBe(false);
    expect(c.raw("b").quiesced).toBe(false);
    idle(c, 10);
    for (const id of ["a", "b", "c"]) {
      expect(c.appliedData(id)).toEqual(["x"]);
      expect(c.raw(id).quiesced).toBe(true);
    }
  });

  it("quiet followers of a dead leader wait for the failure detector, then elect a new leader within two election timeouts", () => {
    const c = quietCluster();
    c.isolate("a");
    // Quiet followers keep no election timer: nothing happens on its own.
    idle(c, 50);
    expect(c.raw("b").status()).toMatchObject({ role: "follower", leaderId: "a", term: 1 });
    c.raw("b").unquiesce(true);
    c.raw("c").unquiesce(true);
    let rounds = 0;
    while (rounds < 2 * QUIET.electionTimeoutTicks + 2) {
      idle(c, 1);
      rounds++;
      if ([c.raw("b").status().role, c.raw("c").status().role].includes("leader")) break;
    }
    expect([c.raw("b").status().role, c.raw("c").status().role]).toContain("leader");
    expect(rounds).toBeLessThanOrEqual(2 * QUIET.electionTimeoutTicks);
  });

  it("a follower that missed the quiet heartbeat campaigns; its pre-vote wakes the leader, which keeps its term", () => {
    const c = new TestCluster(["a", "b", "c"], QUIET);
    c.elect("a");
    c.stabilize();
    c.cut("a", "c");
    idle(c, 10);
    expect(c.raw("c").quiesced).toBe(false);
    c.heal();
    idle(c, 30);
    for (const id of ["a", "b", "c"]) expect(c.raw(id).quiesced, `${id} quiesced`).toBe(true);
    expect(c.raw("a").status()).toMatchObject({ role: "leader", term: 1 });
    expect(c.raw("c").status()).toMatchObject({ leaderId: "a", term: 1 });
  });

  it("a suspicion that is wrong costs no term: the others reject the pre-vote and the leader wakes", () => {
    const c = quietCluster();
    c.raw("b").unquiesce(true);
    idle(c, 3 * QUIET.electionTimeoutTicks);
    expect(c.raw("a").status()).toMatchObject({ role: "leader", term: 1 });
    expect(c.raw("b").status()).toMatchObject({ role: "follower", leaderId: "a", term: 1 });
  });
});
