import { describe, expect, it } from "vitest";
import { parentsOf } from "../resharding.js";
import { evenHashKeyRanges, isOpen } from "../shards.js";
import { decodeState, encodeState } from "./codec.js";
import type { ControllerCommand } from "./commands.js";
import { applyCommand, emptyControllerState, type ControllerState, type ControllerStream } from "./state.js";
import { applyOk, applyRefused } from "./test-support.js";

const ok = (state: ControllerState, command: ControllerCommand): ControllerState => applyOk(state, command).state;
const failure = applyRefused;

function cluster(shardCount: number): ControllerState {
  let state = emptyControllerState();
  for (const [id, zone] of [
    ["a0", "a"],
    ["b0", "b"],
    ["c0", "c"],
  ] as const) {
    state = ok(state, { type: "RegisterBroker", id, zone, address: `${id}:7400`, nowMs: 0 });
  }
  return ok(state, {
    type: "CreateStream",
    streamName: "s",
    streamId: "id",
    shardCount,
    mode: "ON_DEMAND",
    retentionPeriodHours: 24,
    maxRecordSizeBytes: 1 << 20,
    replicationFactor: 3,
    nowMs: 1_000,
    region: "r",
    accountId: "0",
  });
}

const stream = (state: ControllerState): ControllerStream => state.streams.get("s")!;
const openRanges = (state: ControllerState) =>
  stream(state)
    .shards.filter(isOpen)
    .map((s) => s.hashKeyRange)
    .sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : 1));

/** Seals every parent of the step in progress, as the parents' leaders report it; returns the steps taken. */
function sealUntilDone(state: ControllerState, nowMs = 2_000): { state: ControllerState; steps: number } {
  let steps = 0;
  while (stream(state).reshard) {
    for (const shardId of parentsOf(stream(state).reshard!.ops)) {
      state = ok(state, { type: "ShardSealed", streamName: "s", shardId, endingSequenceNumber: "123", nowMs });
    }
    steps++;
  }
  return { state, steps };
}

describe("resharding in the controller", () => {
  it("a split makes the stream UPDATING until its parent is sealed; then the children exist, placed in three zones", () => {
    let state = cluster(2);
    const parent = stream(state).shards[0]!;
    state = ok(state, {
      type: "SplitShard",
      streamName: "s",
      shardToSplit: parent.shardId,
      newStartingHashKey: "1000",
      nowMs: 1_500,
    });
    expect(stream(state)).toMatchObject({ status: "UPDATING", reshard: { sealed: [], startedAtMs: 1_500 } });
    // One reshard at a time, as Kinesis.
    expect(failure(state, { type: "UpdateShardCount", streamName: "s", targetShardCount: 3, nowMs: 1_600 }).name).toBe(
      "ResourceInUseException",
    );
    const groupsBefore = state.nextGroupId;
    const sealed = {
      type: "ShardSealed",
      streamName: "s",
      shardId: parent.shardId,
      endingSequenceNumber: "77",
      nowMs: 2_000,
    } as const;
    state = ok(state, sealed);
    const s = stream(state);
    expect(s.status).toBe("ACTIVE");
    expect(s.reshard).toBeUndefined();
    expect(s.shards.find((x) => x.shardId === parent.shardId)).toMatchObject({
      endingSequenceNumber: 77n,
      closedAtMs: 2_000,
    });
    const children = s.shards.filter((x) => x.parentShardId === parent.shardId);
    expect(children.map((c) => c.shardId)).toEqual(["shardId-000000000002", "shardId-000000000003"]);
    expect(children.map((c) => c.groupId)).toEqual([groupsBefore, groupsBefore + 1]);
    for (const c of children) expect(new Set(c.replicas.map((id) => id[0])).size).toBe(3);
    expect(state.nextGroupId).toBe(groupsBefore + 2);
    // Reported again: nothing changes.
    expect(applyCommand(state, sealed).state).toBe(state);
  });

  it("UpdateShardCount 2 -> 4 -> 8 -> 4 -> 3 goes in steps and ends with even ranges; the state round-trips mid-way", () => {
    let state = cluster(2);
    // At most double or half per call, as Kinesis: 8 -> 3 takes two calls.
    expect(failure(cluster(8), { type: "UpdateShardCount", streamName: "s", targetShardCount: 3, nowMs: 1 }).name).toBe(
      "InvalidArgumentException",
    );
    for (const target of [4, 8, 4, 3]) {
      state = ok(state, { type: "UpdateShardCount", streamName: "s", targetShardCount: target, nowMs: 1_500 });
      expect(stream(state).status).toBe("UPDATING");
      const bytes = encodeState(state);
      expect(encodeState(decodeState(bytes))).toEqual(bytes);
      let steps: number;
      ({ state, steps } = sealUntilDone(state));
      expect(steps).toBeGreaterThanOrEqual(1);
      expect(stream(state).status).toBe("ACTIVE");
      expect(openRanges(state)).toEqual(evenHashKeyRanges(target));
    }
    expect(
      failure(state, { type: "UpdateShardCount", streamName: "s", targetShardCount: 7, nowMs: 3_000 }).message,
    ).toMatch(/between half \(2\) and double \(6\)/);
  });

  it("a merge of shards that are not adjacent is refused; of adjacent ones, the child has both parents", () => {
    let state = cluster(3);
    const [a, b, c] = stream(state).shards;
    expect(
      failure(state, {
        type: "MergeShards",
        streamName: "s",
        shardToMerge: a!.shardId,
        adjacentShardToMerge: c!.shardId,
        nowMs: 1,
      }).name,
    ).toBe("InvalidArgumentException");
    state = ok(state, {
      type: "MergeShards",
      streamName: "s",
      shardToMerge: a!.shardId,
      adjacentShardToMerge: b!.shardId,
      nowMs: 1,
    });
    ({ state } = sealUntilDone(state));
    const child = stream(state).shards.at(-1)!;
    expect(child).toMatchObject({ parentShardId: a!.shardId, adjacentParentShardId: b!.shardId });
    expect(stream(state).shards.filter(isOpen)).toHaveLength(2);
  });

  it("completes a step with a broker down: the children go on it too, after the live ones; without a live majority it waits", () => {
    let state = cluster(1);
    state = ok(state, {
      type: "SplitShard",
      streamName: "s",
      shardToSplit: "shardId-000000000000",
      newStartingHashKey: "1000",
      nowMs: 1,
    });
    state = ok(state, { type: "BrokerDown", id: "a0", nowMs: 2 });
    const sealed = {
      type: "ShardSealed",
      streamName: "s",
      shardId: "shardId-000000000000",
      endingSequenceNumber: "9",
      nowMs: 3,
    } as const;
    const done = ok(state, sealed);
    expect(stream(done).status).toBe("ACTIVE");
    for (const child of stream(done).shards.filter(isOpen)) {
      expect([...child.replicas].sort()).toEqual(["a0", "b0", "c0"]);
      expect(child.replicas.at(-1)).toBe("a0"); // the down broker is never the preferred leader
    }
    const twoDown = ok(state, { type: "BrokerDown", id: "b0", nowMs: 2 });
    expect(failure(twoDown, sealed).name).toBe("LimitExceededException");
  });

  it("forgets closed shards once the retention has passed their closing", () => {
    let state = cluster(1);
    state = ok(state, { type: "UpdateShardCount", streamName: "s", targetShardCount: 2, nowMs: 1_500 });
    ({ state } = sealUntilDone(state, 2_000));
    const retentionMs = 24 * 3_600_000;
    expect(applyCommand(state, { type: "ForgetClosedShards", nowMs: 2_000 + retentionMs - 1 }).state).toBe(state);
    state = ok(state, { type: "ForgetClosedShards", nowMs: 2_000 + retentionMs });
    expect(stream(state).shards.map((s) => s.shardId)).toEqual(["shardId-000000000001", "shardId-000000000002"]);
  });
});
