/**
 * RawNode: a Raft node as a step function, in the shape of etcd raft's RawNode. Ticks, messages,
 * proposals and load results go in; nothing inside waits or does I/O. What to persist, send, apply and
 * load comes out in a Ready; the driver processes it and calls `advance`.
 *
 * The Ready contract (README.md has the whole of it):
 * 1. `snapshot`, `entries` and `hardState` are written, in that order, in one atomic write; synced
 *    when `mustSync` is set. `entries` may start below the last stored index: they replace the stored
 *    suffix from their first index on.
 * 2. `messages` may be sent at once, even before (1) is done: this is how a leader sends new entries
 *    to its followers while its own write is being flushed.
 * 3. `messagesAfterPersist` are sent only once (1) is durable: they are acknowledgements and votes.
 * 4. `committedEntries` are applied in order (they are already durable here), after `snapshot` is
 *    installed into the state machine.
 * 5. `entryLoads` and `snapshotLoads` are read from storage, in any order and at any time, and each is
 *    answered with `entriesLoaded` / `snapshotLoaded` (an empty answer when the data is gone).
 * 6. Then `advance(ready)`. Only then does the next Ready come: `ready()` may not be called while one
 *    is outstanding. Ticks, messages and proposals may be stepped in at any time in between.
 */
import { assert } from "@eddy/core";

import { entriesLoadedForApply, hasEntriesToApply, requestApplyLoad, takeEntriesToApply } from "./apply.js";
import type { ConfChange } from "./conf-change.js";
import { resolveRaftConfig, type RaftConfig } from "./config.js";
import { campaign, hardStateDurable } from "./election.js";
import type { EntryLoad, SnapshotLoad } from "./loads.js";
import type { Message } from "./messages.js";
import { proposeConfChange } from "./membership.js";
import type { ProgressState } from "./progress.js";
import { Raft, type Role } from "./raft.js";
import { propose, selfDurable } from "./replication.js";
import type { ConfChangeResult, ProposeResult, TransferResult } from "./results.js";
import { entriesLoadedForFollower, snapshotLoadedForFollower } from "./send.js";
import { step, tick } from "./step.js";
import { transferLeadership } from "./transfer.js";
import {
  EntryType,
  type ConfState,
  type Entry,
  type HardState,
  type RestoredState,
  type Snapshot,
  type SnapshotMeta,
} from "./types.js";

/** What a node is, not persisted. */
export interface SoftState {
  readonly role: Role;
  readonly leaderId: string;
}

export interface Ready {
  /** Set when the role or the known leader changed. */
  readonly softState: SoftState | undefined;
  /** Set when term, vote or commit index changed: persist it. */
  readonly hardState: HardState | undefined;
  /** A snapshot this follower accepted: persist it (it replaces the whole log) and install it. */
  readonly snapshot: Snapshot | undefined;
  /** Entries to persist, replacing any stored ones from the first entry's index on. */
  readonly entries: readonly Entry[];
  /** Committed entries to apply, in order; all durable on this node. */
  readonly committedEntries: readonly Entry[];
  /** Send now. */
  readonly messages: readonly Message[];
  /** Send only once snapshot, entries and hard state of this Ready are durable. */
  readonly messagesAfterPersist: readonly Message[];
  /** Entries to read from storage and hand back with `entriesLoaded`. */
  readonly entryLoads: readonly EntryLoad[];
  /** Snapshots to hand over with `snapshotLoaded`. */
  readonly snapshotLoads: readonly SnapshotLoad[];
  /** The write must be synced: it holds entries, a snapshot, or a new term or vote. */
  readonly mustSync: boolean;
}

export interface FollowerStatus {
  readonly id: string;
  readonly match: number;
  readonly next: number;
  readonly state: ProgressState;
  readonly recentActive: boolean;
}

export interface RaftStatus {
  readonly id: string;
  readonly term: number;
  readonly vote: string;
  readonly role: Role;
  readonly leaderId: string;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly lastTerm: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly durableIndex: number;
  readonly conf: ConfState;
  readonly transferee: string;
  readonly uncommittedBytes: number;
  readonly inMemoryLogBytes: number;
  /** Leader only: each member's progress (this node's match is its durable index). */
  readonly progress: readonly FollowerStatus[];
}

export class RawNode {
  readonly #raft: Raft;
  #prevSoftState: SoftState;
  #prevHardState: HardState;
  #outstanding: Ready | undefined;

  /**
   * `random` returns uniformly distributed numbers in [0, 1) from a seeded generator: it randomizes the
   * election timeouts, and nothing else.
   */
  constructor(config: RaftConfig, restored: RestoredState, random: () => number) {
    this.#raft = new Raft(resolveRaftConfig(config), restored, random);
    this.#prevSoftState = this.#softState();
    this.#prevHardState = restored.hardState;
  }

  get id(): string {
    return this.#raft.id;
  }

  /** The node's internals, for the simulator and tests in this package; never to be changed from outside. */
  get internals(): Raft {
    return this.#raft;
  }

  /** Advances the node's logical clock by one tick (heartbeats, election timeouts). */
  tick(): void {
    tick(this.#raft);
  }

  step(message: Message): void {
    step(this.#raft, message);
  }

  /** Starts an election now (with a pre-vote first when enabled); no-op on a leader, learner or removed node. */
  campaign(): void {
    campaign(this.#raft, this.#raft.cfg.preVote ? "pre-vote" : "election");
  }

  /**
   * Appends an entry to the leader's log. It is committed when an entry with the returned index and
   * term comes out in `committedEntries`; one with the same index and another term means it was lost.
   * `timestampMs` is the leader's clock; timestamps never decrease along the log. The log keeps
   * `data` as given: the caller must not change it afterwards.
   */
  propose(
    data: Uint8Array,
    timestampMs = 0,
    type: EntryType.Records | EntryType.Noop = EntryType.Records,
  ): ProposeResult {
    assert((type as EntryType) !== EntryType.Config, "configuration changes go through proposeConfChange");
    this.#raft.quiesced = false;
    return propose(this.#raft, data, timestampMs, type);
  }

  /** Proposes one membership change; refused while another is not yet committed. */
  proposeConfChange(change: ConfChange, timestampMs = 0): ConfChangeResult {
    this.#raft.quiesced = false;
    return proposeConfChange(this.#raft, change, timestampMs);
  }

  /** Hands leadership to voter `to` once its log is up to date; proposals are refused meanwhile. */
  transferLeadership(to: string): TransferResult {
    this.#raft.quiesced = false;
    return transferLeadership(this.#raft, to);
  }

  /**
   * Wakes a quiet group (see RaftConfig.quiesce). The host calls it when its failure detector says the
   * leader's node stopped answering: with `leaderSuspected`, a follower also stops deferring to that
   * leader at once (its lease is over), so it campaigns within one randomized election timeout and
   * the others grant their votes.
   */
  unquiesce(leaderSuspected: boolean): void {
    const r = this.#raft;
    r.quiesced = false;
    if (leaderSuspected && r.role !== "leader") {
      r.electionElapsedTicks = Math.max(r.electionElapsedTicks, r.cfg.electionTimeoutTicks);
    }
  }

  /** Whether the group is quiet: no heartbeats, no election timer. */
  get quiesced(): boolean {
    return this.#raft.quiesced;
  }

  /** The answer to `entryLoads[i]` with this id: the entries read, or none when they are gone. */
  entriesLoaded(loadId: number, entries: readonly Entry[]): void {
    const r = this.#raft;
    const load = r.loads.settle(loadId);
    if (load === undefined) return;
    assert(load.kind !== "snapshot", `load ${loadId} asked for a snapshot, not entries`);
    if (load.kind === "replicate") return entriesLoadedForFollower(r, loadId, load, entries);
    entriesLoadedForApply(r, load, entries);
  }

  /** The answer to `snapshotLoads[i]` with this id: the latest snapshot, at or above its `minIndex`. */
  snapshotLoaded(loadId: number, snapshot: Snapshot): void {
    const r = this.#raft;
    const load = r.loads.settle(loadId);
    if (load === undefined) return;
    assert(load.kind === "snapshot", `load ${loadId} asked for entries, not a snapshot`);
    snapshotLoadedForFollower(r, loadId, load, snapshot);
  }

  /**
   * The driver took a snapshot at `index` or trims the log up to it by retention (index <= applied).
   * Call this before dropping the entries from storage, and persist the returned metadata with the
   * snapshot: it holds the configuration in effect at `index`, which a follower installing it needs.
   * `term` is the entry's at `index`. Undefined when the log already starts after `index` (for
   * instance, a snapshot from the leader is being installed): then there is nothing to compact.
   */
  compactLog(index: number, term: number): SnapshotMeta | undefined {
    const r = this.#raft;
    if (index <= r.log.snapshot.index) return undefined;
    r.log.compact(index, term, r.confs.confAt(index));
    r.confs.compact(index);
    return r.log.snapshot;
  }

  hasReady(): boolean {
    if (this.#outstanding !== undefined) return false;
    requestApplyLoad(this.#raft);
    const r = this.#raft;
    return (
      !sameSoftState(this.#softState(), this.#prevSoftState) ||
      !sameHardState(r.hardState(), this.#prevHardState) ||
      r.pendingSnapshot !== undefined ||
      r.log.hasUnstable() ||
      r.msgs.length > 0 ||
      r.msgsAfterPersist.length > 0 ||
      r.loads.hasRequests ||
      hasEntriesToApply(r)
    );
  }

  ready(): Ready {
    assert(this.#outstanding === undefined, "ready() called again before advance()");
    requestApplyLoad(this.#raft);
    const r = this.#raft;
    const softState = this.#softState();
    const hardState = r.hardState();
    const softChanged = !sameSoftState(softState, this.#prevSoftState);
    const hardChanged = !sameHardState(hardState, this.#prevHardState);
    const entries = r.log.hasUnstable() ? r.log.takeUnstable() : [];
    const snapshot = r.pendingSnapshot;
    const voteChanged = hardState.term !== this.#prevHardState.term || hardState.vote !== this.#prevHardState.vote;
    const ready: Ready = {
      softState: softChanged ? softState : undefined,
      hardState: hardChanged ? hardState : undefined,
      snapshot,
      entries,
      committedEntries: takeEntriesToApply(r),
      messages: r.msgs,
      messagesAfterPersist: r.msgsAfterPersist,
      ...r.loads.takeRequests(),
      mustSync: entries.length > 0 || snapshot !== undefined || voteChanged,
    };
    r.msgs = [];
    r.msgsAfterPersist = [];
    r.pendingSnapshot = undefined;
    this.#prevSoftState = softState;
    this.#prevHardState = hardState;
    this.#outstanding = ready;
    return ready;
  }

  /** The driver persisted, sent, applied and started the loads of `ready`, as the contract says. */
  advance(ready: Ready): void {
    assert(ready === this.#outstanding, "advance() must get the Ready that ready() returned last");
    this.#outstanding = undefined;
    const r = this.#raft;
    const lastEntry = ready.entries.at(-1);
    if (lastEntry !== undefined) r.log.persistedTo(lastEntry.index);
    if (ready.hardState !== undefined) r.durableHardState = ready.hardState;
    const lastApplied = ready.committedEntries.at(-1);
    // A snapshot installed meanwhile moved the applied index past these.
    if (lastApplied !== undefined && lastApplied.index > r.log.appliedIndex) r.log.appliedTo(lastApplied.index);
    if (lastEntry !== undefined || ready.snapshot !== undefined) selfDurable(r);
    if (ready.hardState !== undefined) hardStateDurable(r);
    r.log.trimMemory(r.cfg.maxInMemoryLogBytes);
  }

  status(): RaftStatus {
    const r = this.#raft;
    const progress = [...r.progress].map(([id, pr]) => ({
      id,
      match: pr.match,
      next: pr.next,
      state: pr.state,
      recentActive: pr.recentActive,
    }));
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      role: r.role,
      leaderId: r.leaderId,
      firstIndex: r.log.firstIndex,
      lastIndex: r.log.lastIndex,
      lastTerm: r.log.lastTerm,
      commitIndex: r.log.commitIndex,
      appliedIndex: r.log.appliedIndex,
      durableIndex: r.log.durableIndex,
      conf: r.conf,
      transferee: r.transferee,
      uncommittedBytes: r.uncommittedBytes,
      inMemoryLogBytes: r.log.memBytes,
      progress,
    };
  }

  #softState(): SoftState {
    return { role: this.#raft.role, leaderId: this.#raft.leaderId };
  }
}

function sameSoftState(a: SoftState, b: SoftState): boolean {
  return a.role === b.role && a.leaderId === b.leaderId;
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commitIndex === b.commitIndex;
}
