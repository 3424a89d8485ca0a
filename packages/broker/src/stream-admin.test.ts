import { describe, expect, it } from "vitest";
import {
  applyCommand,
  decodeCommand,
  emptyControllerState,
  encodeCommand,
  KinesisError,
  type ControllerCommand,
  type ControllerState,
} from "@eddy/core";
import type { ClusterNode } from "./cluster/cluster-node.js";
import { DEFAULT_CONFIG } from "./config.js";
import {
  decodeConsumersToken,
  encodeConsumersToken,
  resolveConsumerRef,
  StreamAdmin,
  streamNameOfArn,
} from "./stream-admin.js";

const ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/orders";

/**
 * The controller as StreamAdmin sees it, in memory: `submit` applies the command (after a trip through
 * the log codec, as a real one takes) and throws a failed command's KinesisError.
 */
class FakeCluster {
  state: ControllerState = emptyControllerState();
  readonly submitted: ControllerCommand[] = [];

  async submit(command: ControllerCommand): Promise<unknown> {
    this.submitted.push(command);
    const { state, result } = applyCommand(this.state, decodeCommand(encodeCommand(command)));
    this.state = state;
    if (result instanceof KinesisError) throw result;
    return result;
  }
}

async function setup(): Promise<{ cluster: FakeCluster; admin: StreamAdmin }> {
  const cluster = new FakeCluster();
  await cluster.submit({ type: "RegisterBroker", id: "b1", zone: "a", address: "127.0.0.1:7400", nowMs: 0 });
  for (const [streamName, mode] of [
    ["orders", "PROVISIONED"],
    ["clicks", "ON_DEMAND"],
  ] as const) {
    await cluster.submit({
      type: "CreateStream",
      streamName,
      streamId: `id-${streamName}`,
      shardCount: 3,
      mode,
      retentionPeriodHours: 24,
      maxRecordSizeBytes: 1024 * 1024,
      replicationFactor: 1,
      nowMs: 1_700_000_000_000,
      region: DEFAULT_CONFIG.region,
      accountId: DEFAULT_CONFIG.accountId,
    });
  }
  cluster.submitted.length = 0;
  return { cluster, admin: new StreamAdmin(cluster as unknown as ClusterNode, DEFAULT_CONFIG) };
}

async function rejection(promise: Promise<unknown>): Promise<KinesisError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KinesisError);
  return error as KinesisError;
}

function thrown(fn: () => unknown): KinesisError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KinesisError);
    return error as KinesisError;
  }
  throw new Error("expected a KinesisError");
}

describe("streamNameOfArn", () => {
  it("returns the name in a stream ARN, and names the field for anything else", () => {
    expect(streamNameOfArn(ARN)).toBe("orders");
    const error = thrown(() => streamNameOfArn("arn:aws:kinesis:us-east-1:000000000000:table/orders", "StreamARN"));
    expect(error.name).toBe("InvalidArgumentException");
    expect(error.message).toContain("'StreamARN'");
  });
});

describe("ListStreamConsumers tokens", () => {
  it("round-trip, and are opaque base64url", () => {
    const token = { streamArn: ARN, streamId: "id-orders", after: "billing" };
    const text = encodeConsumersToken(token);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeConsumersToken(text)).toEqual(token);
  });

  it("refuse anything else as InvalidArgumentException", () => {
    const other = Buffer.from(JSON.stringify({ v: 2, arn: ARN, id: "x", after: "a" })).toString("base64url");
    for (const text of ["", "not a token!", "e30", other, "x".repeat(1_048_577)]) {
      expect(thrown(() => decodeConsumersToken(text)).name).toBe("InvalidArgumentException");
    }
  });
});

describe("resolveConsumerRef", () => {
  it("takes a ConsumerARN, or StreamARN and ConsumerName, agreeing when both are given", () => {
    const consumerArn = `${ARN}/consumer/billing:1700000000`;
    expect(resolveConsumerRef({ consumerArn })).toMatchObject({ streamName: "orders", consumerName: "billing" });
    expect(resolveConsumerRef({ streamArn: ARN, consumerName: "billing" })).toEqual({
      streamArn: ARN,
      streamName: "orders",
      consumerName: "billing",
    });
    expect(resolveConsumerRef({ consumerArn, streamArn: ARN, consumerName: "billing" }).consumerArn).toBe(consumerArn);
    for (const ref of [{}, { streamArn: ARN }, { consumerName: "billing" }, { consumerArn, consumerName: "other" }]) {
      expect(thrown(() => resolveConsumerRef(ref)).name).toBe("InvalidArgumentException");
    }
  });
});

describe("StreamAdmin: tags", () => {
  it("adds, lists in key order with HasMoreTags, and removes", async () => {
    const { admin } = await setup();
    await admin.addTags("orders", { team: "pay", env: "prod", cost: "42" });
    expect(admin.listTags("orders")).toEqual({
      tags: [
        { key: "cost", value: "42" },
        { key: "env", value: "prod" },
        { key: "team", value: "pay" },
      ],
      hasMoreTags: false,
    });
    expect(admin.listTags("orders", { limit: 2 })).toMatchObject({ hasMoreTags: true });
    expect(admin.listTags("orders", { exclusiveStartTagKey: "env", limit: 1 })).toEqual({
      tags: [{ key: "team", value: "pay" }],
      hasMoreTags: false,
    });
    await admin.removeTags("orders", ["env", "absent"]);
    expect(admin.listTags("orders").tags.map((t) => t.key)).toEqual(["cost", "team"]);
  });

  it("refuses bad input without proposing anything", async () => {
    const { admin, cluster } = await setup();
    for (const call of [
      () => admin.addTags("orders", {}),
      () => admin.addTags("orders", { "bad#": "v" }),
      () => admin.addTags("bad name", { a: "b" }),
      () => admin.removeTags("orders", []),
    ]) {
      expect((await rejection(call())).name).toBe("InvalidArgumentException");
    }
    expect(cluster.submitted).toEqual([]);
    for (const limit of [0, 51]) expect(thrown(() => admin.listTags("orders", { limit })).message).toContain("'Limit'");
    expect(thrown(() => admin.listTags("nope")).name).toBe("ResourceNotFoundException");
  });

  it("answers a 51st tag with the controller's error and keeps the 50", async () => {
    const { admin } = await setup();
    await admin.addTags("orders", Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"])));
    const error = await rejection(admin.addTags("orders", { more: "v" }));
    expect(error.message).toContain("cannot have more than 50 tags");
    expect(admin.listTags("orders").tags).toHaveLength(50);
  });
});

describe("StreamAdmin: registered consumers", () => {
  it("registers ACTIVE, describes by ARN or by stream and name, lists, deregisters", async () => {
    const { admin } = await setup();
    const registered = await admin.registerConsumer(ARN, "billing");
    expect(registered).toMatchObject({ consumerName: "billing", consumerStatus: "ACTIVE", streamArn: ARN });
    expect(registered.consumerArn).toMatch(new RegExp(`^${ARN}/consumer/billing:\\d+$`));
    expect(registered.consumerCreationTimestamp).toBeInstanceOf(Date);
    expect(admin.describeConsumer({ consumerArn: registered.consumerArn })).toEqual(registered);
    expect(admin.describeConsumer({ streamArn: ARN, consumerName: "billing" })).toEqual(registered);
    const { streamArn: _s, ...listed } = registered;
    expect(admin.listConsumers(ARN)).toEqual({ consumers: [listed] });
    await admin.deregisterConsumer({ consumerArn: registered.consumerArn });
    expect(thrown(() => admin.describeConsumer({ consumerArn: registered.consumerArn })).name).toBe(
      "ResourceNotFoundException",
    );
    expect(admin.listConsumers(ARN)).toEqual({ consumers: [] });
  });

  it("refuses a name twice, a 21st consumer, unknown streams and foreign ARNs", async () => {
    const { admin, cluster } = await setup();
    for (let i = 0; i < 20; i++) await admin.registerConsumer(ARN, `c${String(i).padStart(2, "0")}`);
    expect((await rejection(admin.registerConsumer(ARN, "c05"))).name).toBe("ResourceInUseException");
    expect((await rejection(admin.registerConsumer(ARN, "c20"))).name).toBe("LimitExceededException");
    const submitted = cluster.submitted.length;
    const elsewhere = "arn:aws:kinesis:eu-west-1:000000000000:stream/orders";
    expect((await rejection(admin.registerConsumer(elsewhere, "x"))).name).toBe("ResourceNotFoundException");
    expect((await rejection(admin.registerConsumer(ARN.replace("orders", "nope"), "x"))).name).toBe(
      "ResourceNotFoundException",
    );
    expect((await rejection(admin.registerConsumer(ARN, "bad name"))).name).toBe("InvalidArgumentException");
    expect((await rejection(admin.registerConsumer("orders", "x"))).name).toBe("InvalidArgumentException");
    expect(cluster.submitted).toHaveLength(submitted);
  });

  it("pages consumers in name order with a stable token, at most 100 a page", async () => {
    const { admin } = await setup();
    for (const name of ["e", "b", "d", "a", "c"]) await admin.registerConsumer(ARN, name);
    const first = admin.listConsumers(ARN, { maxResults: 2 });
    expect(first.consumers.map((c) => c.consumerName)).toEqual(["a", "b"]);
    // A consumer removed and one added meanwhile do not disturb the pages after the token.
    await admin.deregisterConsumer({ streamArn: ARN, consumerName: "a" });
    await admin.registerConsumer(ARN, "bb");
    const second = admin.listConsumers(ARN, { maxResults: 2, nextToken: first.nextToken! });
    expect(second.consumers.map((c) => c.consumerName)).toEqual(["bb", "c"]);
    const third = admin.listConsumers(ARN, { maxResults: 2, nextToken: second.nextToken! });
    expect(third.consumers.map((c) => c.consumerName)).toEqual(["d", "e"]);
    expect(third.nextToken).toBeUndefined();
    expect(admin.listConsumers(ARN, { maxResults: 10_000 }).consumers).toHaveLength(5);
    for (const maxResults of [0, 10_001]) {
      expect(thrown(() => admin.listConsumers(ARN, { maxResults })).message).toContain("'MaxResults'");
    }
    // A token of one stream does not page another.
    const clicks = ARN.replace("orders", "clicks");
    expect(thrown(() => admin.listConsumers(clicks, { nextToken: first.nextToken! })).name).toBe(
      "InvalidArgumentException",
    );
    expect(thrown(() => admin.listConsumers(undefined)).message).toContain("'StreamARN'");
  });

  it("checks StreamCreationTimestamp to the second", async () => {
    const { admin } = await setup();
    expect(admin.listConsumers(ARN, { streamCreationTimestamp: new Date(1_700_000_000_400) })).toEqual({
      consumers: [],
    });
    expect(thrown(() => admin.listConsumers(ARN, { streamCreationTimestamp: new Date(1_600_000_000_000) })).name).toBe(
      "ResourceNotFoundException",
    );
  });
});

describe("StreamAdmin: limits", () => {
  it("reports the shard limit and open shards, and on-demand streams against their limit", async () => {
    const { admin } = await setup();
    expect(admin.describeLimits()).toEqual({
      shardLimit: DEFAULT_CONFIG.shardCountTotalMax,
      openShardCount: 6,
      onDemandStreamCount: 1,
      onDemandStreamCountLimit: 50,
    });
  });
});
