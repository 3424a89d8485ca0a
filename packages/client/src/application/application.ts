/**
 * A consumer-application worker: `new Application({ endpoint, stream, application, processor }).start()`.
 * Several processes with the same application name share the stream's shards through leases held in
 * the brokers' replicated controller. The worker heartbeats, starts a ShardConsumer for each lease it
 * is given, hands shards over when asked (checkpoint, then release), and gives up a shard at once when
 * the controller says its lease went elsewhere. Delivery is at least once: after a takeover, the records
 * since the last checkpoint are processed again.
 */
import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { APPLICATION_LIMITS, KinesisError, constraintViolation, validateIntegerInRange } from "@eddy/core";
import { EddyClient, type EddyClientOptions } from "../client.js";
import type { StreamRecord } from "../types.js";
import { resolveFailurePolicy, sleepUnlessAborted, type FailurePolicy } from "./batch-runner.js";
import {
  ShardConsumer,
  type CheckpointMode,
  type RecordProcessor,
  type ShardConsumerEvents,
} from "./shard-consumer.js";
import type { HeldLease, InitialPosition, ResumePosition, WorkerHeartbeatOutput } from "./wire.js";

export const APPLICATION_DEFAULTS = {
  leaseTimeoutMs: APPLICATION_LIMITS.leaseTimeoutMsDefault,
  maxBatchRecords: 1_000,
  checkpointEveryRecords: 10_000,
  checkpointEveryMs: 1_000,
  readRetryMs: 200,
  /** Heartbeats per lease timeout: a lease survives this many lost heartbeats less one. */
  heartbeatsPerLeaseTimeout: 5,
  heartbeatIntervalMsMin: 100,
  /** Also how long a released lease may wait for a new owner (a rolling deploy's gap), at most. */
  heartbeatIntervalMsMax: 1_000,
} as const;

export interface ApplicationOptions {
  /** Broker addresses (host:port); ignored when `client` is given. */
  readonly endpoint?: string | readonly string[];
  /** How the client opened for `endpoint` connects: see EddyClientOptions. */
  readonly credentials?: EddyClientOptions["credentials"];
  readonly tls?: EddyClientOptions["tls"];
  /** Credentials for the client the application opens (else the environment or the credentials file). */
  readonly auth?: EddyClientOptions["auth"];
  readonly profile?: EddyClientOptions["profile"];
  readonly client?: EddyClient;
  readonly stream: string;
  readonly application: string;
  /** One processor for all shards, or a factory called once per leased shard. */
  readonly processor: RecordProcessor | (() => RecordProcessor);
  /** Stable across restarts (a pod name) to keep its shards when back within the lease timeout. */
  readonly workerId?: string;
  /** Where a new application starts: TRIM_HORIZON (default), LATEST, or a time. */
  readonly initialPosition?: InitialPosition | { readonly timestamp: Date };
  readonly leaseTimeoutMs?: number;
  /** Automatic (the default: every N records or T ms, and on handover) or manual. */
  readonly checkpoint?: "manual" | { readonly everyRecords?: number; readonly everyMs?: number };
  /** Most records in one processRecords call. */
  readonly maxBatchRecords?: number;
  readonly failurePolicy?: Partial<FailurePolicy>;
  /** Expand records aggregated by the KPL into their user records before processing (default true). */
  readonly deaggregate?: boolean;
}

export interface ShardStatus {
  readonly shardId: string;
  readonly epoch: number;
  readonly state: "running" | "halted" | "ended";
  readonly millisBehindLatest: number;
  readonly haltedReason?: string;
}

export interface ApplicationMetrics {
  readonly processedRecords: number;
  readonly retries: number;
  readonly deadLetteredRecords: number;
  readonly skippedRecords: number;
  readonly haltedShards: number;
  readonly leasesHeld: number;
  readonly leasesLost: number;
  /** The largest lag over the shards held, ms (-1 when none reported). */
  readonly millisBehindLatest: number;
}

export interface ApplicationEvents {
  leaseAcquired: [shardId: string, epoch: number];
  leaseLost: [shardId: string];
  shardHalted: [shardId: string, reason: string];
  /** A checkpoint was written (automatically or by the processor). */
  checkpointed: [shardId: string, position: ResumePosition];
  deadLettered: [shardId: string, records: readonly StreamRecord[], error: unknown];
  skipped: [shardId: string, records: readonly StreamRecord[], error: unknown];
  /** A processor hook or the worker's own calls failed; the worker goes on. */
  error: [error: unknown];
}

export class Application extends EventEmitter<ApplicationEvents> {
  readonly workerId: string;
  private readonly incarnation = randomUUID();
  private readonly client: EddyClient;
  private readonly ownsClient: boolean;
  private readonly policy: FailurePolicy;
  private readonly checkpointing: CheckpointMode;
  private readonly maxBatchRecords: number;
  private readonly consumers = new Map<string, ShardConsumer>();
  /** Shards handed over or finished, to report as released on the next heartbeat. */
  private released = new Set<string>();
  private readonly stopSignal = new AbortController();
  private wakeHeartbeat: AbortController = new AbortController();
  private loop: Promise<void> | undefined;
  private leaseTimeoutMs: number;
  private lastHeartbeatOkMs = 0;
  private counters = { processed: 0, retries: 0, deadLettered: 0, skipped: 0, leasesLost: 0 };

  constructor(private readonly options: ApplicationOptions) {
    super();
    if (typeof options.stream !== "string" || options.stream === "")
      throw constraintViolation("stream", "be a stream name");
    if (typeof options.application !== "string" || options.application === "") {
      throw constraintViolation("application", "be an application name");
    }
    this.workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.ownsClient = options.client === undefined;
    const endpoint = options.endpoint;
    this.client =
      options.client ??
      new EddyClient({
        ...(endpoint === undefined ? {} : typeof endpoint === "string" ? { endpoint } : { endpoints: [...endpoint] }),
        credentials: options.credentials,
        tls: options.tls,
        ...(options.auth !== undefined ? { auth: options.auth } : {}),
        ...(options.profile !== undefined ? { profile: options.profile } : {}),
      });
    this.policy = resolveFailurePolicy(options.failurePolicy);
    this.leaseTimeoutMs = options.leaseTimeoutMs ?? APPLICATION_DEFAULTS.leaseTimeoutMs;
    this.maxBatchRecords = options.maxBatchRecords ?? APPLICATION_DEFAULTS.maxBatchRecords;
    validateIntegerInRange(this.maxBatchRecords, 1, 10_000, "maxBatchRecords");
    if (options.checkpoint === "manual") {
      this.checkpointing = "manual";
    } else {
      const everyRecords = options.checkpoint?.everyRecords ?? APPLICATION_DEFAULTS.checkpointEveryRecords;
      const everyMs = options.checkpoint?.everyMs ?? APPLICATION_DEFAULTS.checkpointEveryMs;
      validateIntegerInRange(everyRecords, 1, 1_000_000_000, "checkpoint.everyRecords");
      validateIntegerInRange(everyMs, 0, 3_600_000, "checkpoint.everyMs");
      this.checkpointing = { everyRecords, everyMs };
    }
  }

  /** Creates the application if needed and starts heartbeating; resolves once the first heartbeat is in. */
  async start(): Promise<void> {
    if (this.loop) throw new KinesisError("ResourceInUseException", `Worker ${this.workerId} is already started.`);
    const initial = this.options.initialPosition ?? "TRIM_HORIZON";
    const app = await this.client.createApplication({
      streamName: this.options.stream,
      applicationName: this.options.application,
      ...(typeof initial === "string"
        ? { initialPosition: initial }
        : { initialPosition: "AT_TIMESTAMP", initialTimestamp: initial.timestamp }),
      leaseTimeoutMs: this.leaseTimeoutMs,
    });
    this.leaseTimeoutMs = app.leaseTimeoutMs;
    const first = await this.heartbeat();
    this.loop = this.heartbeatLoop(first);
  }

  /**
   * Stops gracefully: every shard finishes its batch in hand and checkpoints, then all leases are released
   * at once so that the other workers take them without waiting for a timeout.
   */
  async stop(): Promise<void> {
    if (this.stopSignal.signal.aborted) return;
    this.stopSignal.abort();
    await Promise.all([...this.consumers.values()].map((c) => c.stop()));
    await this.loop?.catch(() => {});
    try {
      await this.client.workerHeartbeat({
        streamName: this.options.stream,
        applicationName: this.options.application,
        workerId: this.workerId,
        incarnation: this.incarnation,
        leaving: true,
      });
    } catch (error) {
      this.reportError(error); // the leases then expire after the lease timeout
    } finally {
      if (this.ownsClient) this.client.close();
    }
  }

  status(): ShardStatus[] {
    return [...this.consumers.values()]
      .map((c) => ({
        shardId: c.shardId,
        epoch: c.epoch,
        state: c.state,
        millisBehindLatest: c.millisBehindLatest,
        ...(c.haltedReason !== undefined ? { haltedReason: c.haltedReason } : {}),
      }))
      .sort((a, b) => (a.shardId < b.shardId ? -1 : 1));
  }

  metrics(): ApplicationMetrics {
    const consumers = [...this.consumers.values()];
    return {
      processedRecords: this.counters.processed,
      retries: this.counters.retries,
      deadLetteredRecords: this.counters.deadLettered,
      skippedRecords: this.counters.skipped,
      haltedShards: consumers.filter((c) => c.state === "halted").length,
      leasesHeld: consumers.length,
      leasesLost: this.counters.leasesLost,
      millisBehindLatest: consumers.reduce((max, c) => Math.max(max, c.millisBehindLatest), -1),
    };
  }

  private heartbeatIntervalMs(): number {
    const {
      heartbeatIntervalMsMin: min,
      heartbeatIntervalMsMax: max,
      heartbeatsPerLeaseTimeout,
    } = APPLICATION_DEFAULTS;
    return Math.min(max, Math.max(min, Math.floor(this.leaseTimeoutMs / heartbeatsPerLeaseTimeout)));
  }

  private async heartbeatLoop(first: WorkerHeartbeatOutput): Promise<void> {
    let last: WorkerHeartbeatOutput | undefined = first;
    while (!this.stopSignal.signal.aborted) {
      // A dead worker's leases are picked up as soon as they expire, not a whole interval later.
      let waitMs = this.heartbeatIntervalMs();
      if (last?.nextExpiryInMs !== undefined) waitMs = Math.min(waitMs, Math.max(0, last.nextExpiryInMs) + 20);
      const wake = new AbortController();
      this.wakeHeartbeat = wake;
      await sleepUnlessAborted(waitMs, AbortSignal.any([wake.signal, this.stopSignal.signal]));
      if (this.stopSignal.signal.aborted) break;
      await Promise.all([...this.consumers.values()].map((c) => c.checkpointIfDue().catch(() => {})));
      try {
        last = await this.heartbeat();
      } catch (error) {
        last = undefined;
        this.reportError(error);
        // Unheard past the lease timeout, the leases are surely someone else's: stop processing them.
        if (Date.now() - this.lastHeartbeatOkMs >= this.leaseTimeoutMs) {
          for (const consumer of this.consumers.values()) consumer.lose();
        }
      }
    }
  }

  private async heartbeat(): Promise<WorkerHeartbeatOutput> {
    const released = [...this.released];
    const result = await this.client.workerHeartbeat({
      streamName: this.options.stream,
      applicationName: this.options.application,
      workerId: this.workerId,
      incarnation: this.incarnation,
      released,
      reports: [...this.consumers.values()].map((c) => ({
        shardId: c.shardId,
        ...(c.millisBehindLatest >= 0 ? { millisBehindLatest: c.millisBehindLatest } : {}),
        ...(c.haltedReason !== undefined ? { haltedReason: c.haltedReason } : {}),
      })),
    });
    this.lastHeartbeatOkMs = Date.now();
    for (const shardId of released) this.released.delete(shardId);
    this.leaseTimeoutMs = result.leaseTimeoutMs;
    if (!this.stopSignal.signal.aborted) this.reconcile(result);
    return result;
  }

  /** Starts what we hold now, drops what we no longer hold, and hands over what we are asked to. */
  private reconcile(result: WorkerHeartbeatOutput): void {
    const held = new Map(result.leases.map((l) => [l.shardId, l] as const));
    for (const [shardId, consumer] of this.consumers) {
      const lease = held.get(shardId);
      if (!lease || lease.epoch !== consumer.epoch) {
        consumer.lose();
        this.consumers.delete(shardId);
        this.counters.leasesLost++;
        this.emit("leaseLost", shardId);
      }
    }
    for (const lease of result.leases) {
      if (!this.consumers.has(lease.shardId) && !this.released.has(lease.shardId)) this.startConsumer(lease);
    }
    for (const shardId of result.release) {
      const consumer = this.consumers.get(shardId);
      if (consumer && consumer.state === "running") {
        void consumer.stop().then(() => {
          this.consumers.delete(shardId);
          this.released.add(shardId);
          this.wakeHeartbeat.abort();
        });
      }
    }
  }

  private startConsumer(lease: HeldLease): void {
    const processor = typeof this.options.processor === "function" ? this.options.processor() : this.options.processor;
    const events: ShardConsumerEvents = {
      processed: (_shardId, records) => {
        this.counters.processed += records.length;
      },
      retrying: () => {
        this.counters.retries++;
      },
      deadLettered: (shardId, records, error) => {
        this.counters.deadLettered += records.length;
        this.emit("deadLettered", shardId, records, error);
      },
      skipped: (shardId, records, error) => {
        this.counters.skipped += records.length;
        this.emit("skipped", shardId, records, error);
      },
      halted: (shardId, reason) => {
        this.emit("shardHalted", shardId, reason);
        this.wakeHeartbeat.abort(); // report it now
      },
      ended: (shardId, how) => {
        if (how === "finished" && this.consumers.get(shardId) === consumer) {
          this.consumers.delete(shardId);
          this.wakeHeartbeat.abort(); // its children may be ours to take
        }
        if (how === "failed" && this.consumers.get(shardId) === consumer) {
          // Given back, so that it is tried again (here or elsewhere) rather than held unread.
          this.consumers.delete(shardId);
          this.released.add(shardId);
        }
        if (how === "lost" && this.consumers.get(shardId) === consumer) {
          this.consumers.delete(shardId);
          this.counters.leasesLost++;
          this.emit("leaseLost", shardId);
        }
      },
      checkpointed: (shardId, position) => this.emit("checkpointed", shardId, position),
      failed: (_shardId, error) => this.reportError(error),
    };
    const consumer = new ShardConsumer(
      this.client,
      lease.shardId,
      lease.epoch,
      lease.startFrom,
      processor,
      {
        streamName: this.options.stream,
        applicationName: this.options.application,
        workerId: this.workerId,
        maxBatchRecords: this.maxBatchRecords,
        checkpointing: this.checkpointing,
        policy: this.policy,
        readRetryMs: APPLICATION_DEFAULTS.readRetryMs,
        deaggregate: this.options.deaggregate ?? true,
      },
      events,
    );
    this.consumers.set(lease.shardId, consumer);
    this.emit("leaseAcquired", lease.shardId, lease.epoch);
  }

  /** An 'error' nobody listens to would throw from inside the worker's loops: it is dropped instead. */
  private reportError(error: unknown): void {
    if (this.listenerCount("error") > 0) this.emit("error", error);
  }
}
