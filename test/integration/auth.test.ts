/**
 * Authentication and permissions on a real broker started with --auth-file: gRPC calls without
 * credentials or with a wrong secret are refused and change nothing; principals get exactly what they
 * were granted; the AWS SDK v3 signs with a principal's credentials end to end; raw HTTP requests with
 * a tampered or expired SigV4 signature are refused and add nothing; and `eddy auth` drives it all.
 */
import { mkdtemp } from "node:fs/promises";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListStreamsCommand,
  PutRecordCommand,
} from "@aws-sdk/client-kinesis";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { encodeCommand, KinesisError } from "@eddy/core";
import { fromServiceError, grpc, loadClusterService } from "@eddy/api";
import { Application, EddyClient } from "@eddy/client";
import { BrokerProcess, ClusterProcess, createAuthFile, runEddy, type RootAuthFile } from "@eddy/testkit";
import { readShard, untilAccepted } from "./helpers.js";

/** SHA-256 for the signer, as the AWS SDK for JS takes it in Node (HMAC when given a key). */
const Sha256 = Hash.bind(null, "sha256");

let root: RootAuthFile;
let broker: BrokerProcess;
let admin: EddyClient;
const clients: EddyClient[] = [];

// The developer's own credentials (environment, ~/.eddy/credentials) stay out of the test.
delete process.env["EDDY_ACCESS_KEY_ID"];
delete process.env["EDDY_SECRET_ACCESS_KEY"];
delete process.env["EDDY_PROFILE"];
process.env["EDDY_SHARED_CREDENTIALS_FILE"] = "/nonexistent/eddy-test-credentials";

function clientAs(auth?: { accessKeyId: string; secretAccessKey: string }): EddyClient {
  const client = new EddyClient({ endpoint: broker.endpoint, ...(auth ? { auth } : {}) });
  clients.push(client);
  return client;
}

async function refusal(call: Promise<unknown>): Promise<KinesisError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KinesisError);
  return error as KinesisError;
}

async function recordCount(streamName: string): Promise<number> {
  const shards = (await admin.listShards({ streamName })).shards;
  let count = 0;
  for (const shard of shards) count += (await readShard(admin, streamName, shard.shardId)).length;
  return count;
}

async function principal(name: string, grants: Array<{ resource: string; actions: string[] }>) {
  const created = await admin.createPrincipal({ name });
  for (const g of grants) await admin.grantPermission({ name, ...g });
  return { accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey };
}

beforeAll(async () => {
  root = await createAuthFile();
  // GetRecords is called often here to count records: the per-shard read rate must not get in the way.
  broker = await BrokerProcess.start({ authFile: root.file, args: ["--shard-read-calls-per-sec", "100000"] });
  admin = clientAs({ accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey });
  for (const streamName of ["orders-eu", "billing"]) {
    await admin.createStream({ streamName, shardCount: 1 });
    await admin.waitForStreamActive(streamName);
  }
  await admin.putRecord({ streamName: "billing", partitionKey: "k", data: Buffer.from("first") });
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await broker?.destroy();
});

describe("gRPC: authentication", () => {
  it("a call without credentials is UnrecognizedClientException and changes nothing", async () => {
    const anonymous = clientAs();
    // No auth option: the SDK looked in the environment and the profile file, which hold none here.
    const error = await refusal(anonymous.createStream({ streamName: "sneaky", shardCount: 1 }));
    expect(error.name).toBe("UnrecognizedClientException");
    expect(error.message).toMatch(/^missing credentials/);
    expect(
      (await refusal(anonymous.putRecord({ streamName: "billing", partitionKey: "k", data: Buffer.from("x") }))).name,
    ).toBe("UnrecognizedClientException");
    expect([...(await admin.listStreams()).streamNames].sort()).toEqual(["billing", "orders-eu"]);
    expect(await recordCount("billing")).toBe(1);
  });

  it("a wrong secret, for root or for a principal, is UnrecognizedClientException and changes nothing", async () => {
    const p = await principal("wrong-secret", [{ resource: "*", actions: ["admin", "write"] }]);
    for (const auth of [
      { accessKeyId: root.accessKeyId, secretAccessKey: `${root.secretAccessKey}x` },
      { accessKeyId: p.accessKeyId, secretAccessKey: "not-the-secret" },
      { accessKeyId: "EDDYNOBODY2222222222", secretAccessKey: "whatever" },
    ]) {
      const error = await refusal(clientAs(auth).deleteStream({ streamName: "billing" }));
      expect(error.name).toBe("UnrecognizedClientException");
      expect(error.message).toBe("The security token included in the request is invalid.");
    }
    expect((await admin.describeStreamSummary({ streamName: "billing" })).streamStatus).toBe("ACTIVE");
  });
});

describe("gRPC: permissions", () => {
  it("a read-only principal reads, and its PutRecords is AccessDeniedException that adds nothing", async () => {
    const reader = clientAs(await principal("reader", [{ resource: "billing", actions: ["read"] }]));
    const records = await readShard(reader, "billing", "shardId-000000000000");
    expect(records.map((r) => r.data)).toEqual(["first"]);
    const error = await refusal(
      reader.putRecords({ streamName: "billing", records: [{ partitionKey: "k", data: Buffer.from("no") }] }),
    );
    expect(error.name).toBe("AccessDeniedException");
    expect(error.message).toMatch(
      /reader \(EDDY[A-Z2-7]{16}\) is not allowed to PutRecords \(write\) on stream billing/,
    );
    expect(await recordCount("billing")).toBe(1);
    // Nor may it create streams; ListStreams shows it only what it may touch.
    expect((await refusal(reader.createStream({ streamName: "r", shardCount: 1 }))).name).toBe("AccessDeniedException");
    expect((await reader.listStreams()).streamNames).toEqual(["billing"]);
  });

  it("a writer of orders-* writes orders-eu but cannot touch billing", async () => {
    const writer = clientAs(await principal("orders-writer", [{ resource: "orders-*", actions: ["write"] }]));
    await writer.putRecord({ streamName: "orders-eu", partitionKey: "k", data: Buffer.from("order") });
    expect(await recordCount("orders-eu")).toBe(1);
    const put = await refusal(writer.putRecord({ streamName: "billing", partitionKey: "k", data: Buffer.from("x") }));
    expect(put.name).toBe("AccessDeniedException");
    const read = await refusal(
      writer.getShardIterator({
        streamName: "billing",
        shardId: "shardId-000000000000",
        shardIteratorType: "TRIM_HORIZON",
      }),
    );
    expect(read.name).toBe("AccessDeniedException");
    expect(await recordCount("billing")).toBe(1);
  });

  it("a principal without grants is denied everything but what needs only authentication", async () => {
    const nobody = clientAs(await principal("no-grants", []));
    expect((await nobody.listStreams()).streamNames).toEqual([]);
    expect((await refusal(nobody.describeStream({ streamName: "billing" }))).name).toBe("AccessDeniedException");
    expect((await refusal(nobody.listPrincipals())).name).toBe("AccessDeniedException");
  });

  it("deleting a principal, or revoking its grant, takes effect at once", async () => {
    const auth = await principal("short-lived", [{ resource: "orders-eu", actions: ["read", "write"] }]);
    const client = clientAs(auth);
    await client.describeStreamSummary({ streamName: "orders-eu" });
    await admin.revokePermission({ name: "short-lived", resource: "orders-eu", actions: ["read"] });
    expect((await refusal(client.describeStreamSummary({ streamName: "orders-eu" }))).name).toBe(
      "AccessDeniedException",
    );
    await admin.deletePrincipal({ name: "short-lived" });
    const error = await refusal(
      client.putRecord({ streamName: "orders-eu", partitionKey: "k", data: Buffer.from("x") }),
    );
    expect(error.name).toBe("UnrecognizedClientException");
    expect((await admin.listPrincipals()).map((p) => p.name)).not.toContain("short-lived");
  });
});

describe("gRPC: consumer applications need consume (leases, checkpoints) and read (records)", () => {
  it("a worker with read and consume processes and checkpoints; one with read only cannot start", async () => {
    const auth = await principal("app-worker", [{ resource: "orders-*", actions: ["read", "consume"] }]);
    const seen: string[] = [];
    let processed!: () => void;
    const done = new Promise<void>((resolve) => (processed = resolve));
    const app = new Application({
      endpoint: broker.endpoint,
      auth,
      stream: "orders-eu",
      application: "auth-app",
      initialPosition: "TRIM_HORIZON",
      checkpoint: "manual",
      processor: {
        async processRecords({ records, checkpointer }) {
          seen.push(...records.map((r) => Buffer.from(r.data).toString()));
          await checkpointer.checkpoint();
          if (seen.length > 0) processed();
        },
      },
    });
    await app.start();
    await done;
    await app.stop();
    expect(seen[0]).toBe("order");
    const description = await admin.describeApplication({ streamName: "orders-eu", applicationName: "auth-app" });
    expect(description.shards.some((s) => s.checkpoint !== undefined)).toBe(true);

    const readOnly = new Application({
      endpoint: broker.endpoint,
      auth: await principal("app-reader", [{ resource: "orders-*", actions: ["read"] }]),
      stream: "orders-eu",
      application: "auth-app-denied",
      processor: { async processRecords() {} },
    });
    const error = await refusal(readOnly.start());
    expect(error.name).toBe("AccessDeniedException");
    await readOnly.stop().catch(() => undefined);
  });
});

describe("Kinesis endpoint: SigV4", () => {
  function sdk(credentials: { accessKeyId: string; secretAccessKey: string }): KinesisClient {
    return new KinesisClient({ endpoint: broker.kinesisUrl, region: "us-east-1", credentials, maxAttempts: 1 });
  }

  it("the AWS SDK v3 with a principal's credentials puts and reads end to end, within its grants", async () => {
    const kinesis = sdk(await principal("sdk-user", [{ resource: "orders-*", actions: ["read", "write"] }]));
    try {
      await kinesis.send(
        new PutRecordCommand({ StreamName: "orders-eu", PartitionKey: "k", Data: Buffer.from("via sdk") }),
      );
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: "orders-eu",
          ShardId: "shardId-000000000000",
          ShardIteratorType: "TRIM_HORIZON",
        }),
      );
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
      expect((page.Records ?? []).map((r) => Buffer.from(r.Data!).toString())).toContain("via sdk");
      expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual(["orders-eu"]);
      const denied = await kinesis
        .send(new PutRecordCommand({ StreamName: "billing", PartitionKey: "k", Data: Buffer.from("x") }))
        .then(
          () => undefined,
          (e: { name: string; $metadata?: { httpStatusCode?: number } }) => e,
        );
      expect(denied?.name).toBe("AccessDeniedException");
      expect(denied?.$metadata?.httpStatusCode).toBe(400);
    } finally {
      kinesis.destroy();
    }
  });

  it("the AWS SDK with a wrong secret gets InvalidSignatureException; with an unknown key UnrecognizedClientException", async () => {
    const p = await principal("sdk-wrong", [{ resource: "*", actions: ["write"] }]);
    for (const [credentials, name] of [
      [{ accessKeyId: p.accessKeyId, secretAccessKey: "wrong" }, "InvalidSignatureException"],
      [{ accessKeyId: "EDDYNOBODY2222222222", secretAccessKey: "wrong" }, "UnrecognizedClientException"],
    ] as const) {
      const kinesis = sdk(credentials);
      const error = await kinesis
        .send(new PutRecordCommand({ StreamName: "billing", PartitionKey: "k", Data: Buffer.from("x") }))
        .then(
          () => undefined,
          (e: { name: string }) => e,
        );
      kinesis.destroy();
      expect(error?.name).toBe(name);
    }
    expect(await recordCount("billing")).toBe(1);
  });

  it("SubscribeToShard is authorized at the endpoint, then relayed with the broker's own credentials", async () => {
    const consumer = sdk(await principal("fan-out", [{ resource: "orders-*", actions: ["read", "consume"] }]));
    const writerOnly = sdk(await principal("fan-out-denied", [{ resource: "orders-*", actions: ["write"] }]));
    try {
      const { StreamDescriptionSummary } = await consumer.send(
        new DescribeStreamSummaryCommand({ StreamName: "orders-eu" }),
      );
      const { Consumer } = await consumer.send(
        new RegisterStreamConsumerCommand({
          StreamARN: StreamDescriptionSummary!.StreamARN,
          ConsumerName: "auth-test",
        }),
      );
      const subscribe = (client: KinesisClient) =>
        client.send(
          new SubscribeToShardCommand({
            ConsumerARN: Consumer!.ConsumerARN,
            ShardId: "shardId-000000000000",
            StartingPosition: { Type: "TRIM_HORIZON" },
          }),
        );
      const denied = await subscribe(writerOnly).then(
        () => undefined,
        (e: { name: string }) => e,
      );
      expect(denied?.name).toBe("AccessDeniedException");
      await admin.putRecord({ streamName: "orders-eu", partitionKey: "k", data: Buffer.from("fan-out-record") });
      const subscription = await subscribe(consumer);
      const seen: string[] = [];
      for await (const event of subscription.EventStream!) {
        seen.push(...(event.SubscribeToShardEvent?.Records ?? []).map((r) => Buffer.from(r.Data!).toString()));
        if (seen.includes("fan-out-record")) break;
      }
      expect(seen).toContain("fan-out-record");
    } finally {
      consumer.destroy();
      writerOnly.destroy();
    }
  });

  /** A PutRecord to billing over HTTP/1.1, signed by root at `signedAtMs`; `tamper` edits the signature. */
  async function rawPut(signedAtMs: number, tamper: (signature: string) => string = (s) => s) {
    const url = new URL(broker.kinesisUrl);
    const body = JSON.stringify({
      StreamName: "billing",
      PartitionKey: "k",
      Data: Buffer.from("raw").toString("base64"),
    });
    const signer = new SignatureV4({
      credentials: { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey },
      region: "us-east-1",
      service: "kinesis",
      sha256: Sha256,
    });
    const signed = await signer.sign(
      {
        method: "POST",
        protocol: "http:",
        hostname: url.hostname,
        port: Number(url.port),
        path: "/",
        query: {},
        headers: {
          host: url.host,
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": "Kinesis_20131202.PutRecord",
        },
        body,
      },
      { signingDate: new Date(signedAtMs) },
    );
    const headers = { ...signed.headers } as Record<string, string>;
    headers["authorization"] = headers["authorization"]!.replace(
      /Signature=([0-9a-f]+)/,
      (_m, s: string) => `Signature=${tamper(s)}`,
    );
    return new Promise<{ status: number; body: { __type: string; message: string } }>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, method: "POST", path: "/", headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  it("a correctly signed raw request is accepted (the baseline of the two below)", async () => {
    const answer = await rawPut(Date.now());
    expect(answer.status).toBe(200);
    expect(await recordCount("billing")).toBe(2);
  });

  it("a tampered signature is InvalidSignatureException (400) and adds no record", async () => {
    const answer = await rawPut(Date.now(), (s) => (s[0] === "a" ? "b" : "a") + s.slice(1));
    expect(answer.status).toBe(400);
    expect(answer.body.__type).toBe("InvalidSignatureException");
    expect(answer.body.message).toMatch(/^The request signature we calculated does not match/);
    expect(await recordCount("billing")).toBe(2);
  });

  it("an expired X-Amz-Date is InvalidSignatureException (400) and adds no record", async () => {
    const answer = await rawPut(Date.now() - 10 * 60_000);
    expect(answer.status).toBe(400);
    expect(answer.body.__type).toBe("InvalidSignatureException");
    expect(answer.body.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    expect(await recordCount("billing")).toBe(2);
  });

  it("no Authorization at all is MissingAuthenticationTokenException", async () => {
    const url = new URL(broker.kinesisUrl);
    const answer = await new Promise<{ status: number; type: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: "POST",
          path: "/",
          headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.ListStreams" },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              type: (JSON.parse(Buffer.concat(chunks).toString()) as { __type: string }).__type,
            }),
          );
        },
      );
      req.on("error", reject);
      req.end("{}");
    });
    expect(answer).toEqual({ status: 400, type: "MissingAuthenticationTokenException" });
  });
});

describe("eddy auth", () => {
  const rootFlags = () => [
    "--endpoint",
    broker.endpoint,
    "--access-key-id",
    root.accessKeyId,
    "--secret-access-key",
    root.secretAccessKey,
  ];

  it("create shows the secret once, list never shows it, grant and revoke change the grants, delete removes", async () => {
    const created = await runEddy([...rootFlags(), "auth", "create", "cli-bot"]);
    expect(created.code).toBe(0);
    const secret = /secret access key\s+(\S+)/.exec(created.stdout)?.[1];
    const keyId = /access key id\s+(EDDY[A-Z2-7]{16})/.exec(created.stdout)?.[1];
    expect(secret).toBeDefined();
    expect(created.stdout).toMatch(/will not be shown again/);

    const granted = await runEddy([
      ...rootFlags(),
      "auth",
      "grant",
      "cli-bot",
      "--stream",
      "orders-*",
      "--actions",
      "read,write",
    ]);
    expect(granted.stdout).toContain("orders-*=read,write");

    const listed = await runEddy([...rootFlags(), "auth", "list"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("cli-bot");
    expect(listed.stdout).toContain(keyId!);
    expect(listed.stdout).not.toContain(secret!);

    // The new credentials work from the environment, within their grants.
    const env = { EDDY_ACCESS_KEY_ID: keyId!, EDDY_SECRET_ACCESS_KEY: secret! };
    const put = await runEddy(["--endpoint", broker.endpoint, "put", "orders-eu", "--key", "k", "--data", "cli"], {
      env,
    });
    expect(put.code).toBe(0);
    const denied = await runEddy(["--endpoint", broker.endpoint, "put", "billing", "--key", "k", "--data", "no"], {
      env,
    });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/AccessDeniedException/);

    const revoked = await runEddy([
      ...rootFlags(),
      "auth",
      "revoke",
      "cli-bot",
      "--stream",
      "orders-*",
      "--actions",
      "write",
    ]);
    expect(revoked.stdout).toContain("orders-*=read");
    const deleted = await runEddy([...rootFlags(), "auth", "delete", "cli-bot"]);
    expect(deleted.code).toBe(0);
    expect((await runEddy([...rootFlags(), "auth", "list"])).stdout).not.toContain("cli-bot");
  });

  it("auth init writes a new root file owner-only, and will not overwrite it", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "eddy-init-")), "root.json");
    const first = await runEddy(["auth", "init", "--out", file]);
    expect(first.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = JSON.parse(readFileSync(file, "utf8")) as { accessKeyId: string; secretAccessKey: string };
    expect(written.accessKeyId).toMatch(/^EDDY[A-Z2-7]{16}$/);
    expect(written.secretAccessKey.length).toBeGreaterThanOrEqual(32);
    const again = await runEddy(["auth", "init", "--out", file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/never overwritten/);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(written);
  });

  it("the CLI takes root's credentials from a profile of the credentials file", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "eddy-profile-")), "credentials");
    writeFileSync(file, `[ops]\naccess_key_id = ${root.accessKeyId}\nsecret_access_key = ${root.secretAccessKey}\n`);
    const env = { EDDY_SHARED_CREDENTIALS_FILE: file };
    const listed = await runEddy(["--endpoint", broker.endpoint, "--profile", "ops", "auth", "list"], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("ACCESS KEY ID");
    const wrongProfile = await runEddy(["--endpoint", broker.endpoint, "--profile", "nope", "auth", "list"], { env });
    expect(wrongProfile.code).toBe(1);
    expect(wrongProfile.stderr).toMatch(/nope/);
  });

  it("without credentials the CLI is refused with UnrecognizedClientException", async () => {
    const run = await runEddy(["--endpoint", broker.endpoint, "auth", "list"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/UnrecognizedClientException: missing credentials/);
  });
});

describe("a cluster of three brokers with authentication", () => {
  let cluster: ClusterProcess | undefined;
  afterAll(async () => {
    await cluster?.close();
  });

  it("a principal made through one broker works through the others; forwards between brokers go through", async () => {
    cluster = await ClusterProcess.start({ args: ["--auth-file", root.file] });
    // Every broker registered with the controller (read from the unauthenticated admin port's status).
    await cluster.formed();
    const [b1, b2, b3] = cluster.brokers;
    const rootAuth = { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey };
    const viaB1 = new EddyClient({ endpoint: b1!.endpoint, auth: rootAuth });
    clients.push(viaB1);
    await viaB1.createStream({ streamName: "orders-multi", shardCount: 3 });
    await viaB1.waitForStreamActive("orders-multi");
    const created = await viaB1.createPrincipal({ name: "multi" });
    await viaB1.grantPermission({ name: "multi", resource: "orders-*", actions: ["read", "write"] });
    const auth = { accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey };
    // Without routing every call goes to the one endpoint, which forwards it to each shard's leader.
    const viaB2 = new EddyClient({ endpoint: b2!.endpoint, routing: false, auth });
    const viaB3 = new EddyClient({ endpoint: b3!.endpoint, routing: false, auth });
    clients.push(viaB2, viaB3);
    for (let i = 0; i < 30; i++) {
      // A leader moving to its preferred replica right after the stream's creation refuses for a moment.
      await untilAccepted(() =>
        viaB2.putRecord({ streamName: "orders-multi", partitionKey: `k${i}`, data: Buffer.from(`r${i}`) }),
      );
    }
    let read = 0;
    for (const shard of (await viaB3.listShards({ streamName: "orders-multi" })).shards) {
      read += (await readShard(viaB3, "orders-multi", shard.shardId)).length;
    }
    expect(read).toBe(30);
    expect(
      (await refusal(viaB3.putRecord({ streamName: "billing", partitionKey: "k", data: Buffer.from("x") }))).name,
    ).toBe("AccessDeniedException");
  }, 120_000);

  it("the Cluster service refuses a client without the root credentials", async () => {
    const { Client } = loadClusterService();
    const raw = new Client(cluster!.brokers[0]!.endpoint, grpc.credentials.createInsecure());
    const command = encodeCommand({ type: "GrantPermission", name: "multi", resource: "*", actions: ["admin"] });
    const error = await new Promise<KinesisError>((resolve) =>
      raw.ProposeCommand({ command: Buffer.from(command) }, (e) => resolve(fromServiceError(e!))),
    );
    raw.close();
    expect(error.name).toBe("AccessDeniedException");
  });
});
