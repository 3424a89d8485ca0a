/**
 * Log replication and the commit rule (Raft §5.3, §5.4.2), the Ready contract around them, and how a
 * leader serves followers from storage (entry loads) and below its first index (snapshots, §7).
 */
import { describe, expect, it } from "vitest";

import type { Message, MsgApp, MsgAppResp } from "./messages.js";
import { TestCluster, text } from "./test-cluster.js";
import { EntryType, type Entry } from "./types.js";

function appResp(from: string, to: string, term: number, index: number): MsgAppResp {
  return { type: "MsgAppResp", from, to, term, reject: false, index, rejectHintIndex: 0, rejectHintTerm: 0 };
}

function record(index: number, term: number, value = `e${index}/t${term}`): Entry {
  return { index, term, type: EntryType.Records, timestampMs: 0, data: text(value) };
}

function apps(messages: readonly Message[]): MsgApp[] {
  return messages.filter((m): m is MsgApp => m.type === "MsgApp");
}

describe("replication", () => {
  it("a leader sends new entries to its followers before its own write is durable", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    const a = c.node("a");
    expect(a.raw.propose(text("x"))).toMatchObject({ ok: true, index: 2, term: 1 });
    const ready = a.raw.ready();
    expect(ready.entries.map((e) => e.index)).toEqual([2]);
    expect(ready.mustSync).toBe(true);
    expect(apps(ready.messages).map((m) => [m.to, m.entries.map((e) => e.index)])).toEqual([
      ["b", [2]],
      ["c", [2]],
    ]);
    expect(ready.messagesAfterPersist).toEqual([]);
  });

  it("an append response from a follower is only sent after persist", () => {
    const c = new TestCluster(["a", "b", "c"]);
    const b = c.raw("b");
    b.step({
      type: "MsgApp",
      from: "a",
      to: "b",
      term: 1,
      prevIndex: 0,
      prevTerm: 0,
      entries: [record(1, 1)],
      commitIndex: 0,
    });
    const ready = b.ready();
    expect(ready.entries.map((e) => e.index)).toEqual([1]);
    expect(ready.hardState).toMatchObject({ term: 1 });
    expect(ready.mustSync).toBe(true);
    expect(ready.messages).toEqual([]);
    expect(ready.messagesAfterPersist).toEqual([appResp("b", "a", 1, 1)]);
  });

  describe("the commit rule: a majority of voters durable, the leader counting itself once its own write is durable", () => {
    function setUp() {
      const c = new TestCluster(["a", "b", "c"]);
      c.elect("a");
      const a = c.node("a");
      a.held = true;
      a.raw.propose(text("x"));
      const ready = a.raw.ready();
      c.inflight.push(...ready.messages);
      return { c, a, ready };
    }

    it("one follower's durable ack does not commit while the leader's own write is not durable", () => {
      const { c, a, ready } = setUp();
      c.inflight = c.inflight.filter((m) => m.to === "b"); // c's copy is lost
      c.stabilize(); // b persists and acks
      expect(a.raw.status().commitIndex).toBe(1);
      c.processReady(a, ready); // the leader's write is durable
      expect(a.raw.status().commitIndex).toBe(2);
    });

    it("two followers' durable acks commit without the leader's own write (a majority holds it durably)", () => {
      const { c, a, ready } = setUp();
      c.stabilize();
      expect(a.raw.status()).toMatchObject({ commitIndex: 2, durableIndex: 1 });
      // It is applied here only once it is durable here too.
      c.processReady(a, ready);
      a.held = false;
      c.stabilize();
      expect(c.appliedData("a")).toEqual(["x"]);
    });

    it("the leader's durable write alone does not commit", () => {
      const { c, a, ready } = setUp();
      c.inflight = [];
      c.processReady(a, ready);
      expect(a.raw.status()).toMatchObject({ commitIndex: 1, durableIndex: 2 });
    });
  });

  it("a leader does not commit an entry of an earlier term by counting replicas (§5.4.2, Figure 8)", () => {
    const c = new TestCluster(["a", "b", "c"], { preVote: false });
    c.setLog("a", [1, 2], 2); // entry 2 of term 2 reached nobody else
    c.setLog("b", [1], 2);
    const a = c.raw("a");
    a.campaign();
    c.processReadies(c.node("a"));
    c.deliver(); // b and c get the vote requests
    c.processReadies(c.node("b"));
    c.processReadies(c.node("c"));
    c.isolate("a"); // a hears the votes, but nothing it sends arrives
    c.deliver((m) => m.type === "MsgVoteResp");
    a.step({ type: "MsgVoteResp", from: "b", to: "a", term: 3, reject: false });
    c.stabilize();
    expect(a.status()).toMatchObject({ role: "leader", term: 3, lastIndex: 3, commitIndex: 0 });
    // b now holds entry 2: a majority (a, b) has it, but it is of term 2.
    a.step(appResp("b", "a", 3, 2));
    expect(a.status().commitIndex).toBe(0);
    // Once b holds the leader's own entry 3, both commit.
    a.step(appResp("b", "a", 3, 3));
    expect(a.status().commitIndex).toBe(3);
  });

  it("a follower with a conflicting suffix is overwritten (§5.3, Figure 7)", () => {
    const c = new TestCluster(["a", "b", "c"], { preVote: false });
    c.setLog("a", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6], 6);
    c.setLog("b", [1, 1, 1, 4, 4, 4, 4], 4); // Figure 7 (e)
    c.setLog("c", [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3], 3); // Figure 7 (f)
    c.elect("a");
    c.tickAll();
    c.stabilize();
    const leaderLog = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7];
    expect(c.storedTerms("a")).toEqual(leaderLog);
    expect(c.storedTerms("b")).toEqual(leaderLog);
    expect(c.storedTerms("c")).toEqual(leaderLog);
    expect(c.raw("c").status().commitIndex).toBe(11);
  });

  it("a rejection hints at the conflicting term, so the leader skips a whole term per round trip", () => {
    const c = new TestCluster(["a", "b", "c"], { preVote: false });
    c.setLog("a", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6], 6);
    c.setLog("c", [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3], 3);
    c.isolate("b");
    const rejections: MsgAppResp[] = [];
    c.raw("a").campaign();
    for (let round = 0; round < 20; round++) {
      for (const m of c.inflight) if (m.type === "MsgAppResp" && m.reject && m.from === "c") rejections.push(m);
      c.deliver();
      for (const node of c.nodes.values()) c.processReadies(node);
    }
    expect(c.storedTerms("c")).toEqual([1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7]);
    // Probe at 10 (term 6): c hints 10/t3; the leader has no term <= 3 after index 3, so it probes at 3.
    expect(rejections.map((m) => [m.index, m.rejectHintIndex, m.rejectHintTerm])).toEqual([[10, 10, 3]]);
  });

  it("duplicated and reordered appends never truncate entries that match", () => {
    const c = new TestCluster(["a", "b", "c"]);
    const b = c.raw("b");
    const first = { type: "MsgApp", from: "a", to: "b", term: 1, prevIndex: 0, prevTerm: 0, commitIndex: 0 } as const;
    b.step({ ...first, entries: [record(1, 1), record(2, 1), record(3, 1)] });
    b.advance(b.ready());
    b.step({ ...first, entries: [record(1, 1)] }); // a late duplicate of an earlier, shorter message
    const ready = b.ready();
    expect(ready.entries).toEqual([]);
    expect(b.status().lastIndex).toBe(3);
    expect(ready.messagesAfterPersist).toEqual([appResp("b", "a", 1, 1)]);
  });

  it("heartbeats carry the commit index, bounded by what each follower is known to hold", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.isolate("c");
    for (const value of ["x", "y", "z"]) c.propose("a", value);
    c.stabilize();
    c.tick("a", 1);
    c.processReadies(c.node("a"));
    const heartbeats = c.inflight.filter((m) => m.type === "MsgHeartbeat");
    expect(heartbeats.map((m) => [m.to, m.type === "MsgHeartbeat" && m.commitIndex])).toEqual([
      ["b", 4],
      ["c", 1],
    ]);
  });

  it("flow control: at most maxInflightMessages appends are in flight to a follower in the replicate state", () => {
    const c = new TestCluster(["a", "b", "c"], { maxInflightMessages: 2, maxEntriesBytesPerMessage: 64 });
    c.elect("a");
    for (const value of ["1", "2", "3", "4", "5"]) c.propose("a", value);
    c.processReadies(c.node("a"));
    const toB = (): MsgApp[] => apps(c.inflight).filter((m) => m.to === "b");
    expect(toB().map((m) => m.entries.map((e) => e.index))).toEqual([[2], [3]]);
    c.deliver((m) => m.to === "b");
    c.processReadies(c.node("b"));
    c.inflight = c.inflight.filter((m) => m.from === "b"); // leave c out of it
    c.deliver(); // b's two acks free the window
    c.processReadies(c.node("a"));
    expect(toB().map((m) => m.entries.map((e) => e.index))).toEqual([[4], [5]]);
  });

  it("backpressure: proposals beyond maxUncommittedEntriesBytes are refused until entries commit", () => {
    const c = new TestCluster(["a", "b", "c"], { maxUncommittedEntriesBytes: 200, maxEntriesBytesPerMessage: 100 });
    c.elect("a");
    c.isolate("a");
    const results = ["1", "2", "3", "4", "5"].map((value) => c.propose("a", value));
    const refused = results.find((result) => !result.ok);
    expect(refused).toMatchObject({
      ok: false,
      error: { kind: "UncommittedLimitExceeded", retriable: true, limitBytes: 200 },
    });
    c.heal();
    c.stabilize();
    expect(c.propose("a", "6").ok).toBe(true);
  });

  it("a proposal to a follower fails with NotLeader naming the leader", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    expect(c.propose("b", "x")).toEqual({
      ok: false,
      error: { kind: "NotLeader", retriable: true, leaderId: "a", message: "not the leader: the leader is a" },
    });
  });

  it("a follower behind the leader's in-memory tail is caught up with entries loaded from storage", () => {
    const c = new TestCluster(["a", "b", "c"], { maxInMemoryLogBytes: 128, maxEntriesBytesPerMessage: 128 });
    c.elect("a");
    c.isolate("c");
    const values = Array.from({ length: 30 }, (_, i) => `v${i}`);
    for (const value of values) {
      c.propose("a", value);
      c.stabilize();
    }
    expect(c.raw("a").status().inMemoryLogBytes).toBeLessThanOrEqual(128);
    const loadsBefore = c.entryLoads;
    c.heal();
    c.tickAll();
    c.stabilize();
    c.tickAll();
    c.stabilize();
    expect(c.entryLoads).toBeGreaterThan(loadsBefore);
    expect(c.appliedData("c")).toEqual(values);
  });

  it("a follower below the leader's first index gets a snapshot, then entries from snapshot.index + 1", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.isolate("c");
    for (const value of ["1", "2", "3", "4"]) c.propose("a", value);
    c.stabilize();
    const compactedAt = c.compact("a");
    expect(compactedAt).toBe(5);
    c.heal();
    c.propose("a", "5");
    c.tickAll();
    c.stabilize();
    c.tickAll();
    c.stabilize();
    expect(c.snapshotLoads).toBe(1);
    const follower = c.node("c");
    expect(follower.storage.snapshot().meta).toMatchObject({ index: 5, term: 1, conf: { voters: ["a", "b", "c"] } });
    expect(new TextDecoder().decode(follower.storage.snapshot().data)).toBe("state@5");
    expect(follower.snapshotIndex).toBe(5);
    expect(c.appliedData("c")).toEqual(["5"]);
    expect(c.raw("c").status()).toMatchObject({ firstIndex: 6, lastIndex: 6, commitIndex: 6, appliedIndex: 6 });
  });

  it("a restarted node keeps its term, vote and log, and applies its committed entries again from storage", () => {
    const c = new TestCluster(["a", "b", "c"], {
      maxInMemoryLogBytes: 64,
      maxEntriesBytesPerMessage: 64,
      maxCommittedBytesPerReady: 64,
    });
    c.elect("a");
    for (const value of ["x", "y", "z"]) c.propose("a", value);
    c.stabilize();
    c.tickAll();
    c.stabilize();
    c.restart("b");
    expect(c.raw("b").status()).toMatchObject({ term: 1, vote: "a", lastIndex: 4, commitIndex: 4, appliedIndex: 0 });
    const loadsBefore = c.entryLoads;
    c.stabilize();
    expect(c.entryLoads).toBeGreaterThan(loadsBefore);
    expect(c.appliedData("b")).toEqual(["x", "y", "z"]);
  });

  it("entries keep the leader's timestamps, which never decrease along the log", () => {
    const c = new TestCluster(["a"]);
    c.elect("a");
    c.raw("a").propose(text("x"), 1000);
    c.raw("a").propose(text("y"), 900); // the leader's clock went back
    c.stabilize();
    expect(c.node("a").applied.map((e) => e.timestampMs)).toEqual([0, 1000, 1000]);
  });
});
