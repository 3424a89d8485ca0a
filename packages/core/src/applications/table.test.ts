import { describe, expect, it } from "vitest";
import { kinesisErrorOf } from "../test-support.js";
import type { Shard } from "../model.js";
import {
  checkpoint,
  createApplication,
  heartbeat,
  resetApplication,
  startingPositionOf,
  type Application,
  type HeartbeatInput,
  type HeartbeatResult,
} from "./table.js";

const TIMEOUT = 10_000;

const shardOf = (n: number, extra: Partial<Shard> = {}): Shard => ({
  shardId: `shardId-${String(n).padStart(12, "0")}`,
  shardNumber: n,
  groupId: n + 1,
  hashKeyRange: { startingHashKey: 0n, endingHashKey: 1n },
  startingSequenceNumber: 0n,
  ...extra,
});
const SHARDS = Array.from({ length: 8 }, (_, i) => shardOf(i));
const ID = (n: number) => shardOf(n).shardId;

function newApp(initialPosition = "TRIM_HORIZON"): Application {
  return createApplication(undefined, 0, {
    streamName: "orders",
    streamId: "s1",
    applicationName: "billing",
    initialPosition,
    leaseTimeoutMs: TIMEOUT,
    nowMs: 0,
  });
}

function beat(
  app: Application,
  workerId: string,
  nowMs: number,
  extra: Partial<HeartbeatInput> = {},
  shards: readonly Shard[] = SHARDS,
): { app: Application; result: HeartbeatResult } {
  return heartbeat(app, shards, {
    workerId,
    incarnation: `${workerId}-1`,
    nowMs,
    released: [],
    leaving: false,
    reports: [],
    ...extra,
  });
}

const owners = (app: Application) => {
  const counts = new Map<string, number>();
  for (const p of app.shards.values()) if (p.lease) counts.set(p.lease.owner, (counts.get(p.lease.owner) ?? 0) + 1);
  return counts;
};

/** Three workers heartbeating at `nowMs`, in order. */
function threeWorkers(nowMs = 1_000): Application {
  let app = newApp();
  for (const w of ["w1", "w2", "w3"]) app = beat(app, w, nowMs).app;
  // The first worker was given everything; the others' arrival asked it to hand shards over.
  for (let round = 0; round < 3; round++) {
    for (const w of ["w1", "w2", "w3"]) {
      const { app: next, result } = beat(app, w, nowMs);
      app = result.release.length > 0 ? beat(next, w, nowMs, { released: result.release }).app : next;
    }
  }
  return app;
}

describe("createApplication", () => {
  it("validates its fields, naming them", () => {
    expect(
      kinesisErrorOf(() => createApplication(undefined, 0, { ...input(), applicationName: "a b" })).message,
    ).toMatch(/ApplicationName/);
    expect(kinesisErrorOf(() => createApplication(undefined, 0, { ...input(), leaseTimeoutMs: 500 })).message).toMatch(
      /LeaseTimeoutMs.*1000 to 600000/,
    );
    expect(
      kinesisErrorOf(() => createApplication(undefined, 0, { ...input(), initialPosition: "NOW" })).message,
    ).toMatch(/InitialPosition/);
    expect(
      kinesisErrorOf(() => createApplication(undefined, 0, { ...input(), initialPosition: "AT_TIMESTAMP" })).message,
    ).toMatch(/InitialTimestamp/);
    expect(kinesisErrorOf(() => createApplication(undefined, 50, input())).name).toBe("LimitExceededException");
  });

  it("returns the existing application unchanged when created again", () => {
    const app = newApp();
    expect(createApplication(app, 1, { ...input(), leaseTimeoutMs: 20_000 })).toBe(app);
  });

  function input() {
    return {
      streamName: "orders",
      streamId: "s1",
      applicationName: "billing",
      initialPosition: "LATEST",
      leaseTimeoutMs: TIMEOUT,
      nowMs: 0,
    };
  }
});

describe("heartbeat and assignment", () => {
  it("spreads the shards over the live workers, each lease starting at the initial position", () => {
    const app = threeWorkers();
    expect([...owners(app).values()].sort()).toEqual([2, 3, 3]);
    const { result } = beat(app, "w2", 1_000);
    expect(result.leases.length).toBeGreaterThanOrEqual(2);
    expect(result.leases.every((l) => l.startFrom.type === "TRIM_HORIZON" && l.epoch >= 1)).toBe(true);
    expect(result.release).toEqual([]);
    expect(startingPositionOf(newApp("LATEST"), ID(0))).toEqual({ type: "LATEST" });
  });

  it("asks a loaded worker to hand shards to a newcomer, and gives them only once released", () => {
    let app = newApp();
    app = beat(app, "w1", 1_000).app;
    expect(owners(app).get("w1")).toBe(8);
    const joined = beat(app, "w2", 1_100);
    expect(joined.result.leases).toEqual([]);
    const asked = beat(joined.app, "w1", 1_200);
    expect(asked.result.release).toHaveLength(4);
    // Still w1's until it releases them: a lease is never taken from a live worker.
    expect(asked.result.leases).toHaveLength(8);
    const released = beat(asked.app, "w1", 1_300, { released: asked.result.release });
    expect(released.result.leases).toHaveLength(4);
    const taken = beat(released.app, "w2", 1_400);
    expect(taken.result.leases.map((l) => l.shardId).sort()).toEqual([...asked.result.release].sort());
    expect(taken.result.leases.every((l) => l.epoch === 2)).toBe(true);
  });

  it("gives a silent worker's shards to the others once its lease timeout passes, at a higher epoch", () => {
    let app = threeWorkers(1_000);
    const w3Epochs = new Map(
      [...app.shards].filter(([, p]) => p.lease?.owner === "w3").map(([id, p]) => [id, p.lease!.epoch] as const),
    );
    const w3Shards = [...w3Epochs.keys()];
    // Just before w3's leases expire: nothing moves, and w1 learns when they will.
    let out = beat(app, "w1", 1_000 + TIMEOUT - 1);
    expect(out.result.nextExpiryInMs).toBe(1);
    app = beat(out.app, "w2", 1_000 + TIMEOUT - 1).app;
    expect(owners(app).get("w3")).toBe(w3Shards.length);
    out = beat(app, "w1", 1_000 + TIMEOUT);
    app = beat(out.app, "w2", 1_000 + TIMEOUT).app;
    expect(app.workers.has("w3")).toBe(false);
    expect(owners(app).get("w3")).toBeUndefined();
    expect([...owners(app).values()].sort()).toEqual([4, 4]);
    for (const id of w3Shards) expect(app.shards.get(id)?.lease?.epoch).toBe(w3Epochs.get(id)! + 1);
  });

  it("releases a leaving worker's leases at once, to the others", () => {
    const app = threeWorkers();
    const w1Shards = [...app.shards].filter(([, p]) => p.lease?.owner === "w1").map(([id]) => id);
    const left = beat(app, "w1", 2_000, { leaving: true });
    expect(left.result.leases).toEqual([]);
    expect(left.app.workers.has("w1")).toBe(false);
    for (const id of w1Shards) expect(["w2", "w3"]).toContain(left.app.shards.get(id)?.lease?.owner);
  });

  it("keeps a restarted worker's shards (same id), fencing the old process with a new epoch", () => {
    const app = threeWorkers();
    const before = beat(app, "w2", 2_000).result.leases;
    const again = beat(app, "w2", 2_000).result.leases;
    expect(again).toEqual(before);
    const restarted = beat(app, "w2", 2_000, { incarnation: "w2-2" });
    expect(restarted.result.leases.map((l) => l.shardId)).toEqual(before.map((l) => l.shardId));
    expect(restarted.result.leases.map((l) => l.epoch)).toEqual(before.map((l) => l.epoch + 1));
    const old = before[0]!;
    expect(
      kinesisErrorOf(() =>
        checkpoint(restarted.app, SHARDS, {
          workerId: "w2",
          shardId: old.shardId,
          epoch: old.epoch,
          position: { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "5" },
          nowMs: 2_100,
        }),
      ).name,
    ).toBe("LeaseLostException");
  });

  it("ignores a shard the stream no longer has in a heartbeat, and stores the owner's reports only", () => {
    const app = threeWorkers();
    const gone = beat(app, "w1", 2_000, {
      released: ["shardId-999"],
      reports: [{ shardId: "shardId-999", haltedReason: "x" }],
    });
    expect(gone.result.leases).toEqual(beat(app, "w1", 2_000).result.leases);
    expect(gone.app.shards.has("shardId-999")).toBe(false);
    const held = beat(app, "w1", 2_000).result.leases[0]!.shardId;
    const reported = beat(app, "w1", 2_000, {
      reports: [{ shardId: held, millisBehindLatest: 42, haltedReason: "poison record 7" }],
    }).app;
    expect(reported.shards.get(held)).toMatchObject({
      millisBehindLatest: 42,
      halted: { reason: "poison record 7", workerId: "w1", atMs: 2_000 },
    });
    const foreign = beat(app, "w2", 2_000, { reports: [{ shardId: held, millisBehindLatest: 1 }] }).app;
    expect(foreign.shards.get(held)?.millisBehindLatest).toBeUndefined();
  });
});

describe("checkpoints", () => {
  it("are written by the owner at its epoch, move forward only, and are where the next owner starts", () => {
    let app = threeWorkers();
    const lease = beat(app, "w1", 2_000).result.leases[0]!;
    const at = (sequenceNumber: string, nowMs: number, workerId = "w1", epoch = lease.epoch) =>
      checkpoint(app, SHARDS, {
        workerId,
        shardId: lease.shardId,
        epoch,
        position: { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber },
        nowMs,
      });
    app = at("100", 2_100);
    expect(app.shards.get(lease.shardId)?.checkpoint).toEqual({
      position: { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "100" },
      writtenAtMs: 2_100,
      workerId: "w1",
    });
    expect(kinesisErrorOf(() => at("99", 2_200)).message).toMatch(/before the last one, 100/);
    expect(kinesisErrorOf(() => at("101", 2_200, "w2")).name).toBe("LeaseLostException");
    expect(kinesisErrorOf(() => at("101", 2_200, "w1", lease.epoch + 1)).name).toBe("LeaseLostException");
    expect(kinesisErrorOf(() => at("not-a-number", 2_200)).name).toBe("InvalidArgumentException");
    // w1 dies; whoever takes the shard starts after the checkpoint.
    app = beat(app, "w2", 2_000 + TIMEOUT).app;
    const next = beat(app, "w3", 2_000 + TIMEOUT).result.leases.concat(beat(app, "w2", 2_000 + TIMEOUT).result.leases);
    const taken = next.find((l) => l.shardId === lease.shardId)!;
    expect(taken.startFrom).toEqual({ type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "100" });
    expect(taken.epoch).toBe(lease.epoch + 1);
  });

  it("a closed shard checkpointed at SHARD_END is finished and its children are given out; an open one cannot be", () => {
    const parent = shardOf(0, { endingSequenceNumber: 500n });
    const child = shardOf(1, { parentShardId: parent.shardId });
    const shards = [parent, child];
    let out = beat(newApp(), "w1", 1_000, {}, shards);
    expect(out.result.leases.map((l) => l.shardId)).toEqual([parent.shardId]);
    const epoch = out.result.leases[0]!.epoch;
    const open = shardOf(2);
    expect(
      kinesisErrorOf(() =>
        checkpoint(beat(out.app, "w1", 1_000, {}, [open]).app, [open], {
          workerId: "w1",
          shardId: open.shardId,
          epoch: 1,
          position: { type: "SHARD_END" },
          nowMs: 1_100,
        }),
      ).message,
    ).toMatch(/only a closed shard/);
    const app = checkpoint(out.app, shards, {
      workerId: "w1",
      shardId: parent.shardId,
      epoch,
      position: { type: "SHARD_END" },
      nowMs: 1_100,
    });
    expect(app.shards.get(parent.shardId)?.lease).toBeUndefined();
    out = beat(app, "w1", 1_200, {}, shards);
    expect(out.result.leases.map((l) => l.shardId)).toEqual([child.shardId]);
  });

  it("take AT_TIMESTAMP only as a shard's first checkpoint (where a LATEST start was pinned)", () => {
    let app = threeWorkers();
    const lease = beat(app, "w1", 2_000).result.leases[0]!;
    const write = (position: Parameters<typeof checkpoint>[2]["position"]) =>
      checkpoint(app, SHARDS, { workerId: "w1", shardId: lease.shardId, epoch: lease.epoch, position, nowMs: 2_100 });
    app = write({ type: "AT_TIMESTAMP", timestampMs: 1_900 });
    expect(startingPositionOf(app, lease.shardId)).toEqual({ type: "AT_TIMESTAMP", timestampMs: 1_900 });
    expect(kinesisErrorOf(() => write({ type: "AT_TIMESTAMP", timestampMs: 2_000 })).message).toMatch(
      /AT_TIMESTAMP as a shard's first checkpoint/,
    );
    app = write({ type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "5" });
    expect(startingPositionOf(app, lease.shardId)).toEqual({ type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "5" });
  });

  it("clear a halt report when they move on", () => {
    let app = threeWorkers();
    const lease = beat(app, "w1", 2_000).result.leases[0]!;
    app = beat(app, "w1", 2_000, { reports: [{ shardId: lease.shardId, haltedReason: "boom" }] }).app;
    app = checkpoint(app, SHARDS, {
      workerId: "w1",
      shardId: lease.shardId,
      epoch: lease.epoch,
      position: { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "7" },
      nowMs: 2_100,
    });
    expect(app.shards.get(lease.shardId)?.halted).toBeUndefined();
  });
});

describe("resetApplication", () => {
  it("is refused while live workers hold leases, naming them", () => {
    const error = kinesisErrorOf(() =>
      resetApplication(threeWorkers(), SHARDS, { position: { type: "TRIM_HORIZON" }, force: false, nowMs: 2_000 }),
    );
    expect(error.name).toBe("ResourceInUseException");
    expect(error.message).toMatch(/w1, w2, w3/);
  });

  it("with force revokes the leases (fencing their holders) and the next owners start at the reset point", () => {
    let app = threeWorkers();
    const lease = beat(app, "w1", 2_000).result.leases[0]!;
    app = resetApplication(app, SHARDS, {
      position: { type: "AT_TIMESTAMP", timestampMs: 500 },
      force: true,
      nowMs: 2_000,
    });
    expect([...app.shards.values()].every((p) => p.lease === undefined)).toBe(true);
    expect(
      kinesisErrorOf(() =>
        checkpoint(app, SHARDS, {
          workerId: "w1",
          shardId: lease.shardId,
          epoch: lease.epoch,
          position: { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "9" },
          nowMs: 2_100,
        }),
      ).name,
    ).toBe("LeaseLostException");
    const again = beat(app, "w1", 2_200).result.leases;
    expect(again.length).toBeGreaterThan(0);
    for (const l of again) {
      expect(l.startFrom).toEqual({ type: "AT_TIMESTAMP", timestampMs: 500 });
      expect(l.epoch).toBeGreaterThan(lease.epoch);
    }
  });

  it("to a sequence number needs a shard; once the workers are gone it needs no force", () => {
    const app = threeWorkers(1_000);
    const later = 1_000 + TIMEOUT;
    expect(
      kinesisErrorOf(() =>
        resetApplication(app, SHARDS, {
          position: { type: "AT_SEQUENCE_NUMBER", sequenceNumber: "12" },
          force: false,
          nowMs: later,
        }),
      ).message,
    ).toMatch(/needs ShardId/);
    const reset = resetApplication(app, SHARDS, {
      position: { type: "AT_SEQUENCE_NUMBER", sequenceNumber: "12" },
      shardId: ID(3),
      force: false,
      nowMs: later,
    });
    expect(startingPositionOf(reset, ID(3))).toEqual({ type: "AT_SEQUENCE_NUMBER", sequenceNumber: "12" });
    expect(startingPositionOf(reset, ID(4))).toEqual({ type: "TRIM_HORIZON" });
  });
});
