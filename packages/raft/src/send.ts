/**
 * How a leader sends its log: MsgApp from each follower's `next` (from memory, or after loading older
 * entries from storage), MsgSnap when a follower needs entries below the log's first index, heartbeats,
 * and MsgTimeoutNow for a leadership transfer.
 */
import { assert } from "@eddy/core";

import type { PendingLoad } from "./loads.js";
import type { Progress } from "./progress.js";
import type { Raft } from "./raft.js";
import type { Entry, Snapshot } from "./types.js";

type ReplicateLoad = PendingLoad & { kind: "replicate" };
type SnapshotLoad = PendingLoad & { kind: "snapshot" };

/**
 * Sends `to` the entries from its `next` on, if it is not paused. False when nothing was sent (paused,
 * nothing to send and `sendIfEmpty` unset, or waiting for a load).
 */
export function sendAppend(r: Raft, to: string, sendIfEmpty: boolean): boolean {
  const pr = progressOf(r, to);
  if (pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  if (prevIndex < r.log.snapshot.index) {
    requestSnapshot(r, to, pr);
    return false;
  }
  const prevTerm = r.log.term(prevIndex) ?? hintedTerm(pr, prevIndex);
  const entries = r.log.slice(pr.next, r.log.lastIndex + 1, r.cfg.maxEntriesBytesPerMessage);
  if (prevTerm === undefined || entries === undefined) {
    requestEntries(r, to, pr, prevTerm === undefined);
    return false;
  }
  if (entries.length === 0 && !sendIfEmpty) return false;
  sendEntries(r, to, pr, prevTerm, entries);
  return true;
}

/** Sends every other member what it lacks; `sendIfEmpty` also probes those that lack nothing. */
export function bcastAppend(r: Raft, sendIfEmpty: boolean): void {
  for (const id of r.progress.keys()) if (id !== r.id) sendAppend(r, id, sendIfEmpty);
}

/**
 * Heartbeats assert leadership and carry the commit index, bounded by what each follower is known to
 * hold so that it never commits an entry it may not have (§5.3).
 */
export function bcastHeartbeat(r: Raft, quiesce = false): void {
  for (const [to, pr] of r.progress) {
    if (to === r.id) continue;
    const commitIndex = Math.min(pr.match, r.log.commitIndex);
    r.send({ type: "MsgHeartbeat", from: r.id, to, term: r.term, commitIndex, ...(quiesce ? { quiesce } : {}) });
  }
}

export function sendTimeoutNow(r: Raft, to: string): void {
  r.send({ type: "MsgTimeoutNow", from: r.id, to, term: r.term });
}

/** Entries loaded for follower `load.to` arrived: send them if they are still what it needs. */
export function entriesLoadedForFollower(r: Raft, id: number, load: ReplicateLoad, entries: readonly Entry[]): void {
  const pr = r.progress.get(load.to);
  if (r.role !== "leader" || r.term !== load.term || pr === undefined || pr.loadId !== id) return;
  pr.loadId = 0;
  const current = load.epoch === r.log.epoch && pr.next === load.next;
  if (!current || entries[0]?.index !== load.lo) {
    // Stale (the follower moved on) or gone (compacted meanwhile): decide again from what is known now.
    assert(
      !current || load.lo <= r.log.snapshot.index,
      `storage returned no entry at ${load.lo}: was it trimmed without compactLog?`,
    );
    sendAppend(r, load.to, false);
    return;
  }
  assert(entries.at(-1)!.index === load.lo + entries.length - 1, "loaded entries must be contiguous");
  const withPrev = load.lo === pr.next - 1;
  const prevTerm = withPrev ? entries[0].term : (r.log.term(pr.next - 1) ?? hintedTerm(pr, pr.next - 1));
  const toSend = withPrev ? entries.slice(1) : entries;
  if (prevTerm === undefined) {
    sendAppend(r, load.to, false);
    return;
  }
  if (toSend.length === 0 && pr.next <= r.log.lastIndex) {
    // Only the previous entry fit: remember its term, and load the entries themselves next.
    pr.prevTermHint = { index: pr.next - 1, term: prevTerm };
    sendAppend(r, load.to, false);
    return;
  }
  sendEntries(r, load.to, pr, prevTerm, toSend);
  while (sendAppend(r, load.to, false));
}

/** The driver handed over a snapshot for follower `load.to`. */
export function snapshotLoadedForFollower(r: Raft, id: number, load: SnapshotLoad, snapshot: Snapshot): void {
  const pr = r.progress.get(load.to);
  if (r.role !== "leader" || r.term !== load.term || pr === undefined || pr.loadId !== id) return;
  pr.loadId = 0;
  if (pr.state !== "snapshot") return;
  const { meta } = snapshot;
  assert(meta.index <= r.log.lastIndex, "snapshot beyond the leader's log");
  // The driver may not have stored the snapshot of its latest compaction yet: ask again later.
  if (meta.index < pr.pendingSnapshotIndex) return pr.snapshotTimedOut();
  pr.pendingSnapshotIndex = meta.index;
  pr.snapshotElapsedTicks = 0;
  r.send({ type: "MsgSnap", from: r.id, to: load.to, term: r.term, snapshot });
}

function sendEntries(r: Raft, to: string, pr: Progress, prevTerm: number, entries: readonly Entry[]): void {
  r.send({
    type: "MsgApp",
    from: r.id,
    to,
    term: r.term,
    prevIndex: pr.next - 1,
    prevTerm,
    entries,
    commitIndex: r.log.commitIndex,
  });
  const last = entries.at(-1);
  pr.sentEntries(last?.index, last?.term);
}

/** Asks the driver for the entries `to` needs (and the one before them, for its term, when unknown). */
function requestEntries(r: Raft, to: string, pr: Progress, withPrev: boolean): void {
  const lo = withPrev ? pr.next - 1 : pr.next;
  const hi = Math.max(lo + 1, Math.min(r.log.lastIndex + 1, r.log.memFirst));
  const purpose: ReplicateLoad = { kind: "replicate", to, term: r.term, next: pr.next, lo, epoch: r.log.epoch };
  pr.loadId = r.loads.requestEntries(purpose, lo, hi, r.cfg.maxEntriesBytesPerMessage);
}

/** The follower needs entries below the first index: it gets the state at the compaction point instead (§7). */
function requestSnapshot(r: Raft, to: string, pr: Progress): void {
  pr.becomeSnapshot(r.log.snapshot.index);
  pr.loadId = r.loads.requestSnapshot({ kind: "snapshot", to, term: r.term }, r.log.snapshot.index);
}

function hintedTerm(pr: Progress, index: number): number | undefined {
  return pr.prevTermHint?.index === index ? pr.prevTermHint.term : undefined;
}

function progressOf(r: Raft, id: string): Progress {
  const pr = r.progress.get(id);
  assert(pr !== undefined, `no progress for ${id}`);
  return pr;
}
