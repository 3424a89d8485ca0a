/**
 * The follower's side of replication: appending the leader's entries (§5.3), learning the commit
 * index from heartbeats, and installing snapshots (§7).
 *
 * Every answer to MsgApp and MsgSnap goes out only after the Ready that follows is durable: an
 * acknowledgement claims the entries are on disk, and the leader counts it toward a commit.
 */
import { assert } from "@eddy/core";

import type { MsgApp, MsgHeartbeat, MsgSnap } from "./messages.js";
import type { Raft } from "./raft.js";

export function handleAppend(r: Raft, m: MsgApp): void {
  let { prevIndex, prevTerm, entries } = m;
  const commitIndex = r.log.commitIndex;
  if (prevIndex < commitIndex) {
    // Entries up to our commit index match every leader's log (§5.4), so start checking after it.
    const skip = commitIndex - prevIndex;
    if (entries.length <= skip) return acknowledge(r, m.from, commitIndex);
    prevTerm = entries[skip - 1]!.term;
    assert(prevTerm === r.log.term(commitIndex), `committed entry ${commitIndex} differs from the leader's`);
    prevIndex = commitIndex;
    entries = entries.slice(skip);
  }
  const outcome = r.log.maybeAppend(prevIndex, prevTerm, m.commitIndex, entries);
  if (outcome === undefined) return reject(r, m);
  if (outcome.truncatedFrom !== undefined) r.confs.truncateFrom(outcome.truncatedFrom);
  r.confs.appendFrom(outcome.appended);
  acknowledge(r, m.from, outcome.lastNewIndex);
}

export function handleHeartbeat(r: Raft, m: MsgHeartbeat): void {
  r.log.commitTo(m.commitIndex);
  r.send({ type: "MsgHeartbeatResp", from: r.id, to: m.from, term: r.term });
}

export function handleSnapshot(r: Raft, m: MsgSnap): void {
  const { meta } = m.snapshot;
  if (meta.index <= r.log.commitIndex) return acknowledge(r, m.from, r.log.commitIndex);
  if (r.log.term(meta.index) === meta.term) {
    // We hold the snapshot's last entry, hence everything before it (Log Matching): no need to install.
    r.log.commitTo(meta.index);
    return acknowledge(r, m.from, meta.index);
  }
  r.log.restore(meta);
  r.confs.reset(meta.index, meta.conf);
  r.pendingSnapshot = m.snapshot;
  r.loadedForApply = [];
  acknowledge(r, m.from, meta.index);
}

function acknowledge(r: Raft, to: string, index: number): void {
  r.sendAfterPersist({
    type: "MsgAppResp",
    from: r.id,
    to,
    term: r.term,
    reject: false,
    index,
    rejectHintIndex: 0,
    rejectHintTerm: 0,
  });
}

/** The hint lets the leader skip a whole conflicting term per round trip instead of one entry. */
function reject(r: Raft, m: MsgApp): void {
  const hint = r.log.findConflictByTerm(Math.min(m.prevIndex, r.log.lastIndex), m.prevTerm);
  r.sendAfterPersist({
    type: "MsgAppResp",
    from: r.id,
    to: m.from,
    term: r.term,
    reject: true,
    index: m.prevIndex,
    rejectHintIndex: hint.index,
    rejectHintTerm: hint.term ?? 0,
  });
}
