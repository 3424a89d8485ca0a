/**
 * Leader election, as the Raft paper (§5.2, §5.4.1) and dissertation (§4.2.3, §6.2, §9.6) state it.
 */
import { describe, expect, it } from "vitest";

import type { Message, MsgVote } from "./messages.js";
import { TestCluster } from "./test-cluster.js";
import { EntryType } from "./types.js";

function vote(from: string, to: string, term: number, lastIndex = 0, lastTerm = 0): MsgVote {
  return { type: "MsgVote", from, to, term, lastIndex, lastTerm, transfer: false };
}

function answers(messages: readonly Message[]): [string, string, boolean | undefined][] {
  return messages.map((m) => [m.type, m.to, "reject" in m ? m.reject : undefined]);
}

describe("election", () => {
  it("a candidate with votes from a majority becomes leader and appends an empty entry of its term (§5.2, §5.4.2)", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    expect(c.raw("a").status()).toMatchObject({ role: "leader", term: 1, leaderId: "a" });
    expect(c.raw("b").status()).toMatchObject({ role: "follower", term: 1, leaderId: "a" });
    const first = c.node("a").storage.readEntries(1, 2, Infinity)[0];
    expect(first).toMatchObject({ index: 1, term: 1, type: EntryType.Noop });
    // Followers learn the commit index with the next append or heartbeat.
    expect(c.raw("c").status().commitIndex).toBe(0);
    c.tickAll();
    c.stabilize();
    expect(c.raw("c").status().commitIndex).toBe(1);
  });

  it("a single-node group elects itself and commits once its own write is durable", () => {
    const c = new TestCluster(["a"]);
    c.elect("a");
    expect(c.propose("a", "x")).toMatchObject({ ok: true, index: 2, term: 1 });
    c.stabilize();
    expect(c.appliedData("a")).toEqual(["x"]);
  });

  it("a node grants at most one vote per term, and only after the vote is durable (§5.2)", () => {
    const c = new TestCluster(["a", "b", "c"], { preVote: false });
    const b = c.raw("b");
    b.step(vote("a", "b", 1));
    b.step(vote("c", "b", 1));
    const ready = b.ready();
    expect(ready.hardState).toEqual({ term: 1, vote: "a", commitIndex: 0 });
    expect(ready.mustSync).toBe(true);
    expect(ready.messages).toEqual([]);
    expect(answers(ready.messagesAfterPersist)).toEqual([
      ["MsgVoteResp", "a", false],
      ["MsgVoteResp", "c", true],
    ]);
  });

  it("a node refuses a candidate whose log is less up-to-date than its own (§5.4.1)", () => {
    const c = new TestCluster(["a", "b", "c"], { preVote: false });
    c.setLog("b", [1, 2]);
    const b = c.raw("b");
    b.step(vote("a", "b", 3, 5, 1)); // older last term, longer log
    b.step(vote("c", "b", 4, 1, 2)); // same last term, shorter log
    const refusals = b.ready();
    expect(answers(refusals.messagesAfterPersist)).toEqual([
      ["MsgVoteResp", "a", true],
      ["MsgVoteResp", "c", true],
    ]);
    b.advance(refusals);
    b.step(vote("c", "b", 5, 2, 2)); // as up-to-date
    expect(answers(b.ready().messagesAfterPersist)).toEqual([["MsgVoteResp", "c", false]]);
  });

  it("a candidate counts its own vote, and so becomes leader, only once its term and vote are durable", () => {
    const c = new TestCluster(["a", "b", "c"], { preVote: false });
    const a = c.node("a");
    a.held = true;
    a.raw.campaign();
    const campaign = a.raw.ready();
    expect(campaign.hardState).toEqual({ term: 1, vote: "a", commitIndex: 0 });
    // Vote requests may go before the candidate's own write: nothing depends on them being durable.
    expect(campaign.messages.map((m) => m.type)).toEqual(["MsgVote", "MsgVote"]);
    c.inflight.push(...campaign.messages);
    c.stabilize(); // b and c grant
    expect(a.raw.status().role).toBe("candidate");
    c.processReady(a, campaign);
    expect(a.raw.status().role).toBe("leader");
  });

  it("pre-vote: a pre-candidate asks for the next term without taking it (§9.6)", () => {
    const c = new TestCluster(["a", "b", "c"]);
    const a = c.raw("a");
    a.campaign();
    expect(a.status()).toMatchObject({ role: "pre-candidate", term: 0 });
    const ready = a.ready();
    expect(ready.hardState).toBeUndefined();
    expect(ready.messages.map((m) => [m.type, m.term])).toEqual([
      ["MsgPreVote", 1],
      ["MsgPreVote", 1],
    ]);
  });

  it("pre-vote: a partitioned node rejoining does not disrupt the leader", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.isolate("c");
    for (let i = 0; i < 100; i++) {
      c.tickAll();
      c.stabilize();
    }
    // c kept asking for pre-votes nobody received, and never bumped its term.
    expect(c.raw("c").status()).toMatchObject({ term: 1, role: "pre-candidate" });
    c.heal();
    c.tickAll(3);
    c.stabilize();
    expect(c.raw("a").status()).toMatchObject({ role: "leader", term: 1 });
    expect(c.raw("c").status()).toMatchObject({ role: "follower", term: 1, leaderId: "a" });
  });

  it("without pre-vote the same node forces a new term when it rejoins (what pre-vote prevents)", () => {
    const c = new TestCluster(["a", "b", "c"], { preVote: false, checkQuorum: false });
    c.elect("a");
    c.isolate("c");
    for (let i = 0; i < 100; i++) {
      c.tickAll();
      c.stabilize();
    }
    expect(c.raw("c").status().term).toBeGreaterThan(1);
    c.heal();
    for (let i = 0; i < 30; i++) {
      c.tickAll();
      c.stabilize();
    }
    c.stabilize();
    expect(c.raw("a").status().term).toBeGreaterThan(1);
  });

  it("leader stickiness: a follower that heard from its leader within the election timeout ignores a vote request (§4.2.3)", () => {
    const c = new TestCluster(["a", "b", "c"], { preVote: false });
    c.elect("a");
    const b = c.raw("b");
    b.step(vote("c", "b", 5, 10, 5));
    expect(b.status()).toMatchObject({ term: 1, leaderId: "a" });
    expect(b.hasReady()).toBe(false);
    // Once the leader has been silent for an election timeout, the request is heard.
    c.tick("b", 10);
    b.step(vote("c", "b", 5, 10, 5));
    expect(b.status()).toMatchObject({ term: 5, vote: "c" });
  });

  it("a vote request with a newer term that is refused does not restart the election timer (§5.2)", () => {
    // Nodes with stale logs campaigning in turn must not keep the one up-to-date node from campaigning.
    const c = new TestCluster(["a", "b", "c"], { preVote: false });
    c.setLog("b", [1, 1]);
    const b = c.raw("b");
    c.tick("b", 9);
    b.step(vote("a", "b", 5, 0, 0));
    expect(b.status()).toMatchObject({ term: 5, vote: "" });
    b.step(vote("c", "b", 6, 0, 0));
    c.tick("b", 11); // 20 ticks since b last heard from anyone: its timeout, drawn in [10, 20), has passed
    expect(b.status()).toMatchObject({ role: "candidate", term: 7 });
  });

  it("checkQuorum: a leader cut off from the majority steps down after an election timeout (§6.2)", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.isolate("a");
    for (let i = 0; i < 25; i++) {
      c.tick("a");
      c.stabilize();
    }
    expect(c.raw("a").status()).toMatchObject({ role: "follower", term: 1, leaderId: "" });
  });

  it("after the leader dies, the others elect one of them in a later term (§5.2)", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.isolate("a");
    for (let i = 0; i < 100 && ![c.raw("b"), c.raw("c")].some((n) => n.status().role === "leader"); i++) {
      c.tick("b");
      c.tick("c");
      c.stabilize();
    }
    const leader = ["b", "c"].find((id) => c.raw(id).status().role === "leader");
    expect(leader).toBeDefined();
    expect(c.raw("b").status()).toMatchObject({ leaderId: leader, term: 2 });
    expect(c.raw("c").status()).toMatchObject({ leaderId: leader, term: 2 });
  });
});
