/**
 * What a leader knows of one follower's log (etcd raft's Progress): the highest index known to match
 * (`match`), the next index to send (`next`), and how to send it:
 * - probe: one MsgApp at a time until the follower's log is found to match (after an election or a
 *   rejection), paused until the answer or the next heartbeat response;
 * - replicate: optimistic streaming, `next` moves ahead of `match`, at most `maxInflightMessages` in flight;
 * - snapshot: the follower needs entries below the log's first index; paused until it has the snapshot.
 */
import { Inflights } from "./inflights.js";

export type ProgressState = "probe" | "replicate" | "snapshot";

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = "probe";
  /** In probe: a MsgApp was sent and is not yet answered. */
  probeSent = false;
  /** In snapshot: the index of the snapshot the follower is getting. */
  pendingSnapshotIndex = 0;
  snapshotElapsedTicks = 0;
  /**
   * How far to step back after the next rejection whose hint the leader cannot check, because its
   * own terms there are below its in-memory window: doubled each time, so finding where the logs
   * agree takes a logarithmic number of round trips (the follower skips entries it already has).
   */
  blindStepBack = 1;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  /** A load (entries or snapshot) for this follower is outstanding; 0 when none. */
  loadId = 0;
  /**
   * The term of the entry at `next - 1` when it is below the leader's in-memory window: learned from the
   * entries last sent or loaded, so the next MsgApp needs no read for its prevTerm.
   */
  prevTermHint: { index: number; term: number } | undefined;
  readonly inflights: Inflights;

  constructor(next: number, maxInflightMessages: number) {
    this.next = next;
    this.inflights = new Inflights(maxInflightMessages);
  }

  isPaused(): boolean {
    if (this.loadId !== 0) return true;
    switch (this.state) {
      case "probe":
        return this.probeSent;
      case "replicate":
        return this.inflights.full();
      case "snapshot":
        return true;
    }
  }

  becomeProbe(): void {
    // After a snapshot the follower holds at least the snapshot's index; elsewhere, resume after match.
    const next = this.state === "snapshot" ? Math.max(this.match + 1, this.pendingSnapshotIndex + 1) : this.match + 1;
    this.#reset("probe");
    this.next = next;
  }

  becomeReplicate(): void {
    this.#reset("replicate");
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.#reset("snapshot");
    this.pendingSnapshotIndex = snapshotIndex;
  }

  /** A snapshot was not acknowledged in time: try again from what the follower is known to hold. */
  snapshotTimedOut(): void {
    this.pendingSnapshotIndex = 0;
    this.becomeProbe();
  }

  /** The follower holds everything up to `index`; false when that was already known. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * The follower rejected a MsgApp whose prevIndex was `rejected`; `matchHint` is where the logs may
   * agree. False when the rejection is stale (it answers an older message).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === "replicate") {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Records a MsgApp sent with entries up to `lastIndex` (of `lastTerm`), or none. */
  sentEntries(lastIndex: number | undefined, lastTerm: number | undefined): void {
    if (this.state === "replicate") {
      if (lastIndex === undefined) return;
      this.next = lastIndex + 1;
      this.inflights.add(lastIndex);
    } else {
      this.probeSent = true;
    }
    if (lastIndex !== undefined && lastTerm !== undefined) this.prevTermHint = { index: lastIndex, term: lastTerm };
  }

  #reset(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshotIndex = 0;
    this.snapshotElapsedTicks = 0;
    this.blindStepBack = 1;
    this.inflights.reset();
  }
}
