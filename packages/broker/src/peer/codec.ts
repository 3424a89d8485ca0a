/**
 * The peer codec: Raft messages tagged with their group, to and from the objects of peer.proto (the
 * protocol is documented at the top of `proto/eddy/v1/peer.proto`). Pure: no I/O, no state.
 *
 * This is the one place that knows both the Raft `Message` union and the wire; a change to either is
 * made here. Writing, heartbeats go to the frame's HeartbeatBatch and every other message to its list
 * of GroupMessages. Reading, every integer is checked to be a safe integer, and anything malformed is
 * a `PeerProtocolError` (the peer is outside this process: bad input from it is an expected failure,
 * not a broken invariant here).
 *
 * The grammar it reads and writes (proto field names; `from`/`to` come from the stream, not the wire):
 *
 *   stream         = hello-frame batch-frame*                                      (each direction)
 *   hello-frame    = PeerFrame{hello: {cluster_id, broker_id, protocol_version}}
 *   batch-frame    = PeerFrame{messages: GroupMessage*, heartbeats: HeartbeatBatch?}
 *   GroupMessage   = {group_id: uint32, message: {term, body}}
 *   body           = append{prev_index, prev_term, entries: RaftEntry*, commit_index}      MsgApp
 *                  | append_response{reject, index, reject_hint_index, reject_hint_term}  MsgAppResp
 *                  | vote{last_index, last_term, transfer}                                MsgVote
 *                  | vote_response{reject}                                                MsgVoteResp
 *                  | pre_vote{last_index, last_term}                                      MsgPreVote
 *                  | pre_vote_response{reject}                                            MsgPreVoteResp
 *                  | snapshot{meta{index, term, conf{voters*, learners*}}, data}          MsgSnap
 *                  | timeout_now{}                                                        MsgTimeoutNow
 *   RaftEntry      = {index, term, type: uint32, timestamp_ms: int64, data: bytes}
 *   HeartbeatBatch = {heartbeats: {group_id, term, commit_index}*,                        MsgHeartbeat
 *                     responses: {group_id, term}*}                                       MsgHeartbeatResp
 */
import { assert } from "@eddy/core";
import type { Entry, EntryType, Message, MsgHeartbeat, MsgHeartbeatResp, Snapshot } from "./raft.js";
import type {
  WireEntry,
  WireGroupHeartbeat,
  WireGroupHeartbeatResponse,
  WireGroupMessage,
  WireHeartbeatBatch,
  WireLong,
  WirePeerFrame,
  WirePeerHello,
  WireRaftBodies,
  WireRaftBody,
  WireRaftMessage,
  WireSnapshot,
} from "./proto.js";

/** Changes when a change to peer.proto is not wire-compatible; peers of different versions refuse each other. */
export const PEER_PROTOCOL_VERSION = 1;

/** What the transport carries: a Raft message and the group it belongs to. */
export interface GroupMessage {
  readonly groupId: number;
  readonly message: Message;
}

type Heartbeat = MsgHeartbeat | MsgHeartbeatResp;
type NonHeartbeat = Exclude<Message, Heartbeat>;

/** Input from a peer that does not follow the protocol. The stream it came on is closed. */
export class PeerProtocolError extends Error {
  override readonly name = "PeerProtocolError";
}

export const GROUP_ID_MAX = 0xffff_ffff;

// Upper bounds of encoded sizes, bytes, so that frames packed by `messageSizeBytes` stay within their
// limit. A varint of a 64-bit integer takes at most 10 bytes and its tag 1; a length prefix at most 5.
/** A heartbeat in a HeartbeatBatch: tag and length 2, group id 6, term 11, commit index 11. */
export const HEARTBEAT_BYTES_MAX = 30;
/** A GroupMessage without entries or snapshot: its tag and length, the group id, the RaftMessage's tag,
 * length and term, the body's tag and length, and the largest fixed body (4 integers). */
export const MESSAGE_FIXED_BYTES_MAX = 6 + 6 + 6 + 11 + 6 + 4 * 11;
/** An entry besides its data: tag and length 6, index 11, term 11, type 6, timestamp 11, data's tag and length 6. */
export const ENTRY_FIXED_BYTES_MAX = 6 + 11 + 11 + 6 + 11 + 6;
/** A snapshot besides its data and member ids: meta's tag and length, index, term, conf's tag and length, data's tag and length. */
export const SNAPSHOT_FIXED_BYTES_MAX = 6 + 11 + 11 + 6 + 6;
/** A frame besides its messages: the heartbeat batch's tag and length. */
export const FRAME_FIXED_BYTES_MAX = 6;

/** An upper bound of the bytes `message` takes in a frame; the transport's queue and frame limits count these. */
export function messageSizeBytes(message: Message): number {
  switch (message.type) {
    case "MsgHeartbeat":
    case "MsgHeartbeatResp":
      return HEARTBEAT_BYTES_MAX;
    case "MsgApp":
      return message.entries.reduce(
        (sum, e) => sum + ENTRY_FIXED_BYTES_MAX + e.data.byteLength,
        MESSAGE_FIXED_BYTES_MAX,
      );
    case "MsgSnap":
      return MESSAGE_FIXED_BYTES_MAX + snapshotSizeBytes(message.snapshot);
    default:
      return MESSAGE_FIXED_BYTES_MAX;
  }
}

function snapshotSizeBytes(snapshot: Snapshot): number {
  const { voters, learners } = snapshot.meta.conf;
  // A UTF-16 code unit takes at most 3 bytes in UTF-8; each id adds its tag and length.
  const idsBytes = [...voters, ...learners].reduce((sum, id) => sum + 6 + 3 * id.length, 0);
  return SNAPSHOT_FIXED_BYTES_MAX + idsBytes + snapshot.data.byteLength;
}

export function helloFrame(clusterId: string, brokerId: string): WirePeerFrame {
  const hello: WirePeerHello = { cluster_id: clusterId, broker_id: brokerId, protocol_version: PEER_PROTOCOL_VERSION };
  return { hello, messages: [], heartbeats: null };
}

/** One frame carrying `batch`: heartbeats coalesced into the HeartbeatBatch, the rest in order. */
export function batchFrame(batch: readonly GroupMessage[]): WirePeerFrame {
  const messages: WireGroupMessage[] = [];
  const heartbeats: WireGroupHeartbeat[] = [];
  const responses: WireGroupHeartbeatResponse[] = [];
  for (const { groupId, message } of batch) {
    assert(Number.isInteger(groupId) && groupId >= 0 && groupId <= GROUP_ID_MAX, `group id ${groupId} is not a uint32`);
    if (message.type === "MsgHeartbeat") {
      heartbeats.push({
        group_id: groupId,
        term: u64(message.term),
        commit_index: u64(message.commitIndex),
        ...(message.quiesce === true ? { quiesce: true } : {}),
      });
    } else if (message.type === "MsgHeartbeatResp") {
      responses.push({ group_id: groupId, term: u64(message.term) });
    } else {
      messages.push({ group_id: groupId, message: encodeMessage(message) });
    }
  }
  const coalesced: WireHeartbeatBatch | null =
    heartbeats.length + responses.length > 0 ? { heartbeats, responses } : null;
  return { hello: null, messages, heartbeats: coalesced };
}

/**
 * The messages of a frame read from peer `from` by `to`: its group messages in order, then its
 * heartbeats, then its heartbeat responses. A frame without any is valid and yields none.
 */
export function frameMessages(frame: WirePeerFrame, from: string, to: string): GroupMessage[] {
  const out: GroupMessage[] = frame.messages.map((m) => ({
    groupId: m.group_id,
    message: decodeMessage(present(m.message, "GroupMessage.message"), from, to),
  }));
  for (const h of frame.heartbeats?.heartbeats ?? []) {
    const message: MsgHeartbeat = {
      type: "MsgHeartbeat",
      from,
      to,
      term: readUint(h.term, "GroupHeartbeat.term"),
      commitIndex: readUint(h.commit_index, "GroupHeartbeat.commit_index"),
      ...(h.quiesce === true ? { quiesce: true } : {}),
    };
    out.push({ groupId: h.group_id, message });
  }
  for (const h of frame.heartbeats?.responses ?? []) {
    const message: MsgHeartbeatResp = {
      type: "MsgHeartbeatResp",
      from,
      to,
      term: readUint(h.term, "GroupHeartbeatResponse.term"),
    };
    out.push({ groupId: h.group_id, message });
  }
  return out;
}

function encodeMessage(m: NonHeartbeat): WireRaftMessage {
  const term = u64(m.term);
  switch (m.type) {
    case "MsgApp":
      return {
        term,
        append: {
          prev_index: u64(m.prevIndex),
          prev_term: u64(m.prevTerm),
          entries: m.entries.map(encodeEntry),
          commit_index: u64(m.commitIndex),
        },
      };
    case "MsgAppResp":
      return {
        term,
        append_response: {
          reject: m.reject,
          index: u64(m.index),
          reject_hint_index: u64(m.rejectHintIndex),
          reject_hint_term: u64(m.rejectHintTerm),
        },
      };
    case "MsgVote":
      return { term, vote: { last_index: u64(m.lastIndex), last_term: u64(m.lastTerm), transfer: m.transfer } };
    case "MsgPreVote":
      return { term, pre_vote: { last_index: u64(m.lastIndex), last_term: u64(m.lastTerm) } };
    case "MsgVoteResp":
      return { term, vote_response: { reject: m.reject } };
    case "MsgPreVoteResp":
      return { term, pre_vote_response: { reject: m.reject } };
    case "MsgSnap":
      return { term, snapshot: encodeSnapshot(m.snapshot) };
    case "MsgTimeoutNow":
      return { term, timeout_now: {} };
  }
}

function encodeEntry(e: Entry): WireEntry {
  assert(Number.isSafeInteger(e.timestampMs), `entry timestamp ${e.timestampMs} is not a safe integer`);
  return { index: u64(e.index), term: u64(e.term), type: e.type, timestamp_ms: e.timestampMs, data: e.data };
}

function encodeSnapshot(s: Snapshot): WireSnapshot {
  const { index, term, conf } = s.meta;
  return {
    meta: { index: u64(index), term: u64(term), conf: { voters: [...conf.voters], learners: [...conf.learners] } },
    data: s.data,
  };
}

function decodeMessage(wire: WireRaftMessage, from: string, to: string): NonHeartbeat {
  const head = { from, to, term: readUint(wire.term, "RaftMessage.term") };
  switch (wire.body) {
    case "append": {
      const b = body(wire, "append");
      return {
        ...head,
        type: "MsgApp",
        prevIndex: readUint(b.prev_index, "prev_index"),
        prevTerm: readUint(b.prev_term, "prev_term"),
        entries: b.entries.map(decodeEntry),
        commitIndex: readUint(b.commit_index, "commit_index"),
      };
    }
    case "append_response": {
      const b = body(wire, "append_response");
      return {
        ...head,
        type: "MsgAppResp",
        reject: b.reject,
        index: readUint(b.index, "index"),
        rejectHintIndex: readUint(b.reject_hint_index, "reject_hint_index"),
        rejectHintTerm: readUint(b.reject_hint_term, "reject_hint_term"),
      };
    }
    case "vote": {
      const b = body(wire, "vote");
      const [lastIndex, lastTerm] = [readUint(b.last_index, "last_index"), readUint(b.last_term, "last_term")];
      return { ...head, type: "MsgVote", lastIndex, lastTerm, transfer: b.transfer };
    }
    case "pre_vote": {
      const b = body(wire, "pre_vote");
      const [lastIndex, lastTerm] = [readUint(b.last_index, "last_index"), readUint(b.last_term, "last_term")];
      return { ...head, type: "MsgPreVote", lastIndex, lastTerm };
    }
    case "vote_response":
      return { ...head, type: "MsgVoteResp", reject: body(wire, "vote_response").reject };
    case "pre_vote_response":
      return { ...head, type: "MsgPreVoteResp", reject: body(wire, "pre_vote_response").reject };
    case "snapshot":
      return { ...head, type: "MsgSnap", snapshot: decodeSnapshot(body(wire, "snapshot")) };
    case "timeout_now":
      return { ...head, type: "MsgTimeoutNow" };
    default:
      throw new PeerProtocolError(`RaftMessage has no known body (${String(wire.body)})`);
  }
}

function decodeEntry(e: WireEntry): Entry {
  return {
    index: readUint(e.index, "RaftEntry.index"),
    term: readUint(e.term, "RaftEntry.term"),
    // Entry types are Raft's to interpret; the transport passes them on as they came.
    type: e.type as EntryType,
    timestampMs: readInt(e.timestamp_ms, "RaftEntry.timestamp_ms"),
    data: plainBytes(e.data),
  };
}

function decodeSnapshot(s: WireSnapshot): Snapshot {
  const meta = present(s.meta, "RaftSnapshot.meta");
  const conf = present(meta.conf, "RaftSnapshotMeta.conf");
  return {
    meta: {
      index: readUint(meta.index, "RaftSnapshotMeta.index"),
      term: readUint(meta.term, "RaftSnapshotMeta.term"),
      conf: { voters: [...conf.voters], learners: [...conf.learners] },
    },
    data: plainBytes(s.data),
  };
}

function body<K extends WireRaftBody>(wire: WireRaftMessage, key: K): WireRaftBodies[K] {
  return present(wire[key] as WireRaftBodies[K] | null | undefined, `RaftMessage.${key}`);
}

function present<T>(value: T | null | undefined, field: string): T {
  if (value === null || value === undefined) throw new PeerProtocolError(`${field} is missing`);
  return value;
}

/**
 * A Uint8Array over the decoded Buffer's memory (no copy), so that what Raft receives has the same
 * type whether it came over the wire or from its own log.
 */
function plainBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function u64(value: number): number {
  assert(Number.isSafeInteger(value) && value >= 0, `${value} is not a non-negative safe integer`);
  return value;
}

function readInt(value: WireLong, field: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new PeerProtocolError(`${field} ${value} is not a safe integer`);
  return n;
}

function readUint(value: WireLong, field: string): number {
  const n = readInt(value, field);
  if (n < 0) throw new PeerProtocolError(`${field} ${value} is negative`);
  return n;
}
