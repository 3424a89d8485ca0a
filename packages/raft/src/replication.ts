/**
 * The leader's side of log replication (§5.3): proposals, the answers of followers, and the commit rule.
 *
 * The commit rule, exactly: an index is committed when a majority of the voters hold it durably, where
 * the leader counts itself only once the driver has reported its own write durable (`advance`), and
 * only entries of the leader's current term are committed by counting (§5.4.2); earlier ones commit
 * with them. So with three voters the leader commits with its own durable write and one follower's, or
 * with two followers' while its own write is still being flushed, but never on its own write plus a
 * follower's append that is not yet durable.
 */
import { EntryType, entrySizeBytes, type Entry } from "./types.js";
import type { MsgAppResp, MsgHeartbeatResp } from "./messages.js";
import type { Progress } from "./progress.js";
import { quorumMatchIndex, quorumSize } from "./quorum.js";
import type { Raft } from "./raft.js";
import { notLeader, transferInProgress, uncommittedLimitExceeded, type ProposeResult } from "./results.js";
import { bcastAppend, sendAppend, sendTimeoutNow } from "./send.js";

export function propose(r: Raft, data: Uint8Array, timestampMs: number, type: EntryType): ProposeResult {
  if (r.role !== "leader") return { ok: false, error: notLeader(r.leaderId) };
  if (r.transferee !== "") return { ok: false, error: transferInProgress(r.transferee) };
  const bytes = entrySizeBytes({ data });
  // Over the limit only when something is already pending, so that one large entry can always go.
  if (r.uncommittedBytes > 0 && r.uncommittedBytes + bytes > r.cfg.maxUncommittedEntriesBytes) {
    return { ok: false, error: uncommittedLimitExceeded(r.uncommittedBytes, r.cfg.maxUncommittedEntriesBytes) };
  }
  r.uncommittedBytes += bytes;
  const entry = r.appendAsLeader(type, data, timestampMs);
  bcastAppend(r, false);
  return { ok: true, index: entry.index, term: entry.term };
}

export function handleAppendResponse(r: Raft, m: MsgAppResp): void {
  const pr = r.progress.get(m.from);
  if (pr === undefined) return; // no longer a member
  pr.recentActive = true;
  if (m.reject) return handleRejection(r, m, pr);
  if (!pr.maybeUpdate(m.index) && !(pr.match === m.index && pr.state === "probe")) return;
  if (pr.state === "probe") pr.becomeReplicate();
  else if (pr.state === "snapshot" && pr.match + 1 >= r.log.firstIndex) {
    pr.becomeProbe();
    pr.becomeReplicate();
  } else if (pr.state === "replicate") pr.inflights.freeLE(m.index);
  maybeCommit(r);
  if (r.role !== "leader") return; // it committed its own removal and stepped down
  while (sendAppend(r, m.from, false));
  if (m.from === r.transferee && pr.match === r.log.lastIndex) sendTimeoutNow(r, m.from);
}

export function handleHeartbeatResponse(r: Raft, m: MsgHeartbeatResp): void {
  const pr = r.progress.get(m.from);
  if (pr === undefined) return;
  pr.recentActive = true;
  pr.probeSent = false;
  // If every message in the window was lost, free one slot so that an append goes out and the
  // follower's answer (a rejection, if there is a gap) restarts the flow.
  if (pr.state === "replicate" && pr.inflights.full()) pr.inflights.freeFirstOne();
  if (pr.match < r.log.lastIndex || pr.state === "probe") sendAppend(r, m.from, true);
}

/** The driver made the leader's own entries durable: it now counts toward the commit. */
export function selfDurable(r: Raft): void {
  if (r.role !== "leader") return;
  r.progress.get(r.id)!.maybeUpdate(r.log.durableIndex);
  maybeCommit(r);
}

/** Advances the commit index to what a majority of voters durably holds, if that is of this term. */
export function maybeCommit(r: Raft): boolean {
  const index = quorumMatchIndex(r.conf.voters, (id) => r.progress.get(id)?.match ?? 0);
  if (index <= r.log.commitIndex || r.log.term(index) !== r.term) return false;
  const previous = r.log.commitIndex;
  r.log.commitTo(index);
  committed(r, previous);
  return true;
}

/** Whether a majority of voters has been heard from since the last check (§6.2, checkQuorum). */
export function quorumActive(r: Raft): boolean {
  let active = 0;
  for (const id of r.conf.voters) {
    const pr = r.progress.get(id);
    if (id === r.id || pr?.recentActive === true) active++;
  }
  for (const [id, pr] of r.progress) pr.recentActive = id === r.id;
  return active >= quorumSize(r.conf.voters.length);
}

function handleRejection(r: Raft, m: MsgAppResp, pr: Progress): void {
  let hint = m.rejectHintIndex;
  let blind = false;
  if (m.rejectHintTerm > 0) {
    // Skip to the last entry of ours whose term is at most the follower's there.
    const found = r.log.findConflictByTerm(Math.min(m.rejectHintIndex, r.log.lastIndex), m.rejectHintTerm);
    hint = found.index;
    blind = found.term === undefined;
  }
  if (blind) hint = Math.max(0, hint - pr.blindStepBack);
  if (!pr.maybeDecrTo(m.index, hint)) return;
  if (blind) pr.blindStepBack *= 2;
  if (pr.state === "replicate") pr.becomeProbe();
  sendAppend(r, m.from, true);
}

function committed(r: Raft, previous: number): void {
  for (let index = previous + 1; index <= r.log.commitIndex; index++) releaseUncommitted(r, r.log.entry(index));
  // A leader removed from the configuration manages the group until the removal commits, then steps
  // down (dissertation §4.2.2).
  if (!r.promotable() && r.log.commitIndex >= r.confs.currentIndex) r.becomeFollower(r.term, "");
}

function releaseUncommitted(r: Raft, entry: Entry | undefined): void {
  if (entry === undefined || entry.term !== r.term || entry.type === EntryType.Noop) return;
  r.uncommittedBytes = Math.max(0, r.uncommittedBytes - entrySizeBytes(entry));
}
