/**
 * The messages Raft nodes exchange. Every message names its sender, its receiver and the sender's term;
 * none names a group, so the transport can multiplex many groups over one stream between two brokers
 * and add the group id itself. Heartbeats are small and uniform (term and commit index only), so the
 * transport can coalesce the heartbeats of all groups between two brokers into one.
 */
import type { Entry, Snapshot } from "./types.js";

interface Envelope {
  readonly from: string;
  readonly to: string;
  readonly term: number;
}

/** AppendEntries (§5.3): entries following (prevIndex, prevTerm), and the leader's commit index. */
export interface MsgApp extends Envelope {
  readonly type: "MsgApp";
  readonly prevIndex: number;
  readonly prevTerm: number;
  readonly entries: readonly Entry[];
  readonly commitIndex: number;
}

/**
 * The answer to MsgApp or MsgSnap. Accepted: `index` is the last index known to match the leader's log.
 * Rejected: `index` is the prevIndex that did not match, and the hint is the follower's best guess of
 * where the logs agree: the largest index at or below it whose term is <= the leader's prevTerm, so the
 * leader skips a whole conflicting term per round trip (§5.3, the optimization the paper sketches).
 */
export interface MsgAppResp extends Envelope {
  readonly type: "MsgAppResp";
  readonly reject: boolean;
  readonly index: number;
  readonly rejectHintIndex: number;
  /** 0 when the follower does not know the hinted entry's term. */
  readonly rejectHintTerm: number;
}

/** RequestVote (§5.2). `transfer` is set when the leader asked for this election (§3.10): it bypasses leader stickiness. */
export interface MsgVote extends Envelope {
  readonly type: "MsgVote";
  readonly lastIndex: number;
  readonly lastTerm: number;
  readonly transfer: boolean;
}

export interface MsgVoteResp extends Envelope {
  readonly type: "MsgVoteResp";
  readonly reject: boolean;
}

/** A pre-vote (§9.6): "would you vote for me in `term`?" Neither side changes its term or vote. */
export interface MsgPreVote extends Envelope {
  readonly type: "MsgPreVote";
  readonly lastIndex: number;
  readonly lastTerm: number;
}

export interface MsgPreVoteResp extends Envelope {
  readonly type: "MsgPreVoteResp";
  readonly reject: boolean;
}

/** Commit index bounded by what the follower is known to hold, so a follower never commits past its match. */
export interface MsgHeartbeat extends Envelope {
  readonly type: "MsgHeartbeat";
  readonly commitIndex: number;
  /** The leader's last heartbeat before the group goes quiet (see RaftConfig.quiesce). */
  readonly quiesce?: boolean;
}

export interface MsgHeartbeatResp extends Envelope {
  readonly type: "MsgHeartbeatResp";
}

/** InstallSnapshot (§7): the follower replaces its log with the snapshot's state. */
export interface MsgSnap extends Envelope {
  readonly type: "MsgSnap";
  readonly snapshot: Snapshot;
}

/** Leadership transfer (§3.10): the leader tells an up-to-date follower to campaign now. */
export interface MsgTimeoutNow extends Envelope {
  readonly type: "MsgTimeoutNow";
}

export type Message =
  | MsgApp
  | MsgAppResp
  | MsgVote
  | MsgVoteResp
  | MsgPreVote
  | MsgPreVoteResp
  | MsgHeartbeat
  | MsgHeartbeatResp
  | MsgSnap
  | MsgTimeoutNow;

export type MessageType = Message["type"];

/** One line describing a message, for traces. */
export function describeMessage(m: Message): string {
  const head = `${m.type} ${m.from}->${m.to} t${m.term}`;
  switch (m.type) {
    case "MsgApp": {
      const last = m.entries.at(-1);
      const range = last === undefined ? "[]" : `[${m.entries[0]!.index}..${last.index}]`;
      return `${head} prev=${m.prevIndex}/t${m.prevTerm} ${range} commit=${m.commitIndex}`;
    }
    case "MsgAppResp":
      return m.reject
        ? `${head} reject index=${m.index} hint=${m.rejectHintIndex}/t${m.rejectHintTerm}`
        : `${head} index=${m.index}`;
    case "MsgVote":
    case "MsgPreVote":
      return `${head} last=${m.lastIndex}/t${m.lastTerm}${m.type === "MsgVote" && m.transfer ? " transfer" : ""}`;
    case "MsgVoteResp":
    case "MsgPreVoteResp":
      return `${head} ${m.reject ? "reject" : "grant"}`;
    case "MsgHeartbeat":
      return `${head} commit=${m.commitIndex}`;
    case "MsgSnap":
      return `${head} snap=${m.snapshot.meta.index}/t${m.snapshot.meta.term}`;
    case "MsgHeartbeatResp":
    case "MsgTimeoutNow":
      return head;
  }
}
