/**
 * The production set-up of the security issue, end to end: three brokers with TLS on every listener,
 * mutual TLS between them, and authentication on. An application's principal, made by root, writes
 * and reads through the AWS SDK v3 over HTTPS and through the gRPC SDK over TLS, on every broker
 * (calls to a shard another broker leads are forwarded over mutual TLS with root's credentials), and
 * gets AccessDeniedException outside its grant.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EddyClient, type PrincipalInfo } from "@eddy/client";
import { KinesisError } from "@eddy/core";
import { ClusterProcess, createAuthFile, runEddy, type RootAuthFile } from "@eddy/testkit";
import { readShard, untilAccepted } from "./helpers.js";

const RECORDS_PER_BROKER = 50;

describe("TLS, mutual TLS and authentication together on three brokers", () => {
  let dir: string;
  let ca: Buffer;
  let root: RootAuthFile;
  let c: ClusterProcess;
  let admin: EddyClient;
  let writer: { accessKeyId: string; secretAccessKey: string };
  let shardIds: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "eddy-secure-"));
    const made = await runEddy(["certs", "dev", "--out", dir, "--broker", "b1", "--broker", "b2", "--broker", "b3"]);
    expect(made.code, made.stderr).toBe(0);
    ca = await readFile(join(dir, "ca.crt"));
    root = await createAuthFile();
    c = await ClusterProcess.start({ tls: { dir }, auth: root });
    await c.formed();
    admin = new EddyClient(c.clientOptions());
    shardIds = await c.createStream("orders-eu", 3);
    await c.createStream("billing", 1);
    const created = await admin.createPrincipal({ name: "orders-app" });
    writer = { accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey };
    await admin.grantPermission({ name: "orders-app", resource: "orders-*", actions: ["read", "write"] });
  });
  afterAll(async () => {
    admin?.close();
    await c?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The AWS SDK against one broker's Kinesis endpoint, over HTTPS trusting the cluster CA. */
  function kinesisOf(brokerIndex: number, credentials: { accessKeyId: string; secretAccessKey: string }) {
    const url = c.brokers[brokerIndex]!.kinesisUrl;
    expect(url).toMatch(/^https:/);
    return new KinesisClient({
      endpoint: url,
      region: "us-east-1",
      credentials,
      // The SDK retries what Kinesis calls retriable (a leader moving right after the stream was made).
      maxAttempts: 3,
      requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca }) }),
    });
  }

  it("the AWS SDK v3 with a principal's keys puts and reads back over HTTPS through every broker", async () => {
    const sent: string[] = [];
    for (let b = 0; b < c.brokers.length; b++) {
      const kinesis = kinesisOf(b, writer);
      try {
        const entries = Array.from({ length: RECORDS_PER_BROKER }, (_, i) => {
          const data = `via-b${b + 1}-${i}`;
          sent.push(data);
          return { Data: Buffer.from(data), PartitionKey: `key-${b}-${i}` };
        });
        // Entries a moving leader refused for a moment (retriable, per entry) are sent again, as the KPL does.
        let pending = entries;
        for (let attempt = 0; pending.length > 0; attempt++) {
          expect(attempt).toBeLessThan(50);
          if (attempt > 0) await new Promise((r) => setTimeout(r, 50));
          const put = await kinesis.send(new PutRecordsCommand({ StreamName: "orders-eu", Records: pending }));
          pending = pending.filter((_, i) => put.Records?.[i]?.ErrorCode !== undefined);
        }
      } finally {
        kinesis.destroy();
      }
    }
    // Read everything back through the third broker, shard by shard.
    const kinesis = kinesisOf(2, writer);
    try {
      const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: "orders-eu" }));
      expect(Shards?.map((s) => s.ShardId).sort()).toEqual([...shardIds].sort());
      const received: string[] = [];
      for (const shard of Shards ?? []) {
        const { ShardIterator } = await kinesis.send(
          new GetShardIteratorCommand({
            StreamName: "orders-eu",
            ShardId: shard.ShardId,
            ShardIteratorType: "TRIM_HORIZON",
          }),
        );
        let iterator = ShardIterator;
        for (let call = 0; call < 20 && iterator; call++) {
          const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
          for (const r of page.Records ?? []) received.push(Buffer.from(r.Data!).toString());
          if ((page.Records ?? []).length === 0 && page.MillisBehindLatest === 0) break;
          iterator = page.NextShardIterator;
        }
      }
      expect(received.sort()).toEqual([...sent].sort());
      // ListStreams shows only what the principal may touch.
      const listed = await kinesis.send(new ListStreamsCommand({}));
      expect(listed.StreamNames).toEqual(["orders-eu"]);
      // Outside its grant: refused, and nothing is written.
      const denied = await kinesis
        .send(new PutRecordCommand({ StreamName: "billing", Data: Buffer.from("no"), PartitionKey: "k" }))
        .then(
          () => undefined,
          (error: { name?: string; $metadata?: { httpStatusCode?: number } }) => error,
        );
      expect(denied?.name).toBe("AccessDeniedException");
      expect(denied?.$metadata?.httpStatusCode).toBe(400);
    } finally {
      kinesis.destroy();
    }
    const billing = await admin.listShards({ streamName: "billing" });
    expect(await readShard(admin, "billing", billing.shards[0]!.shardId)).toEqual([]);
  });

  it("a wrong secret over HTTPS is InvalidSignatureException and writes nothing", async () => {
    const kinesis = kinesisOf(1, { accessKeyId: writer.accessKeyId, secretAccessKey: "x".repeat(43) });
    try {
      const error = await kinesis
        .send(new PutRecordCommand({ StreamName: "orders-eu", Data: Buffer.from("forged"), PartitionKey: "k" }))
        .then(
          () => undefined,
          (e: { name?: string }) => e,
        );
      expect(error?.name).toBe("InvalidSignatureException");
    } finally {
      kinesis.destroy();
    }
    for (const shardId of shardIds) {
      const records = await readShard(admin, "orders-eu", shardId);
      expect(records.map((r) => r.data)).not.toContain("forged");
    }
  });

  it("the gRPC SDK over TLS: the principal's calls are routed to each leader; no credentials are refused", async () => {
    const client = new EddyClient({ ...c.clientOptions(), auth: writer });
    const anonymous = new EddyClient({ endpoints: c.endpoints(), tls: { ca } });
    try {
      const keys = Array.from({ length: 30 }, (_, i) => `grpc-${i}`);
      for (const key of keys)
        await untilAccepted(() =>
          client.putRecord({ streamName: "orders-eu", partitionKey: key, data: Buffer.from(key) }),
        );
      const stored: string[] = [];
      for (const shardId of shardIds)
        stored.push(...(await readShard(client, "orders-eu", shardId)).map((r) => r.data));
      expect(keys.every((k) => stored.includes(k))).toBe(true);
      const refused = await anonymous.listStreams().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(KinesisError);
      expect((refused as KinesisError).name).toBe("UnrecognizedClientException");
      // Principals are root's business: the application's key cannot list them.
      const listing = await client.listPrincipals().then(
        (principals: PrincipalInfo[]) => principals,
        (error: unknown) => error,
      );
      expect(listing).toBeInstanceOf(KinesisError);
      expect((listing as KinesisError).name).toBe("AccessDeniedException");
    } finally {
      client.close();
      anonymous.close();
    }
  });
});
