import { afterEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EntryType, type Entry, type Message, type Snapshot, type SoftState } from "@eddy/raft";
import { Store } from "@eddy/storage";
import { GroupDriver, type GroupDriverHooks } from "./group-driver.js";

const GROUP_ID = 1;
const IDS = ["a", "b", "c"];

/**
 * A three-replica group on three real LevelDB stores in one process. Messages travel through
 * setImmediate, as they would through sockets; ticks come from a real interval timer.
 */
class Cluster {
  readonly drivers = new Map<string, GroupDriver>();
  readonly applied = new Map<string, Entry[]>();
  readonly roles = new Map<string, SoftState>();
  readonly stores = new Map<string, Store>();
  private ticker: NodeJS.Timeout | undefined;
  private readonly dirs = new Map<string, string>();

  constructor(private readonly voters: readonly string[]) {}

  async start(id: string, extraHooks: Partial<GroupDriverHooks> = {}): Promise<void> {
    const dir = this.dirs.get(id) ?? (await mkdtemp(join(tmpdir(), `eddy-driver-${id}-`)));
    this.dirs.set(id, dir);
    const store = await Store.open(dir);
    this.stores.set(id, store);
    const log = await store.group(GROUP_ID);
    const restored = await log.restoredState();
    const conf =
      restored.snapshot.conf.voters.length > 0 ? restored.snapshot.conf : { voters: [...this.voters], learners: [] };
    this.applied.set(id, this.applied.get(id)?.filter((e) => e.index <= restored.appliedIndex) ?? []);
    const driver = new GroupDriver(
      GROUP_ID,
      { id, electionTimeoutTicks: 10, heartbeatIntervalTicks: 1 },
      { ...restored, snapshot: { ...restored.snapshot, conf } },
      log,
      {
        send: (message: Message) => setImmediate(() => this.drivers.get(message.to)?.step(message)),
        apply: (entries) => this.applied.get(id)!.push(...entries),
        roleChanged: (state) => this.roles.set(id, state),
        failed: (error) => {
          throw error;
        },
        ...extraHooks,
      },
      true,
    );
    this.drivers.set(id, driver);
    this.ticker ??= setInterval(() => {
      for (const d of this.drivers.values()) d.tick();
    }, 5);
  }

  /** Stops a replica as a crash would, keeping only what its store has. */
  async crash(id: string): Promise<void> {
    this.drivers.get(id)!.stop();
    this.drivers.delete(id);
    this.roles.delete(id);
    await this.stores.get(id)!.close();
    this.stores.delete(id);
  }

  leader(): string | undefined {
    const leaders = [...this.roles].filter(([id, s]) => s.role === "leader" && this.drivers.has(id));
    return leaders.length === 1 ? leaders[0]![0] : undefined;
  }

  records(id: string): string[] {
    return this.applied
      .get(id)!
      .filter((e) => e.type === EntryType.Records)
      .map((e) => new TextDecoder().decode(e.data));
  }

  async destroy(): Promise<void> {
    clearInterval(this.ticker);
    for (const id of [...this.drivers.keys()]) await this.crash(id);
    for (const dir of this.dirs.values()) await rm(dir, { recursive: true, force: true });
  }
}

/** Awaits a condition that the cluster's own timers will bring about; bounded. */
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe("GroupDriver: a Raft group on real stores", () => {
  let cluster: Cluster;

  afterEach(async () => {
    await cluster.destroy();
  });

  it("elects a leader, replicates proposals to every replica in order, survives the leader's crash and catches the old leader up on restart", async () => {
    cluster = new Cluster(IDS);
    for (const id of IDS) await cluster.start(id);
    await until(() => cluster.leader() !== undefined, "a leader");
    const first = cluster.leader()!;
    for (let i = 0; i < 20; i++) {
      const result = cluster.drivers.get(first)!.propose(new TextEncoder().encode(`r${i}`), Date.now());
      expect(result.ok).toBe(true);
    }
    const firstTwenty = Array.from({ length: 20 }, (_, i) => `r${i}`);
    await until(() => IDS.every((id) => cluster.records(id).length === 20), "20 records on every replica");
    for (const id of IDS) expect(cluster.records(id)).toEqual(firstTwenty);

    await cluster.crash(first);
    await until(() => cluster.leader() !== undefined && cluster.leader() !== first, "a new leader");
    const second = cluster.leader()!;
    for (let i = 20; i < 30; i++) cluster.drivers.get(second)!.propose(new TextEncoder().encode(`r${i}`), Date.now());
    const survivors = IDS.filter((id) => id !== first);
    await until(() => survivors.every((id) => cluster.records(id).length === 30), "30 records on the survivors");

    await cluster.start(first);
    await until(() => cluster.records(first).length === 30, "the restarted replica to catch up");
    const all = Array.from({ length: 30 }, (_, i) => `r${i}`);
    for (const id of IDS) expect(cluster.records(id)).toEqual(all);
  });

  it("with restoreSnapshot, a follower behind the first index gets the stored data; damaged data is refused before it is stored", async () => {
    cluster = new Cluster(IDS);
    // The hook is what makes a group's snapshots carry data: every replica has it.
    const installed: Snapshot[] = [];
    const accept = { restoreSnapshot: (snapshot: Snapshot) => () => installed.push(snapshot) };
    for (const id of IDS) await cluster.start(id, accept);
    await until(() => cluster.leader() !== undefined, "a leader");
    const leader = cluster.leader()!;
    const away = IDS.find((id) => id !== leader)!;
    await cluster.crash(away);
    for (let i = 0; i < 10; i++) cluster.drivers.get(leader)!.propose(new TextEncoder().encode(`r${i}`), Date.now());
    await until(() => cluster.records(leader).length === 10, "10 records on the leader");
    // The leader snapshots its "state machine" (the records so far) and compacts its whole log.
    const applied = cluster.applied.get(leader)!.at(-1)!;
    const meta = cluster.drivers.get(leader)!.compactLog(applied.index, applied.term)!;
    const state = new TextEncoder().encode(cluster.records(leader).join(","));
    await (await cluster.stores.get(leader)!.group(GROUP_ID)).compact(meta, state);

    // A replica whose check of the data fails stops, and nothing of the snapshot is stored.
    const failures: unknown[] = [];
    await cluster.start(away, {
      restoreSnapshot: () => {
        throw new Error("damaged");
      },
      failed: (error) => failures.push(error),
    });
    await until(() => failures.length === 1, "the damaged snapshot to be refused");
    expect(failures).toEqual([new Error("damaged")]);
    expect((await cluster.stores.get(away)!.group(GROUP_ID)).snapshotMeta().index).toBe(0);
    await cluster.crash(away);

    await cluster.start(away, accept);
    await until(() => installed.length === 1, "the snapshot to be installed");
    expect(installed[0]!.meta.index).toBe(applied.index);
    expect(new TextDecoder().decode(installed[0]!.data)).toBe("r0,r1,r2,r3,r4,r5,r6,r7,r8,r9");
    const stored = await (await cluster.stores.get(away)!.group(GROUP_ID)).snapshot();
    expect(stored.meta).toEqual(meta);
    expect(Buffer.from(stored.data).equals(Buffer.from(state))).toBe(true);
    // Replication goes on after the snapshot.
    cluster.drivers.get(leader)!.propose(new TextEncoder().encode("r10"), Date.now());
    await until(() => cluster.records(away).includes("r10"), "the next record on the returning replica");
  });

  it("a single-voter group (single-node mode) elects itself, commits, and keeps every committed entry across a crash", async () => {
    cluster = new Cluster(["solo"]);
    await cluster.start("solo");
    await until(() => cluster.leader() === "solo", "the single voter to lead");
    for (let i = 0; i < 5; i++) cluster.drivers.get("solo")!.propose(new TextEncoder().encode(`s${i}`), Date.now());
    await until(() => cluster.records("solo").length === 5, "5 records applied");
    await cluster.crash("solo");
    await cluster.start("solo");
    await until(() => cluster.leader() === "solo", "the single voter to lead again");
    cluster.drivers.get("solo")!.propose(new TextEncoder().encode("s5"), Date.now());
    await until(() => cluster.records("solo").includes("s5"), "the new record applied");
    const log = await cluster.stores.get("solo")!.group(GROUP_ID);
    const stored = (await log.entries(log.firstIndex(), log.lastIndex() + 1, 1 << 20))
      .filter((e) => e.type === EntryType.Records)
      .map((e) => new TextDecoder().decode(e.data));
    expect(stored).toEqual(["s0", "s1", "s2", "s3", "s4", "s5"]);
  });

  it("a commit index that changes alone is written on its own once the group is idle", async () => {
    cluster = new Cluster(["solo"]);
    await cluster.start("solo");
    await until(() => cluster.leader() === "solo", "the single voter to lead");
    const log = await cluster.stores.get("solo")!.group(GROUP_ID);
    cluster.drivers.get("solo")!.propose(new TextEncoder().encode("s0"), Date.now());
    await until(() => cluster.records("solo").length === 1, "the record applied");
    const committed = cluster.applied.get("solo")!.at(-1)!.index;
    // Idle from now on: the timer writes the commit index on its own.
    await until(() => log.hardState().commitIndex === committed, "the commit index written while idle");
  });

  it("stop writes a commit index that no entry write has carried yet", async () => {
    cluster = new Cluster(["solo"]);
    await cluster.start("solo");
    await until(() => cluster.leader() === "solo", "the single voter to lead");
    const log = await cluster.stores.get("solo")!.group(GROUP_ID);
    const driver = cluster.drivers.get("solo")!;
    driver.propose(new TextEncoder().encode("s0"), Date.now());
    await until(() => cluster.records("solo").length === 1, "the record applied");
    const committed = cluster.applied.get("solo")!.at(-1)!.index;
    await driver.stop();
    expect(log.hardState().commitIndex).toBe(committed);
  });
});
