/**
 * Leadership transfer (dissertation §3.10): catch the target up, tell it to campaign at once, refuse
 * proposals meanwhile, give up after an election timeout.
 */
import { describe, expect, it } from "vitest";

import { ConfChangeType } from "./conf-change.js";
import { TestCluster } from "./test-cluster.js";

describe("leadership transfer", () => {
  it("to an up-to-date follower: it campaigns at once, past the others' leader stickiness, and wins", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.propose("a", "x");
    c.stabilize();
    expect(c.raw("a").transferLeadership("b")).toEqual({ ok: true });
    expect(c.raw("a").status().transferee).toBe("b");
    c.stabilize();
    expect(c.raw("b").status()).toMatchObject({ role: "leader", term: 2 });
    expect(c.raw("a").status()).toMatchObject({ role: "follower", leaderId: "b", transferee: "" });
    expect(c.raw("c").status()).toMatchObject({ role: "follower", leaderId: "b" });
  });

  it("to a lagging follower: it is caught up first, then told to campaign", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.isolate("c");
    for (const value of ["x", "y", "z"]) c.propose("a", value);
    c.stabilize();
    c.heal();
    c.raw("a").transferLeadership("c");
    const timeoutNow = (): boolean => c.inflight.some((m) => m.type === "MsgTimeoutNow");
    c.processReadies(c.node("a"));
    expect(timeoutNow()).toBe(false);
    c.stabilize();
    expect(c.raw("c").status()).toMatchObject({ role: "leader", term: 2, lastIndex: 5 });
    c.tickAll();
    c.stabilize();
    expect(c.appliedData("c")).toEqual(["x", "y", "z"]);
  });

  it("proposals are refused during a transfer, and taken again once it is abandoned after an election timeout", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.isolate("b");
    c.raw("a").transferLeadership("b");
    expect(c.propose("a", "x")).toMatchObject({
      ok: false,
      error: { kind: "LeaderTransferInProgress", retriable: true, transferee: "b" },
    });
    expect(c.raw("a").proposeConfChange({ type: ConfChangeType.RemoveVoter, nodeId: "c" })).toMatchObject({
      ok: false,
      error: { kind: "LeaderTransferInProgress" },
    });
    for (let i = 0; i < 10; i++) {
      c.tick("a");
      c.stabilize();
    }
    expect(c.raw("a").status()).toMatchObject({ role: "leader", transferee: "" });
    expect(c.propose("a", "x").ok).toBe(true);
  });

  it("only to a voter", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    expect(c.raw("a").transferLeadership("z")).toMatchObject({
      ok: false,
      error: { kind: "InvalidTransferTarget", retriable: false },
    });
    expect(c.raw("b").transferLeadership("c")).toMatchObject({
      ok: false,
      error: { kind: "NotLeader", leaderId: "a" },
    });
  });
});
