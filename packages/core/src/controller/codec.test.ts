import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KinesisError } from "../errors.js";
import { decodeCommand, decodeState, encodeCommand, encodeState } from "./codec.js";
import type { ControllerCommand } from "./commands.js";
import { applyCommand, type ControllerState, emptyControllerState } from "./state.js";

const commands: ControllerCommand[] = [
  { type: "RegisterBroker", id: "a0", zone: "a", address: "127.0.0.1:7401", nowMs: 0 },
  { type: "RegisterBroker", id: "b0", zone: "b", address: "127.0.0.1:7402", nowMs: 0 },
  { type: "RegisterBroker", id: "c0", zone: "c", address: "127.0.0.1:7403", nowMs: 0 },
  { type: "RegisterBroker", id: "c1", zone: "c", address: "127.0.0.1:7404", nowMs: 0 },
  {
    type: "CreateStream",
    streamName: "orders",
    streamId: "3f1c",
    shardCount: 4,
    mode: "PROVISIONED",
    retentionPeriodHours: 24,
    maxRecordSizeBytes: 1048576,
    replicationFactor: 3,
    nowMs: 1000,
    region: "eu-west-1",
    accountId: "000000000000",
  },
  { type: "BrokerDown", id: "c0", nowMs: 2000 },
  { type: "RepairDownBrokers", nowMs: 400_000, replaceAfterMs: 300_000 },
  { type: "UpdateRetention", streamName: "orders", retentionPeriodHours: 48 },
  { type: "UpdateMode", streamName: "orders", mode: "ON_DEMAND" },
  { type: "ReplaceReplica", streamName: "orders", shardId: "shardId-000000000000", from: "a0", to: "c0" },
  { type: "BrokerUp", id: "c0", nowMs: 500_000 },
  {
    type: "CreateApplication",
    streamName: "orders",
    applicationName: "billing",
    initialPosition: "AT_TIMESTAMP",
    initialTimestampMs: 900,
    leaseTimeoutMs: 10_000,
    nowMs: 500_000,
  },
  {
    type: "WorkerHeartbeat",
    streamName: "orders",
    applicationName: "billing",
    workerId: "w1",
    incarnation: "w1-a",
    nowMs: 500_001,
    released: [],
    leaving: false,
    reports: [],
  },
  {
    type: "WriteCheckpoint",
    streamName: "orders",
    applicationName: "billing",
    workerId: "w1",
    shardId: "shardId-000000000001",
    epoch: 1,
    position: {
      type: "AFTER_SEQUENCE_NUMBER",
      sequenceNumber: "49590338271490256608559692538361571095921575989136588898",
    },
    nowMs: 500_002,
  },
  {
    type: "WorkerHeartbeat",
    streamName: "orders",
    applicationName: "billing",
    workerId: "w1",
    incarnation: "w1-a",
    nowMs: 500_003,
    released: ["shardId-000000000003"],
    leaving: false,
    reports: [{ shardId: "shardId-000000000001", millisBehindLatest: 12, haltedReason: "poison" }],
  },
  {
    type: "ResetApplication",
    streamName: "orders",
    applicationName: "billing",
    position: { type: "AT_SEQUENCE_NUMBER", sequenceNumber: "17" },
    shardId: "shardId-000000000002",
    force: true,
    nowMs: 500_004,
  },
  { type: "DeleteApplication", streamName: "orders", applicationName: "billing" },
  {
    type: "CreateApplication",
    streamName: "orders",
    applicationName: "audit",
    initialPosition: "LATEST",
    leaseTimeoutMs: 2_000,
    nowMs: 500_005,
  },
  { type: "DeleteStream", streamName: "orders" },
  { type: "StreamDeleted", streamName: "orders", streamId: "3f1c" },
];

describe("controller codec", () => {
  it("round-trips every command type", () => {
    for (const command of commands) expect(decodeCommand(encodeCommand(command))).toEqual(command);
  });

  it("round-trips the state after each command, bigints included, with stable bytes", () => {
    let state: ControllerState = emptyControllerState();
    for (const command of commands) {
      const applied = applyCommand(state, command);
      if (
        command.type.includes("Application") ||
        command.type.endsWith("Checkpoint") ||
        command.type.endsWith("Heartbeat")
      ) {
        expect(applied.result).not.toBeInstanceOf(KinesisError);
      }
      state = applied.state;
      if (command.type === "WriteCheckpoint") expect(state.applications.get("orders/billing")?.shards.size).toBe(4);
      if (command.type === "DeleteStream") expect([...state.applications.keys()]).toEqual(["orders/audit"]);
      const bytes = encodeState(state);
      const decoded = decodeState(bytes);
      expect(decoded).toEqual(state);
      expect(encodeState(decoded)).toEqual(bytes);
      // A replica restored from the snapshot goes on exactly like one that applied the log.
      const next = { type: "RepairDownBrokers", nowMs: 10_000_000, replaceAfterMs: 0 } as const;
      expect(applyCommand(decoded, next).state).toEqual(applyCommand(state, next).state);
    }
    // Applications go with their stream.
    expect(state.applications.size).toBe(0);
    const withStream = applyCommand(applyCommand(emptyControllerState(), commands[0]!).state, {
      ...(commands[4] as Extract<ControllerCommand, { type: "CreateStream" }>),
      replicationFactor: 1,
    }).state;
    const shard = decodeState(encodeState(withStream)).streams.get("orders")!.shards[3]!;
    expect(typeof shard.hashKeyRange.endingHashKey).toBe("bigint");
    expect(shard.hashKeyRange.endingHashKey).toBe(2n ** 128n - 1n);
  });

  it("round-trips arbitrary strings and numbers in commands", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.nat(), (id, zone, nowMs) => {
        const command: ControllerCommand = { type: "RegisterBroker", id, zone, address: zone, nowMs };
        expect(decodeCommand(encodeCommand(command))).toEqual(command);
      }),
    );
  });

  it("refuses damaged or foreign bytes with CorruptDataException", () => {
    const enc = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    const bad = [
      new Uint8Array([0xff, 0xfe]),
      enc([1]),
      enc({ v: 2, command: commands[0] }),
      enc({ v: 1, command: { type: "Launch" } }),
      enc({ v: 1, command: { type: "BrokerDown", id: 7, nowMs: 1 } }),
      enc({ v: 1, command: { type: "BrokerDown", id: "x" } }),
    ];
    for (const bytes of bad) {
      expect(() => decodeCommand(bytes)).toThrow(KinesisError);
      try {
        decodeCommand(bytes);
      } catch (error) {
        expect((error as KinesisError).name).toBe("CorruptDataException");
      }
    }
    expect(() => decodeState(enc({ v: 1 }))).toThrow(/missing fields/);
  });

  it("drops fields a command does not have", () => {
    const bytes = new TextEncoder().encode(
      JSON.stringify({ v: 1, command: { type: "DeleteStream", streamName: "s", extra: 1 } }),
    );
    expect(decodeCommand(bytes)).toEqual({ type: "DeleteStream", streamName: "s" });
  });
});
