import { describe, expect, it } from "vitest";
import { EntryType } from "@eddy/raft";
import { FRAME_FIXED_BYTES_MAX, HEARTBEAT_BYTES_MAX, messageSizeBytes, type GroupMessage } from "./codec.js";
import { PeerQueue } from "./queue.js";

const envelope = { from: "a", to: "b" } as const;

/** A MsgApp of one entry of `dataBytes`, numbered `index` so the order can be checked. */
const app = (groupId: number, index: number, dataBytes = 1000): GroupMessage => ({
  groupId,
  message: {
    ...envelope,
    type: "MsgApp",
    term: 1,
    prevIndex: index - 1,
    prevTerm: 1,
    commitIndex: 0,
    entries: [{ index, term: 1, type: EntryType.Records, timestampMs: 0, data: new Uint8Array(dataBytes) }],
  },
});
const heartbeat = (groupId: number, commitIndex: number): GroupMessage => ({
  groupId,
  message: { ...envelope, type: "MsgHeartbeat", term: 1, commitIndex },
});
const indexOf = (item: GroupMessage) => (item.message.type === "MsgApp" ? item.message.entries[0]!.index : -1);
const APP_BYTES = messageSizeBytes(app(1, 1).message);

describe("PeerQueue", () => {
  it("over its bound it drops the oldest messages, counts them, and keeps the newest in order", () => {
    const queue = new PeerQueue(10 * APP_BYTES);
    for (let i = 1; i <= 25; i++) queue.push(app(1, i));
    expect(queue.queuedBytes).toBe(10 * APP_BYTES);
    expect(queue.droppedCount).toBe(15);
    expect(queue.take(Number.MAX_SAFE_INTEGER).map(indexOf)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(queue.isEmpty()).toBe(true);
    expect(queue.queuedBytes).toBe(0);
  });

  it("drops a message larger than the whole bound, and keeps what was queued", () => {
    const queue = new PeerQueue(2 * APP_BYTES);
    queue.push(app(1, 1));
    queue.push(app(1, 2, 5 * APP_BYTES));
    expect(queue.droppedCount).toBe(1);
    expect(queue.take(Number.MAX_SAFE_INTEGER).map(indexOf)).toEqual([1]);
  });

  it("keeps one heartbeat per group, the latest, outside the bound and never dropped", () => {
    const queue = new PeerQueue(APP_BYTES);
    for (let round = 0; round < 3; round++) {
      for (let group = 0; group < 100; group++) queue.push(heartbeat(group, round));
    }
    queue.push(app(1, 1));
    queue.push(app(1, 2));
    expect(queue.queuedCount).toBe(101);
    expect(queue.droppedCount).toBe(1);
    const taken = queue.take(Number.MAX_SAFE_INTEGER);
    expect(taken.filter((t) => t.message.type === "MsgHeartbeat")).toEqual(
      Array.from({ length: 100 }, (_, group) => heartbeat(group, 2)),
    );
  });

  it("takes one frame's worth at a time, heartbeats first, and at least one message however large", () => {
    const queue = new PeerQueue(Number.MAX_SAFE_INTEGER);
    queue.push(app(1, 1, 50_000));
    queue.push(app(1, 2));
    queue.push(app(1, 3));
    queue.push(heartbeat(9, 1));
    const frameBytesMax = FRAME_FIXED_BYTES_MAX + HEARTBEAT_BYTES_MAX + 2 * APP_BYTES;
    expect(queue.take(frameBytesMax).map((t) => t.message.type)).toEqual(["MsgHeartbeat"]);
    expect(queue.take(frameBytesMax).map(indexOf)).toEqual([1]);
    expect(queue.take(frameBytesMax).map(indexOf)).toEqual([2, 3]);
    expect(queue.take(frameBytesMax)).toEqual([]);
  });

  it("keeps order and byte count across the reclaiming of taken slots", () => {
    const queue = new PeerQueue(Number.MAX_SAFE_INTEGER);
    for (let i = 1; i <= 10_000; i++) {
      queue.push(app(i % 7, i, 0));
      if (i % 3 === 0) queue.take(FRAME_FIXED_BYTES_MAX + 2 * messageSizeBytes(app(1, 1, 0).message));
    }
    expect(queue.queuedBytes).toBe((10_000 - 2 * Math.floor(10_000 / 3)) * messageSizeBytes(app(1, 1, 0).message));
    const rest = queue.take(Number.MAX_SAFE_INTEGER).map(indexOf);
    expect(rest).toHaveLength(10_000 - 2 * Math.floor(10_000 / 3));
    expect(rest).toEqual([...rest].sort((x, y) => x - y));
    expect(rest.at(-1)).toBe(10_000);
  });
});
