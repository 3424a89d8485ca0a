import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KinesisError } from "../errors.js";
import type { ControllerCommand, CreateStream } from "./commands.js";
import { addLoad } from "./placement.js";
import { applyCommand, computeLoad, type ControllerState, emptyControllerState } from "./state.js";
import { applyOk } from "./test-support.js";

const ok = applyOk;

const MIN = 60_000;

function applyAll(state: ControllerState, commands: readonly ControllerCommand[]): ControllerState {
  return commands.reduce((s, c) => applyCommand(s, c).state, state);
}

function register(perZone: Record<string, number>, nowMs = 0): ControllerCommand[] {
  return Object.entries(perZone).flatMap(([zone, n]) =>
    Array.from({ length: n }, (_, i): ControllerCommand => ({
      type: "RegisterBroker",
      id: `${zone}${i}`,
      zone,
      address: `10.0.0.${i}:7400`,
      nowMs,
    })),
  );
}

function create(streamName: string, shardCount: number, extra: Partial<CreateStream> = {}): CreateStream {
  return {
    type: "CreateStream",
    streamName,
    streamId: `id-${streamName}`,
    shardCount,
    mode: "PROVISIONED",
    retentionPeriodHours: 24,
    maxRecordSizeBytes: 1024 * 1024,
    replicationFactor: 3,
    nowMs: 1000,
    region: "us-east-1",
    accountId: "000000000000",
    ...extra,
  };
}

const zoneOf = (state: ControllerState, id: string) => state.brokers.get(id)?.zone;
const spread = (values: number[]) => Math.max(...values) - Math.min(...values);

describe("applyCommand: brokers", () => {
  it("registers brokers live; a broker marked down and registering again is live", () => {
    let state = applyAll(emptyControllerState(), register({ a: 1, b: 1, c: 1 }));
    expect([...state.brokers.values()].every((b) => b.state === "live")).toBe(true);
    state = ok(state, { type: "BrokerDown", id: "b0", nowMs: 5000 }).state;
    expect(state.brokers.get("b0")).toMatchObject({ state: "down", downSinceMs: 5000 });
    // A second BrokerDown keeps the first time, so the replace-after clock is not reset.
    state = ok(state, { type: "BrokerDown", id: "b0", nowMs: 9000 }).state;
    expect(state.brokers.get("b0")?.downSinceMs).toBe(5000);
    state = ok(state, { type: "RegisterBroker", id: "b0", zone: "b", address: "10.9.9.9:7400", nowMs: 10_000 }).state;
    expect(state.brokers.get("b0")).toEqual({ id: "b0", zone: "b", address: "10.9.9.9:7400", state: "live" });
  });

  it("BrokerUp makes a down broker live", () => {
    let state = applyAll(emptyControllerState(), register({ a: 1 }));
    state = ok(state, { type: "BrokerDown", id: "a0", nowMs: 1 }).state;
    state = ok(state, { type: "BrokerUp", id: "a0", nowMs: 2 }).state;
    expect(state.brokers.get("a0")).toEqual({ id: "a0", zone: "a", address: "10.0.0.0:7400", state: "live" });
  });
});

describe("applyCommand: streams", () => {
  it("places every shard of a 1024-shard stream in 3 zones, balanced within ±1", () => {
    const state0 = applyAll(emptyControllerState(), register({ a: 2, b: 2, c: 2 }));
    const { state, result } = ok(state0, create("big", 1024));
    const stream = state.streams.get("big")!;
    expect(result).toBe(stream);
    expect(stream.shards).toHaveLength(1024);
    expect(stream.shards[0]!.groupId).toBe(1);
    expect(state.nextGroupId).toBe(1025);
    expect(state.nextStreamSeq).toBe(1);
    for (const shard of stream.shards) {
      expect(new Set(shard.replicas.map((id) => zoneOf(state, id))).size).toBe(3);
    }
    const load = computeLoad(state);
    const ids = [...state.brokers.keys()];
    expect(spread(ids.map((id) => load.get(id)?.replicas ?? 0))).toBeLessThanOrEqual(1);
    expect(spread(ids.map((id) => load.get(id)?.leaders ?? 0))).toBeLessThanOrEqual(1);
  });

  it("spreads a second stream over the load of the first", () => {
    let state = applyAll(emptyControllerState(), register({ a: 2, b: 2, c: 2 }));
    state = ok(state, create("one", 3)).state;
    state = ok(state, create("two", 3)).state;
    const load = computeLoad(state);
    expect([...state.brokers.keys()].map((id) => load.get(id)?.replicas)).toEqual([3, 3, 3, 3, 3, 3]);
    expect(state.streams.get("two")!.shards[0]!.groupId).toBe(4);
  });

  it("refuses bad commands with an error value and changes nothing", () => {
    const state = ok(applyAll(emptyControllerState(), register({ a: 1, b: 1, c: 1 })), create("s", 2)).state;
    const bad: [ControllerCommand, string, RegExp][] = [
      [create("s", 1), "ResourceInUseException", /already exists/],
      [create("bad name!", 1), "InvalidArgumentException", /StreamName/],
      [create("x", 0), "InvalidArgumentException", /ShardCount/],
      [create("x", 1, { retentionPeriodHours: 1 }), "InvalidArgumentException", /RetentionPeriodHours/],
      [create("x", 1, { maxRecordSizeBytes: 1 }), "InvalidArgumentException", /MaxRecordSizeInKiB/],
      [create("x", 1, { mode: "FAST" as never }), "InvalidArgumentException", /StreamMode/],
      [create("x", 1, { replicationFactor: 4 }), "LimitExceededException", /ReplicationFactor 4.*only 3/],
      [create("x", 1, { shardCountTotalMax: 2 }), "LimitExceededException", /shard limit/],
      [{ type: "BrokerDown", id: "zz", nowMs: 1 }, "ResourceNotFoundException", /zz/],
      [{ type: "RegisterBroker", id: "a0", zone: "b", address: "x", nowMs: 1 }, "InvalidArgumentException", /zone/],
      [{ type: "RegisterBroker", id: "", zone: "b", address: "x", nowMs: 1 }, "InvalidArgumentException", /BrokerId/],
      [{ type: "DeleteStream", streamName: "nope" }, "ResourceNotFoundException", /nope/],
      [{ type: "StreamDeleted", streamName: "s" }, "ResourceInUseException", /not being deleted/],
      [{ type: "UpdateRetention", streamName: "s", retentionPeriodHours: 9000 }, "InvalidArgumentException", /8760/],
      [{ type: "UpdateMode", streamName: "s", mode: "X" as never }, "InvalidArgumentException", /StreamMode/],
      [
        { type: "ReplaceReplica", streamName: "s", shardId: "shardId-000000000009", from: "a0", to: "b0" },
        "ResourceNotFoundException",
        /shardId-000000000009/,
      ],
      [
        { type: "ReplaceReplica", streamName: "s", shardId: "shardId-000000000000", from: "a0", to: "b0" },
        "InvalidArgumentException",
        /already holds/,
      ],
      [
        { type: "ReplaceReplica", streamName: "s", shardId: "shardId-000000000000", from: "q", to: "b0" },
        "InvalidArgumentException",
        /holds no replica/,
      ],
      [{ type: "RepairDownBrokers", nowMs: -1, replaceAfterMs: 0 }, "InvalidArgumentException", /nowMs/],
      [{ type: "Nonsense" } as never, "InvalidArgumentException", /Unknown controller command/],
    ];
    for (const [command, name, message] of bad) {
      const out = applyCommand(state, command);
      expect(out.state, JSON.stringify(command)).toBe(state);
      expect(out.result, JSON.stringify(command)).toBeInstanceOf(KinesisError);
      expect((out.result as KinesisError).name, JSON.stringify(command)).toBe(name);
      expect((out.result as KinesisError).message, JSON.stringify(command)).toMatch(message);
    }
  });

  it("deletes in two steps and allows the name again afterwards", () => {
    let state = ok(applyAll(emptyControllerState(), register({ a: 1, b: 1, c: 1 })), create("s", 2)).state;
    state = ok(state, { type: "DeleteStream", streamName: "s" }).state;
    expect(state.streams.get("s")?.status).toBe("DELETING");
    expect((applyCommand(state, create("s", 1)).result as KinesisError).message).toMatch(/being deleted/);
    expect(
      (applyCommand(state, { type: "UpdateMode", streamName: "s", mode: "ON_DEMAND" }).result as KinesisError).name,
    ).toBe("ResourceNotFoundException");
    state = ok(state, { type: "StreamDeleted", streamName: "s", streamId: "id-s" }).state;
    expect(state.streams.has("s")).toBe(false);
    state = ok(state, create("s", 1, { streamId: "id-s2" })).state;
    expect(state.streams.get("s")?.shards[0]?.groupId).toBe(3); // group ids are never reused
  });

  it("updates retention and mode", () => {
    let state = ok(applyAll(emptyControllerState(), register({ a: 1, b: 1, c: 1 })), create("s", 1)).state;
    state = ok(state, { type: "UpdateRetention", streamName: "s", retentionPeriodHours: 48 }).state;
    state = ok(state, { type: "UpdateMode", streamName: "s", mode: "ON_DEMAND" }).state;
    expect(state.streams.get("s")).toMatchObject({ retentionPeriodHours: 48, mode: "ON_DEMAND" });
  });

  it("ReplaceReplica moves one replica; the new one is never the preferred leader", () => {
    let state = applyAll(emptyControllerState(), register({ a: 2, b: 1, c: 1 }));
    state = ok(state, create("s", 1)).state;
    const before = state.streams.get("s")!.shards[0]!.replicas;
    const from = before[0]!;
    const to = "a0" === from || before.includes("a0") ? "a1" : "a0";
    state = ok(state, { type: "ReplaceReplica", streamName: "s", shardId: "shardId-000000000000", from, to }).state;
    expect(state.streams.get("s")!.shards[0]!.replicas).toEqual([...before.filter((id) => id !== from), to]);
  });
});

describe("applyCommand: RepairDownBrokers", () => {
  function setup() {
    let state = applyAll(emptyControllerState(), register({ a: 2, b: 2, c: 2 }));
    state = ok(state, create("s", 12)).state;
    state = ok(state, { type: "BrokerDown", id: "c0", nowMs: 10 * MIN }).state;
    return state;
  }
  const repair = (nowMs: number): ControllerCommand => ({ type: "RepairDownBrokers", nowMs, replaceAfterMs: 5 * MIN });

  it("leaves shards alone before replace-after has passed", () => {
    const state = setup();
    const out = applyCommand(state, repair(15 * MIN));
    expect(out.state).toBe(state);
    expect(out.result).toEqual({ moves: [] });
  });

  it("after replace-after, moves each replica on the down broker to a live broker of the missing zone", () => {
    const state = setup();
    const onC0 = state.streams.get("s")!.shards.filter((s) => s.replicas.includes("c0")).length;
    expect(onC0).toBeGreaterThan(0);
    const { state: repaired, result } = ok(state, repair(15 * MIN + 1));
    expect((result as { moves: unknown[] }).moves).toHaveLength(onC0);
    for (const shard of repaired.streams.get("s")!.shards) {
      expect(shard.replicas).not.toContain("c0");
      expect(new Set(shard.replicas).size).toBe(3);
      expect(new Set(shard.replicas.map((id) => zoneOf(repaired, id))).size).toBe(3);
    }
    // Idempotent: nothing more to do, same object back.
    const again = applyCommand(repaired, repair(20 * MIN));
    expect(again.state).toBe(repaired);
    expect(again.result).toEqual({ moves: [] });
    // The input state was not touched.
    expect(state.streams.get("s")!.shards.filter((s) => s.replicas.includes("c0")).length).toBe(onC0);
  });

  it("leaves a shard that cannot be repaired as it is, and repairs it once it can", () => {
    let state = applyAll(emptyControllerState(), register({ a: 1, b: 1, c: 1 }));
    state = ok(state, create("s", 2)).state;
    state = ok(state, { type: "BrokerDown", id: "c0", nowMs: 0 }).state;
    const stuck = applyCommand(state, repair(10 * MIN));
    expect(stuck.state).toBe(state); // no free live broker
    state = ok(state, { type: "RegisterBroker", id: "d0", zone: "d", address: "d:7400", nowMs: 10 * MIN }).state;
    const fixed = ok(state, repair(10 * MIN)).state;
    for (const shard of fixed.streams.get("s")!.shards) expect(shard.replicas).toContain("d0");
  });

  it("does not move a replica when a majority of the shard's replicas is down", () => {
    let state = applyAll(emptyControllerState(), register({ a: 2, b: 2, c: 2 }));
    state = ok(state, create("s", 1)).state;
    const [, second, third] = state.streams.get("s")!.shards[0]!.replicas;
    state = ok(state, { type: "BrokerDown", id: second!, nowMs: 0 }).state;
    state = ok(state, { type: "BrokerDown", id: third!, nowMs: 0 }).state;
    expect(applyCommand(state, repair(10 * MIN)).state).toBe(state);
  });

  it("a broker that returns before replace-after keeps its replicas", () => {
    let state = setup();
    state = ok(state, { type: "RegisterBroker", id: "c0", zone: "c", address: "c0:7400", nowMs: 12 * MIN }).state;
    expect(applyCommand(state, repair(30 * MIN)).state).toBe(state);
  });
});

describe("applyCommand: properties", () => {
  const brokerIds = ["a0", "a1", "b0", "b1", "c0", "d0"];
  const names = ["s1", "s2", "s3"];
  const brokerId = fc.constantFrom(...brokerIds, "ghost");
  const streamName = fc.constantFrom(...names);
  const time = fc.integer({ min: 0, max: 60 * MIN });
  const command: fc.Arbitrary<ControllerCommand> = fc.oneof(
    fc.record({
      type: fc.constant("RegisterBroker" as const),
      id: fc.constantFrom(...brokerIds),
      zone: fc.constantFrom("a", "b", "c", "d"),
      address: fc.constantFrom("h:1", "h:2"),
      nowMs: time,
    }),
    fc.record({ type: fc.constant("BrokerDown" as const), id: brokerId, nowMs: time }),
    fc.record({ type: fc.constant("BrokerUp" as const), id: brokerId, nowMs: time }),
    fc
      .record({
        name: streamName,
        shardCount: fc.integer({ min: 0, max: 6 }),
        replicationFactor: fc.integer({ min: 1, max: 4 }),
        id: fc.nat(5),
      })
      .map(({ name, shardCount, replicationFactor, id }) =>
        create(name, shardCount, { replicationFactor, streamId: `id-${id}` }),
      ),
    fc.record({ type: fc.constant("DeleteStream" as const), streamName }),
    fc.record({ type: fc.constant("StreamDeleted" as const), streamName }),
    fc.record({
      type: fc.constant("UpdateRetention" as const),
      streamName,
      retentionPeriodHours: fc.constantFrom(1, 24, 48),
    }),
    fc.record({
      type: fc.constant("UpdateMode" as const),
      streamName,
      mode: fc.constantFrom("PROVISIONED", "ON_DEMAND") as fc.Arbitrary<"PROVISIONED">,
    }),
    fc.record({
      type: fc.constant("ReplaceReplica" as const),
      streamName,
      shardId: fc.nat(6).map((n) => `shardId-${String(n).padStart(12, "0")}`),
      from: brokerId,
      to: brokerId,
    }),
    fc.record({
      type: fc.constant("RepairDownBrokers" as const),
      nowMs: time,
      replaceAfterMs: fc.constantFrom(0, 5 * MIN),
    }),
  );

  it("never duplicates a replica or places one on an unknown broker; deterministic; never mutates its input", () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        let state = emptyControllerState();
        for (const cmd of commands) {
          const snapshot = structuredClone(state);
          const out = applyCommand(state, cmd);
          expect(state).toEqual(snapshot); // input untouched
          if (out.result instanceof KinesisError) expect(out.state).toBe(state);
          state = out.state;
          for (const stream of state.streams.values()) {
            for (const shard of stream.shards) {
              expect(new Set(shard.replicas).size).toBe(shard.replicas.length);
              expect(shard.replicas.length).toBe(stream.replicationFactor);
              for (const id of shard.replicas) expect(state.brokers.has(id)).toBe(true);
            }
          }
          // The load the placement sees matches a recount.
          const recount = new Map();
          for (const stream of state.streams.values())
            for (const shard of stream.shards) addLoad(recount, shard.replicas);
          expect(computeLoad(state)).toEqual(recount);
        }
        expect(applyAll(emptyControllerState(), commands)).toEqual(state);
      }),
      { numRuns: 200 },
    );
  });
});

describe("InitProducer", () => {
  it("gives each producer id a new epoch, starting at 1, and rejects a bad id without changing anything", () => {
    let state = emptyControllerState();
    const init = (producerId: string) => {
      const applied = applyCommand(state, { type: "InitProducer", producerId });
      state = applied.state;
      return applied.result;
    };
    expect(init("p")).toBe(1);
    expect(init("p")).toBe(2);
    expect(init("q")).toBe(1);
    const before = state;
    expect(init("")).toMatchObject({ name: "InvalidArgumentException", message: expect.stringMatching(/ProducerId/) });
    expect(state).toBe(before);
  });
});
