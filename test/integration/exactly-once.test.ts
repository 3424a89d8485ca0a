/**
 * Exactly-once append at the wire: a producer's numbered batches, each sent again until it is answered,
 * through a SIGKILL of the shard's leader. Every record must be stored once, in order, on every replica;
 * a second InitProducer fences the first epoch.
 */
import { afterEach, describe, expect, it } from "vitest";
import { fromServiceError, grpc, GRPC_CHANNEL_OPTIONS, loadStreamsService } from "@eddy/api";
import type * as api from "@eddy/api";
import { checkHistory, ClusterProcess, readReplica, type AckedWrite } from "@eddy/testkit";

const STREAM = "once";
const BATCHES = 300;
const RECORDS_PER_BATCH = 20;
/** Attempts per batch: enough to ride out an election, bounded so that a bug cannot spin forever. */
const ATTEMPTS_MAX = 200;
const RETRY_DELAY_MS = 25;
/** Every this many batches, the batch is sent a second time after it was answered. */
const DUPLICATE_EVERY = 7;

let cluster: ClusterProcess | undefined;
const stubs: api.StreamsClient[] = [];

afterEach(async () => {
  for (const stub of stubs.splice(0)) stub.close();
  await cluster?.close();
  cluster = undefined;
});

function stub(endpoint: string): api.StreamsClient {
  const { Client } = loadStreamsService();
  const client = new Client(
    endpoint,
    grpc.credentials.createInsecure(),
    GRPC_CHANNEL_OPTIONS,
  ) as unknown as api.StreamsClient;
  stubs.push(client);
  return client;
}

function call<Req, Res>(
  method: (req: Req, options: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Res) => void) => unknown,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    method(request, { deadline: Date.now() + 5_000 }, (error, response) =>
      error ? reject(fromServiceError(error)) : resolve(response!),
    ),
  );
}

/** `call`, sent again on a retriable failure (a leadership moving back to the restarted broker), bounded. */
async function callRetrying<Res>(send: () => Promise<Res>): Promise<Res> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!(error as { retriable?: boolean }).retriable || attempt >= ATTEMPTS_MAX) throw error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    }
  }
}

describe("exactly-once append", () => {
  it("numbered batches sent again through a leader's SIGKILL are stored once each, in order, on every replica", async () => {
    cluster = await ClusterProcess.start({ args: ["--raft-tick-ms", "50", "--down-after", "1s"] });
    const c = cluster;
    await c.formed();
    const [shardId] = (await c.createStream(STREAM, 1)) as [string];
    const live = new Set(c.brokers.map((b) => b.id));
    const stubOf = new Map(c.brokers.map((b) => [b.id, stub(b.endpoint)] as const));
    const anyStub = (n: number) => stubOf.get([...live][n % live.size]!)!;

    const { producer_epoch: epoch } = await call<api.InitProducerRequest, api.InitProducerResponse__Output>(
      (r, o, cb) => anyStub(0).InitProducer(r, o, cb),
      { producer_id: "writer-1" },
    );
    expect(Number(epoch)).toBeGreaterThan(0);

    const acked: AckedWrite[] = [];
    let resends = 0;
    let duplicatesSent = 0;
    let killed = false;
    for (let batch = 0; batch < BATCHES; batch++) {
      const records = Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({
        partition_key: "key",
        data: Buffer.from(`b${batch}-r${i}`),
        explicit_hash_key: "",
      }));
      let killing: Promise<void> | undefined;
      if (batch === BATCHES / 3 && !killed) {
        // Killed while this batch is on its way: its first answer may be lost after it was appended.
        const leader = (await c.awaitLeader(STREAM, shardId)).brokerId;
        live.delete(leader);
        killed = true;
        killing = c.kill(leader);
      }
      for (let attempt = 0; ; attempt++) {
        expect(attempt, `batch ${batch} answered within ${ATTEMPTS_MAX} attempts`).toBeLessThan(ATTEMPTS_MAX);
        try {
          const response = await call<api.PutRecordsRequest, api.PutRecordsResponse__Output>(
            (r, o, cb) => anyStub(batch + attempt).PutRecords(r, o, cb),
            {
              stream_name: STREAM,
              records,
              producer_id: "writer-1",
              producer_epoch: epoch,
              producer_sequence: String(batch),
            },
          );
          if (response.failed_record_count > 0) throw new Error(response.records[0]!.error_code);
          if (batch % DUPLICATE_EVERY === 0 || batch === BATCHES / 3) {
            // Sent again after its answer: the same answer, nothing appended (across the kill too).
            const again = await callRetrying(() =>
              call<api.PutRecordsRequest, api.PutRecordsResponse__Output>(
                (r, o, cb) => anyStub(batch + attempt + 1).PutRecords(r, o, cb),
                {
                  stream_name: STREAM,
                  records,
                  producer_id: "writer-1",
                  producer_epoch: epoch,
                  producer_sequence: String(batch),
                },
              ),
            );
            expect(again.records.map((r) => r.sequence_number)).toEqual(response.records.map((r) => r.sequence_number));
            duplicatesSent += 1;
          }
          response.records.forEach((r, i) =>
            acked.push({
              shardId: r.shard_id,
              sequenceNumber: r.sequence_number,
              partitionKey: "key",
              data: `b${batch}-r${i}`,
            }),
          );
          break;
        } catch {
          resends += 1;
          await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
        }
      }
      await killing;
    }
    console.log(
      `exactly-once: ${BATCHES} batches, ${resends} sent again after a failure, ${duplicatesSent} sent again after ` +
        `their answer, leader killed during batch ${BATCHES / 3}`,
    );

    // The killed broker returns; every replica must hold each record once, in the order sent.
    const victim = c.brokers.find((b) => !live.has(b.id))!.id;
    await c.restart(victim);
    await c.waitFor(
      (s) => {
        const groups = [...s.values()].flatMap((b) => b.groups.filter((g) => g.stream === STREAM));
        const leader = groups.find((g) => g.role === "leader");
        return groups.length === 3 && leader !== undefined && groups.every((g) => g.appliedIndex >= leader.commitIndex);
      },
      { what: "every replica caught up", timeoutMs: 30_000 },
    );
    const reads = [];
    for (const broker of c.brokers) {
      const log = await readReplica(broker.endpoint, broker.id, STREAM, shardId);
      reads.push({ replica: broker.id, records: log!.records });
    }
    const report = checkHistory(acked, reads);
    expect(report, JSON.stringify(report).slice(0, 2000)).toMatchObject({ ok: true });
    for (const read of reads) expect(read.records.length, `${read.replica} holds each record once`).toBe(acked.length);

    // A second InitProducer fences the first epoch.
    const { producer_epoch: next } = await callRetrying(() =>
      call<api.InitProducerRequest, api.InitProducerResponse__Output>((r, o, cb) => anyStub(1).InitProducer(r, o, cb), {
        producer_id: "writer-1",
      }),
    );
    expect(Number(next)).toBe(Number(epoch) + 1);
    await callRetrying(() =>
      call<api.PutRecordsRequest, api.PutRecordsResponse__Output>((r, o, cb) => anyStub(1).PutRecords(r, o, cb), {
        stream_name: STREAM,
        records: [{ partition_key: "key", data: Buffer.from("new"), explicit_hash_key: "" }],
        producer_id: "writer-1",
        producer_epoch: next,
        producer_sequence: "0",
      }),
    );
    await expect(
      callRetrying(() =>
        call<api.PutRecordsRequest, api.PutRecordsResponse__Output>((r, o, cb) => anyStub(2).PutRecords(r, o, cb), {
          stream_name: STREAM,
          records: [{ partition_key: "key", data: Buffer.from("stale"), explicit_hash_key: "" }],
          producer_id: "writer-1",
          producer_epoch: epoch,
          producer_sequence: String(BATCHES),
        }),
      ),
    ).rejects.toMatchObject({ name: "ProducerFencedException", message: expect.stringMatching(/writer-1 epoch/) });
  }, 120_000);
});
