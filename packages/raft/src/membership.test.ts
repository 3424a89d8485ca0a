/**
 * Membership changes one server at a time (dissertation §4.1, §4.2.2): a configuration takes effect
 * when appended, one change at a time, and a removed leader steps down once its removal commits.
 */
import { describe, expect, it } from "vitest";

import { ConfChangeType, applyConfChange, decodeConfigEntry, encodeConfigEntry } from "./conf-change.js";
import { TestCluster, text } from "./test-cluster.js";
import { EntryType, type ConfState, type Entry } from "./types.js";

const ABC: ConfState = { voters: ["a", "b", "c"], learners: [] };

function configEntry(index: number, term: number, conf: ConfState, nodeId: string): Entry {
  const data = encodeConfigEntry({ type: ConfChangeType.AddVoter, nodeId }, conf);
  return { index, term, type: EntryType.Config, timestampMs: 0, data };
}

function settle(c: TestCluster, rounds = 3): void {
  for (let i = 0; i < rounds; i++) {
    c.tickAll();
    c.stabilize();
  }
}

describe("membership", () => {
  it("a Config entry carries the change and the whole resulting configuration", () => {
    const change = { type: ConfChangeType.PromoteLearner, nodeId: "d" };
    const conf = { voters: ["a", "b", "c", "d"], learners: ["é"] };
    expect(decodeConfigEntry(encodeConfigEntry(change, conf))).toEqual({ change, conf });
  });

  it("applyConfChange refuses changes that do not apply, naming why", () => {
    expect(applyConfChange(ABC, { type: ConfChangeType.AddVoter, nodeId: "a" })).toMatch(/already a member/);
    expect(applyConfChange(ABC, { type: ConfChangeType.RemoveVoter, nodeId: "d" })).toMatch(/not a voter/);
    expect(applyConfChange(ABC, { type: ConfChangeType.PromoteLearner, nodeId: "b" })).toMatch(/not a learner/);
    expect(applyConfChange({ voters: ["a"], learners: [] }, { type: ConfChangeType.RemoveVoter, nodeId: "a" })).toMatch(
      /last voter/,
    );
  });

  it("add a learner: it receives the log but does not vote; promoted, it counts toward commits", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.propose("a", "before");
    c.add("d");
    expect(c.raw("a").proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: "d" }).ok).toBe(true);
    settle(c);
    expect(c.appliedData("d")).toEqual(["before"]);
    expect(c.raw("d").status().conf).toEqual({ voters: ["a", "b", "c"], learners: ["d"] });
    expect(c.raw("a").proposeConfChange({ type: ConfChangeType.PromoteLearner, nodeId: "d" }).ok).toBe(true);
    settle(c);
    expect(c.raw("d").status().conf.voters).toEqual(["a", "b", "c", "d"]);
    // With four voters a majority is three: a and d alone cannot commit, a, b and d can.
    c.isolate("b");
    c.isolate("c");
    c.propose("a", "three needed");
    settle(c);
    expect(c.raw("a").status().commitIndex).toBe(c.raw("a").status().lastIndex - 1);
    c.heal();
    c.isolate("c");
    settle(c);
    expect(c.appliedData("d")).toEqual(["before", "three needed"]);
  });

  it("a configuration takes effect when appended, before it commits", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.isolate("a");
    const result = c.raw("a").proposeConfChange({ type: ConfChangeType.RemoveVoter, nodeId: "c" });
    expect(result.ok).toBe(true);
    expect(c.raw("a").status().conf.voters).toEqual(["a", "b"]);
    expect(
      c
        .raw("a")
        .status()
        .progress.map((p) => p.id),
    ).toEqual(["a", "b"]);
  });

  it("a second change is refused while one is uncommitted, as a retriable value", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.isolate("a");
    c.add("d");
    expect(c.raw("a").proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: "d" }).ok).toBe(true);
    expect(c.raw("a").proposeConfChange({ type: ConfChangeType.RemoveVoter, nodeId: "c" })).toMatchObject({
      ok: false,
      error: { kind: "ConfChangeInProgress", retriable: true, pendingIndex: 2 },
    });
    expect(c.raw("a").proposeConfChange({ type: ConfChangeType.RemoveVoter, nodeId: "x" })).toMatchObject({
      ok: false,
      error: { kind: "ConfChangeInProgress" },
    });
    c.heal();
    settle(c);
    expect(c.raw("a").proposeConfChange({ type: ConfChangeType.RemoveVoter, nodeId: "x" })).toMatchObject({
      ok: false,
      error: { kind: "InvalidConfChange", retriable: false, message: "invalid configuration change: x is not a voter" },
    });
  });

  it("a new leader makes no change before its first entry commits: its predecessor's may be pending", () => {
    const c = new TestCluster(["a", "b", "c"], { preVote: false });
    const a = c.node("a");
    const withD = { voters: ["a", "b", "c", "d"], learners: [] };
    const noop = { index: 1, term: 1, type: EntryType.Noop, timestampMs: 0, data: new Uint8Array(0) };
    a.raw.step({
      type: "MsgApp",
      from: "b",
      to: "a",
      term: 1,
      prevIndex: 0,
      prevTerm: 0,
      commitIndex: 1,
      entries: [noop, configEntry(2, 1, withD, "d")],
    });
    c.processReadies(a);
    a.raw.campaign(); // term 2
    c.processReadies(a);
    c.inflight = [];
    for (const from of ["b", "c"]) a.raw.step({ type: "MsgVoteResp", from, to: "a", term: 2, reject: false });
    expect(a.raw.status()).toMatchObject({ role: "leader", term: 2, lastIndex: 3, commitIndex: 1 });
    expect(a.raw.proposeConfChange({ type: ConfChangeType.RemoveVoter, nodeId: "d" })).toMatchObject({
      ok: false,
      error: { kind: "ConfChangeInProgress", pendingIndex: 2 },
    });
    c.processReadies(a);
    for (const from of ["b", "c"]) {
      a.raw.step({
        type: "MsgAppResp",
        from,
        to: "a",
        term: 2,
        reject: false,
        index: 3,
        rejectHintIndex: 0,
        rejectHintTerm: 0,
      });
    }
    expect(a.raw.status().commitIndex).toBe(3);
    expect(a.raw.proposeConfChange({ type: ConfChangeType.RemoveVoter, nodeId: "d" }).ok).toBe(true);
  });

  it("remove the leader: it commits its removal without counting itself, steps down, and the others elect a leader", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    expect(c.raw("a").proposeConfChange({ type: ConfChangeType.RemoveVoter, nodeId: "a" }).ok).toBe(true);
    c.stabilize();
    expect(c.raw("a").status()).toMatchObject({ role: "follower", conf: { voters: ["b", "c"] } });
    for (let i = 0; i < 40 && !["b", "c"].some((id) => c.raw(id).status().role === "leader"); i++) settle(c, 1);
    const leader = ["b", "c"].find((id) => c.raw(id).status().role === "leader")!;
    expect(leader).toBeDefined();
    // a never campaigns again: it is no voter.
    settle(c, 40);
    expect(c.raw("a").status().role).toBe("follower");
    c.propose(leader, "after");
    settle(c);
    expect(c.appliedData(leader === "b" ? "c" : "b")).toEqual(["after"]);
  });

  it("a new member that catches up from a snapshot takes its configuration from it", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.add("d");
    c.isolate("d");
    expect(c.raw("a").proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: "d" }).ok).toBe(true);
    c.propose("a", "x");
    settle(c);
    c.compact("a");
    c.heal();
    settle(c);
    expect(c.node("d").snapshotIndex).toBe(3);
    expect(c.raw("d").status()).toMatchObject({ conf: { voters: ["a", "b", "c"], learners: ["d"] }, appliedIndex: 3 });
  });

  it("a follower whose uncommitted Config entry is overwritten falls back to the previous configuration", () => {
    const c = new TestCluster(["a", "b", "c"]);
    const b = c.raw("b");
    const withD = { voters: ["a", "b", "c", "d"], learners: [] };
    const noop = { index: 1, term: 1, type: EntryType.Noop, timestampMs: 0, data: new Uint8Array(0) };
    b.step({
      type: "MsgApp",
      from: "a",
      to: "b",
      term: 1,
      prevIndex: 0,
      prevTerm: 0,
      commitIndex: 1,
      entries: [noop, configEntry(2, 1, withD, "d")],
    });
    expect(b.status().conf).toEqual(withD);
    b.advance(b.ready());
    // A new leader of term 2 never got entry 2: it overwrites it.
    const record = { index: 2, term: 2, type: EntryType.Records, timestampMs: 0, data: text("x") };
    b.step({
      type: "MsgApp",
      from: "c",
      to: "b",
      term: 2,
      prevIndex: 1,
      prevTerm: 1,
      commitIndex: 1,
      entries: [record],
    });
    expect(b.status().conf).toEqual(ABC);
    expect(b.ready().entries).toEqual([record]);
  });

  it("a node whose log ends with an uncommitted entry removing it can still lead, until that entry commits", () => {
    // Two leaders each appended their own removal and died before committing it; the third node is behind.
    const c = new TestCluster(["a", "b", "c"], { preVote: false });
    const noop = (index: number, term: number): Entry => ({
      index,
      term,
      type: EntryType.Noop,
      timestampMs: 0,
      data: new Uint8Array(0),
    });
    const removal = (index: number, term: number, nodeId: string): Entry => ({
      index,
      term,
      type: EntryType.Config,
      timestampMs: 0,
      data: encodeConfigEntry(
        { type: ConfChangeType.RemoveVoter, nodeId },
        { voters: ABC.voters.filter((id) => id !== nodeId), learners: [] },
      ),
    });
    const app = { type: "MsgApp", prevIndex: 0, prevTerm: 0, commitIndex: 1 } as const;
    c.raw("a").step({ ...app, from: "b", to: "a", term: 1, entries: [noop(1, 1)] });
    c.raw("b").step({ ...app, from: "b", to: "b", term: 1, entries: [noop(1, 1), removal(2, 1, "b")] });
    c.raw("c").step({ ...app, from: "c", to: "c", term: 2, entries: [noop(1, 1), noop(2, 2), removal(3, 2, "c")] });
    c.stabilize();
    c.inflight = [];
    expect(c.raw("c").status().conf.voters).toEqual(["a", "b"]);
    for (let i = 0; i < 100 && !["a", "b"].some((id) => c.raw(id).status().role === "leader"); i++) settle(c, 1);
    // c led (a and b voted: its log was the most up-to-date), committed its removal and stepped down.
    expect(c.raw("c").status()).toMatchObject({ role: "follower", conf: { voters: ["a", "b"] } });
    const leader = ["a", "b"].find((id) => c.raw(id).status().role === "leader");
    expect(leader).toBeDefined();
    expect(c.raw("b").status().conf.voters).toEqual(["a", "b"]); // b's own removal was overwritten
    c.propose(leader!, "after");
    settle(c);
    expect(c.appliedData("a")).toEqual(["after"]);
  });

  it("a restarted node takes the configuration from the newest Config entry of its log, committed or not", () => {
    const c = new TestCluster(["a", "b", "c"]);
    const b = c.node("b");
    const withD = { voters: ["a", "b", "c", "d"], learners: [] };
    const noop = { index: 1, term: 1, type: EntryType.Noop, timestampMs: 0, data: new Uint8Array(0) };
    b.raw.step({
      type: "MsgApp",
      from: "a",
      to: "b",
      term: 1,
      prevIndex: 0,
      prevTerm: 0,
      commitIndex: 1,
      entries: [noop, configEntry(2, 1, withD, "d")],
    });
    c.processReadies(b);
    c.restart("b");
    expect(c.raw("b").status()).toMatchObject({ conf: withD, commitIndex: 1, lastIndex: 2 });
  });
});
