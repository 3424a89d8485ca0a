import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EddyClient } from "@eddy/client";
import { grpc, loadStreamsService } from "@eddy/api";
import { BrokerProcess } from "@eddy/testkit";
import { readStream } from "./helpers.js";

describe("operations: admin endpoints, metrics, health, and SIGTERM", () => {
  let broker: BrokerProcess;
  let client: EddyClient;

  beforeAll(async () => {
    broker = await BrokerProcess.start();
    client = new EddyClient({ endpoint: broker.endpoint });
  });

  afterAll(async () => {
    client?.close();
    await broker?.destroy();
  });

  it("/healthz and /readyz answer 200; unknown paths 404", async () => {
    expect((await fetch(`${broker.adminUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${broker.adminUrl}/readyz`)).status).toBe(200);
    expect((await fetch(`${broker.adminUrl}/nope`)).status).toBe(404);
  });

  it("/metrics counts puts, bytes, latency and throttles per stream", async () => {
    await client.createStream({ streamName: "metered", shardCount: 1, streamMode: "ON_DEMAND" });
    await client.putRecords({
      streamName: "metered",
      records: Array.from({ length: 7 }, (_, i) => ({ partitionKey: `k${i}`, data: "12345" })),
    });
    const text = await (await fetch(`${broker.adminUrl}/metrics`)).text();
    expect(text).toMatch(/eddy_incoming_records_total\{stream="metered"\} 7/);
    // 7 x (5 data bytes + 2 key bytes)
    expect(text).toMatch(/eddy_incoming_bytes_total\{stream="metered"\} 49/);
    expect(text).toMatch(/eddy_put_latency_seconds_count\{stream="metered",operation="PutRecords"\} 1/);
    expect(text).toMatch(/eddy_log_batch_records_count \d+/);
    expect(text).toContain("eddy_throttled_total");
    // Each shard is a one-voter Raft group led by this broker.
    expect(text).toMatch(/eddy_raft_is_leader\{stream="metered",shard="shardId-000000000000"\} 1/);
    expect(text).toMatch(/eddy_raft_term\{stream="metered",shard="shardId-000000000000"\} [1-9]/);
    expect(text).toMatch(/eddy_raft_leader_changes_total\{stream="metered",shard="shardId-000000000000"\} [1-9]/);
  });

  it("serves the standard gRPC health service", async () => {
    const { Client } = loadStreamsService();
    // The health client comes from grpc-health-check's proto, loaded through the same grpc-js.
    const { loadSync } = await import("@grpc/proto-loader");
    const { protoPath } = await import("grpc-health-check");
    const definition = grpc.loadPackageDefinition(loadSync(protoPath, { enums: String })) as unknown as {
      grpc: { health: { v1: { Health: typeof Client } } };
    };
    const health = new definition.grpc.health.v1.Health(broker.endpoint, grpc.credentials.createInsecure());
    const status = await new Promise<{ status: string }>((resolve, reject) =>
      (
        health as unknown as { Check: (req: object, cb: (e: Error | null, r: { status: string }) => void) => void }
      ).Check({ service: "" }, (error, response) => (error ? reject(error) : resolve(response))),
    );
    health.close();
    expect(status.status).toBe("SERVING");
  });

  it("SIGTERM answers every in-flight put, exits 0, and keeps every acknowledged record", async () => {
    await client.createStream({ streamName: "drained", shardCount: 2, streamMode: "ON_DEMAND" });
    const acked: string[] = [];
    const failed: string[] = [];
    let firstAck!: () => void;
    const firstAcked = new Promise<void>((resolve) => (firstAck = resolve));
    const writers = [0, 1, 2, 3].map(async (w) => {
      for (let i = 0; i < 5_000; i++) {
        try {
          const r = await client.putRecord({ streamName: "drained", partitionKey: `w${w}`, data: `${w}-${i}` });
          acked.push(r.sequenceNumber);
          firstAck();
        } catch (error) {
          failed.push((error as Error).name);
          return;
        }
      }
    });
    await firstAcked;
    const exit = await broker.stop();
    await Promise.all(writers);
    expect(exit.code).toBe(0);
    // Calls after the drain began were refused with a retriable error, not left hanging.
    for (const name of failed) expect(["ServiceUnavailableException", "NotLeaderException"]).toContain(name);
    client.close();
    broker = await broker.restart();
    client = new EddyClient({ endpoint: broker.endpoint });
    const stored = new Set([...(await readStream(client, "drained")).values()].flat().map((r) => r.sequenceNumber));
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.filter((s) => !stored.has(s))).toEqual([]);
  });
});
