import { describe, expect, it } from "vitest";
import { EntryType } from "@eddy/raft";
import {
  FRAME_FIXED_BYTES_MAX,
  GROUP_ID_MAX,
  PEER_PROTOCOL_VERSION,
  PeerProtocolError,
  batchFrame,
  frameMessages,
  helloFrame,
  messageSizeBytes,
  type GroupMessage,
} from "./codec.js";
import { loadPeerProto, type WirePeerFrame } from "./proto.js";
import type { Message } from "./raft.js";

const proto = loadPeerProto();
const envelope = { from: "b1", to: "b2" } as const;
const BIG = Number.MAX_SAFE_INTEGER;

const bytes = (...values: number[]) => new Uint8Array(values);
const randomBytes = (length: number, seed: number) =>
  Uint8Array.from({ length }, (_, i) => (i * 131 + seed * 7) & 0xff);

/** One of every message type, with awkward values: zeros, the largest safe integers, binary data. */
const EVERY_TYPE: readonly GroupMessage[] = [
  {
    groupId: 1,
    message: {
      ...envelope,
      type: "MsgApp",
      term: 7,
      prevIndex: 41,
      prevTerm: 6,
      commitIndex: 40,
      entries: [
        { index: 42, term: 7, type: EntryType.Noop, timestampMs: 1_700_000_000_000, data: new Uint8Array(0) },
        { index: 43, term: 7, type: EntryType.Records, timestampMs: 1_700_000_000_001, data: bytes(0, 255, 0, 1, 128) },
        { index: 44, term: 7, type: EntryType.Records, timestampMs: 1_700_000_000_002, data: randomBytes(70_000, 3) },
        { index: BIG, term: BIG, type: EntryType.Config, timestampMs: BIG, data: bytes(0xff) },
      ],
    },
  },
  {
    groupId: 2,
    message: { ...envelope, type: "MsgApp", term: 1, prevIndex: 0, prevTerm: 0, commitIndex: 0, entries: [] },
  },
  {
    groupId: 3,
    message: {
      ...envelope,
      type: "MsgAppResp",
      term: 5,
      reject: true,
      index: 9,
      rejectHintIndex: 4,
      rejectHintTerm: 2,
    },
  },
  {
    groupId: 3,
    message: {
      ...envelope,
      type: "MsgAppResp",
      term: 5,
      reject: false,
      index: BIG,
      rejectHintIndex: 0,
      rejectHintTerm: 0,
    },
  },
  { groupId: 4, message: { ...envelope, type: "MsgVote", term: 9, lastIndex: 100, lastTerm: 8, transfer: true } },
  { groupId: 4, message: { ...envelope, type: "MsgVote", term: 9, lastIndex: 0, lastTerm: 0, transfer: false } },
  { groupId: 5, message: { ...envelope, type: "MsgVoteResp", term: 9, reject: true } },
  { groupId: 6, message: { ...envelope, type: "MsgPreVote", term: 10, lastIndex: 100, lastTerm: 8 } },
  { groupId: 7, message: { ...envelope, type: "MsgPreVoteResp", term: 10, reject: false } },
  {
    groupId: 8,
    message: {
      ...envelope,
      type: "MsgSnap",
      term: 11,
      snapshot: {
        meta: { index: 5_000, term: 10, conf: { voters: ["b1", "b2", "b3"], learners: ["b4-ü"] } },
        data: randomBytes(1_000, 8),
      },
    },
  },
  {
    groupId: 9,
    message: {
      ...envelope,
      type: "MsgSnap",
      term: 1,
      snapshot: { meta: { index: 0, term: 0, conf: { voters: [], learners: [] } }, data: new Uint8Array(0) },
    },
  },
  { groupId: GROUP_ID_MAX, message: { ...envelope, type: "MsgTimeoutNow", term: 12 } },
  // Heartbeats last: they travel apart from the other messages and are delivered after them.
  { groupId: 0, message: { ...envelope, type: "MsgHeartbeat", term: 3, commitIndex: 17 } },
  { groupId: 10, message: { ...envelope, type: "MsgHeartbeat", term: BIG, commitIndex: BIG } },
  { groupId: 12, message: { ...envelope, type: "MsgHeartbeat", term: 3, commitIndex: 17, quiesce: true } },
  { groupId: 11, message: { ...envelope, type: "MsgHeartbeatResp", term: 3 } },
];

/** Through the real protobuf encoding, as a frame travels. */
function wireRoundTrip(frame: WirePeerFrame): { frame: WirePeerFrame; byteLength: number } {
  const encoded = proto.encodeFrame(frame);
  return { frame: proto.decodeFrame(encoded), byteLength: encoded.byteLength };
}

describe("peer codec", () => {
  it("round-trips every message type through the wire, binary data and largest safe integers included", () => {
    const { frame } = wireRoundTrip(batchFrame(EVERY_TYPE));
    const decoded = frameMessages(frame, "b1", "b2");
    expect(decoded).toEqual(EVERY_TYPE);
    // Entry and snapshot data arrive as plain Uint8Arrays, as Raft's own log hands them out.
    const app = decoded[0]!.message;
    expect(app.type === "MsgApp" && app.entries[2]!.data.constructor).toBe(Uint8Array);
  });

  it("carries from and to by the stream, not on the wire", () => {
    const { frame } = wireRoundTrip(batchFrame([EVERY_TYPE[4]!]));
    expect(frameMessages(frame, "x", "y")[0]!.message).toMatchObject({ type: "MsgVote", from: "x", to: "y" });
  });

  it("coalesces heartbeats into one HeartbeatBatch entry per group", () => {
    const heartbeats: GroupMessage[] = Array.from({ length: 500 }, (_, groupId) => ({
      groupId,
      message: { ...envelope, type: "MsgHeartbeat", term: 4, commitIndex: 1_000 + groupId },
    }));
    const { frame, byteLength } = wireRoundTrip(batchFrame(heartbeats));
    expect(frame.messages).toEqual([]);
    expect(frame.heartbeats?.heartbeats).toHaveLength(500);
    expect(frame.heartbeats?.heartbeats[499]).toEqual({
      group_id: 499,
      term: "4",
      commit_index: "1499",
      quiesce: false,
    });
    expect(frameMessages(frame, "b1", "b2")).toEqual(heartbeats);
    // Compact: about 10 bytes per group here.
    expect(byteLength).toBeLessThan(500 * 12);
  });

  it("the hello frame carries the protocol version and nothing else", () => {
    const { frame } = wireRoundTrip(helloFrame("cluster-1", "b1"));
    expect(frame).toEqual({
      hello: { cluster_id: "cluster-1", broker_id: "b1", protocol_version: PEER_PROTOCOL_VERSION },
      messages: [],
      heartbeats: null,
    });
    expect(frameMessages(frame, "b1", "b2")).toEqual([]);
  });

  it("messageSizeBytes is an upper bound of the encoded size, so frames packed by it keep their limit", () => {
    for (const item of EVERY_TYPE) {
      const { byteLength } = wireRoundTrip(batchFrame([item]));
      expect(byteLength).toBeLessThanOrEqual(messageSizeBytes(item.message) + FRAME_FIXED_BYTES_MAX);
    }
    const total = EVERY_TYPE.reduce((sum, item) => sum + messageSizeBytes(item.message), FRAME_FIXED_BYTES_MAX);
    expect(wireRoundTrip(batchFrame(EVERY_TYPE)).byteLength).toBeLessThanOrEqual(total);
  });

  it("refuses integers a JavaScript number cannot hold exactly", () => {
    const frame: WirePeerFrame = {
      hello: null,
      messages: [],
      heartbeats: { heartbeats: [{ group_id: 1, term: "9007199254740993", commit_index: "0" }], responses: [] },
    };
    const { frame: decoded } = wireRoundTrip(frame);
    expect(() => frameMessages(decoded, "b1", "b2")).toThrow(PeerProtocolError);
    expect(() => frameMessages(decoded, "b1", "b2")).toThrow(/GroupHeartbeat.term 9007199254740993/);
  });

  it("refuses a RaftMessage without a body", () => {
    const { frame } = wireRoundTrip({
      hello: null,
      messages: [{ group_id: 1, message: { term: 1 } }],
      heartbeats: null,
    });
    expect(() => frameMessages(frame, "b1", "b2")).toThrow(/RaftMessage has no known body/);
  });

  it("asserts what it writes: a group id must be a uint32 and numbers safe integers", () => {
    const vote: Message = { ...envelope, type: "MsgVoteResp", term: 1, reject: false };
    expect(() => batchFrame([{ groupId: GROUP_ID_MAX + 1, message: vote }])).toThrow(/not a uint32/);
    expect(() => batchFrame([{ groupId: 1, message: { ...vote, term: 1.5 } }])).toThrow(/safe integer/);
  });
});
