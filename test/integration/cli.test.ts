import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrokerProcess, runEddy } from "@eddy/testkit";

describe("the eddy CLI against a running broker", () => {
  let broker: BrokerProcess;
  let endpoint: string[];

  beforeAll(async () => {
    broker = await BrokerProcess.start();
    endpoint = ["--endpoint", broker.endpoint];
  });

  afterAll(async () => {
    await broker?.destroy();
  });

  const lines = (stdout: string) =>
    stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it("creates, lists and describes a stream", async () => {
    const created = await runEddy([...endpoint, "stream", "create", "cli", "--shards", "2"]);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(lines(created.stdout)[0]).toMatchObject({ streamName: "cli", streamStatus: "ACTIVE", openShardCount: 2 });
    const listed = await runEddy(["stream", "list"], { env: { EDDY_ENDPOINT: broker.endpoint } });
    expect(lines(listed.stdout).map((s) => s.streamName)).toContain("cli");
    const described = await runEddy([...endpoint, "stream", "describe", "cli"]);
    expect((lines(described.stdout)[0]!.shards as unknown[]).length).toBe(2);
  });

  it("puts one record with --data and one per stdin line, and gets them back as JSON lines", async () => {
    const one = await runEddy([...endpoint, "put", "cli", "--key", "a", "--data", "hello"]);
    expect(one.code).toBe(0);
    expect(lines(one.stdout)[0]).toHaveProperty("sequenceNumber");
    const many = await runEddy([...endpoint, "put", "cli", "--key", "a"], { stdin: "l1\nl2\nl3\n" });
    expect(many.code).toBe(0);
    expect(lines(many.stdout)).toHaveLength(3);
    const got = await runEddy([...endpoint, "get", "cli", "--from", "trim-horizon"]);
    expect(got.code).toBe(0);
    expect(lines(got.stdout).map((r) => r.data)).toEqual(["hello", "l1", "l2", "l3"]);
    const limited = await runEddy([...endpoint, "get", "cli", "--limit", "2"]);
    expect(lines(limited.stdout).map((r) => r.data)).toEqual(["hello", "l1"]);
    const after = lines(got.stdout)[1]!.sequenceNumber as string;
    const from = await runEddy([...endpoint, "get", "cli", "--from", `after:${after}`]);
    expect(lines(from.stdout).map((r) => r.data)).toEqual(["l2", "l3"]);
  });

  it("--follow prints records as they arrive and stops at --limit", async () => {
    const follow = runEddy([...endpoint, "get", "cli", "--from", "latest", "--follow", "--limit", "1"]);
    // Put until the follower has seen one: it subscribes asynchronously, so one put may precede it.
    let result: Awaited<typeof follow> | undefined;
    void follow.then((r) => (result = r));
    for (let i = 0; i < 100 && !result; i++) {
      await runEddy([...endpoint, "put", "cli", "--key", "f", "--data", `followed-${i}`]);
    }
    const done = await follow;
    expect(done.code).toBe(0);
    expect(lines(done.stdout)).toHaveLength(1);
    expect(String(lines(done.stdout)[0]!.data)).toMatch(/^followed-/);
  });

  it("wrong use prints usage and exits non-zero; a failed call names the Kinesis error", async () => {
    const noArgs = await runEddy([...endpoint, "put"]);
    expect(noArgs.code).not.toBe(0);
    expect(noArgs.stderr).toMatch(/missing required argument|usage/i);
    const unknown = await runEddy([...endpoint, "frobnicate"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command/i);
    const missing = await runEddy([...endpoint, "stream", "describe", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ResourceNotFoundException/);
  });
});
