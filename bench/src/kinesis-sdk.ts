/**
 * The AWS SDK for JavaScript v3 (`@aws-sdk/client-kinesis`) as the kinesis-peers scenario uses it: one way to
 * build a client and one way to create a stream, the same against Eddy's Kinesis-compatible endpoint and
 * against kinesalite, so that the two differ in the server only.
 */
import { Agent } from "node:http";
import { createRequire } from "node:module";
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListShardsCommand,
} from "@aws-sdk/client-kinesis";
import { NodeHttp2Handler, NodeHttpHandler } from "@smithy/node-http-handler";

/**
 * "1.1": keep-alive connections, one per call in flight. "2": one connection per endpoint, calls multiplexed
 * (the SDK's default for Kinesis). kinesalite speaks HTTP/1.1 only.
 */
export type KinesisHttpVersion = "1.1" | "2";

export interface KinesisClientOptions {
  readonly http: KinesisHttpVersion;
  /** HTTP/1.1: connections kept open to the endpoint, i.e. the most calls this client has in flight. */
  readonly connectionsMax: number;
  /** A call not answered within this fails (the handler's request timeout). */
  readonly requestTimeoutMs: number;
  /** 1 turns the SDK's own retries off, so that every failure reaches the caller and is counted. */
  readonly maxAttempts: number;
}

/** Neither server checks signatures; the SDK insists on signing. */
const CREDENTIALS = { accessKeyId: "bench", secretAccessKey: "bench" };
const REGION = "us-east-1";
const CONNECT_TIMEOUT_MS = 5_000;
/** CreateStream to ACTIVE: immediate on both servers (kinesalite is started with createStreamMs 0). */
const STREAM_ACTIVE_TIMEOUT_MS = 30_000;
const STREAM_ACTIVE_POLL_MS = 50;
/** ListShards pages read at most (one page holds 1,000 shards; --shards allows 1,024). */
const LIST_SHARDS_PAGES_MAX = 10;

export function kinesisClient(endpoint: string, options: KinesisClientOptions): KinesisClient {
  // The SDK warns every process once that its 2027 releases will need Node 22; on this Node 20 machine
  // that is seven identical warnings per run in the middle of the progress bars.
  process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
  const requestHandler =
    options.http === "2"
      ? new NodeHttp2Handler({ requestTimeout: options.requestTimeoutMs })
      : new NodeHttpHandler({
          httpAgent: new Agent({ keepAlive: true, maxSockets: options.connectionsMax }),
          connectionTimeout: CONNECT_TIMEOUT_MS,
          requestTimeout: options.requestTimeoutMs,
        });
  return new KinesisClient({
    endpoint,
    region: REGION,
    credentials: CREDENTIALS,
    requestHandler,
    maxAttempts: options.maxAttempts,
  });
}

/** For the settings in result.json. */
export function kinesisSdkVersion(): string {
  const require = createRequire(import.meta.url);
  return (require("@aws-sdk/client-kinesis/package.json") as { version: string }).version;
}

/**
 * Creates an ON_DEMAND stream of `shardCount` shards through the SDK, waits (bounded) until it is ACTIVE and
 * resolves with its shard ids. kinesalite has no stream modes and ignores StreamModeDetails; it does not
 * throttle either, so both servers take all they can.
 */
export async function createKinesisStream(endpoint: string, streamName: string, shardCount: number): Promise<string[]> {
  const client = kinesisClient(endpoint, { http: "1.1", connectionsMax: 1, requestTimeoutMs: 10_000, maxAttempts: 3 });
  try {
    await client.send(
      new CreateStreamCommand({
        StreamName: streamName,
        ShardCount: shardCount,
        StreamModeDetails: { StreamMode: "ON_DEMAND" },
      }),
    );
    await waitForActive(client, streamName);
    return await listShardIds(client, streamName);
  } finally {
    client.destroy();
  }
}

async function waitForActive(client: KinesisClient, streamName: string): Promise<void> {
  const deadlineMs = performance.now() + STREAM_ACTIVE_TIMEOUT_MS;
  let status: string | undefined;
  while (performance.now() < deadlineMs) {
    const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    status = out.StreamDescriptionSummary?.StreamStatus;
    if (status === "ACTIVE") return;
    await new Promise((done) => setTimeout(done, STREAM_ACTIVE_POLL_MS));
  }
  throw new Error(`stream ${streamName} not ACTIVE after ${STREAM_ACTIVE_TIMEOUT_MS} ms (last ${status ?? "unknown"})`);
}

async function listShardIds(client: KinesisClient, streamName: string): Promise<string[]> {
  const shardIds: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < LIST_SHARDS_PAGES_MAX; page++) {
    const out = await client.send(
      new ListShardsCommand(nextToken === undefined ? { StreamName: streamName } : { NextToken: nextToken }),
    );
    for (const shard of out.Shards ?? []) if (shard.ShardId) shardIds.push(shard.ShardId);
    nextToken = out.NextToken;
    if (nextToken === undefined) return shardIds;
  }
  throw new Error(`ListShards of ${streamName} still had pages after ${LIST_SHARDS_PAGES_MAX}`);
}
