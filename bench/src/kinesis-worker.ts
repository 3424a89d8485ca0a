/**
 * The kinesis-peers scenario's load process, speaking Kinesis through the AWS SDK for JavaScript v3 to
 * whichever server it is given (Eddy's Kinesis-compatible endpoint or kinesalite): PutRecords in a closed
 * loop (`kinesis-put`), or the read-back of a stream with GetShardIterator and GetRecords (`kinesis-read`).
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordsCommand,
  type KinesisClient,
  type PutRecordsRequestEntry,
} from "@aws-sdk/client-kinesis";
import { epochNowMs, inWindow, sleepUntil, type Schedule } from "./clock.js";
import { encodeHistogram, newLatencyHistogram, recordLatencyMs, type Histogram } from "./histogram.js";
import type { KinesisPutConfig, KinesisReadConfig, WorkerConfig, WorkerResult } from "./ipc.js";
import { kinesisClient } from "./kinesis-sdk.js";
import { PayloadPool } from "./payload.js";
import { cpuDuringWindowMs, ErrorTally, serveWorker, type ProgressCounter, type WorkerJob } from "./worker-runtime.js";

/** As put-worker's: long enough for any queue a server may build, short enough not to hang on a lost call. */
const PUT_DEADLINE_MS = 10_000;
/** After a failed call a lane pauses this long, so that a refusing server is not hammered in a tight loop. */
const FAILURE_BACKOFF_MS = 20;
/** A GetRecords of 10,000 records of 1 KiB is ~14 MB of JSON: give a loaded machine time to send it. */
const READ_DEADLINE_MS = 30_000;
/** A shard's read fails after this many failed calls in a row (each followed by a pause). */
const READ_FAILURES_IN_A_ROW_MAX = 10;
const READ_FAILURE_BACKOFF_MS = 100;
/** An empty answer before a shard has given all its records: pause before asking again. */
const EMPTY_READ_PAUSE_MS = 10;

serveWorker(async (config: WorkerConfig): Promise<WorkerJob> => {
  if (config.kind === "kinesis-put") return preparePut(config);
  if (config.kind === "kinesis-read") return prepareRead(config);
  throw new Error(`kinesis-worker cannot run ${config.kind}`);
});

/** One client per endpoint, with as many connections as lanes use it. */
function clientsFor(
  endpoints: readonly string[],
  http: KinesisPutConfig["http"],
  lanes: number,
  requestTimeoutMs: number,
): KinesisClient[] {
  const connectionsMax = Math.ceil(lanes / endpoints.length);
  return endpoints.map((endpoint) =>
    kinesisClient(endpoint, { http, connectionsMax, requestTimeoutMs, maxAttempts: 1 }),
  );
}

async function preparePut(config: KinesisPutConfig): Promise<WorkerJob> {
  const clients = clientsFor(config.endpoints, config.http, config.concurrency, PUT_DEADLINE_MS);
  const payloads = new PayloadPool(config.recordBytes);
  // A first call on each client opens a connection (and loads the SDK's lazy parts) before the warm-up;
  // one that writes nothing, so that the stream holds exactly what the lanes put.
  await Promise.all(
    clients.map((client) => client.send(new DescribeStreamSummaryCommand({ StreamName: config.streamName }))),
  );
  return {
    run: (schedule, progress) => runKinesisPut(clients, config, payloads, schedule, progress),
    close: () => {
      for (const client of clients) client.destroy();
    },
  };
}

function putRecords(config: KinesisPutConfig, payloads: PayloadPool, recordCount: number): PutRecordsCommand {
  const records: PutRecordsRequestEntry[] = Array.from({ length: recordCount }, () => ({
    PartitionKey: payloads.partitionKey(),
    Data: payloads.data(),
  }));
  return new PutRecordsCommand({ StreamName: config.streamName, Records: records });
}

/**
 * `concurrency` lanes, each sending PutRecords of `batchRecords` records and the next one as soon as the
 * answer arrives. A call counts when it completes within the window; calls in flight at its end are awaited
 * (the request timeout bounds them) and counted only in `ackedRecordsByShard`, which covers the whole run.
 */
async function runKinesisPut(
  clients: readonly KinesisClient[],
  config: KinesisPutConfig,
  payloads: PayloadPool,
  schedule: Schedule,
  progress: ProgressCounter,
): Promise<WorkerResult> {
  const latency = newLatencyHistogram();
  const errors = new ErrorTally();
  const counts = { records: 0, calls: 0, failedRecords: 0, failedCalls: 0 };
  const ackedRecordsByShard: Record<string, number> = {};
  const cpuMs = cpuDuringWindowMs(schedule);
  await sleepUntil(schedule.loadStartAtMs);

  const lane = async (laneIndex: number): Promise<void> => {
    const client = clients[laneIndex % clients.length]!;
    while (epochNowMs() < schedule.measureEndAtMs) {
      const command = putRecords(config, payloads, config.batchRecords);
      const sentAtMs = epochNowMs();
      try {
        const output = await client.send(command);
        const answeredAtMs = epochNowMs();
        const failed = output.FailedRecordCount ?? 0;
        for (const entry of output.Records ?? []) {
          if (entry.ShardId && !entry.ErrorCode)
            ackedRecordsByShard[entry.ShardId] = (ackedRecordsByShard[entry.ShardId] ?? 0) + 1;
        }
        progress.records += config.batchRecords - failed;
        if (!inWindow(schedule, answeredAtMs)) continue;
        recordLatencyMs(latency, answeredAtMs - sentAtMs);
        counts.records += config.batchRecords - failed;
        counts.calls += 1;
        counts.failedRecords += failed;
        for (const entry of output.Records ?? []) if (entry.ErrorCode) errors.add(entry.ErrorCode);
      } catch (error) {
        if (inWindow(schedule, epochNowMs())) {
          counts.failedCalls += 1;
          errors.addError(error);
        }
        await sleep(FAILURE_BACKOFF_MS);
      }
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, (_, laneIndex) => lane(laneIndex)));
  return {
    ...counts,
    errors: errors.counts,
    latencyHistogram: encodeHistogram(latency),
    cpuMs: await cpuMs,
    ackedRecordsByShard,
  };
}

async function prepareRead(config: KinesisReadConfig): Promise<WorkerJob> {
  const clients = clientsFor(config.endpoints, config.http, config.shards.length, READ_DEADLINE_MS);
  // As for puts: connect and load the SDK's lazy parts before the read-back's clock starts.
  await Promise.all(
    clients.map((client) => client.send(new DescribeStreamSummaryCommand({ StreamName: config.streamName }))),
  );
  return {
    run: (schedule, progress) => runReadBack(clients, config, schedule, progress),
    close: () => {
      for (const client of clients) client.destroy();
    },
  };
}

interface ReadTally {
  records: number;
  bytes: number;
  calls: number;
  failedCalls: number;
  readonly latency: Histogram;
  readonly errors: ErrorTally;
}

/** Reads every shard given at once, from `loadStartAtMs` until done or `measureEndAtMs`. */
async function runReadBack(
  clients: readonly KinesisClient[],
  config: KinesisReadConfig,
  schedule: Schedule,
  progress: ProgressCounter,
): Promise<WorkerResult> {
  const tally: ReadTally = {
    records: 0,
    bytes: 0,
    calls: 0,
    failedCalls: 0,
    latency: newLatencyHistogram(),
    errors: new ErrorTally(),
  };
  await sleepUntil(schedule.loadStartAtMs);
  const cpuStart = process.cpuUsage();
  const unread = await Promise.all(
    config.shards.map((shard, i) =>
      readShard(clients[i % clients.length]!, config, shard, schedule.measureEndAtMs, tally, progress),
    ),
  );
  const doneAtMs = epochNowMs();
  const cpu = process.cpuUsage(cpuStart);
  return {
    records: tally.records,
    calls: tally.calls,
    failedRecords: 0,
    failedCalls: tally.failedCalls,
    errors: tally.errors.counts,
    latencyHistogram: encodeHistogram(tally.latency),
    cpuMs: (cpu.user + cpu.system) / 1000,
    readBack: { bytes: tally.bytes, doneAtMs, unreadRecords: unread.reduce((n, u) => n + u, 0) },
  };
}

/**
 * One shard from TRIM_HORIZON, in order, until `expectedRecords` have been read, the shard ends, or the
 * deadline passes. Resolves with the records still unread. A failed call is retried after a pause
 * (an expired iterator is renewed after the last record read), up to READ_FAILURES_IN_A_ROW_MAX in a row.
 */
async function readShard(
  client: KinesisClient,
  config: KinesisReadConfig,
  shard: KinesisReadConfig["shards"][number],
  deadlineMs: number,
  tally: ReadTally,
  progress: ProgressCounter,
): Promise<number> {
  let read = 0;
  let lastSequenceNumber: string | undefined;
  let iterator: string | undefined;
  let failuresInARow = 0;
  while (read < shard.expectedRecords && epochNowMs() < deadlineMs) {
    try {
      iterator ??= await shardIterator(client, config.streamName, shard.shardId, lastSequenceNumber);
      const sentAtMs = epochNowMs();
      const output = await client.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: config.getRecordsLimit }),
      );
      recordLatencyMs(tally.latency, epochNowMs() - sentAtMs);
      tally.calls += 1;
      failuresInARow = 0;
      const records = output.Records ?? [];
      for (const record of records) tally.bytes += record.Data?.length ?? 0;
      lastSequenceNumber = records.at(-1)?.SequenceNumber ?? lastSequenceNumber;
      read += records.length;
      tally.records += records.length;
      progress.records += records.length;
      if (output.NextShardIterator === undefined) break; // the shard was closed and is read through
      iterator = output.NextShardIterator;
      if (records.length === 0) await sleep(EMPTY_READ_PAUSE_MS);
    } catch (error) {
      tally.failedCalls += 1;
      tally.errors.addError(error);
      failuresInARow += 1;
      if (failuresInARow >= READ_FAILURES_IN_A_ROW_MAX) {
        throw new Error(`${shard.shardId}: ${failuresInARow} failed reads in a row, the last: ${String(error)}`);
      }
      if (error instanceof Error && error.name === "ExpiredIteratorException") iterator = undefined;
      await sleep(READ_FAILURE_BACKOFF_MS);
    }
  }
  return Math.max(0, shard.expectedRecords - read);
}

function shardIterator(
  client: KinesisClient,
  streamName: string,
  shardId: string,
  afterSequenceNumber: string | undefined,
): Promise<string> {
  const position =
    afterSequenceNumber === undefined
      ? { ShardIteratorType: "TRIM_HORIZON" as const }
      : { ShardIteratorType: "AFTER_SEQUENCE_NUMBER" as const, StartingSequenceNumber: afterSequenceNumber };
  return client
    .send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ...position }))
    .then((output) => {
      if (!output.ShardIterator) throw new Error(`GetShardIterator gave no iterator for ${shardId}`);
      return output.ShardIterator;
    });
}
