/**
 * The Kinesis-compatible endpoint with the AWS SDK for JavaScript v3 (`@aws-sdk/client-kinesis`, which
 * speaks HTTP/2 in cleartext with prior knowledge) pointed at a real broker: every operation, binary data
 * byte for byte, pagination, errors as Kinesis sends them, PutRecords' partial failures, SubscribeToShard
 * with live records; plus HTTP/1.1 and CBOR requests made by hand. Then the same through a 3-broker
 * cluster while a shard's leader is SIGKILLed: the SDK's own retries carry it, and nothing acknowledged
 * is lost.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import cbor from "cbor";
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeLimitsCommand,
  DescribeStreamCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamConsumersCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  MergeShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  RemoveTagsFromStreamCommand,
  SplitShardCommand,
  SubscribeToShardCommand,
  UpdateShardCountCommand,
  UpdateStreamModeCommand,
  type _Record,
} from "@aws-sdk/client-kinesis";
import { ClusterProcess, FAST_FAILOVER_ARGS } from "@eddy/testkit";
import { useBroker } from "./helpers.js";

const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

function sdk(endpoint: string, maxAttempts = 3): KinesisClient {
  return new KinesisClient({ endpoint, region: "us-east-1", credentials: CREDENTIALS, maxAttempts });
}

async function waitActive(client: KinesisClient, StreamName: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { StreamDescriptionSummary } = await client.send(new DescribeStreamSummaryCommand({ StreamName }));
    if (StreamDescriptionSummary?.StreamStatus === "ACTIVE") return;
    if (Date.now() > deadline) throw new Error(`stream ${StreamName} not ACTIVE`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The error the SDK throws: its name is Kinesis's __type. */
async function errorOf(call: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name: string; message: string; $metadata?: { httpStatusCode?: number } } | undefined;
  expect(error).toBeDefined();
  return { name: error!.name, message: error!.message, status: error!.$metadata?.httpStatusCode };
}

async function readAll(client: KinesisClient, StreamName: string, ShardId: string): Promise<_Record[]> {
  const { ShardIterator } = await client.send(
    new GetShardIteratorCommand({ StreamName, ShardId, ShardIteratorType: "TRIM_HORIZON" }),
  );
  const records: _Record[] = [];
  let iterator = ShardIterator;
  for (let call = 0; call < 500 && iterator; call++) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
    records.push(...(page.Records ?? []));
    if ((page.Records ?? []).length === 0 && page.MillisBehindLatest === 0) return records;
    // Iterators from GetRecords are always new ones.
    expect(page.NextShardIterator).not.toBe(iterator);
    iterator = page.NextShardIterator;
  }
  return records;
}

/** A raw request to the endpoint, as a tool without the SDK would send it (fetch speaks HTTP/1.1). */
async function raw(url: string, target: string, body: Buffer | string, contentType = "application/x-amz-json-1.1") {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": contentType, "x-amz-target": `Kinesis_20131202.${target}` },
    body,
  });
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    body: Buffer.from(await response.arrayBuffer()),
  };
}

describe("Kinesis endpoint: the AWS SDK v3 against one broker", () => {
  const fixture = useBroker();
  let client: KinesisClient;
  beforeAll(() => {
    client = sdk(fixture.broker.kinesisUrl);
  });
  afterAll(() => client?.destroy());

  it("creates, lists (paginated), describes and deletes streams; StreamARN works where StreamName does", async () => {
    for (const name of ["aws-a", "aws-b", "aws-c"]) {
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
    }
    await waitActive(client, "aws-a");
    const first = await client.send(new ListStreamsCommand({ Limit: 2 }));
    expect(first.StreamNames).toEqual(["aws-a", "aws-b"]);
    expect(first.HasMoreStreams).toBe(true);
    const second = await client.send(new ListStreamsCommand({ Limit: 2, NextToken: first.NextToken }));
    expect(second.StreamNames).toEqual(["aws-c"]);
    expect(second.StreamSummaries?.[0]?.StreamCreationTimestamp).toBeInstanceOf(Date);

    const described = await client.send(new DescribeStreamCommand({ StreamName: "aws-a" }));
    const d = described.StreamDescription!;
    expect(d.StreamARN).toBe("arn:aws:kinesis:us-east-1:000000000000:stream/aws-a");
    expect(d.Shards).toHaveLength(2);
    expect(d.Shards![0]!.HashKeyRange!.StartingHashKey).toBe("0");
    expect(Math.abs(d.StreamCreationTimestamp!.getTime() - Date.now())).toBeLessThan(60_000);
    const byArn = await client.send(new DescribeStreamSummaryCommand({ StreamARN: d.StreamARN }));
    expect(byArn.StreamDescriptionSummary).toMatchObject({
      StreamName: "aws-a",
      OpenShardCount: 2,
      StreamStatus: "ACTIVE",
    });

    const shardsPage = await client.send(new ListShardsCommand({ StreamName: "aws-a", MaxResults: 1 }));
    expect(shardsPage.Shards).toHaveLength(1);
    const rest = await client.send(new ListShardsCommand({ NextToken: shardsPage.NextToken }));
    expect(rest.Shards?.map((s) => s.ShardId)).toEqual(["shardId-000000000001"]);

    await client.send(new DeleteStreamCommand({ StreamName: "aws-c" }));
    const gone = await errorOf(
      (async () => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          await client.send(new DescribeStreamSummaryCommand({ StreamName: "aws-c" }));
          if (Date.now() > deadline) return;
          await new Promise((r) => setTimeout(r, 50));
        }
      })(),
    );
    expect(gone.name).toBe("ResourceNotFoundException");
  });

  it("binary data round-trips byte for byte through PutRecord, PutRecords and GetRecords", async () => {
    await client.send(new CreateStreamCommand({ StreamName: "aws-bin", ShardCount: 1 }));
    await waitActive(client, "aws-bin");
    const blobs = [
      Buffer.alloc(0 + 1, 0),
      Buffer.from([0, 255, 1, 254, 10, 13]),
      randomBytes(100_000),
      ...Array.from({ length: 20 }, () => randomBytes(37)),
    ];
    const one = await client.send(new PutRecordCommand({ StreamName: "aws-bin", PartitionKey: "k", Data: blobs[0] }));
    expect(one.SequenceNumber).toMatch(/^[0-9]+$/);
    expect(one.ShardId).toBe("shardId-000000000000");
    const many = await client.send(
      new PutRecordsCommand({
        StreamName: "aws-bin",
        Records: blobs.slice(1).map((Data, i) => ({ Data, PartitionKey: `k${i}` })),
      }),
    );
    expect(many.FailedRecordCount).toBe(0);
    const records = await readAll(client, "aws-bin", "shardId-000000000000");
    expect(records.map((r) => Buffer.from(r.Data!))).toEqual(blobs);
    expect(records[0]!.ApproximateArrivalTimestamp).toBeInstanceOf(Date);
    expect(records[0]!.SequenceNumber).toBe(one.SequenceNumber);
  });

  it("takes a PutRecords of 10 MiB (13.3 MB of JSON) and gives the records back whole", async () => {
    await client.send(
      new CreateStreamCommand({ StreamName: "aws-big", ShardCount: 1, StreamModeDetails: { StreamMode: "ON_DEMAND" } }),
    );
    await waitActive(client, "aws-big");
    // Ten records of 1 MiB less their one-byte key: exactly PutRecords' 10 MiB.
    const blobs = Array.from({ length: 10 }, () => randomBytes(1024 * 1024 - 1));
    const out = await client.send(
      new PutRecordsCommand({
        StreamName: "aws-big",
        Records: blobs.map((Data, i) => ({ Data, PartitionKey: String(i) })),
      }),
    );
    expect(out.FailedRecordCount).toBe(0);
    const records = await readAll(client, "aws-big", "shardId-000000000000");
    expect(records.map((r) => Buffer.from(r.Data!).equals(blobs[records.indexOf(r)]!))).toEqual(blobs.map(() => true));
  });

  it("errors come back as Kinesis sends them: status, __type and message", async () => {
    const missing = await errorOf(client.send(new DescribeStreamSummaryCommand({ StreamName: "nope" })));
    expect(missing).toMatchObject({ name: "ResourceNotFoundException", status: 400 });
    expect(missing.message).toMatch(/nope/);
    await client.send(new CreateStreamCommand({ StreamName: "aws-err", ShardCount: 1 }));
    const again = await errorOf(client.send(new CreateStreamCommand({ StreamName: "aws-err", ShardCount: 1 })));
    expect(again).toMatchObject({ name: "ResourceInUseException", status: 400 });
    const badName = await errorOf(client.send(new CreateStreamCommand({ StreamName: "bad name", ShardCount: 1 })));
    expect(badName.name).toBe("ValidationException");
    expect(badName.message).toBe(
      "1 validation error detected: Value 'bad name' at 'streamName' failed to satisfy constraint: " +
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    );
    await waitActive(client, "aws-err");
    const badKey = await errorOf(
      client.send(new PutRecordCommand({ StreamName: "aws-err", PartitionKey: "", Data: Buffer.from("x") })),
    );
    expect(badKey.name).toBe("ValidationException");
    expect(badKey.message).toMatch(/partitionKey/);
    const badIterator = await errorOf(client.send(new GetRecordsCommand({ ShardIterator: "AAAA" })));
    expect(badIterator.name).toBe("InvalidArgumentException");
    const merge = await errorOf(
      client.send(
        new MergeShardsCommand({
          StreamName: "aws-err",
          ShardToMerge: "shardId-000000000000",
          AdjacentShardToMerge: "shardId-000000000009",
        }),
      ),
    );
    expect(merge.name).toBe("ResourceNotFoundException");

    // A bad tag refuses the whole CreateStream: no stream without its tags.
    const badTag = await errorOf(
      client.send(new CreateStreamCommand({ StreamName: "aws-tagged", ShardCount: 1, Tags: { "aws:reserved": "x" } })),
    );
    expect(badTag.status).toBe(400);
    expect((await errorOf(client.send(new DescribeStreamSummaryCommand({ StreamName: "aws-tagged" })))).name).toBe(
      "ResourceNotFoundException",
    );

    const unknown = await raw(fixture.broker.kinesisUrl, "Launch", "{}");
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body.toString())).toMatchObject({ __type: "UnknownOperationException" });
    const notJson = await raw(fixture.broker.kinesisUrl, "ListStreams", "{not json");
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body.toString())).toMatchObject({ __type: "SerializationException" });
  });

  it("PutRecords reports partial failure entry by entry when a PROVISIONED shard is over its limit", async () => {
    await client.send(
      new CreateStreamCommand({
        StreamName: "aws-prov",
        ShardCount: 1,
        StreamModeDetails: { StreamMode: "PROVISIONED" },
      }),
    );
    await waitActive(client, "aws-prov");
    const batch = () => ({
      StreamName: "aws-prov",
      Records: Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from("x") })),
    });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await client.send(new PutRecordsCommand(batch())));
    const failed = results.flatMap((r) => (r.Records ?? []).filter((e) => e.ErrorCode));
    expect(failed.length).toBeGreaterThan(0);
    expect(results.reduce((n, r) => n + (r.FailedRecordCount ?? 0), 0)).toBe(failed.length);
    expect(failed[0]).toMatchObject({ ErrorCode: "ProvisionedThroughputExceededException" });
    expect(failed[0]!.ErrorMessage).toMatch(/Rate exceeded/);
    const ok = results.flatMap((r) => (r.Records ?? []).filter((e) => !e.ErrorCode));
    expect(ok.every((e) => e.SequenceNumber && e.ShardId === "shardId-000000000000")).toBe(true);
  });

  it("reshards, changes retention and mode, tags, limits and consumers", async () => {
    const StreamName = "aws-admin";
    await client.send(new CreateStreamCommand({ StreamName, ShardCount: 2 }));
    await waitActive(client, StreamName);
    await client.send(new PutRecordCommand({ StreamName, PartitionKey: "a", Data: Buffer.from("before") }));
    await client.send(
      new SplitShardCommand({
        StreamName,
        ShardToSplit: "shardId-000000000000",
        NewStartingHashKey: (1n << 126n).toString(),
      }),
    );
    await waitActive(client, StreamName);
    await client.send(
      new MergeShardsCommand({
        StreamName,
        ShardToMerge: "shardId-000000000002",
        AdjacentShardToMerge: "shardId-000000000003",
      }),
    );
    await waitActive(client, StreamName);
    const scaled = await client.send(
      new UpdateShardCountCommand({ StreamName, TargetShardCount: 4, ScalingType: "UNIFORM_SCALING" }),
    );
    expect(scaled).toMatchObject({ StreamName, CurrentShardCount: 2, TargetShardCount: 4 });
    await waitActive(client, StreamName);
    const open = await client.send(new ListShardsCommand({ StreamName, ShardFilter: { Type: "AT_LATEST" } }));
    expect(open.Shards).toHaveLength(4);
    // The closed parent, read to its end, names its children.
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({ StreamName, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }),
    );
    let iterator = ShardIterator;
    let children: string[] = [];
    for (let i = 0; i < 20 && iterator; i++) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      if (!page.NextShardIterator) children = (page.ChildShards ?? []).map((c) => c.ShardId!);
      iterator = page.NextShardIterator;
    }
    expect(children).toEqual(["shardId-000000000002", "shardId-000000000003"]);
    // SubscribeToShard at the closed parent's end: its last event names the children, then it ends.
    const parentArn = (await client.send(new DescribeStreamSummaryCommand({ StreamName }))).StreamDescriptionSummary!
      .StreamARN!;
    const { Consumer: ender } = await client.send(
      new RegisterStreamConsumerCommand({ StreamARN: parentArn, ConsumerName: "ender" }),
    );
    const closed = await client.send(
      new SubscribeToShardCommand({
        ConsumerARN: ender!.ConsumerARN,
        ShardId: "shardId-000000000000",
        StartingPosition: { Type: "LATEST" },
      }),
    );
    let lastChildren: string[] = [];
    for await (const event of closed.EventStream!) {
      const e = event.SubscribeToShardEvent;
      if (e?.ChildShards?.length) lastChildren = e.ChildShards.map((c) => c.ShardId!);
    }
    expect(lastChildren).toEqual(["shardId-000000000002", "shardId-000000000003"]);
    await client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: ender!.ConsumerARN }));

    await client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName, RetentionPeriodHours: 48 }));
    const shorter = await errorOf(
      client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName, RetentionPeriodHours: 24 })),
    );
    expect(shorter.name).toBe("InvalidArgumentException");
    expect(shorter.message).toMatch(/can not be shorter than existing retention period \(48 hours\)/);
    await client.send(new DecreaseStreamRetentionPeriodCommand({ StreamName, RetentionPeriodHours: 24 }));
    const { StreamDescriptionSummary: summary } = await client.send(new DescribeStreamSummaryCommand({ StreamName }));
    expect(summary?.RetentionPeriodHours).toBe(24);
    await client.send(
      new UpdateStreamModeCommand({ StreamARN: summary!.StreamARN, StreamModeDetails: { StreamMode: "PROVISIONED" } }),
    );
    expect(
      (await client.send(new DescribeStreamSummaryCommand({ StreamName }))).StreamDescriptionSummary?.StreamModeDetails
        ?.StreamMode,
    ).toBe("PROVISIONED");

    await client.send(new AddTagsToStreamCommand({ StreamName, Tags: { team: "billing", env: "prod", tier: "1" } }));
    const tagPage = await client.send(new ListTagsForStreamCommand({ StreamName, Limit: 2 }));
    expect(tagPage.Tags).toEqual([
      { Key: "env", Value: "prod" },
      { Key: "team", Value: "billing" },
    ]);
    expect(tagPage.HasMoreTags).toBe(true);
    await client.send(new RemoveTagsFromStreamCommand({ StreamName, TagKeys: ["env"] }));
    expect((await client.send(new ListTagsForStreamCommand({ StreamName }))).Tags?.map((t) => t.Key)).toEqual([
      "team",
      "tier",
    ]);

    const limits = await client.send(new DescribeLimitsCommand({}));
    expect(limits.ShardLimit).toBeGreaterThan(0);
    expect(limits.OpenShardCount).toBeGreaterThanOrEqual(4);

    const streamArn = summary!.StreamARN!;
    const registered = await client.send(
      new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "fan-1" }),
    );
    expect(registered.Consumer?.ConsumerARN).toMatch(new RegExp(`^${streamArn}/consumer/fan-1:[0-9]+$`));
    const dup = await errorOf(
      client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "fan-1" })),
    );
    expect(dup.name).toBe("ResourceInUseException");
    const described = await client.send(
      new DescribeStreamConsumerCommand({ ConsumerARN: registered.Consumer!.ConsumerARN }),
    );
    expect(described.ConsumerDescription).toMatchObject({ ConsumerName: "fan-1", StreamARN: streamArn });
    await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "fan-2" }));
    const list = await client.send(new ListStreamConsumersCommand({ StreamARN: streamArn, MaxResults: 1 }));
    expect(list.Consumers).toHaveLength(1);
    const next = await client.send(new ListStreamConsumersCommand({ StreamARN: streamArn, NextToken: list.NextToken }));
    expect([...list.Consumers!, ...next.Consumers!].map((c) => c.ConsumerName).sort()).toEqual(["fan-1", "fan-2"]);
    // At most 20 consumers per stream: the 21st is LimitExceededException.
    for (let n = 3; n <= 20; n++) {
      await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: `fan-${n}` }));
    }
    const tooMany = await errorOf(
      client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "fan-21" })),
    );
    expect(tooMany).toMatchObject({ name: "LimitExceededException", status: 400 });
    for (let n = 3; n <= 20; n++) {
      await client.send(new DeregisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: `fan-${n}` }));
    }
    await client.send(new DeregisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: "fan-2" }));
    expect(
      (await client.send(new ListStreamConsumersCommand({ StreamARN: streamArn }))).Consumers?.map(
        (c) => c.ConsumerName,
      ),
    ).toEqual(["fan-1"]);
  });

  it("SubscribeToShard pushes live records over HTTP/2 in the event-stream encoding", async () => {
    const StreamName = "aws-push";
    await client.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
    await waitActive(client, StreamName);
    const arn = (await client.send(new DescribeStreamSummaryCommand({ StreamName }))).StreamDescriptionSummary!
      .StreamARN!;
    const { Consumer } = await client.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: "live" }));
    const abort = new AbortController();
    const subscription = await client.send(
      new SubscribeToShardCommand({
        ConsumerARN: Consumer!.ConsumerARN,
        ShardId: "shardId-000000000000",
        StartingPosition: { Type: "LATEST" },
      }),
      { abortSignal: abort.signal },
    );
    const sent = Array.from({ length: 10 }, () => randomBytes(16));
    const putting = (async () => {
      for (const Data of sent) await client.send(new PutRecordCommand({ StreamName, PartitionKey: "p", Data }));
    })();
    const received: Buffer[] = [];
    let continuation: string | undefined;
    for await (const event of subscription.EventStream!) {
      const e = event.SubscribeToShardEvent;
      if (!e) continue;
      received.push(...(e.Records ?? []).map((r) => Buffer.from(r.Data!)));
      continuation = e.ContinuationSequenceNumber ?? continuation;
      if (received.length >= sent.length) break;
    }
    abort.abort();
    await putting;
    expect(received).toEqual(sent);
    expect(continuation).toMatch(/^[0-9]+$/);
  });

  it("speaks HTTP/1.1 and CBOR: byte strings for blobs, tag 1 epoch milliseconds for timestamps", async () => {
    const url = fixture.broker.kinesisUrl;
    const created = await raw(url, "CreateStream", JSON.stringify({ StreamName: "aws-cbor", ShardCount: 1 }));
    expect(created.status).toBe(200);
    await waitActive(client, "aws-cbor");
    const data = randomBytes(64);
    const put = await raw(
      url,
      "PutRecord",
      cbor.encodeOne({ StreamName: "aws-cbor", PartitionKey: "c", Data: data }),
      "application/x-amz-cbor-1.1",
    );
    expect(put.status).toBe(200);
    expect(put.contentType).toBe("application/x-amz-cbor-1.1");
    const putOut = cbor.decodeFirstSync(put.body) as { SequenceNumber: string };
    const iter = await raw(
      url,
      "GetShardIterator",
      cbor.encodeOne({
        StreamName: "aws-cbor",
        ShardId: "shardId-000000000000",
        ShardIteratorType: "AT_SEQUENCE_NUMBER",
        StartingSequenceNumber: putOut.SequenceNumber,
      }),
      "application/x-amz-cbor-1.1",
    );
    const { ShardIterator } = cbor.decodeFirstSync(iter.body) as { ShardIterator: string };
    const got = await raw(url, "GetRecords", cbor.encodeOne({ ShardIterator }), "application/x-amz-cbor-1.1");
    // Decoded without tag handlers, to see the wire: tag 1 around an integer of milliseconds.
    const out = cbor.decodeFirstSync(got.body, { tags: { 1: (v: unknown) => ({ tag1: v }) } }) as {
      Records: { Data: Buffer; ApproximateArrivalTimestamp: { tag1: number } }[];
    };
    expect(Buffer.isBuffer(out.Records[0]!.Data)).toBe(true);
    expect(out.Records[0]!.Data).toEqual(data);
    const ms = out.Records[0]!.ApproximateArrivalTimestamp.tag1;
    expect(Number.isInteger(ms)).toBe(true);
    expect(Math.abs(ms - Date.now())).toBeLessThan(60_000);
    const error = await raw(
      url,
      "DescribeStreamSummary",
      cbor.encodeOne({ StreamName: "missing" }),
      "application/x-amz-cbor-1.1",
    );
    expect(error.status).toBe(400);
    expect(cbor.decodeFirstSync(error.body)).toMatchObject({ __type: "ResourceNotFoundException" });
  });
});

describe("Kinesis endpoint: the AWS SDK through a shard leader's SIGKILL (3 brokers)", () => {
  let cluster: ClusterProcess | undefined;
  afterAll(async () => {
    await cluster?.close();
  });

  it("the SDK's own retries carry it through, and every acknowledged record is readable", async () => {
    const c = (cluster = await ClusterProcess.start({ args: FAST_FAILOVER_ARGS }));
    await c.formed();
    await c.createStream("aws-ha", 1);
    const { brokerId } = await c.awaitLeader("aws-ha", "shardId-000000000000");
    const entry = c.brokers.find((b) => b.id !== brokerId)!;
    const client = sdk(entry.kinesisUrl, 10);
    const acknowledged = new Set<string>();
    const put = async (from: number, to: number) => {
      for (let i = from; i < to; i += 50) {
        const records = Array.from({ length: 50 }, (_, j) => ({
          PartitionKey: `k${(i + j) % 7}`,
          Data: Buffer.from(`r${i + j}`),
        }));
        let pending = records;
        for (let attempt = 0; pending.length > 0; attempt++) {
          expect(attempt).toBeLessThan(50);
          const out = await client.send(new PutRecordsCommand({ StreamName: "aws-ha", Records: pending }));
          out.Records!.forEach((r, n) => {
            if (!r.ErrorCode) acknowledged.add(Buffer.from(pending[n]!.Data).toString());
          });
          pending = pending.filter((_, n) => out.Records![n]!.ErrorCode !== undefined);
          if (pending.length > 0) await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    await put(0, 1_000);
    await c.kill(brokerId);
    await put(1_000, 2_000);
    const stored = (await readAll(client, "aws-ha", "shardId-000000000000")).map((r) =>
      Buffer.from(r.Data!).toString(),
    );
    expect(new Set(stored)).toEqual(acknowledged);
    expect(stored).toHaveLength(acknowledged.size);
    client.destroy();
  });
});
