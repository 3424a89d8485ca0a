/**
 * The client's marshalling and error translation, against a two-method grpc-js server with fixed
 * replies. This is not a stand-in for the broker: the broker's behaviour is tested with the broker.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GRPC_CHANNEL_OPTIONS,
  grpc,
  loadStreamsService,
  toServiceError,
  type DescribeStreamSummaryRequest__Output,
  type PutRecordRequest__Output,
  type StreamsHandlers,
} from "@eddy/api";
import { KinesisError } from "@eddy/core";
import { EddyClient } from "./index.js";

const CREATED_AT_MS = 1_700_000_000_123;
const SEQUENCE_NUMBER = "49590338271490256608559692538361571095921575989136588898";

const received: { summaries: DescribeStreamSummaryRequest__Output[]; puts: PutRecordRequest__Output[] } = {
  summaries: [],
  puts: [],
};

const handlers: Pick<StreamsHandlers, "DescribeStreamSummary" | "PutRecord"> = {
  DescribeStreamSummary(call, callback) {
    received.summaries.push(call.request);
    const name = call.request.stream_name;
    if (name === "missing") {
      callback(toServiceError(new KinesisError("ResourceNotFoundException", `stream ${name} not found`)));
      return;
    }
    if (name === "buggy") {
      callback(toServiceError(new TypeError("cannot read properties of undefined")));
      return;
    }
    callback(null, {
      stream_description_summary: {
        stream_name: name,
        stream_arn: `arn:aws:kinesis:eddy:000000000000:stream/${name}`,
        stream_status: name === "creating" ? "CREATING" : "ACTIVE",
        stream_mode: "ON_DEMAND",
        retention_period_hours: 48,
        stream_creation_timestamp: String(CREATED_AT_MS),
        open_shard_count: 4,
        consumer_count: 0,
        max_record_size_bytes: 1_048_576,
      },
    });
  },
  PutRecord(call, callback) {
    received.puts.push(call.request);
    if (call.request.partition_key === "hot") {
      callback(
        toServiceError(
          new KinesisError("ProvisionedThroughputExceededException", "shardId-000000000001: over 1000 records/s"),
        ),
      );
      return;
    }
    callback(null, { shard_id: "shardId-000000000003", sequence_number: SEQUENCE_NUMBER });
  },
};

let server: grpc.Server;
let client: EddyClient;

beforeAll(async () => {
  server = new grpc.Server(GRPC_CHANNEL_OPTIONS);
  server.addService(loadStreamsService().service, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, boundPort) =>
      err === null ? resolve(boundPort) : reject(err),
    ),
  );
  client = new EddyClient({ endpoint: `127.0.0.1:${port}`, deadlineMs: 5_000 });
});

afterAll(() => {
  client.close();
  server.forceShutdown();
});

async function failureOf(promise: Promise<unknown>): Promise<KinesisError> {
  const outcome = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(outcome).toBeInstanceOf(KinesisError);
  return outcome as KinesisError;
}

describe("EddyClient against fixed replies", () => {
  it("describeStreamSummary: int64 becomes Date, enums become names", async () => {
    const summary = await client.describeStreamSummary({ streamName: "orders" });
    expect(received.summaries.at(-1)?.stream_name).toBe("orders");
    expect(summary).toEqual({
      streamName: "orders",
      streamArn: "arn:aws:kinesis:eddy:000000000000:stream/orders",
      streamStatus: "ACTIVE",
      streamMode: "ON_DEMAND",
      retentionPeriodHours: 48,
      streamCreationTimestamp: new Date(CREATED_AT_MS),
      openShardCount: 4,
      consumerCount: 0,
      maxRecordSizeBytes: 1_048_576,
    });
  });

  it("putRecord: string data travels as UTF-8, sequence numbers stay strings", async () => {
    const out = await client.putRecord({ streamName: "orders", partitionKey: "user-1", data: "héllo ✓" });
    expect(out).toEqual({ shardId: "shardId-000000000003", sequenceNumber: SEQUENCE_NUMBER });
    const request = received.puts.at(-1);
    expect(request?.stream_name).toBe("orders");
    expect(request?.partition_key).toBe("user-1");
    expect(request?.data.equals(Buffer.from("héllo ✓", "utf8"))).toBe(true);
    expect(request?.explicit_hash_key).toBe("");

    await client.putRecord({
      streamName: "orders",
      partitionKey: "user-2",
      data: new Uint8Array([0, 255, 7]),
      explicitHashKey: "340282366920938463463374607431768211455",
    });
    expect([...(received.puts.at(-1)?.data ?? [])]).toEqual([0, 255, 7]);
    expect(received.puts.at(-1)?.explicit_hash_key).toBe("340282366920938463463374607431768211455");
  });

  it("a KinesisError thrown on the server arrives as the same KinesisError", async () => {
    const notFound = await failureOf(client.describeStreamSummary({ streamName: "missing" }));
    expect(notFound.name).toBe("ResourceNotFoundException");
    expect(notFound.message).toBe("stream missing not found");
    expect(notFound.retriable).toBe(false);

    const throttled = await failureOf(client.putRecord({ streamName: "orders", partitionKey: "hot", data: "x" }));
    expect(throttled.name).toBe("ProvisionedThroughputExceededException");
    expect(throttled.message).toBe("shardId-000000000001: over 1000 records/s");
    expect(throttled.retriable).toBe(true);
  });

  it("any other server failure arrives as InternalFailure", async () => {
    const failure = await failureOf(client.describeStreamSummary({ streamName: "buggy" }));
    expect(failure.name).toBe("InternalFailure");
    expect(failure.message).toBe("TypeError: cannot read properties of undefined");
  });

  it("gRPC's own failures arrive as KinesisErrors too, unary and streaming", async () => {
    const unimplemented = await failureOf(client.getRecords({ shardIterator: "x" }));
    expect(unimplemented.name).toBe("InternalFailure");
    expect(unimplemented.message).toMatch(/^UNIMPLEMENTED/);

    const events = client.subscribeToShard({
      streamName: "orders",
      shardId: "shardId-000000000000",
      startingPosition: { type: "TRIM_HORIZON" },
    });
    const streamFailure = await failureOf(
      (async () => {
        for await (const _ of events) expect.unreachable("the server sends no events");
      })(),
    );
    expect(streamFailure.message).toMatch(/^UNIMPLEMENTED/);

    const aborted = new AbortController();
    aborted.abort();
    const none = client.subscribeToShard({
      streamName: "orders",
      shardId: "shardId-000000000000",
      startingPosition: { type: "LATEST" },
      signal: aborted.signal,
    });
    for await (const _ of none) expect.unreachable("an aborted subscription yields nothing");
  });

  it("a refused connection is a retriable ServiceUnavailableException", async () => {
    // Port 1 on the loopback is reserved (tcpmux) and closed here.
    const nowhere = new EddyClient({ endpoint: "127.0.0.1:1", deadlineMs: 2_000 });
    try {
      const failure = await failureOf(nowhere.describeStreamSummary({ streamName: "orders" }));
      expect(failure.name).toBe("ServiceUnavailableException");
      expect(failure.retriable).toBe(true);
    } finally {
      nowhere.close();
    }
  });

  it("waitForStreamActive returns the ACTIVE summary, and gives up on a stream that stays CREATING", async () => {
    expect((await client.waitForStreamActive("orders", 1_000)).streamStatus).toBe("ACTIVE");

    const stuck = await failureOf(client.waitForStreamActive("creating", 1_000));
    expect(stuck.name).toBe("ResourceInUseException");
    expect(stuck.message).toContain("CREATING");

    const missing = await failureOf(client.waitForStreamActive("missing", 1_000));
    expect(missing.name).toBe("ResourceNotFoundException");
  });

  it("rejects a bad timestamp before sending, naming the field", async () => {
    const failure = await failureOf(
      client.getShardIterator({
        streamName: "orders",
        shardId: "shardId-000000000000",
        shardIteratorType: "AT_TIMESTAMP",
        timestamp: new Date(Number.NaN),
      }),
    );
    expect(failure.name).toBe("InvalidArgumentException");
    expect(failure.message).toContain("timestamp");
  });
});
