/**
 * The messages between the coordinator and an application worker process (`application-worker.js`): the
 * SDK's `Application` with a processor that counts. Its life is not the load workers' ready → go → result:
 * it holds leases for as long as the coordinator lets it, reports what it holds and has processed while it
 * runs (it may be SIGKILLed, and then only what it reported is known), and reports its totals when told
 * to finish. Forked with an IPC channel (JSON serialization), like the load workers.
 */
import type { Schedule } from "./clock.js";

export interface ApplicationWorkerConfig {
  /** The broker's gRPC address. */
  readonly endpoint: string;
  readonly streamName: string;
  readonly applicationName: string;
  /** Stable and distinct per worker of a run, so that the report can name them. */
  readonly workerId: string;
  readonly leaseTimeoutMs: number;
  /** Where a shard without a checkpoint is read from (the application is created with it). */
  readonly initialPosition: "TRIM_HORIZON" | "LATEST";
  /**
   * The records carry their send time in their first 8 bytes (`PayloadPool.dataStamped`): the processor
   * samples put-to-process latency from it. Without it the data is random and only counted.
   */
  readonly stampedRecords: boolean;
}

/** A worker's running state, sent every `APPLICATION_STATUS_INTERVAL_MS`. */
export interface ApplicationWorkerStatus {
  /** Records handed to the processor since the worker started (re-deliveries included). */
  readonly processedRecords: number;
  /** Shards whose consumer runs here now, sorted. */
  readonly heldShardIds: readonly string[];
  readonly checkpoints: number;
}

/**
 * The first processRecords call of a shard's consumer (one per lease this worker was given): how long
 * the lease took to reach reading. Times on the `epochNowMs` clock.
 */
export interface ShardStart {
  readonly workerId: string;
  readonly shardId: string;
  /** The lease's epoch (from the worker's leaseAcquired event); -1 if not seen. */
  readonly epoch: number;
  /** When the worker created the shard's consumer, on the heartbeat that gave it the lease. */
  readonly startedAtMs: number;
  /** When the processor first got records of the shard. */
  readonly firstProcessedAtMs: number;
  /** The send time stamped in the first record (stamped records only), else null. */
  readonly firstRecordSentAtMs: number | null;
}

/** What a worker did from its start to `finish`; counts cover the whole time unless said otherwise. */
export interface ApplicationWorkerResult {
  readonly workerId: string;
  readonly processedRecords: number;
  readonly processedBytes: number;
  /** Records processed per shard, by shard id. */
  readonly recordsByShard: Readonly<Record<string, number>>;
  /** When the first processRecords call began; null if none did. */
  readonly firstProcessedAtMs: number | null;
  /** When the last processRecords call returned; null if none did. */
  readonly lastProcessedAtMs: number | null;
  /** CPU time (user + system) of this process from the first processRecords call to the end of the last. */
  readonly cpuProcessingMs: number;
  /** CPU time within the schedule's window; null without a schedule. */
  readonly cpuWindowMs: number | null;
  /** Checkpoints written before `finish` (the graceful stop's last ones are not counted). */
  readonly checkpoints: number;
  /**
   * Stamped records only: put-to-process latency (µs, HdrHistogram compressed base64) of the records
   * sent within the schedule's window, and how many those were (re-deliveries count again).
   */
  readonly latencyHistogram: string;
  readonly windowRecords: number;
  /**
   * Stamped records only: records sent before the mark that consumers created after it processed, i.e.
   * what a takeover read again from the victim's last checkpoint (or that the victim had not reached).
   */
  readonly replayedRecords: number;
  readonly leasesLost: number;
  /** The Application's reported errors and halted shards, by name. */
  readonly errors: Readonly<Record<string, number>>;
  /** How long the graceful stop (last checkpoints, leases released) took; null if it overran its bound. */
  readonly stopMs: number | null;
}

export type ToApplicationWorker =
  | { readonly type: "configure"; readonly config: ApplicationWorkerConfig }
  /** Latency is sampled for the records sent within the window; CPU is measured over it. */
  | { readonly type: "window"; readonly schedule: Schedule }
  /** A takeover's kill time: see `replayedRecords`. */
  | { readonly type: "mark"; readonly atMs: number }
  /** Stop the Application gracefully (bounded), report the result, exit. */
  | { readonly type: "finish" };

export type FromApplicationWorker =
  | { readonly type: "started" }
  | { readonly type: "status"; readonly status: ApplicationWorkerStatus }
  | { readonly type: "shardStarted"; readonly start: ShardStart }
  | { readonly type: "result"; readonly result: ApplicationWorkerResult }
  | { readonly type: "failed"; readonly message: string };

/** Often enough for the coordinator's waits (balance, backlog done) to add little; cheap over IPC. */
export const APPLICATION_STATUS_INTERVAL_MS = 100;

const TO_WORKER_TYPES: ReadonlySet<unknown> = new Set(["configure", "window", "mark", "finish"]);
const FROM_WORKER_TYPES: ReadonlySet<unknown> = new Set(["started", "status", "shardStarted", "result", "failed"]);

function hasType(value: unknown): value is { type: unknown } {
  return typeof value === "object" && value !== null && "type" in value;
}

export function isToApplicationWorker(value: unknown): value is ToApplicationWorker {
  return hasType(value) && TO_WORKER_TYPES.has(value.type);
}

export function isFromApplicationWorker(value: unknown): value is FromApplicationWorker {
  return hasType(value) && FROM_WORKER_TYPES.has(value.type);
}
