/**
 * `eddy stream split|merge|scale` against a real broker, as one script on one stream: each command
 * waits for the stream to be ACTIVE again by itself, so the next one starts right after it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EddyClient, type Shard } from "@eddy/client";
import { BrokerProcess, runEddy } from "@eddy/testkit";

const STREAM = "reshard-cli";
/** A reshard command makes one or more calls and waits for ACTIVE after each. */
const RESHARD_RUN_MS_MAX = 60_000;

describe("eddy stream split|merge|scale against a running broker", () => {
  let broker: BrokerProcess;
  let client: EddyClient;
  let eddy: (...args: string[]) => ReturnType<typeof runEddy>;

  beforeAll(async () => {
    broker = await BrokerProcess.start();
    client = new EddyClient({ endpoint: broker.endpoint });
    eddy = (...args) => runEddy(["--endpoint", broker.endpoint, ...args], { timeoutMs: RESHARD_RUN_MS_MAX });
    const created = await eddy("stream", "create", STREAM, "--shards", "2");
    expect(created.code).toBe(0);
  });

  afterAll(async () => {
    client?.close();
    await broker?.destroy();
  });

  const openShards = async (): Promise<Shard[]> =>
    [...(await client.listShards({ streamName: STREAM, shardFilter: { type: "AT_LATEST" } })).shards].sort((a, b) =>
      BigInt(a.hashKeyRange.startingHashKey) < BigInt(b.hashKeyRange.startingHashKey) ? -1 : 1,
    );
  const lines = (stdout: string) => stdout.trim().split("\n").filter(Boolean);

  it("split without --at cuts the shard in the middle and prints both children, named with their parent", async () => {
    const split = await eddy("stream", "split", STREAM, "shardId-000000000000", "--json");
    expect(split.stderr).toBe("");
    expect(split.code).toBe(0);
    const half = 1n << 127n;
    const quarter = 1n << 126n;
    expect(JSON.parse(split.stdout)).toEqual({
      streamName: STREAM,
      shardToSplit: "shardId-000000000000",
      newStartingHashKey: quarter.toString(),
      children: [
        expect.objectContaining({
          shardId: "shardId-000000000002",
          parentShardId: "shardId-000000000000",
          hashKeyRange: { startingHashKey: "0", endingHashKey: (quarter - 1n).toString() },
        }),
        expect.objectContaining({
          shardId: "shardId-000000000003",
          parentShardId: "shardId-000000000000",
          hashKeyRange: { startingHashKey: quarter.toString(), endingHashKey: (half - 1n).toString() },
        }),
      ],
    });
    expect((await openShards()).map((s) => s.shardId)).toEqual([
      "shardId-000000000002",
      "shardId-000000000003",
      "shardId-000000000001",
    ]);
  });

  it("describe shows the closed parent with its ending sequence number and the children's lineage", async () => {
    const described = await eddy("stream", "describe", STREAM);
    expect(described.code).toBe(0);
    const shards = (JSON.parse(described.stdout) as { shards: Shard[] }).shards;
    const byId = new Map(shards.map((s) => [s.shardId, s]));
    expect(byId.get("shardId-000000000000")!.sequenceNumberRange.endingSequenceNumber).toMatch(/^\d+$/);
    expect(byId.get("shardId-000000000001")!.sequenceNumberRange.endingSequenceNumber).toBeUndefined();
    expect(byId.get("shardId-000000000003")!.parentShardId).toBe("shardId-000000000000");
  });

  it("merge of two adjacent open shards prints the child with both parents", async () => {
    const merged = await eddy("stream", "merge", STREAM, "shardId-000000000002", "shardId-000000000003");
    expect(merged.stderr).toBe("");
    expect(merged.code).toBe(0);
    const out = lines(merged.stdout);
    expect(out[0]).toBe(`merged shardId-000000000002 and shardId-000000000003 of stream ${STREAM} into:`);
    expect(out[2]).toMatch(/^shardId-000000000004 +shardId-000000000002 \+ shardId-000000000003 +0\.\.\d+$/);
    expect(out).toHaveLength(3);
    expect((await openShards()).map((s) => s.shardId)).toEqual(["shardId-000000000004", "shardId-000000000001"]);
  });

  it("scale from 2 to 5 open shards takes two UpdateShardCount calls, 2 -> 4 -> 5", async () => {
    const scaled = await eddy("stream", "scale", STREAM, "5");
    expect(scaled.stderr).toBe("");
    expect(scaled.code).toBe(0);
    expect(lines(scaled.stdout)).toEqual([
      "2 -> 4 open shards",
      "4 -> 5 open shards",
      `stream ${STREAM} has 5 open shards`,
    ]);
    expect(await openShards()).toHaveLength(5);
  });

  it("scale down with --json prints each call; to the count it has, it makes none", async () => {
    const scaled = await eddy("stream", "scale", STREAM, "2", "--json");
    expect(scaled.code).toBe(0);
    expect(lines(scaled.stdout).map((l) => JSON.parse(l) as unknown)).toEqual([
      { streamName: STREAM, currentShardCount: 5, targetShardCount: 3 },
      { streamName: STREAM, currentShardCount: 3, targetShardCount: 2 },
    ]);
    expect(await openShards()).toHaveLength(2);
    const same = await eddy("stream", "scale", STREAM, "2");
    expect(same.code).toBe(0);
    expect(lines(same.stdout)).toEqual([`stream ${STREAM} has 2 open shards already`]);
  });

  it("merge of shards that do not touch exits 1 naming InvalidArgumentException, and changes nothing", async () => {
    expect((await eddy("stream", "scale", STREAM, "3")).code).toBe(0);
    const [first, , third] = await openShards();
    const refused = await eddy("stream", "merge", STREAM, first!.shardId, third!.shardId);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^eddy: InvalidArgumentException: /);
    expect(await openShards()).toHaveLength(3);
  });

  it("wrong use exits 2 with usage: COUNT below 1 or not a number, --at not a decimal hash key", async () => {
    for (const args of [
      ["scale", STREAM, "0"],
      ["scale", STREAM, "three"],
      ["split", STREAM, "shardId-000000000001", "--at", "0x10"],
      ["merge", STREAM, "shardId-000000000001"],
    ]) {
      const run = await eddy("stream", ...args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toMatch(/run with --help for usage/);
    }
    const zero = await eddy("stream", "scale", STREAM, "0");
    expect(zero.stderr).toMatch(/expected a shard count of at least 1, got 0/);
    expect(await openShards()).toHaveLength(3);
  });
});
