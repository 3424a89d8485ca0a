/** Tags and registered consumers in the controller: the commands, their failures, and their snapshots. */
import { describe, expect, it } from "vitest";
import { decodeCommand, decodeState, encodeCommand, encodeState } from "./codec.js";
import type { ControllerCommand, CreateStream, RegisterConsumer } from "./commands.js";
import { type ControllerState, emptyControllerState } from "./state.js";
import { applyOk, applyRefused } from "./test-support.js";

const ok = applyOk;
const failure = (state: ControllerState, command: ControllerCommand): string => applyRefused(state, command).name;

const ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/orders";

const createOrders: CreateStream = {
  type: "CreateStream",
  streamName: "orders",
  streamId: "id-1",
  shardCount: 2,
  mode: "PROVISIONED",
  retentionPeriodHours: 24,
  maxRecordSizeBytes: 1024 * 1024,
  replicationFactor: 1,
  nowMs: 1000,
  region: "us-east-1",
  accountId: "000000000000",
};

function withOrders(): ControllerState {
  const brokers = ok(emptyControllerState(), {
    type: "RegisterBroker",
    id: "a0",
    zone: "a",
    address: "127.0.0.1:7401",
    nowMs: 0,
  }).state;
  return ok(brokers, createOrders).state;
}

const orders = (state: ControllerState) => state.streams.get("orders")!;

describe("applyCommand: stream tags", () => {
  it("adds, overwrites and removes tags, kept sorted by key", () => {
    let state = withOrders();
    state = ok(state, { type: "AddTags", streamName: "orders", tags: { team: "pay", env: "prod" } }).state;
    state = ok(state, { type: "AddTags", streamName: "orders", tags: { env: "dev", cost: "" } }).state;
    expect(orders(state).tags).toEqual([
      { key: "cost", value: "" },
      { key: "env", value: "dev" },
      { key: "team", value: "pay" },
    ]);
    state = ok(state, { type: "RemoveTags", streamName: "orders", tagKeys: ["env", "absent"] }).state;
    expect(orders(state).tags?.map((t) => t.key)).toEqual(["cost", "team"]);
    // Removing the last tags leaves the stream as if it never had any.
    state = ok(state, { type: "RemoveTags", streamName: "orders", tagKeys: ["cost", "team"] }).state;
    expect(orders(state)).toEqual(orders(withOrders()));
    expect("tags" in orders(state)).toBe(false);
  });

  it("refuses bad tags, a 51st tag, and unknown or deleting streams, changing nothing", () => {
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
    const full = ok(withOrders(), { type: "AddTags", streamName: "orders", tags: fifty }).state;
    expect(failure(full, { type: "AddTags", streamName: "orders", tags: { one: "more" } })).toBe(
      "InvalidArgumentException",
    );
    expect(failure(full, { type: "AddTags", streamName: "orders", tags: { "bad#key": "v" } })).toBe(
      "InvalidArgumentException",
    );
    // A "json" field is checked when applied: a list is not a map.
    const notAMap = { type: "AddTags", streamName: "orders", tags: ["k"] } as unknown as ControllerCommand;
    expect(failure(full, notAMap)).toBe("InvalidArgumentException");
    expect(failure(full, { type: "RemoveTags", streamName: "orders", tagKeys: [] })).toBe("InvalidArgumentException");
    expect(failure(full, { type: "AddTags", streamName: "nope", tags: { a: "b" } })).toBe("ResourceNotFoundException");
    const deleting = ok(full, { type: "DeleteStream", streamName: "orders" }).state;
    expect(failure(deleting, { type: "AddTags", streamName: "orders", tags: { a: "b" } })).toBe(
      "ResourceInUseException",
    );
  });
});

describe("applyCommand: registered consumers", () => {
  it("registers a consumer ACTIVE at once, with its ARN from the stream ARN and the time", () => {
    const { state, result } = ok(withOrders(), {
      type: "RegisterConsumer",
      streamName: "orders",
      consumerName: "billing",
      nowMs: 1_700_000_000_500,
      streamId: "id-1",
    });
    const consumer = {
      consumerName: "billing",
      consumerArn: `${ARN}/consumer/billing:1700000000`,
      consumerStatus: "ACTIVE",
      consumerCreationTimestampMs: 1_700_000_000_500,
    };
    expect(result).toEqual(consumer);
    expect(orders(state).consumers).toEqual([consumer]);
  });

  it("refuses a name twice, a 21st consumer, another stream incarnation, bad names; changes nothing", () => {
    let state = withOrders();
    for (let i = 0; i < 20; i++) {
      state = ok(state, { type: "RegisterConsumer", streamName: "orders", consumerName: `c${i}`, nowMs: 2000 }).state;
    }
    const register = (consumerName: string, extra: { streamId?: string } = {}): RegisterConsumer => ({
      type: "RegisterConsumer",
      streamName: "orders",
      consumerName,
      nowMs: 3000,
      ...extra,
    });
    expect(failure(state, register("c7"))).toBe("ResourceInUseException");
    expect(failure(state, register("c20"))).toBe("LimitExceededException");
    expect(failure(withOrders(), register("x", { streamId: "id-0" }))).toBe("ResourceNotFoundException");
    expect(failure(withOrders(), register("bad name"))).toBe("InvalidArgumentException");
    expect(failure(withOrders(), { ...register("x"), nowMs: -1 })).toBe("InvalidArgumentException");
  });

  it("deregisters by name, or only the registration an ARN names", () => {
    let state = ok(withOrders(), {
      type: "RegisterConsumer",
      streamName: "orders",
      consumerName: "a",
      nowMs: 5000,
    }).state;
    const stale = {
      type: "DeregisterConsumer",
      streamName: "orders",
      consumerName: "a",
      consumerArn: `${ARN}/consumer/a:4`,
    } as const;
    expect(failure(state, stale)).toBe("ResourceNotFoundException");
    const current = { ...stale, consumerArn: `${ARN}/consumer/a:5` };
    const out = ok(state, current);
    expect(out.result).toMatchObject({ consumerName: "a", consumerArn: current.consumerArn });
    state = out.state;
    expect(orders(state)).toEqual(orders(withOrders()));
    expect(failure(state, { type: "DeregisterConsumer", streamName: "orders", consumerName: "a" })).toBe(
      "ResourceNotFoundException",
    );
  });

  it("drops tags and consumers with the stream: the name created again starts without them", () => {
    let state = withOrders();
    state = ok(state, { type: "AddTags", streamName: "orders", tags: { a: "b" } }).state;
    state = ok(state, { type: "RegisterConsumer", streamName: "orders", consumerName: "c", nowMs: 2000 }).state;
    state = ok(state, { type: "DeleteStream", streamName: "orders" }).state;
    expect(orders(state).consumers).toHaveLength(1); // still listed while it drains
    state = ok(state, { type: "StreamDeleted", streamName: "orders", streamId: "id-1" }).state;
    state = ok(state, { ...createOrders, streamId: "id-2", nowMs: 9000 }).state;
    expect(orders(state).tags).toBeUndefined();
    expect(orders(state).consumers).toBeUndefined();
  });
});

describe("controller codec: tags and consumers", () => {
  const commands: ControllerCommand[] = [
    { type: "AddTags", streamName: "orders", tags: { b: "2", a: "", ["__proto__"]: "p" } },
    { type: "RemoveTags", streamName: "orders", tagKeys: ["a"] },
    { type: "RegisterConsumer", streamName: "orders", consumerName: "billing", nowMs: 7000, streamId: "id-1" },
    { type: "RegisterConsumer", streamName: "orders", consumerName: "audit", nowMs: 8000 },
    { type: "DeregisterConsumer", streamName: "orders", consumerName: "audit" },
    {
      type: "DeregisterConsumer",
      streamName: "orders",
      consumerName: "billing",
      consumerArn: `${ARN}/consumer/billing:7`,
    },
  ];

  it("round-trips each new command", () => {
    for (const command of commands) expect(decodeCommand(encodeCommand(command))).toEqual(command);
  });

  it("round-trips the state after each command with stable bytes", () => {
    let state = withOrders();
    for (const command of commands) {
      state = ok(state, decodeCommand(encodeCommand(command))).state;
      const bytes = encodeState(state);
      const decoded = decodeState(bytes);
      expect(decoded).toEqual(state);
      expect(encodeState(decoded)).toEqual(bytes);
    }
    expect(orders(state).tags).toEqual([
      { key: "__proto__", value: "p" },
      { key: "b", value: "2" },
    ]);
  });

  it("gives equal bytes for equal metadata whatever order it came in", () => {
    const tag = (tags: Record<string, string>): ControllerCommand => ({ type: "AddTags", streamName: "orders", tags });
    const consumer = (consumerName: string): ControllerCommand => ({
      type: "RegisterConsumer",
      streamName: "orders",
      consumerName,
      nowMs: 5000,
    });
    const one = [tag({ a: "1" }), consumer("x"), tag({ b: "2" }), consumer("y")];
    const other = [consumer("y"), tag({ b: "2" }), consumer("x"), tag({ a: "1" })];
    const applied = (list: ControllerCommand[]) => list.reduce((s, c) => ok(s, c).state, withOrders());
    expect(encodeState(applied(one))).toEqual(encodeState(applied(other)));
  });

  it("decodes a snapshot written before streams had tags or consumers, to the same bytes", () => {
    const state = withOrders();
    const stored = JSON.parse(new TextDecoder().decode(encodeState(state))) as { streams: object[] };
    expect(Object.keys(stored.streams[0]!)).not.toContain("tags");
    expect(Object.keys(stored.streams[0]!)).not.toContain("consumers");
    const decoded = decodeState(encodeState(state));
    expect(decoded).toEqual(state);
    expect(orders(decoded).tags).toBeUndefined();
  });

  it("refuses a snapshot with malformed tags or consumers as corrupt", () => {
    const state = ok(withOrders(), { type: "AddTags", streamName: "orders", tags: { a: "b" } }).state;
    const text = new TextDecoder().decode(encodeState(state));
    for (const damaged of [
      text.replace('"tags":[{"key":"a","value":"b"}]', '"tags":[{"key":"a","value":7}]'),
      text.replace('"tags":[{"key":"a","value":"b"}]', '"tags":{"a":"b"}'),
      text.replace('"tags":[{"key":"a","value":"b"}]', '"consumers":[{"consumerName":"c"}]'),
    ]) {
      expect(damaged).not.toBe(text);
      expect(() => decodeState(new TextEncoder().encode(damaged))).toThrow(/does not decode/);
    }
  });
});
