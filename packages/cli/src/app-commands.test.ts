import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "commander";
import type { ApplicationInfo } from "@eddy/client";
import { describePosition, formatApplication, formatDurationMs, resetPosition, summarize } from "./app-commands.js";

describe("eddy app reset --to", () => {
  it("reads the five forms as checkpoint positions", () => {
    expect(resetPosition("trim-horizon")).toEqual({ type: "TRIM_HORIZON" });
    expect(resetPosition("latest")).toEqual({ type: "LATEST" });
    expect(resetPosition("at:123")).toEqual({ type: "AT_SEQUENCE_NUMBER", sequenceNumber: "123" });
    expect(resetPosition("after:79228162514264337593543950336")).toEqual({
      type: "AFTER_SEQUENCE_NUMBER",
      sequenceNumber: "79228162514264337593543950336",
    });
    expect(resetPosition("time:2026-01-02T03:04:05.678Z")).toEqual({
      type: "AT_TIMESTAMP",
      timestampMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
    });
  });

  it.each(["bogus", "", "TRIM_HORIZON", "at:", "at:12x", "after:-1", "time:yesterday", "shard-end"])(
    "refuses %j, naming the accepted forms",
    (value) => {
      expect(() => resetPosition(value)).toThrow(InvalidArgumentError);
      expect(() => resetPosition(value)).toThrow(/trim-horizon, latest, at:SEQ, after:SEQ or time:ISO/);
    },
  );
});

describe("eddy app formatting", () => {
  it("shortens long sequence numbers to head and tail unless wide", () => {
    const sequenceNumber = "79228162514264337593560727552";
    expect(describePosition({ type: "AFTER_SEQUENCE_NUMBER", sequenceNumber }, false)).toBe("after 7922...60727552");
    expect(describePosition({ type: "AFTER_SEQUENCE_NUMBER", sequenceNumber }, true)).toBe(`after ${sequenceNumber}`);
    expect(describePosition({ type: "AT_SEQUENCE_NUMBER", sequenceNumber: "16777216" }, false)).toBe("at 16777216");
    expect(describePosition({ type: "AT_TIMESTAMP", timestampMs: 0 }, false)).toBe(
      "at-timestamp 1970-01-01T00:00:00.000Z",
    );
    expect(describePosition({ type: "SHARD_END" }, false)).toBe("shard-end");
  });

  it("prints durations in at most two units, rounded down", () => {
    expect(
      [0, 850, 1_000, 1_550, 9_999, 10_000, 59_999, 250_000, 11_100_000, 180_000_000].map(formatDurationMs),
    ).toEqual(["0ms", "850ms", "1s", "1.5s", "9.9s", "10s", "59s", "4m10s", "3h5m", "2d2h"]);
  });

  const nowMs = Date.UTC(2026, 0, 1, 12, 0, 0);
  const info: ApplicationInfo = {
    streamName: "orders",
    applicationName: "billing",
    createdAt: new Date(nowMs - 300_000),
    initialPosition: "TRIM_HORIZON",
    leaseTimeoutMs: 10_000,
    workers: [{ workerId: "w1", lastHeartbeat: new Date(nowMs - 300), leaseCount: 1 }],
    shards: [
      {
        shardId: "shardId-000000000000",
        owner: "w1",
        leaseEpoch: 3,
        checkpoint: { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "16777218" },
        checkpointWrittenAt: new Date(nowMs - 2_000),
        checkpointWorker: "w1",
        millisBehindLatest: 5,
        halted: { reason: "boom:\n  at handler", workerId: "w1", at: new Date(nowMs - 1_000) },
      },
      // Its lease's worker is no longer live: recorded until the shard is reassigned, not counted as held.
      { shardId: "shardId-000000000001", owner: "w9", leaseEpoch: 1, millisBehindLatest: 70_000 },
      { shardId: "shardId-000000000002", leaseEpoch: 0 },
    ],
  };

  it("summarizes an application for `app list`", () => {
    expect(summarize(info)).toEqual({
      streamName: "orders",
      applicationName: "billing",
      liveWorkers: 1,
      shardsHeld: 1,
      shardCount: 3,
      haltedShards: 1,
      maxMillisBehindLatest: 70_000,
    });
    expect(summarize({ ...info, shards: [] }).maxMillisBehindLatest).toBeNull();
  });

  it("describes the lease table: owners, epochs, checkpoints, ages, lag and halts", () => {
    expect(formatApplication(info, nowMs, false)).toEqual([
      "application billing of stream orders",
      "  initial position  trim-horizon",
      "  lease timeout     10s",
      "  created           2026-01-01T11:55:00.000Z (5m0s ago)",
      "",
      "workers: 1 live",
      "  worker  leases  heartbeat age",
      "  w1      1       300ms",
      "",
      "shards: 3 (1 halted)",
      "  shard                 owner         epoch  checkpoint      checkpoint age  lag",
      "  shardId-000000000000  w1            3      after 16777218  2s              5ms    HALTED: boom: at handler (w1, 1s ago)",
      "  shardId-000000000001  w9 (expired)  1      -               -               1m10s",
      "  shardId-000000000002  -             -      -               -               -",
    ]);
  });
});
