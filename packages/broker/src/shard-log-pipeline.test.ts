import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KinesisError, type BatchRecord, type Shard } from "@eddy/core";
import type { Message } from "@eddy/raft";
import { Store } from "@eddy/storage";
import { shardLogOptions, TEST_SHARD } from "./shard-log-test-support.js";
import { ShardLog, type AppendResult, type ShardLogOptions } from "./shard-log.js";

const IDS = ["a", "b", "c"] as const;
type Id = (typeof IDS)[number];

const OPTIONS: ShardLogOptions = shardLogOptions({ tailCacheBytesMax: 1 << 20 });
const SHARD: Shard = TEST_SHARD;

/** How long a wait for the group to reach a state may take before the test fails, naming the state. */
const WAIT_MS_MAX = 20_000;
/** The period of the test's Raft clock: an election takes 10-20 ticks (see `config` below). */
const TICK_MS = 10;
/** Each test's own bound: a few waits, well within it on a loaded machine. */
const TEST_TIMEOUT_MS = 60_000;

const record = (i: number): BatchRecord => ({ partitionKey: `k${i}`, data: new TextEncoder().encode(`data-${i}`) });
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

/**
 * Three replicas of one shard on three real stores in one process. Messages travel through setImmediate,
 * as through sockets; the test decides when they travel at all (held, or dropped for a cut-off replica),
 * and ticks the replicas itself, so that no election happens unless the test makes it happen.
 */
class Group {
  readonly logs = new Map<Id, ShardLog>();
  /** Messages to these replicas wait in `held` until released. */
  readonly holdTo = new Set<Id>();
  held: Message[] = [];
  /** Replicas cut off from the others: their messages in and out are dropped. */
  readonly cut = new Set<Id>();
  private readonly stores: Store[] = [];
  private readonly dirs: string[] = [];

  async start(options: Partial<ShardLogOptions> = {}): Promise<void> {
    // a opens last and campaigns at once, so that its votes find the others open.
    for (const id of ["b", "c", "a"] as const) {
      const dir = await mkdtemp(join(tmpdir(), `eddy-pipeline-${id}-`));
      this.dirs.push(dir);
      const store = await Store.open(dir);
      this.stores.push(store);
      const log = await ShardLog.open(
        SHARD,
        await store.group(SHARD.groupId),
        { ...OPTIONS, ...options },
        { batchCommitted: () => undefined, roleChanged: () => undefined },
        {
          selfId: id,
          voters: [...IDS],
          config: { electionTimeoutTicks: 10, heartbeatIntervalTicks: 1 },
          send: (message) => this.send(message),
          campaignAtStart: id === "a",
          failed: (error) => {
            throw error;
          },
        },
        Date.now(),
      );
      this.logs.set(id, log);
    }
    await until("a leads", () => this.log("a").roleState().role === "leader");
  }

  log(id: Id): ShardLog {
    return this.logs.get(id)!;
  }

  leader(among: readonly Id[] = IDS): Id | undefined {
    return among.find((id) => this.log(id).roleState().role === "leader");
  }

  private send(message: Message): void {
    const to = message.to as Id;
    if (this.cut.has(message.from as Id) || this.cut.has(to)) return;
    if (this.holdTo.has(to)) {
      this.held.push(message);
      return;
    }
    setImmediate(() => this.logs.get(to)?.step(message));
  }

  /** Delivers the held messages, in order, and stops holding. */
  release(): void {
    this.holdTo.clear();
    const held = this.held;
    this.held = [];
    for (const message of held) this.send(message);
  }

  /**
   * One tick of each replica named, then TICK_MS for what it sent: the replicas' clock. Ticking faster
   * than a vote's synced write could keep an election from ever finishing on a loaded machine.
   */
  async tick(ids: readonly Id[]): Promise<void> {
    for (const id of ids) this.log(id).tick();
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }

  async destroy(): Promise<void> {
    for (const log of this.logs.values()) await log.drain(new KinesisError("ServiceUnavailableException", "test over"));
    for (const store of this.stores) await store.close();
    for (const dir of this.dirs) await rm(dir, { recursive: true, force: true });
  }
}

/** Waits, a turn of the event loop at a time, until `done()`; fails naming `what` after WAIT_MS_MAX. */
async function until(what: string, done: () => boolean, step: () => Promise<void> = nextTurn): Promise<void> {
  const deadlineMs = Date.now() + WAIT_MS_MAX;
  while (!done()) {
    if (Date.now() > deadlineMs) throw new Error(`timed out waiting until ${what}`);
    await step();
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A put whose outcome the test looks at later, and the order in which puts settled. */
interface Tracked {
  readonly result: Promise<AppendResult>;
  settled: boolean;
}

function track(result: Promise<AppendResult>, settledOrder: number[], i: number): Tracked {
  const tracked: Tracked = { result, settled: false };
  const done = () => {
    tracked.settled = true;
    settledOrder.push(i);
  };
  result.then(done, done);
  return tracked;
}

describe("ShardLog pipelining (3 replicas on real stores)", { timeout: TEST_TIMEOUT_MS }, () => {
  let group: Group;

  beforeEach(() => {
    group = new Group();
  });

  afterEach(async () => {
    await group.destroy();
  });

  /** Puts one record at a time on the leader, each proposed as its own batch while the earlier ones wait. */
  async function putOneByOne(count: number, settledOrder: number[], proposed = count): Promise<Tracked[]> {
    const leader = group.log("a");
    const before = leader.raftStatus().lastIndex;
    const puts: Tracked[] = [];
    for (let i = 0; i < count; i++) {
      puts.push(track(leader.append([record(i)], 10), settledOrder, i));
      const expected = before + Math.min(i + 1, proposed);
      await until(`batch ${i} is proposed`, () => leader.raftStatus().lastIndex >= expected);
    }
    return puts;
  }

  it("proposes the next batches while earlier ones replicate, and settles them in index order", async () => {
    await group.start();
    const leader = group.log("a");
    group.holdTo.add("b").add("c");
    const settledOrder: number[] = [];
    const puts = await putOneByOne(4, settledOrder);
    const status = leader.raftStatus();
    // Four batches are in the leader's log and none is committed: all four are in flight at once.
    expect(status.lastIndex - leader.lastCommittedIndex()).toBe(4);
    expect(puts.every((p) => !p.settled)).toBe(true);

    group.release();
    const results = await Promise.all(puts.map((p) => p.result));
    expect(settledOrder).toEqual([0, 1, 2, 3]);
    const sequenceNumbers = results.map((r) => r.sequenceNumbers[0]!);
    expect(sequenceNumbers.every((s, i) => i === 0 || s > sequenceNumbers[i - 1]!)).toBe(true);

    // A follower reads them in the same order once it learns the commit index.
    const follower = group.log("b");
    await until(
      "b has applied them",
      () => follower.lastCommittedIndex() >= leader.lastCommittedIndex(),
      () => group.tick(["a"]),
    );
    const read = await follower.read(follower.trimHorizon(), 100, 1 << 20, Date.now());
    expect(read.records.map((r) => text(r.data))).toEqual(["data-0", "data-1", "data-2", "data-3"]);
    expect(read.records.map((r) => r.sequenceNumber)).toEqual(sequenceNumbers);
  });

  it("keeps at most proposalsInFlightMax batches in flight; the rest wait in the queue and follow in order", async () => {
    await group.start({ proposalsInFlightMax: 2 });
    const leader = group.log("a");
    const lastBefore = leader.raftStatus().lastIndex;
    group.holdTo.add("b").add("c");
    const settledOrder: number[] = [];
    const puts = await putOneByOne(2, settledOrder);
    // Two more while the pipeline is full: they are not proposed yet.
    puts.push(track(leader.append([record(2)], 10), settledOrder, 2));
    puts.push(track(leader.append([record(3)], 10), settledOrder, 3));
    for (let turn = 0; turn < 20; turn++) await nextTurn();
    expect(leader.raftStatus().lastIndex).toBe(lastBefore + 2);

    group.release();
    const results = await Promise.all(puts.map((p) => p.result));
    expect(settledOrder).toEqual([0, 1, 2, 3]);
    // The two that waited went together, as the next batch, once a slot was free.
    expect(results[2]!.sequenceNumbers[0]! < results[3]!.sequenceNumbers[0]!).toBe(true);
    expect(leader.raftStatus().lastIndex).toBe(lastBefore + 3);
    const read = await leader.read(leader.trimHorizon(), 100, 1 << 20, Date.now());
    expect(read.records.map((r) => text(r.data))).toEqual(["data-0", "data-1", "data-2", "data-3"]);
  });

  it("leader change with several batches in flight: each put is refused as NotLeader, and none of them is in the new leader's log", async () => {
    await group.start();
    group.holdTo.add("b").add("c");
    const settledOrder: number[] = [];
    const puts = await putOneByOne(3, settledOrder);
    // The batches never reach the followers: a is cut off, steps down (check quorum), and b or c is elected.
    group.held = [];
    group.holdTo.clear();
    group.cut.add("a");
    await until(
      "a steps down and b or c leads",
      () => group.log("a").roleState().role !== "leader" && group.leader(["b", "c"]) !== undefined,
      () => group.tick(IDS),
    );
    for (const put of puts) {
      await expect(put.result).rejects.toSatisfy(
        (error: unknown) => error instanceof KinesisError && error.name === "NotLeaderException",
      );
    }
    expect(settledOrder).toEqual([0, 1, 2]);

    const newLeader = group.log(group.leader(["b", "c"])!);
    const after = await newLeader.append([record(9)], 10);
    group.cut.clear();
    // a rejoins: its uncommitted batches are replaced by the new leader's log.
    await until(
      "a has caught up",
      () => group.log("a").lastCommittedIndex() >= newLeader.lastCommittedIndex(),
      () => group.tick(IDS),
    );
    for (const log of [newLeader, group.log("a")]) {
      const read = await log.read(log.trimHorizon(), 100, 1 << 20, Date.now());
      expect(read.records.map((r) => text(r.data))).toEqual(["data-9"]);
      expect(read.records[0]!.sequenceNumber).toBe(after.sequenceNumbers[0]);
    }
  });

  it("a seal proposed behind batches in flight comes after them: they commit, later puts are refused, the shard ends at the seal", async () => {
    await group.start();
    const leader = group.log("a");
    group.holdTo.add("b").add("c");
    const settledOrder: number[] = [];
    const puts = await putOneByOne(3, settledOrder);
    const sealed = leader.seal();
    await expect(leader.append([record(9)], 10)).rejects.toSatisfy(
      (error: unknown) => error instanceof KinesisError && error.name === "ShardClosedException",
    );
    group.release();
    const results = await Promise.all(puts.map((p) => p.result));
    const ending = await sealed;
    expect(settledOrder).toEqual([0, 1, 2]);
    expect(results.every((r) => r.sequenceNumbers[0]! < ending)).toBe(true);
    const read = await leader.read(leader.trimHorizon(), 100, 1 << 20, Date.now());
    expect(read.records.map((r) => text(r.data))).toEqual(["data-0", "data-1", "data-2"]);
    expect(read.ended).toBe(true);
  });
});
