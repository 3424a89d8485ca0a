/**
 * The controller's snapshots and log compaction, on real LevelDB stores: one replica restarting from
 * its snapshot, and three replicas talking through real peer transports (gRPC on 127.0.0.1) where a
 * replica that was away catches up through an InstallSnapshot carrying the state. Conditions are
 * awaited (`waitFor` polls on setImmediate), never slept for.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeState, KinesisError, type ControllerCommand } from "@eddy/core";
import { GRPC_CHANNEL_OPTIONS, grpc } from "@eddy/api";
import { Store } from "@eddy/storage";
import { PeerTransport } from "../peer/index.js";
import {
  CONTROLLER_GROUP_ID,
  ControllerNode,
  type ControllerNodeOptions,
  type ControllerSnapshotEvent,
} from "./controller-node.js";

const SNAPSHOT_EVERY_ENTRIES = 50;
/** compactionMarginEntries(50): the log keeps 5 entries behind each snapshot. */
const MARGIN_ENTRIES = 5;
const TICK_MS = 5;

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadlineMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A command that changes the state every time: the producer's epoch goes up. */
const bump = (i: number): ControllerCommand => ({ type: "InitProducer", producerId: `producer-${i % 7}` });

function options(selfId: string, voters: readonly string[]): ControllerNodeOptions {
  return {
    selfId,
    bootstrapVoters: voters,
    config: { electionTimeoutTicks: 10, heartbeatIntervalTicks: 1 },
    sync: true,
    applyTimeoutMs: 30_000,
    snapshotEveryEntries: SNAPSHOT_EVERY_ENTRIES,
  };
}

/** One controller replica: its store, its peer transport and gRPC server, what it reported. */
interface Replica {
  readonly id: string;
  readonly store: Store;
  readonly server: grpc.Server;
  readonly transport: PeerTransport;
  readonly node: ControllerNode;
  readonly events: ControllerSnapshotEvent[];
  readonly failures: unknown[];
}

async function bindServer(port: number): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server(GRPC_CHANNEL_OPTIONS);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { server, port: bound };
}

/**
 * Controller replicas in one process, each on its own store and port. A replica can be stopped and
 * started again on the same store, and cut off: messages from and to a cut replica are dropped where
 * they arrive. Messages to a stopped replica are dropped where they are sent, as an unreachable
 * broker's would be once its peer queue overflowed; otherwise the queue would hand them all over when
 * it returns, and no snapshot would be needed.
 */
class Cluster {
  readonly replicas = new Map<string, Replica>();
  readonly cut = new Set<string>();
  private readonly dirs = new Map<string, string>();
  private readonly ports = new Map<string, number>();
  private ticker: NodeJS.Timeout | undefined;

  constructor(readonly ids: readonly string[]) {}

  /** Reserves a port per replica, so that every replica knows every address from the start. */
  async reservePorts(): Promise<void> {
    for (const id of this.ids) {
      const { server, port } = await bindServer(0);
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      this.ports.set(id, port);
    }
  }

  async start(id: string): Promise<Replica> {
    const dir = this.dirs.get(id) ?? (await mkdtemp(join(tmpdir(), `eddy-controller-${id}-`)));
    this.dirs.set(id, dir);
    const { server } = await bindServer(this.ports.get(id) ?? 0);
    const peers = new Map(
      this.ids.filter((other) => other !== id).map((other) => [other, `127.0.0.1:${this.ports.get(other)}`] as const),
    );
    let node: ControllerNode | undefined;
    const transport = new PeerTransport({
      selfId: id,
      clusterId: "controller-test",
      peers,
      onMessage: (from, groupId, message) => {
        expect(groupId).toBe(CONTROLLER_GROUP_ID);
        if (!this.cut.has(from) && !this.cut.has(id)) node?.step(message);
      },
      limits: { reconnectBackoffMsMin: 5, reconnectBackoffMsMax: 50 },
    });
    transport.addToServer(server);
    const store = await Store.open(dir);
    const events: ControllerSnapshotEvent[] = [];
    const failures: unknown[] = [];
    node = await ControllerNode.open(await store.group(CONTROLLER_GROUP_ID), options(id, this.ids), {
      send: (message) => {
        if (this.replicas.has(message.to)) transport.send(message.to, CONTROLLER_GROUP_ID, message);
      },
      failed: (error) => failures.push(error),
      changed: () => {},
      roleChanged: () => {},
      snapshot: (event) => events.push(event),
    });
    const replica = { id, store, server, transport, node, events, failures };
    this.replicas.set(id, replica);
    this.ticker ??= setInterval(() => {
      for (const r of this.replicas.values()) r.node.tick();
    }, TICK_MS);
    return replica;
  }

  async stop(id: string): Promise<void> {
    const replica = this.replicas.get(id)!;
    this.replicas.delete(id);
    await replica.node.stop();
    replica.transport.close();
    await new Promise<void>((resolve) => replica.server.tryShutdown(() => resolve()));
    await replica.store.close();
    expect(replica.failures).toEqual([]);
  }

  get(id: string): Replica {
    return this.replicas.get(id)!;
  }

  /** The one replica that leads and is not cut off, once there is exactly one. */
  leader(): Replica | undefined {
    const leaders = [...this.replicas.values()].filter((r) => r.node.isLeader() && !this.cut.has(r.id));
    return leaders.length === 1 ? leaders[0] : undefined;
  }

  async waitForLeader(): Promise<Replica> {
    await waitFor("a leader", () => this.leader() !== undefined);
    return this.leader()!;
  }

  async destroy(): Promise<void> {
    clearInterval(this.ticker);
    for (const id of [...this.replicas.keys()]) await this.stop(id);
    for (const dir of this.dirs.values()) await rm(dir, { recursive: true, force: true });
  }
}

/** Proposes `count` commands through the leader, one after the other, each awaited until applied there. */
async function proposeMany(leader: Replica, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) await leader.node.proposeLocal(bump(i));
}

const stateBytes = (replica: Replica): Buffer => Buffer.from(encodeState(replica.node.state));

describe("ControllerNode: snapshots and log compaction", () => {
  let cluster: Cluster;

  afterEach(async () => {
    await cluster.destroy();
  });

  it("a controller that took snapshots restarts from the latest one with the same state, replaying only the tail", async () => {
    cluster = new Cluster(["solo"]);
    let solo = await cluster.start("solo");
    await cluster.waitForLeader();
    await proposeMany(solo, 0, 130);
    // Index 1 is the leader's no-op; snapshots are taken at 50 and 100 and stored 5 entries later.
    await waitFor("the snapshot at 100", () => solo.node.snapshotStatus().snapshotIndex === 100);
    expect(solo.events.filter((e) => e.kind === "taken").map((e) => e.index)).toEqual([50, 100]);
    expect(solo.events.at(-1)).toMatchObject({ kind: "taken", index: 100, firstIndex: 101 });
    const log = await solo.store.group(CONTROLLER_GROUP_ID);
    expect(log.firstIndex()).toBe(101);
    expect(await log.entries(1, 101, Infinity)).toEqual([]);
    expect((await log.snapshot()).meta).toMatchObject({ index: 100, conf: { voters: ["solo"] } });
    const appliedBefore = solo.node.applied;
    expect(appliedBefore).toBe(131);
    const before = stateBytes(solo);

    await cluster.stop("solo");
    solo = await cluster.start("solo");
    await waitFor("the replay", () => solo.node.replayed);
    expect(solo.node.applied).toBeGreaterThanOrEqual(appliedBefore);
    expect(stateBytes(solo).equals(before)).toBe(true);
    // Everything applied since the restart is above the snapshot: the entries below it were not replayed.
    const status = solo.node.snapshotStatus();
    expect(status).toMatchObject({ snapshotIndex: 100, firstIndex: 101 });
    expect(status.appliedSinceOpen).toBe(solo.node.applied - 100);

    // It goes on: the results of new commands, and the next snapshot.
    await cluster.waitForLeader();
    await proposeMany(solo, 130, 30);
    await waitFor("the snapshot at 150", () => solo.node.snapshotStatus().snapshotIndex === 150);
    expect((await solo.store.group(CONTROLLER_GROUP_ID)).firstIndex()).toBe(151);
  });

  it("three replicas: one stopped while the others compact past it catches up through a snapshot with the state", async () => {
    cluster = new Cluster(["a", "b", "c"]);
    await cluster.reservePorts();
    for (const id of cluster.ids) await cluster.start(id);
    let leader = await cluster.waitForLeader();
    await proposeMany(leader, 0, 10);
    const away = cluster.ids.find((id) => id !== leader.id)!;
    await waitFor(`${away} to apply what the leader did`, () => cluster.get(away).node.applied >= leader.node.applied);
    const awayApplied = cluster.get(away).node.applied;
    await cluster.stop(away);

    // More than two snapshot intervals: both remaining replicas snapshot and compact past the stopped one.
    leader = await cluster.waitForLeader();
    await proposeMany(leader, 10, 2 * SNAPSHOT_EVERY_ENTRIES + 20);
    const present = cluster.ids.filter((id) => id !== away);
    for (const id of present) {
      const replica = cluster.get(id);
      await waitFor(`${id} to compact`, () => replica.node.snapshotStatus().snapshotIndex >= 100);
      expect((await replica.store.group(CONTROLLER_GROUP_ID)).firstIndex()).toBeGreaterThan(awayApplied + 1);
    }
    const leaderFirstIndex = (await leader.store.group(CONTROLLER_GROUP_ID)).firstIndex();

    const back = await cluster.start(away);
    await waitFor(`${away} to catch up`, () => back.node.applied >= leader.node.applied);
    expect(stateBytes(back).equals(stateBytes(leader))).toBe(true);
    const installed = back.events.filter((e) => e.kind === "installed");
    expect(installed).toHaveLength(1);
    expect(installed[0]!.index).toBeGreaterThanOrEqual(leaderFirstIndex - 1);
    expect(installed[0]!.bytes).toBeGreaterThan(0);
    // The snapshot's data is stored with it: the returning replica restarts from it too.
    const log = await back.store.group(CONTROLLER_GROUP_ID);
    const stored = await log.snapshot();
    expect(stored.meta.index).toBeGreaterThanOrEqual(installed[0]!.index);
    expect(stored.data.byteLength).toBeGreaterThan(0);
    expect(stored.meta.conf.voters).toEqual(["a", "b", "c"]);
    // It applied its own log again, then only what follows the snapshot: never the entries in between.
    const appliedSinceOpen = back.node.snapshotStatus().appliedSinceOpen;
    expect(appliedSinceOpen).toBeLessThanOrEqual(awayApplied + back.node.applied - installed[0]!.index);

    // And it is a full member again: it applies what comes next, and keeps up.
    await proposeMany(leader, 200, 5);
    await waitFor(`${away} to apply new commands`, () => back.node.applied >= leader.node.applied);
    expect(stateBytes(back).equals(stateBytes(leader))).toBe(true);
  });

  it("a proposer waiting on an entry that an installed snapshot covers gets a retriable error, not a hang", async () => {
    cluster = new Cluster(["a", "b", "c"]);
    await cluster.reservePorts();
    for (const id of cluster.ids) await cluster.start(id);
    const old = await cluster.waitForLeader();
    await proposeMany(old, 0, 3);

    // The leader is cut off with a proposal that can no longer commit.
    cluster.cut.add(old.id);
    const stranded = old.node.proposeLocal(bump(99)).then(
      () => undefined,
      (error: unknown) => error,
    );
    const leader = await cluster.waitForLeader();
    expect(leader.id).not.toBe(old.id);
    await proposeMany(leader, 3, SNAPSHOT_EVERY_ENTRIES + 2 * MARGIN_ENTRIES);
    await waitFor("a compaction", () => leader.node.snapshotStatus().snapshotIndex >= SNAPSHOT_EVERY_ENTRIES);

    // Back in touch, the old leader is behind the new leader's log: it installs the snapshot, which
    // covers the index its proposal waited on.
    cluster.cut.delete(old.id);
    const error = await stranded;
    expect(error).toBeInstanceOf(KinesisError);
    expect(error).toMatchObject({ name: "ServiceUnavailableException", retriable: true });
    expect((error as Error).message).toMatch(/snapshot/);
    expect(old.events.some((e) => e.kind === "installed")).toBe(true);
    await waitFor("the old leader to catch up", () => old.node.applied >= leader.node.applied);
    expect(stateBytes(old).equals(stateBytes(leader))).toBe(true);
  });
});
