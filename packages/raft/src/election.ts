/**
 * Leader election (§5.2) with pre-vote (dissertation §9.6).
 *
 * A pre-candidate asks whether it could win the next term before bumping its own, so a node that was
 * partitioned away, and kept timing out, cannot force the group into a new term when it returns.
 *
 * Durability: a vote is an answer that must survive a crash (a node that forgot its vote could vote
 * twice in one term), so a granted vote is sent only after the Ready carrying it is durable; and a
 * candidate counts its own vote, and so can become leader, only once the driver reports its new term
 * and self-vote durable.
 */
import type { MsgPreVote, MsgPreVoteResp, MsgVote, MsgVoteResp } from "./messages.js";
import { voteOutcome } from "./quorum.js";
import type { Raft } from "./raft.js";
import { bcastAppend } from "./send.js";

export type CampaignKind = "pre-vote" | "election" | "transfer";

export function campaign(r: Raft, kind: CampaignKind): void {
  if (!r.promotable() || r.role === "leader") return;
  if (kind === "pre-vote") return preCampaign(r);
  r.becomeCandidate();
  for (const to of r.conf.voters) {
    if (to === r.id) continue;
    const { lastIndex, lastTerm } = r.log;
    r.send({ type: "MsgVote", from: r.id, to, term: r.term, lastIndex, lastTerm, transfer: kind === "transfer" });
  }
  countSelfVote(r);
}

export function handleVoteRequest(r: Raft, m: MsgVote | MsgPreVote): void {
  // Grant if we have not voted for someone else this term (a pre-vote for a later term is not bound by
  // our vote in this one) and the candidate's log is at least as up-to-date as ours (§5.4.1).
  const canVote =
    r.vote === m.from || (r.vote === "" && r.leaderId === "") || (m.type === "MsgPreVote" && m.term > r.term);
  const grant = canVote && r.log.isUpToDate(m.lastIndex, m.lastTerm);
  if (m.type === "MsgPreVote") {
    // A granted pre-vote carries the term asked about, so the pre-candidate does not mistake it for a newer term.
    r.send({ type: "MsgPreVoteResp", from: r.id, to: m.from, term: grant ? m.term : r.term, reject: !grant });
    return;
  }
  if (grant) {
    r.electionElapsedTicks = 0;
    r.vote = m.from;
  }
  r.sendAfterPersist({ type: "MsgVoteResp", from: r.id, to: m.from, term: r.term, reject: !grant });
}

export function handleVoteResponse(r: Raft, m: MsgVoteResp | MsgPreVoteResp): void {
  const expected = r.role === "candidate" ? "MsgVoteResp" : "MsgPreVoteResp";
  if (m.type !== expected) return;
  r.votes.set(m.from, !m.reject);
  evaluateVotes(r);
}

/** The driver reported a hard state durable: a candidate's own vote now counts. */
export function hardStateDurable(r: Raft): void {
  if (r.role === "candidate") countSelfVote(r);
}

function preCampaign(r: Raft): void {
  r.becomePreCandidate();
  r.votes.set(r.id, true);
  if (voteOutcome(r.conf.voters, r.votes) === "won") return campaign(r, "election");
  for (const to of r.conf.voters) {
    if (to === r.id) continue;
    const { lastIndex, lastTerm } = r.log;
    r.send({ type: "MsgPreVote", from: r.id, to, term: r.term + 1, lastIndex, lastTerm });
  }
}

function countSelfVote(r: Raft): void {
  const durable = r.durableHardState;
  if (durable.term !== r.term || durable.vote !== r.id || r.votes.has(r.id)) return;
  r.votes.set(r.id, true);
  evaluateVotes(r);
}

function evaluateVotes(r: Raft): void {
  const outcome = voteOutcome(r.conf.voters, r.votes);
  if (outcome === "lost") return r.becomeFollower(r.term, "");
  if (outcome !== "won") return;
  if (r.role === "pre-candidate") return campaign(r, "election");
  // Won, but only lead once our own term and vote are durable: a crash before that could let us vote
  // again in the term we led.
  if (r.durableHardState.term !== r.term) return;
  r.becomeLeader();
  bcastAppend(r, true);
}
