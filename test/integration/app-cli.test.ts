/**
 * `eddy app list|describe|reset|delete` against a real broker. The worker is simulated with the
 * lease-table calls (a heartbeat, a checkpoint, a halt report), so what the CLI shows is known exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EddyClient, type ApplicationInfo } from "@eddy/client";
import { BrokerProcess, runEddy } from "@eddy/testkit";

const STREAM = "orders";
const APP = "billing";
/** Far longer than the test: worker w1 stays live, so its leases stay held until the forced reset. */
const LEASE_TIMEOUT_MS = 600_000;

interface ShardJson {
  shardId: string;
  owner?: string;
  leaseEpoch: number;
  checkpoint?: { type: string; sequenceNumber?: string };
  checkpointWorker?: string;
  millisBehindLatest?: number;
  halted?: { reason: string; workerId: string; at: string };
}

describe("eddy app: an application's leases, checkpoints and halts, from the command line", () => {
  let broker: BrokerProcess;
  let client: EddyClient;
  let eddy: (...args: string[]) => ReturnType<typeof runEddy>;
  let shardIds: string[];
  /** Worker w1 checkpointed after this record of shardIds[0] and reported shardIds[1] halted. */
  let checkpointed: string;

  const describeJson = async (): Promise<{ workers: ApplicationInfo["workers"]; shards: ShardJson[] }> => {
    const run = await eddy("app", "describe", STREAM, APP, "--json");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as { workers: ApplicationInfo["workers"]; shards: ShardJson[] };
  };

  beforeAll(async () => {
    broker = await BrokerProcess.start();
    client = new EddyClient({ endpoint: broker.endpoint });
    eddy = (...args) => runEddy(["--endpoint", broker.endpoint, ...args]);

    await client.createStream({ streamName: STREAM, shardCount: 2 });
    await client.waitForStreamActive(STREAM);
    shardIds = (await client.listShards({ streamName: STREAM })).shards.map((s) => s.shardId).sort();
    expect(shardIds).toHaveLength(2);
    // Explicit hash keys at both ends of the range: records in both shards.
    const puts = [];
    for (const explicitHashKey of ["0", "0", "0", String(2n ** 128n - 1n)]) {
      puts.push(await client.putRecord({ streamName: STREAM, partitionKey: "k", data: "x", explicitHashKey }));
    }
    const inFirst = puts.filter((p) => p.shardId === shardIds[0]);
    expect(inFirst).toHaveLength(3);
    checkpointed = inFirst[1]!.sequenceNumber;

    await client.createApplication({ streamName: STREAM, applicationName: APP, leaseTimeoutMs: LEASE_TIMEOUT_MS });
    const worker = { streamName: STREAM, applicationName: APP, workerId: "w1", incarnation: "i1" };
    const { leases } = await client.workerHeartbeat(worker);
    expect(leases.map((l) => l.shardId).sort()).toEqual(shardIds);
    await client.checkpoint({
      ...worker,
      shardId: shardIds[0]!,
      epoch: leases.find((l) => l.shardId === shardIds[0])!.epoch,
      position: { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: checkpointed },
    });
    await client.workerHeartbeat({
      ...worker,
      reports: [{ shardId: shardIds[1]!, haltedReason: "boom", millisBehindLatest: 5 }],
    });
  });

  afterAll(async () => {
    client?.close();
    await broker?.destroy();
  });

  it("list: one line with the live worker, both shards held, one halted, the largest lag", async () => {
    const text = await eddy("app", "list");
    expect(text.stderr).toBe("");
    expect(text.code).toBe(0);
    const [header, row, ...rest] = text.stdout.trimEnd().split("\n");
    expect(header!.split(/\s{2,}/)).toEqual(["stream", "application", "workers", "held", "halted", "max lag"]);
    expect(row!.split(/\s{2,}/)).toEqual([STREAM, APP, "1", "2/2", "1", "5ms"]);
    expect(rest).toEqual([]);

    const json = await eddy("app", "list", STREAM, "--json");
    expect(json.code).toBe(0);
    expect(
      json.stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      {
        streamName: STREAM,
        applicationName: APP,
        liveWorkers: 1,
        shardsHeld: 2,
        shardCount: 2,
        haltedShards: 1,
        maxMillisBehindLatest: 5,
      },
    ]);
    const otherStream = await eddy("app", "list", "no-such-stream");
    expect(otherStream.stdout).toBe("no applications\n");
  });

  it("describe --json: w1 owns both shards, with its checkpoint on one and its halt on the other", async () => {
    const app = await describeJson();
    expect(app.workers).toEqual([{ workerId: "w1", leaseCount: 2, lastHeartbeat: expect.any(String) }]);
    const [first, second] = app.shards;
    expect(first).toMatchObject({
      shardId: shardIds[0],
      owner: "w1",
      checkpoint: { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: checkpointed },
      checkpointWorker: "w1",
    });
    expect(first!.halted).toBeUndefined();
    expect(second).toMatchObject({
      shardId: shardIds[1],
      owner: "w1",
      millisBehindLatest: 5,
      halted: { reason: "boom", workerId: "w1" },
    });
    expect(new Date(second!.halted!.at).toISOString()).toBe(second!.halted!.at);
  });

  it("describe: a table per shard, the halted one marked HALTED with its reason", async () => {
    const run = await eddy("app", "describe", STREAM, APP, "--wide");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`application ${APP} of stream ${STREAM}`);
    expect(run.stdout).toMatch(/^\s+initial position\s+trim-horizon$/m);
    expect(run.stdout).toMatch(/^\s+lease timeout\s+10m0s$/m);
    expect(run.stdout).toMatch(/^\s+w1\s+2\s+\d/m);
    const rowOf = (shardId: string) => run.stdout.split("\n").find((l) => l.includes(shardId))!;
    expect(rowOf(shardIds[0]!)).toMatch(new RegExp(`\\sw1\\s+\\d+\\s+after ${checkpointed}\\s`));
    expect(rowOf(shardIds[0]!)).not.toContain("HALTED");
    expect(rowOf(shardIds[1]!)).toMatch(/\sw1\s+\d+\s+-\s+-\s+5ms\s+HALTED: boom \(w1, /);
  });

  it("reset without --force is refused while w1 holds leases: ResourceInUseException naming w1, exit 1", async () => {
    const run = await eddy("app", "reset", STREAM, APP, "--to", "trim-horizon");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^eddy: ResourceInUseException: .*\bw1\b/);
    expect((await describeJson()).shards.map((s) => s.owner)).toEqual(["w1", "w1"]);
  });

  it("reset --force moves every shard to trim-horizon and ends w1's leases", async () => {
    const run = await eddy("app", "reset", STREAM, APP, "--to", "trim-horizon", "--force");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`to trim-horizon: ${shardIds.join(", ")}`);
    expect(run.stdout).toContain("ended the leases of w1");
    const app = await describeJson();
    expect(app.shards.map((s) => [s.owner, s.checkpoint])).toEqual([
      [undefined, { type: "TRIM_HORIZON" }],
      [undefined, { type: "TRIM_HORIZON" }],
    ]);
    const text = await eddy("app", "describe", STREAM, APP);
    for (const shardId of shardIds) {
      expect(text.stdout.split("\n").find((l) => l.includes(shardId))).toMatch(/\s-\s+-\s+trim-horizon\s/);
    }
  });

  it("reset --shard moves one shard to a sequence number; no worker holds a lease now, so no --force", async () => {
    const run = await eddy("app", "reset", STREAM, APP, "--to", `after:${checkpointed}`, "--shard", shardIds[0]!);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`: ${shardIds[0]}\n`);
    expect((await describeJson()).shards.map((s) => s.checkpoint)).toEqual([
      { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: checkpointed },
      { type: "TRIM_HORIZON" },
    ]);
  });

  it("wrong use of reset exits 2 and says what is wrong: --to's forms, --shard for a sequence number", async () => {
    const bogus = await eddy("app", "reset", STREAM, APP, "--to", "bogus");
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain("--to");
    expect(bogus.stderr).toContain("trim-horizon, latest, at:SEQ, after:SEQ or time:ISO");
    const noShard = await eddy("app", "reset", STREAM, APP, "--to", "at:123");
    expect(noShard.code).toBe(2);
    expect(noShard.stderr).toMatch(/--to at:SEQ and after:SEQ need --shard/);
    const noTo = await eddy("app", "reset", STREAM, APP);
    expect(noTo.code).toBe(2);
    expect(noTo.stderr).toMatch(/required option '--to/);
  });

  it("delete removes the application: describe then exits 1 with ResourceNotFoundException", async () => {
    const run = await eddy("app", "delete", STREAM, APP);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`deleted application ${APP} of stream ${STREAM}\n`);
    const gone = await eddy("app", "describe", STREAM, APP);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^eddy: ResourceNotFoundException: /);
    expect((await eddy("app", "list")).stdout).toBe("no applications\n");
  });
});
