/**
 * Handing committed entries to the driver to apply, in order and in batches of at most
 * `maxCommittedBytesPerReady`. Only entries durable on this node are handed out. Entries below the
 * in-memory window (after a restart, or behind a slow state machine) are loaded from storage first;
 * the load of the next batch is asked for while the current one is being applied.
 */
import type { PendingLoad } from "./loads.js";
import type { Raft } from "./raft.js";
import { entrySizeBytes, type Entry } from "./types.js";

type ApplyLoad = PendingLoad & { kind: "apply" };

/** The first index not yet applied nor handed out in the outstanding Ready. */
function nextToApply(r: Raft): number {
  return Math.max(r.log.appliedIndex, r.applyHandedOutIndex) + 1;
}

export function hasEntriesToApply(r: Raft): boolean {
  const next = nextToApply(r);
  return next <= r.log.applyLimit && (next >= r.log.memFirst || r.loadedForApply[0]?.index === next);
}

export function takeEntriesToApply(r: Raft): Entry[] {
  const from = nextToApply(r);
  const limit = r.log.applyLimit;
  let entries: Entry[] = [];
  if (from > limit) return entries;
  if (r.loadedForApply[0]?.index === from) entries = takeLoaded(r, limit);
  else if (from >= r.log.memFirst) entries = r.log.slice(from, limit + 1, r.cfg.maxCommittedBytesPerReady)!;
  const last = entries.at(-1);
  if (last !== undefined) r.applyHandedOutIndex = last.index;
  requestApplyLoad(r);
  return entries;
}

/** Asks for the next committed entries below the window, unless they are loaded or being loaded. */
export function requestApplyLoad(r: Raft): void {
  const next = nextToApply(r);
  // Entries a snapshot or an earlier Ready made useless must not block the next load.
  if (r.loadedForApply.length > 0 && r.loadedForApply[0]!.index !== next) r.loadedForApply = [];
  if (r.loads.applyPending || r.loadedForApply.length > 0) return;
  const limit = r.log.applyLimit;
  if (next > limit || next >= r.log.memFirst) return;
  r.loads.applyPending = true;
  const purpose: ApplyLoad = { kind: "apply", lo: next };
  r.loads.requestEntries(purpose, next, Math.min(limit + 1, r.log.memFirst), r.cfg.maxCommittedBytesPerReady);
}

export function entriesLoadedForApply(r: Raft, load: ApplyLoad, entries: readonly Entry[]): void {
  r.loads.applyPending = false;
  if (entries[0]?.index === load.lo && load.lo === nextToApply(r)) r.loadedForApply = [...entries];
}

function takeLoaded(r: Raft, limit: number): Entry[] {
  const out: Entry[] = [];
  let bytes = 0;
  let expected = nextToApply(r);
  for (const entry of r.loadedForApply) {
    bytes += entrySizeBytes(entry);
    if (entry.index !== expected || entry.index > limit) break;
    if (out.length > 0 && bytes > r.cfg.maxCommittedBytesPerReady) break;
    out.push(entry);
    expected++;
  }
  r.loadedForApply = r.loadedForApply.slice(out.length);
  return out;
}
