/**
 * The messages between the coordinator (run.ts) and its worker processes. Workers are forked with an IPC
 * channel (JSON serialization); every message is one of these shapes.
 */
import type { Schedule } from "./clock.js";
import type { KinesisHttpVersion } from "./kinesis-sdk.js";

/** PutRecords in a closed loop: `concurrency` calls in flight, each sent as soon as the previous one answers. */
export interface ClosedLoopPutConfig {
  readonly kind: "closed-loop-put";
  /** Brokers' gRPC addresses; lane i sends to `endpoints[i % n]` (any broker forwards to the shard's leader). */
  readonly endpoints: readonly string[];
  readonly streamName: string;
  readonly concurrency: number;
  readonly batchRecords: number;
  readonly recordBytes: number;
}

/**
 * PutRecord (one record each) or PutRecords (`batchRecords` each) in an open loop: sends are scheduled at
 * fixed intervals whatever the answers do, and latency is measured from the scheduled time, so a stall is
 * charged to every send it delays.
 */
export interface OpenLoopPutConfig {
  readonly kind: "open-loop-put";
  /** Brokers' gRPC addresses; send i goes to `endpoints[i % n]`. */
  readonly endpoints: readonly string[];
  readonly streamName: string;
  /** Calls (sends) per second of this worker; records per second is this × `batchRecords`. */
  readonly callsPerSec: number;
  /** Records per call: 1 sends PutRecord, more send PutRecords. */
  readonly batchRecords: number;
  /** Shifts this worker's schedule so that the workers' sends interleave evenly. */
  readonly phaseOffsetMs: number;
  readonly recordBytes: number;
  /** Writes the scheduled send time into the first 8 bytes of every record (for the e2e subscriber). */
  readonly embedSendTime: boolean;
  /** Sends beyond this many unanswered wait; their wait still counts, from their scheduled time. */
  readonly inFlightMax: number;
  /** Returns every send's times and outcome (`SendTimeline`), for the failover scenario. */
  readonly recordTimeline: boolean;
}

/**
 * The SDK's Producer in one process: records put one by one (`put`/`enqueue`), batched per shard by the
 * producer itself. Closed loop (`rateRecordsPerSec` null): as fast as the producer's buffer takes them.
 * Open loop: record i is due at load start + i / rate, and its latency runs from then.
 */
export interface ProducerLoadConfig {
  readonly kind: "producer";
  /** Every broker's gRPC address: the producer routes each shard's batches to its leader. */
  readonly endpoints: readonly string[];
  readonly streamName: string;
  readonly exactlyOnce: boolean;
  readonly batchRecordsMax: number;
  readonly lingerMs: number;
  readonly recordBytes: number;
  readonly rateRecordsPerSec: number | null;
}

/** SubscribeToShard (LATEST) on each shard; latency from the send time embedded in each record. */
export interface SubscribeConfig {
  readonly kind: "subscribe";
  readonly endpoint: string;
  readonly streamName: string;
  readonly shardIds: readonly string[];
  /** How long after the measurement window records scheduled within it may still arrive. */
  readonly deliveryGraceMs: number;
}

/**
 * GetRecords loops from LATEST, one per shard, each calling at most `callsPerSecPerShard` times a second;
 * latency from the send time embedded in each record, as for `SubscribeConfig`.
 */
export interface PollConfig {
  readonly kind: "poll";
  readonly endpoint: string;
  readonly streamName: string;
  readonly shardIds: readonly string[];
  readonly callsPerSecPerShard: number;
  /** GetRecords' Limit. */
  readonly getRecordsLimit: number;
  /** How long after the measurement window records scheduled within it may still arrive. */
  readonly deliveryGraceMs: number;
}

/**
 * kinesis-peers: PutRecords through the AWS SDK in a closed loop, as `ClosedLoopPutConfig` does through Eddy's
 * client: `concurrency` lanes, lane i on `endpoints[i % n]`.
 */
export interface KinesisPutConfig {
  readonly kind: "kinesis-put";
  /** Kinesis-compatible endpoints, http://host:port (Eddy: every broker's; kinesalite: its one). */
  readonly endpoints: readonly string[];
  readonly http: KinesisHttpVersion;
  readonly streamName: string;
  readonly concurrency: number;
  readonly batchRecords: number;
  readonly recordBytes: number;
}

/**
 * kinesis-peers' read-back: GetShardIterator (TRIM_HORIZON) then GetRecords through the AWS SDK, each shard
 * read in order, the shards at once, until every shard has given what was acknowledged on it (or the
 * schedule's end). Shard i is read from `endpoints[i % n]`.
 */
export interface KinesisReadConfig {
  readonly kind: "kinesis-read";
  readonly endpoints: readonly string[];
  readonly http: KinesisHttpVersion;
  readonly streamName: string;
  readonly shards: readonly { readonly shardId: string; readonly expectedRecords: number }[];
  /** GetRecords' Limit (Kinesis allows at most 10,000). */
  readonly getRecordsLimit: number;
}

/**
 * limits: one shard read either by polling (GetRecords of `getRecordsLimit` records, `callsPerSec` calls
 * due per second, a call skipped while the previous one is unanswered) or by one SubscribeToShard, both from
 * TRIM_HORIZON, so that there is a backlog to read at the limit's rate. Every delivery within the window is
 * returned (`deliveries`), so that the coordinator can measure the rate between the first and the last.
 */
export interface LimitsReadConfig {
  readonly kind: "limits-read";
  readonly endpoint: string;
  readonly streamName: string;
  readonly shardId: string;
  readonly mode: "poll" | "subscribe";
  /** poll only. */
  readonly callsPerSec: number;
  /** poll only: GetRecords' Limit. */
  readonly getRecordsLimit: number;
  /** poll only: shifts this reader's schedule so that several readers' calls interleave. */
  readonly phaseOffsetMs: number;
  /** subscribe only: names the subscriber in the broker's metrics. */
  readonly consumerName: string;
}

/**
 * peers: JetStream publish in a closed loop against NATS servers: `concurrency` publishes in flight, each one
 * message of `recordBytes`, the next sent as soon as the previous one is acknowledged (stored on R servers).
 */
export interface NatsPublishConfig {
  readonly kind: "nats-publish";
  /** `nats://127.0.0.1:<port>` of every server; the client connects to one and knows the others. */
  readonly servers: readonly string[];
  readonly subject: string;
  readonly concurrency: number;
  readonly recordBytes: number;
}

export type WorkerConfig =
  | ClosedLoopPutConfig
  | NatsPublishConfig
  | OpenLoopPutConfig
  | ProducerLoadConfig
  | SubscribeConfig
  | PollConfig
  | KinesisPutConfig
  | KinesisReadConfig
  | LimitsReadConfig;

/** What one worker measured. Counts and latencies cover the measurement window only. */
export interface WorkerResult {
  /** Records acknowledged (producers) or delivered (subscriber) within the window. */
  readonly records: number;
  /** Successful calls (producers, poller) or non-empty events (subscriber) within the window. */
  readonly calls: number;
  /** Records refused one by one in answered PutRecords calls; a failed call counts under `failedCalls` only. */
  readonly failedRecords: number;
  readonly failedCalls: number;
  /** Failures by Kinesis error name. */
  readonly errors: Readonly<Record<string, number>>;
  /**
   * HdrHistogram of latencies in microseconds, compressed and base64-encoded. Closed loop: calls that
   * completed within the window. Open loop: successful sends scheduled within the window, however late
   * they were answered. Subscriber: records delivered whose embedded send time is within the window.
   */
  readonly latencyHistogram: string;
  /**
   * Open loop only: how late each send due within the window actually went out (µs, same encoding). A
   * producer starved of CPU shows here, so that its delay is not mistaken for the broker's.
   */
  readonly sendLagHistogram?: string;
  /** CPU time (user + system) this process spent during the window. */
  readonly cpuMs: number;
  /** Open loop with `recordTimeline` only. */
  readonly timeline?: SendTimeline;
  /** The producer worker's own figures over the window. */
  readonly producer?: ProducerFigures;
  /**
   * kinesis-put: records acknowledged per shard over the whole run (warm-up, window and drain), i.e. what
   * the read-back must find.
   */
  readonly ackedRecordsByShard?: Readonly<Record<string, number>>;
  /** kinesis-read: what was read (`records` counts the records). */
  readonly readBack?: ReadBackFigures;
  /** limits-read: every successful GetRecords answer or non-empty event arriving within the window. */
  readonly deliveries?: Deliveries;
}

/** Parallel arrays, one entry per delivery, in arrival order; bounded by the calls (events) of one window. */
export interface Deliveries {
  /** When it arrived (`epochNowMs`). */
  readonly atMs: number[];
  /** Bytes of record data it carried. */
  readonly bytes: number[];
}

/** One reader's read-back; its `cpuMs` covers the same span, start to `doneAtMs`. */
export interface ReadBackFigures {
  /** Bytes of record data read (the records' Data, as the SDK decoded it). */
  readonly bytes: number;
  /** When its last shard was read through or the schedule ended (`epochNowMs`). */
  readonly doneAtMs: number;
  /** Records acknowledged but not read by then (0 expected). */
  readonly unreadRecords: number;
}

/** From `Producer.metrics()` at the window's edges, and the process's memory over the window. */
export interface ProducerFigures {
  /** PutRecords calls sent within the window, retries included. */
  readonly batches: number;
  readonly retries: number;
  readonly throttles: number;
  /** Records acknowledged within the window (the producer's count) / batches. */
  readonly recordsPerBatch: number;
  /** The most bytes the producer's buffer held, over the whole run (bounded by its bufferBytesMax). */
  readonly bufferedBytesPeak: number;
  readonly bufferBytesMax: number;
  /** The process's resident memory, the most sampled (every 100 ms) over the window. */
  readonly rssPeakBytes: number;
  readonly epochs: number;
}

/**
 * Every send of an open-loop producer, warm-up and window, in the order they completed: parallel arrays,
 * one entry per send, times in ms on the `epochNowMs` clock. Bounded by the schedule: rate × (warm-up +
 * window) entries.
 */
export interface SendTimeline {
  readonly dueAtMs: number[];
  readonly sentAtMs: number[];
  /** When the answer or the failure arrived. */
  readonly doneAtMs: number[];
  /** The failure's Kinesis error name; null for a success (an answered PutRecords counts as one). */
  readonly error: (string | null)[];
  /** The first few distinct failure messages per error name, with when each first came: for the report. */
  readonly errorSamples: Record<string, ErrorSample[]>;
}

export interface ErrorSample {
  readonly message: string;
  /** When the failure came (`epochNowMs`). */
  readonly atMs: number;
}

export type ToWorker =
  { readonly type: "configure"; readonly config: WorkerConfig } | { readonly type: "go"; readonly schedule: Schedule };

export type FromWorker =
  | { readonly type: "ready" }
  /** Cumulative records since load start, warm-up included; only for the progress bar. */
  | { readonly type: "progress"; readonly records: number }
  | { readonly type: "result"; readonly result: WorkerResult }
  | { readonly type: "failed"; readonly message: string };

function isObjectWithType(value: unknown): value is { type: unknown } {
  return typeof value === "object" && value !== null && "type" in value;
}

export function isFromWorker(value: unknown): value is FromWorker {
  return isObjectWithType(value) && ["ready", "progress", "result", "failed"].includes(String(value.type));
}

export function isToWorker(value: unknown): value is ToWorker {
  return isObjectWithType(value) && (value.type === "configure" || value.type === "go");
}
