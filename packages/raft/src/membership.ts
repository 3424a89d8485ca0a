/**
 * Membership changes, one server at a time (dissertation §4.1). The leader appends a Config entry that
 * carries the whole new configuration, which takes effect at once, on the leader and on each follower
 * as it appends the entry, committed or not; the next change waits until this one is committed. A
 * follower whose newest Config entry is overwritten falls back to the previous configuration
 * (follower.ts, via ConfHistory).
 */
import { applyConfChange, encodeConfigEntry, members, type ConfChange } from "./conf-change.js";
import type { Raft } from "./raft.js";
import { maybeCommit } from "./replication.js";
import {
  confChangeInProgress,
  invalidConfChange,
  notLeader,
  transferInProgress,
  type ConfChangeResult,
} from "./results.js";
import { bcastAppend } from "./send.js";
import { EntryType, entrySizeBytes } from "./types.js";

export function proposeConfChange(r: Raft, change: ConfChange, timestampMs: number): ConfChangeResult {
  if (r.role !== "leader") return { ok: false, error: notLeader(r.leaderId) };
  if (r.transferee !== "") return { ok: false, error: transferInProgress(r.transferee) };
  if (r.pendingConfIndex > r.log.commitIndex) return { ok: false, error: confChangeInProgress(r.pendingConfIndex) };
  const next = applyConfChange(r.conf, change);
  if (typeof next === "string") return { ok: false, error: invalidConfChange(next) };
  const data = encodeConfigEntry(change, next);
  r.uncommittedBytes += entrySizeBytes({ data });
  const entry = r.appendAsLeader(EntryType.Config, data, timestampMs);
  r.pendingConfIndex = entry.index;
  r.confs.appendFrom([entry]);
  trackMembers(r);
  bcastAppend(r, false);
  return { ok: true, index: entry.index, term: entry.term };
}

/** Keeps the leader's progress in step with the configuration: new members are probed, removed ones forgotten. */
function trackMembers(r: Raft): void {
  const now = new Set(members(r.conf));
  for (const id of now) {
    if (r.progress.has(id)) continue;
    const pr = r.newProgress(r.log.lastIndex);
    // Give a new member an election timeout to answer before checkQuorum counts it as silent.
    pr.recentActive = true;
    r.progress.set(id, pr);
  }
  for (const id of r.progress.keys()) {
    if (id === r.id || now.has(id)) continue;
    r.progress.delete(id);
    if (r.transferee === id) r.transferee = "";
  }
  // Fewer voters may already hold a majority of what is replicated.
  maybeCommit(r);
}
