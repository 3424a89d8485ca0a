/**
 * The state of one Raft node and its role transitions (follower, pre-candidate, candidate, leader).
 * What the node does with messages and ticks lives in the modules beside this one, one concern each
 * (step.ts dispatches); the driver-facing API is RawNode.
 */
import { assert } from "@eddy/core";

import { isVoter, members } from "./conf-change.js";
import { ConfHistory } from "./conf-history.js";
import type { ResolvedRaftConfig } from "./config.js";
import { LoadBook } from "./loads.js";
import { RaftLog } from "./log.js";
import type { Message } from "./messages.js";
import { Progress } from "./progress.js";
import { EntryType, type ConfState, type Entry, type HardState, type RestoredState, type Snapshot } from "./types.js";

export type Role = "follower" | "pre-candidate" | "candidate" | "leader";

const NO_DATA = new Uint8Array(0);

export class Raft {
  readonly id: string;
  readonly cfg: ResolvedRaftConfig;
  readonly log: RaftLog;
  readonly confs: ConfHistory;
  readonly #random: () => number;

  term: number;
  /** Whom this node voted for in `term`; "" for nobody. */
  vote: string;
  role: Role = "follower";
  /** The leader of `term` as far as this node knows; "" when unknown. */
  leaderId = "";

  electionElapsedTicks = 0;
  heartbeatElapsedTicks = 0;
  /** The group is idle and quiet: no heartbeats from a leader, no election timer on a follower. */
  quiesced = false;
  randomizedElectionTimeoutTicks = 0;

  /** Leader only: one per member, this node included (its match is its durable index). */
  readonly progress = new Map<string, Progress>();
  /** Candidate and pre-candidate: the answers so far. */
  readonly votes = new Map<string, boolean>();

  /** Leader only: the voter leadership is being handed to, "" when none (§3.10). */
  transferee = "";
  transferElapsedTicks = 0;
  /** Leader only: index of the newest Config entry it may not yet see committed. */
  pendingConfIndex = 0;
  /** Leader only: bytes of this term's proposals not yet committed (backpressure). */
  uncommittedBytes = 0;

  /** Messages that may be sent at once. */
  msgs: Message[] = [];
  /** Messages that may only be sent once the next Ready's entries, hard state and snapshot are durable. */
  msgsAfterPersist: Message[] = [];
  readonly loads = new LoadBook();
  /** A snapshot this follower accepted, to hand to the driver with the next Ready. */
  pendingSnapshot: Snapshot | undefined;
  /** Committed entries loaded from storage, to apply. */
  loadedForApply: Entry[] = [];
  /** The last committed entry handed out to apply (with the outstanding Ready, if any). */
  applyHandedOutIndex = 0;
  /** The hard state the driver last reported durable. */
  durableHardState: HardState;

  constructor(cfg: ResolvedRaftConfig, restored: RestoredState, random: () => number) {
    this.id = cfg.id;
    this.cfg = cfg;
    this.#random = random;
    this.log = new RaftLog(restored);
    for (const entry of restored.configEntries) {
      assert(
        entry.type === EntryType.Config && entry.index <= restored.lastIndex,
        "restored configEntries must be Config entries of the log",
      );
    }
    this.confs = new ConfHistory(
      { index: restored.snapshot.index, conf: restored.snapshot.conf },
      restored.configEntries,
    );
    this.term = restored.hardState.term;
    this.vote = restored.hardState.vote;
    this.durableHardState = restored.hardState;
    this.resetRandomizedElectionTimeout();
  }

  get conf(): ConfState {
    return this.confs.current;
  }

  /**
   * Only voters campaign: a learner or a removed node never disrupts the group. A node counts as one
   * while it is a voter in its newest configuration or in its newest committed one: a node whose log
   * ends with an uncommitted entry removing it must still be able to lead, or a group whose leaders
   * died right after appending such entries could be left with nobody up-to-date willing to
   * campaign. Such a leader counts no vote of its own, and steps down once that entry commits.
   */
  promotable(): boolean {
    return isVoter(this.conf, this.id) || isVoter(this.confs.confAt(this.log.commitIndex), this.id);
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commitIndex: this.log.commitIndex };
  }

  send(message: Message): void {
    this.msgs.push(message);
  }

  sendAfterPersist(message: Message): void {
    this.msgsAfterPersist.push(message);
  }

  /**
   * A leader is trusted for an election timeout after it was last heard from: a node in that window
   * ignores requests to elect someone else (leader stickiness, dissertation §4.2.3). This is what
   * keeps a removed node, which hears from nobody and so keeps campaigning, from disrupting the group.
   */
  inLease(): boolean {
    return this.leaderId !== "" && this.electionElapsedTicks < this.cfg.electionTimeoutTicks;
  }

  becomeFollower(term: number, leaderId: string): void {
    this.#reset(term);
    this.role = "follower";
    this.leaderId = leaderId;
  }

  becomePreCandidate(): void {
    assert(this.role !== "leader", "a leader does not campaign");
    // A pre-candidate keeps its term and vote: a pre-vote changes nothing durable (§9.6).
    this.role = "pre-candidate";
    this.leaderId = "";
    this.votes.clear();
    this.progress.clear();
  }

  becomeCandidate(): void {
    assert(this.role !== "leader", "a leader does not campaign");
    this.#reset(this.term + 1);
    this.vote = this.id;
    this.role = "candidate";
  }

  becomeLeader(): void {
    assert(this.role === "candidate", `only a candidate becomes leader (was ${this.role})`);
    this.#reset(this.term);
    this.role = "leader";
    this.leaderId = this.id;
    for (const id of [this.id, ...members(this.conf)]) this.progress.set(id, this.newProgress(this.log.lastIndex + 1));
    const self = this.progress.get(this.id)!;
    self.match = this.log.durableIndex;
    self.becomeReplicate();
    self.recentActive = true;
    // The predecessor may have left an uncommitted Config entry; no new change until this term commits.
    this.pendingConfIndex = this.log.lastIndex;
    // A leader commits entries of earlier terms only by committing one of its own (§5.4.2).
    this.appendAsLeader(EntryType.Noop, NO_DATA, this.log.lastTimestampMs);
  }

  newProgress(next: number): Progress {
    return new Progress(next, this.cfg.maxInflightMessages);
  }

  /** Appends an entry of this leader's term; timestamps never decrease along the log. */
  appendAsLeader(type: EntryType, data: Uint8Array, timestampMs: number): Entry {
    assert(this.role === "leader", "only a leader appends its own entries");
    const entry: Entry = {
      index: this.log.lastIndex + 1,
      term: this.term,
      type,
      timestampMs: Math.max(timestampMs, this.log.lastTimestampMs),
      data,
    };
    this.log.appendAsLeader(entry);
    return entry;
  }

  resetRandomizedElectionTimeout(): void {
    const base = this.cfg.electionTimeoutTicks;
    // Randomized in [T, 2T) so that split votes are rare (§5.2).
    this.randomizedElectionTimeoutTicks = base + Math.min(base - 1, Math.floor(this.#random() * base));
  }

  #reset(term: number): void {
    if (term !== this.term) {
      assert(term > this.term, `term must not go backwards (${this.term} -> ${term})`);
      this.term = term;
      this.vote = "";
    }
    this.leaderId = "";
    this.electionElapsedTicks = 0;
    this.heartbeatElapsedTicks = 0;
    this.quiesced = false;
    this.resetRandomizedElectionTimeout();
    this.transferee = "";
    this.transferElapsedTicks = 0;
    this.votes.clear();
    this.progress.clear();
    this.uncommittedBytes = 0;
  }
}
