/**
 * What a node does with a message or a tick: the term rules that apply to every message first
 * (§5.1: a newer term makes a node a follower, an older one is stale), then the handler of its role.
 */
import { assert } from "@eddy/core";

import { campaign, handleVoteRequest, handleVoteResponse } from "./election.js";
import { handleAppend, handleHeartbeat, handleSnapshot } from "./follower.js";
import type { Message } from "./messages.js";
import type { Raft } from "./raft.js";
import { handleAppendResponse, handleHeartbeatResponse, quorumActive } from "./replication.js";
import { bcastHeartbeat } from "./send.js";
import { tickTransfer } from "./transfer.js";

/** A snapshot not acknowledged within this many election timeouts is sent again. */
const SNAPSHOT_TIMEOUT_ELECTIONS = 2;

export function step(r: Raft, m: Message): void {
  assert(m.to === r.id, `message for ${m.to} stepped into ${r.id}`);
  // Anything but the quiet group's own chatter means something is going on: wake up.
  if (r.quiesced && m.type !== "MsgHeartbeatResp" && !(m.type === "MsgHeartbeat" && m.quiesce)) r.quiesced = false;
  if (m.term > r.term && !acceptNewerTerm(r, m)) return;
  if (m.term < r.term) return answerStaleTerm(r, m);
  if (m.type === "MsgVote" || m.type === "MsgPreVote") return handleVoteRequest(r, m);
  switch (r.role) {
    case "leader":
      return stepLeader(r, m);
    case "candidate":
    case "pre-candidate":
      return stepCandidate(r, m);
    case "follower":
      return stepFollower(r, m);
  }
}

export function tick(r: Raft): void {
  if (r.role === "leader") tickLeader(r);
  else tickElection(r);
}

/** False when the message is to be ignored. */
function acceptNewerTerm(r: Raft, m: Message): boolean {
  if (m.type === "MsgVote" || m.type === "MsgPreVote") {
    // Leader stickiness (§4.2.3): while our leader is alive, nobody else is elected, however high its
    // term; unless our leader itself asked for the election (a transfer).
    const transfer = m.type === "MsgVote" && m.transfer;
    if (!transfer && r.inLease()) return false;
    if (m.type === "MsgPreVote") return true; // a pre-vote never changes our term
  }
  // A granted pre-vote carries the term the pre-candidate will campaign in; it bumps it itself when it wins.
  if (m.type === "MsgPreVoteResp" && !m.reject) return true;
  const fromLeader = m.type === "MsgApp" || m.type === "MsgHeartbeat" || m.type === "MsgSnap";
  const electionElapsedTicks = r.electionElapsedTicks;
  r.becomeFollower(m.term, fromLeader ? m.from : "");
  // Only hearing from a leader or granting a vote restarts the election timer (§5.2), not a newer
  // term alone: else candidates with stale logs, campaigning in turn, starve the node that could win.
  if (m.type === "MsgVote") r.electionElapsedTicks = electionElapsedTicks;
  return true;
}

function answerStaleTerm(r: Raft, m: Message): void {
  if (m.type === "MsgApp" || m.type === "MsgHeartbeat") {
    // A leader that was cut off keeps its old term; with leader stickiness and pre-vote nothing else
    // may ever tell it about ours, so answer, and it steps down.
    r.sendAfterPersist({
      type: "MsgAppResp",
      from: r.id,
      to: m.from,
      term: r.term,
      reject: true,
      index: 0,
      rejectHintIndex: 0,
      rejectHintTerm: 0,
    });
  } else if (m.type === "MsgPreVote") {
    r.send({ type: "MsgPreVoteResp", from: r.id, to: m.from, term: r.term, reject: true });
  }
}

function stepLeader(r: Raft, m: Message): void {
  switch (m.type) {
    case "MsgAppResp":
      return handleAppendResponse(r, m);
    case "MsgHeartbeatResp":
      return handleHeartbeatResponse(r, m);
    case "MsgApp":
    case "MsgHeartbeat":
    case "MsgSnap":
      assert(false, `two leaders in term ${r.term}: ${r.id} and ${m.from}`);
    default:
      return; // late answers to our campaign
  }
}

function stepCandidate(r: Raft, m: Message): void {
  switch (m.type) {
    case "MsgApp":
    case "MsgHeartbeat":
    case "MsgSnap":
      // Someone won this term.
      r.becomeFollower(r.term, m.from);
      return stepFollower(r, m);
    case "MsgVoteResp":
    case "MsgPreVoteResp":
      return handleVoteResponse(r, m);
    default:
      return;
  }
}

function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case "MsgApp":
      heardFromLeader(r, m.from);
      return handleAppend(r, m);
    case "MsgHeartbeat":
      heardFromLeader(r, m.from);
      handleHeartbeat(r, m);
      if (m.quiesce && r.cfg.quiesce) r.quiesced = true;
      return;
    case "MsgSnap":
      heardFromLeader(r, m.from);
      return handleSnapshot(r, m);
    case "MsgTimeoutNow":
      return campaign(r, "transfer");
    default:
      return;
  }
}

function heardFromLeader(r: Raft, leaderId: string): void {
  r.electionElapsedTicks = 0;
  r.leaderId = leaderId;
}

function tickElection(r: Raft): void {
  if (r.quiesced) return;
  r.electionElapsedTicks++;
  if (!r.promotable() || r.electionElapsedTicks < r.randomizedElectionTimeoutTicks) return;
  r.electionElapsedTicks = 0;
  campaign(r, r.cfg.preVote ? "pre-vote" : "election");
}

function tickLeader(r: Raft): void {
  if (r.quiesced) {
    // Quiet: no heartbeats and no quorum check (nobody answers what was not sent).
    r.electionElapsedTicks = 0;
    return;
  }
  r.heartbeatElapsedTicks++;
  r.electionElapsedTicks++;
  if (r.electionElapsedTicks >= r.cfg.electionTimeoutTicks) {
    r.electionElapsedTicks = 0;
    // §6.2: a leader that cannot reach a majority steps down, so that clients look for the new one.
    if (r.cfg.checkQuorum && !quorumActive(r)) return r.becomeFollower(r.term, "");
  }
  tickTransfer(r);
  tickSnapshots(r);
  if (r.heartbeatElapsedTicks >= r.cfg.heartbeatIntervalTicks) {
    r.heartbeatElapsedTicks = 0;
    const quiesce = canQuiesce(r);
    if (quiesce) r.quiesced = true;
    bcastHeartbeat(r, quiesce);
  }
}

/**
 * A leader may go quiet when nothing is in motion: every member (this node included) holds the whole log
 * durably and has answered lately, everything is committed, and no transfer, snapshot or membership
 * change is under way. Its last heartbeat then carries the full commit index to every member.
 */
function canQuiesce(r: Raft): boolean {
  if (!r.cfg.quiesce || r.transferee !== "" || r.pendingConfIndex > r.log.commitIndex) return false;
  const lastIndex = r.log.lastIndex;
  if (r.log.commitIndex !== lastIndex) return false;
  for (const [id, pr] of r.progress) {
    if (pr.match !== lastIndex || pr.state !== "replicate") return false;
    if (id !== r.id && !pr.recentActive) return false;
  }
  return true;
}

/** A MsgSnap may be lost like any message; one not acknowledged in time is sent again. */
function tickSnapshots(r: Raft): void {
  for (const pr of r.progress.values()) {
    if (pr.state !== "snapshot" || pr.loadId !== 0) continue;
    pr.snapshotElapsedTicks++;
    if (pr.snapshotElapsedTicks >= SNAPSHOT_TIMEOUT_ELECTIONS * r.cfg.electionTimeoutTicks) pr.snapshotTimedOut();
  }
}
