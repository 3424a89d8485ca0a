/**
 * `Producer`: puts records fast without losing or reordering them. It hashes each record's key itself,
 * buffers records per shard, and sends each shard's records as one PutRecords batch straight to the
 * shard's leader (through its EddyClient's route cache), one batch in flight per shard. Transient
 * failures are retried with backoff, ahead of anything newer for the shard. With exactly-once on (the
 * default) every batch carries the producer's id, epoch and per-shard number, so that a batch sent again
 * after a lost answer or a leader change is appended once.
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { grpc, isServiceError } from "@eddy/api";
import {
  KinesisError,
  LIMITS,
  hashKeyOf,
  isErrorName,
  parseHashKey,
  validatePartitionKey,
  validateRecordData,
  validateStreamName,
} from "@eddy/core";
import { EddyClient, toKinesisError, type EddyClientOptions } from "./client.js";
import { dataToWire } from "./convert.js";
import { Fifo } from "./fifo.js";
import { ProducerWritable, type ProducerWritableOptions } from "./producer-writable.js";
import type { ShardRoute, StreamRoute } from "./routing.js";
import type { PutRecordOutput, PutRecordsOutput, RecordData } from "./types.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/** Every option's default. */
export const PRODUCER_DEFAULTS = {
  exactlyOnce: true,
  /** Kinesis's PutRecords limit. */
  batchRecordsMax: LIMITS.putRecordsCountMax,
  /**
   * Under a PROVISIONED shard's default 1 MiB/s, so that one batch never needs more than a second of the
   * shard's write budget, with room for the request's per-record overhead.
   */
  batchBytesMax: MiB - 64 * KiB,
  lingerMs: 5,
  bufferBytesMax: 32 * MiB,
  putsWaitingMax: 100_000,
  retryBaseMs: 100,
  retryMaxMs: 2_000,
  deliveryTimeoutMs: 120_000,
  requestTimeoutMs: 5_000,
  streamsMax: 1_000,
} as const;

/** What the Producer needs of an EddyClient (an EddyClient is one). */
export type ProducerClient = Pick<
  EddyClient,
  | "describeStreamSummary"
  | "streamRoute"
  | "peekStreamRoute"
  | "loadStreamRoute"
  | "putShardRecords"
  | "initProducer"
  | "close"
>;

export interface ProducerOptions {
  /** `host:port` of any broker; or give `endpoints`, or `client`. */
  readonly endpoint?: string;
  readonly endpoints?: readonly string[];
  /** For the client the producer opens: see EddyClientOptions. */
  readonly routing?: boolean;
  readonly credentials?: EddyClientOptions["credentials"];
  readonly tls?: EddyClientOptions["tls"];
  /** The access key id and secret (else the environment or the credentials file): see EddyClientOptions. */
  readonly auth?: EddyClientOptions["auth"];
  readonly profile?: EddyClientOptions["profile"];
  /** Use this client rather than opening one; `close()` leaves it open. */
  readonly client?: ProducerClient;
  /**
   * Exactly-once append: batches carry this producer's id, epoch and per-shard number, so that one sent
   * again is appended once. True unless given; needs brokers that implement InitProducer.
   */
  readonly exactlyOnce?: boolean;
  /**
   * The producer id (1-256 characters) for exactly-once append; a random UUID unless given. A stable id
   * (say, the pod's name) makes a restarted producer fence its old self: at most one producer per id
   * appends at a time.
   */
  readonly producerId?: string;
  /** Records per PutRecords batch, 1..500. */
  readonly batchRecordsMax?: number;
  /** Bytes (data and partition keys, as Kinesis counts them) per batch, up to 10 MiB; a bigger record goes alone. */
  readonly batchBytesMax?: number;
  /** How long a record may wait for its batch to fill before the batch is sent anyway, ms (0: at once). */
  readonly lingerMs?: number;
  /**
   * Bytes of records put and not yet settled (waiting, in flight or being retried). When full, put() waits
   * for room; a record bigger than the whole buffer goes in when the buffer is empty.
   */
  readonly bufferBytesMax?: number;
  /** put() calls waiting for room (or for their stream's shard map) at most; beyond, put() fails at once. */
  readonly putsWaitingMax?: number;
  /** Backoff before retry n is random in [0, min(retryMaxMs, retryBaseMs × 2^(n-1))] ms (full jitter). */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** A record not acknowledged this long after it entered the buffer fails with its last error, ms. */
  readonly deliveryTimeoutMs?: number;
  /** Deadline of one PutRecords call, ms (cut to what is left of the delivery timeout). */
  readonly requestTimeoutMs?: number;
  /** Streams one producer writes to, at most. */
  readonly streamsMax?: number;
}

export interface ProducerRecord {
  readonly stream: string;
  readonly partitionKey: string;
  /** Bytes, or a string sent as UTF-8. Not copied: do not change the bytes until the put settles. */
  readonly data: RecordData;
  /** A decimal 128-bit hash key that places the record instead of MD5(partitionKey). */
  readonly explicitHashKey?: string;
}

export type ProducerPutResult = PutRecordOutput;

/** Counters since the producer started, and gauges of now. Bytes are data plus partition keys. */
export interface ProducerMetrics {
  /** Records accepted into the buffer. */
  readonly recordsPut: number;
  readonly recordsSent: number;
  readonly bytesSent: number;
  readonly recordsFailed: number;
  /** PutRecords calls sent, retries included. */
  readonly batchesSent: number;
  /** PutRecords calls that were a retry (of a whole batch, or of the failed entries of one). */
  readonly retries: number;
  /** Records moved from a shard a reshard closed to its children. */
  readonly reroutedRecords: number;
  /** Calls refused (wholly or in part) for throughput: ProvisionedThroughputExceeded or LimitExceeded. */
  readonly throttles: number;
  readonly batchRecordsMean: number;
  readonly batchRecordsMax: number;
  readonly batchBytesMean: number;
  readonly batchBytesMax: number;
  /** Bytes of records put and not settled: the figure `bufferBytesMax` bounds. */
  readonly bufferedBytes: number;
  readonly bufferedRecords: number;
  /** The most `bufferedBytes` has been. */
  readonly bufferedBytesPeak: number;
  readonly inFlightBytes: number;
  readonly inFlightBatches: number;
  /** put() calls waiting for room in the buffer or for their stream's shard map. */
  readonly putsWaiting: number;
  /** The current epoch (exactly-once), once InitProducer answered. */
  readonly producerEpoch: number | undefined;
  /** InitProducer calls that gave an epoch: 1 at start, one more per re-initialization. */
  readonly epochs: number;
}

export interface ProducerRetryEvent {
  readonly stream: string;
  readonly shardId: string;
  readonly records: number;
  /** The attempt that failed (1 = the first send). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: KinesisError;
}

export interface ProducerFailureEvent {
  readonly stream: string | undefined;
  readonly shardId: string | undefined;
  /** Records that failed with this error. */
  readonly records: number;
}

export interface ProducerEvents {
  /** A batch (or the failed part of one) will be sent again. */
  retry: [event: ProducerRetryEvent];
  /** Records failed for good (their put() promises reject too). Emitted only while someone listens. */
  error: [error: KinesisError, event: ProducerFailureEvent];
}

interface RecordCallbacks {
  /** The record entered the buffer (enqueue() resolves here). */
  readonly accepted?: () => void;
  readonly resolve: (result: ProducerPutResult) => void;
  readonly reject: (error: KinesisError) => void;
}

/** A record from put() until it settles. */
interface BufferedRecord {
  readonly stream: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly explicitHashKey: string | undefined;
  readonly hashKey: bigint;
  /** Data plus partition key, UTF-8, as Kinesis counts a record. */
  readonly bytes: number;
  /** For flush(): the flush generation the put() was called in. */
  readonly generation: number;
  readonly callbacks: RecordCallbacks;
  queue: ShardQueue | undefined;
  /** When it entered its shard's queue: its linger and its delivery timeout count from here. */
  enqueuedAtMs: number;
}

interface Batch {
  readonly records: BufferedRecord[];
  readonly bytes: number;
  readonly deadlineAtMs: number;
  /** Exactly-once: the batch's number for its shard, fixed at its first send and kept by every retry. */
  sequence: number | undefined;
  epoch: number | undefined;
  /** Sends so far, carried over to the failed entries of a batch, so that backoff keeps growing. */
  attempts: number;
  /** Exactly-once: sends under the current number. */
  numberedAttempts: number;
  state: "ready" | "sending" | "backoff";
  timer: NodeJS.Timeout | undefined;
}

/** One shard's records: waiting to be batched, and the one batch in flight or waiting to be retried. */
interface ShardQueue {
  readonly stream: string;
  readonly shardId: string;
  readonly pending: Fifo<BufferedRecord>;
  pendingBytes: number;
  /** While set, nothing newer of the shard is sent: this keeps per-key order across retries. */
  active: Batch | undefined;
  /** Exactly-once: the number of the shard's next batch in the current epoch. */
  nextSequence: number;
  lingerTimer: NodeJS.Timeout | undefined;
}

interface StreamState {
  readonly name: string;
  status: "loading" | "ready";
  /** put() calls that came while the stream's shard map was loading, in call order. */
  waiting: BufferedRecord[];
  maxRecordSizeBytes: number;
  route: StreamRoute | undefined;
  /** The route's open shards by starting hash key, for a binary search. */
  openShards: readonly ShardRoute[];
  readonly queues: Map<string, ShardQueue>;
  /** Shards a reshard closed, as their brokers said (the route may not show it yet). */
  readonly closed: Set<string>;
  /**
   * Accepted records without a queue, in put order: those of a closed shard until the new shard map is
   * known, and those whose shard's parent still has records of this producer to send (they go after them).
   */
  held: BufferedRecord[];
  /** The shard map is being reloaded after a shard was found closed. */
  rerouting: boolean;
}

/** How many generations of parents a record's shard is checked for records still to send. */
const LINEAGE_DEPTH_MAX = 16;

const THROTTLE_ERRORS: ReadonlySet<string> = new Set([
  "ProvisionedThroughputExceededException",
  "LimitExceededException",
]);

export class Producer extends EventEmitter<ProducerEvents> {
  readonly producerId: string;
  readonly exactlyOnce: boolean;
  readonly batchRecordsMax: number;
  readonly batchBytesMax: number;
  readonly lingerMs: number;
  readonly bufferBytesMax: number;
  readonly putsWaitingMax: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly deliveryTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly streamsMax: number;

  readonly #client: ProducerClient;
  readonly #ownsClient: boolean;
  readonly #streams = new Map<string, StreamState>();
  /** Queues whose `active` batch is set. */
  readonly #activeQueues = new Set<ShardQueue>();
  /** put() calls waiting for room in the buffer, in call order. */
  readonly #bufferWaiters = new Fifo<BufferedRecord>();
  #loadingWaiters = 0;

  #bufferedBytes = 0;
  #bufferedRecords = 0;
  #inFlightBytes = 0;
  #inFlightBatches = 0;

  /** flush(): records not settled, per generation; a Map iterates in insertion (= generation) order. */
  readonly #unsettled = new Map<number, number>();
  #generation = 0;
  readonly #flushWaiters: Array<{ generation: number; resolve: () => void }> = [];

  #epoch: number | undefined;
  /** Exactly-once: a new epoch is needed before batches without a number are sent. */
  #reinitRequested: boolean;
  #initializing = false;
  #initTimer: NodeJS.Timeout | undefined;
  readonly #ready: Promise<void>;
  #readyResolve!: () => void;
  #readyReject!: (error: KinesisError) => void;

  #fatal: KinesisError | undefined;
  #closing = false;
  #closed = false;
  #closePromise: Promise<void> | undefined;
  #closeResolve: (() => void) | undefined;

  readonly #counters = {
    recordsPut: 0,
    recordsSent: 0,
    bytesSent: 0,
    recordsFailed: 0,
    batchesSent: 0,
    retries: 0,
    throttles: 0,
    reroutedRecords: 0,
    batchRecordsTotal: 0,
    batchRecordsMax: 0,
    batchBytesTotal: 0,
    batchBytesMax: 0,
    bufferedBytesPeak: 0,
    epochs: 0,
  };

  constructor(options: ProducerOptions = {}) {
    super();
    this.exactlyOnce = options.exactlyOnce ?? PRODUCER_DEFAULTS.exactlyOnce;
    this.producerId = options.producerId ?? randomUUID();
    if (this.exactlyOnce) checkRange("producerId length", this.producerId.length, 1, 256);
    this.batchRecordsMax = option(options, "batchRecordsMax", 1, LIMITS.putRecordsCountMax);
    this.batchBytesMax = option(options, "batchBytesMax", 1, LIMITS.putRecordsBytesMax);
    this.lingerMs = option(options, "lingerMs", 0, 60_000);
    this.bufferBytesMax = option(options, "bufferBytesMax", 1, Number.MAX_SAFE_INTEGER);
    this.putsWaitingMax = option(options, "putsWaitingMax", 0, Number.MAX_SAFE_INTEGER);
    this.retryBaseMs = option(options, "retryBaseMs", 1, 3_600_000);
    this.retryMaxMs = option(options, "retryMaxMs", this.retryBaseMs, 3_600_000);
    this.deliveryTimeoutMs = option(options, "deliveryTimeoutMs", 1, Number.MAX_SAFE_INTEGER);
    this.requestTimeoutMs = option(options, "requestTimeoutMs", 1, Number.MAX_SAFE_INTEGER);
    this.streamsMax = option(options, "streamsMax", 1, Number.MAX_SAFE_INTEGER);
    if (options.client !== undefined) {
      if (options.endpoint !== undefined || options.endpoints !== undefined) {
        throw new KinesisError("InvalidArgumentException", "give client or endpoint(s), not both");
      }
      this.#client = options.client;
      this.#ownsClient = false;
    } else {
      this.#client = new EddyClient({
        endpoint: options.endpoint,
        endpoints: options.endpoints,
        routing: options.routing,
        credentials: options.credentials,
        tls: options.tls,
        ...(options.auth !== undefined ? { auth: options.auth } : {}),
        ...(options.profile !== undefined ? { profile: options.profile } : {}),
        deadlineMs: this.requestTimeoutMs,
      });
      this.#ownsClient = true;
    }
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#readyResolve = resolve;
      this.#readyReject = reject;
    });
    // Whoever never calls ready() must not get an unhandled rejection from it.
    this.#ready.catch(() => {});
    this.#reinitRequested = this.exactlyOnce;
    if (this.exactlyOnce) this.#maybeReinit();
    else this.#readyResolve();
  }

  /**
   * Resolves once the producer can send: at once without exactly-once, else once InitProducer gave it an
   * epoch. Rejects with the error that stopped the producer (e.g. brokers without exactly-once append).
   * put() does not need it: records wait in the buffer meanwhile.
   */
  ready(): Promise<void> {
    return this.#ready;
  }

  /**
   * Puts one record; resolves with its shard and sequence number once the shard's leader acknowledged it
   * (appended to a majority of its replicas), or rejects with a KinesisError: bad input at once, a
   * failure that is not transient at once, a transient one once `deliveryTimeoutMs` has passed. Waits
   * (does not fail) while the buffer is full. Records of one partition key are appended in put() order.
   */
  put(record: ProducerRecord): Promise<ProducerPutResult> {
    return new Promise((resolve, reject) => this.#submit(record, { resolve, reject }));
  }

  /**
   * Like put(), but resolves as soon as the record is in the buffer, with the promise of its
   * acknowledgement: `await producer.enqueue(r)` in a loop paces the caller to what the buffer takes.
   * Rejects (and `acknowledged` is never given) when the record is refused before it is buffered.
   */
  enqueue(record: ProducerRecord): Promise<{ acknowledged: Promise<ProducerPutResult> }> {
    return new Promise((resolveAccepted, rejectAccepted) => {
      let accepted = false;
      let resolveAck!: (result: ProducerPutResult) => void;
      let rejectAck!: (error: KinesisError) => void;
      const acknowledged = new Promise<ProducerPutResult>((resolve, reject) => {
        resolveAck = resolve;
        rejectAck = reject;
      });
      this.#submit(record, {
        accepted: () => {
          accepted = true;
          resolveAccepted({ acknowledged });
        },
        resolve: (result) => resolveAck(result),
        reject: (error) => {
          if (accepted) {
            rejectAck(error);
          } else {
            acknowledged.catch(() => {});
            rejectAck(error);
            rejectAccepted(error);
          }
        },
      });
    });
  }

  /**
   * A Writable that puts each chunk written to it as one record of `stream` (objectMode: a string, bytes,
   * or `{ data, partitionKey?, explicitHashKey? }`). A write completes once its record is in the buffer,
   * so a full buffer holds the writer back (pipe() and pipeline() pause the source). The first record
   * that fails destroys the Writable with its error, after the results of those written before it.
   */
  writable(stream: string, options: ProducerWritableOptions = {}): ProducerWritable {
    return new ProducerWritable(this, stream, options);
  }

  /** Resolves once every record put before the call has settled; meanwhile batches do not linger. */
  flush(): Promise<void> {
    const generation = this.#generation;
    this.#generation += 1;
    if (!this.#hasUnsettledUpTo(generation)) return Promise.resolve();
    return new Promise((resolve) => {
      this.#flushWaiters.push({ generation, resolve });
      this.#pumpAll();
    });
  }

  /**
   * Stops taking records (put() then fails), sends what is buffered and waits until every record has
   * settled, then closes the client it opened. Never rejects: each record says how it ended.
   */
  close(): Promise<void> {
    if (this.#closePromise) return this.#closePromise;
    this.#closePromise = new Promise<void>((resolve) => {
      this.#closeResolve = resolve;
    });
    if (this.#closed) this.#closeResolve!();
    this.#closing = true;
    this.#pumpAll();
    this.#maybeFinishClose();
    return this.#closePromise;
  }

  metrics(): ProducerMetrics {
    const c = this.#counters;
    return {
      recordsPut: c.recordsPut,
      recordsSent: c.recordsSent,
      bytesSent: c.bytesSent,
      recordsFailed: c.recordsFailed,
      batchesSent: c.batchesSent,
      retries: c.retries,
      throttles: c.throttles,
      reroutedRecords: c.reroutedRecords,
      batchRecordsMean: c.batchesSent === 0 ? 0 : c.batchRecordsTotal / c.batchesSent,
      batchRecordsMax: c.batchRecordsMax,
      batchBytesMean: c.batchesSent === 0 ? 0 : c.batchBytesTotal / c.batchesSent,
      batchBytesMax: c.batchBytesMax,
      bufferedBytes: this.#bufferedBytes,
      bufferedRecords: this.#bufferedRecords,
      bufferedBytesPeak: c.bufferedBytesPeak,
      inFlightBytes: this.#inFlightBytes,
      inFlightBatches: this.#inFlightBatches,
      putsWaiting: this.#bufferWaiters.length + this.#loadingWaiters,
      producerEpoch: this.#epoch,
      epochs: c.epochs,
    };
  }

  // ---- put() to the buffer ----

  #submit(input: ProducerRecord, callbacks: RecordCallbacks): void {
    let record: BufferedRecord;
    try {
      record = this.#prepare(input, callbacks);
    } catch (err) {
      callbacks.reject(toKinesisError(err));
      return;
    }
    this.#unsettled.set(record.generation, (this.#unsettled.get(record.generation) ?? 0) + 1);
    let stream = this.#streams.get(record.stream);
    if (stream === undefined) {
      try {
        validateStreamName(record.stream, "StreamName");
      } catch (err) {
        this.#settleFailed(record, toKinesisError(err));
        this.#afterSettle();
        return;
      }
      if (this.#streams.size >= this.streamsMax) {
        this.#settleFailed(
          record,
          new KinesisError(
            "LimitExceededException",
            `the producer already writes to streamsMax (${this.streamsMax}) streams; stream ${record.stream} is one more`,
          ),
        );
        this.#afterSettle();
        return;
      }
      stream = {
        name: record.stream,
        status: "loading",
        waiting: [],
        maxRecordSizeBytes: LIMITS.recordSizeBytesMax,
        route: undefined,
        openShards: [],
        queues: new Map(),
        closed: new Set(),
        held: [],
        rerouting: false,
      };
      this.#streams.set(record.stream, stream);
      void this.#loadStream(stream);
    }
    if (stream.status === "loading") {
      if (this.#refuseWaiting(record)) return;
      stream.waiting.push(record);
      this.#loadingWaiters += 1;
      return;
    }
    this.#place(stream, record);
  }

  /** Checks what can be checked without the stream; throws a KinesisError naming the field and limit. */
  #prepare(input: ProducerRecord, callbacks: RecordCallbacks): BufferedRecord {
    if (this.#fatal) throw this.#fatal;
    if (this.#closing)
      throw new KinesisError("InvalidArgumentException", "put() after close(): the producer is closed");
    if (typeof input !== "object" || input === null) {
      throw new KinesisError(
        "InvalidArgumentException",
        "put() takes { stream, partitionKey, data, explicitHashKey? }",
      );
    }
    if (typeof input.stream !== "string") throw new KinesisError("InvalidArgumentException", "stream must be a string");
    if (typeof input.partitionKey !== "string") {
      throw new KinesisError("InvalidArgumentException", "partitionKey must be a string");
    }
    validatePartitionKey(input.partitionKey, "PartitionKey");
    if (typeof input.data !== "string" && !(input.data instanceof Uint8Array)) {
      throw new KinesisError("InvalidArgumentException", "data must be a Uint8Array (Buffer) or a string");
    }
    const data = dataToWire(input.data);
    const explicitHashKey = input.explicitHashKey === "" ? undefined : input.explicitHashKey;
    const hashKey =
      explicitHashKey === undefined ? hashKeyOf(input.partitionKey) : parseHashKey(explicitHashKey, "ExplicitHashKey");
    const bytes = data.length + Buffer.byteLength(input.partitionKey, "utf8");
    // The stream's own limit is checked once its summary is known; the largest any stream allows, now.
    if (bytes > LIMITS.recordSizeBytesMax) {
      validateRecordData(data, input.partitionKey, LIMITS.recordSizeBytesMax, "Data");
    }
    return {
      stream: input.stream,
      partitionKey: input.partitionKey,
      data,
      explicitHashKey,
      hashKey,
      bytes,
      generation: this.#generation,
      callbacks,
      queue: undefined,
      enqueuedAtMs: 0,
    };
  }

  /** The record's shard queue, then the buffer (or a wait for room in it). */
  #place(stream: StreamState, record: BufferedRecord): void {
    let queue: ShardQueue | undefined;
    try {
      if (record.bytes > stream.maxRecordSizeBytes) {
        validateRecordData(record.data, record.partitionKey, stream.maxRecordSizeBytes, "Data");
      }
      queue = this.#queueFor(stream, record);
    } catch (err) {
      this.#settleFailed(record, toKinesisError(err));
      this.#afterSettle();
      return;
    }
    record.queue = queue;
    // Behind whoever already waits, so that put() order is kept.
    if (this.#bufferWaiters.length > 0 || !this.#fits(record.bytes)) {
      if (this.#refuseWaiting(record)) return;
      this.#bufferWaiters.push(record);
      return;
    }
    this.#accept(record);
  }

  #refuseWaiting(record: BufferedRecord): boolean {
    if (this.#bufferWaiters.length + this.#loadingWaiters < this.putsWaitingMax) return false;
    this.#settleFailed(
      record,
      new KinesisError(
        "LimitExceededException",
        `putsWaitingMax (${this.putsWaitingMax}) put() calls already wait for room in the buffer; ` +
          `await put() (or enqueue()) before putting more`,
      ),
    );
    this.#afterSettle();
    return true;
  }

  /**
   * The queue of the record's shard, or undefined when the record must be held: its shard is known closed
   * (the new map is being loaded), or a parent of its shard still has records of this producer to send,
   * which keeps each key's records in put order across a reshard.
   */
  #queueFor(stream: StreamState, record: BufferedRecord): ShardQueue | undefined {
    // The client reloads routes as calls go; a newer map (after a split, say) is taken up here.
    const latest = this.#client.peekStreamRoute(stream.name);
    if (latest !== undefined && latest !== stream.route && !stream.rerouting) setRoute(stream, latest);
    const shard = shardFor(stream.openShards, record.hashKey);
    if (shard === undefined) {
      if (stream.closed.size > 0) return undefined; // a reshard is under way: its children are not known yet
      throw new KinesisError(
        "InternalFailure",
        `no open shard of stream ${stream.name} covers hash key ${record.hashKey} in the producer's shard map`,
      );
    }
    if (stream.closed.has(shard.shardId) || this.#ancestorBusy(stream, shard)) return undefined;
    let queue = stream.queues.get(shard.shardId);
    if (queue === undefined) {
      queue = {
        stream: stream.name,
        shardId: shard.shardId,
        pending: new Fifo(),
        pendingBytes: 0,
        active: undefined,
        nextSequence: 0,
        lingerTimer: undefined,
      };
      stream.queues.set(shard.shardId, queue);
    }
    return queue;
  }

  /** Whether a parent (or theirs) of `shard` still has records of this producer waiting or in flight. */
  #ancestorBusy(stream: StreamState, shard: ShardRoute): boolean {
    let frontier = [...shard.parentShardIds];
    for (let depth = 0; frontier.length > 0 && depth < LINEAGE_DEPTH_MAX; depth++) {
      const next: string[] = [];
      for (const id of frontier) {
        const queue = stream.queues.get(id);
        if (queue !== undefined && (queue.active !== undefined || queue.pending.length > 0)) return true;
        next.push(...(stream.route?.byShardId.get(id)?.parentShardIds ?? []));
      }
      frontier = next;
    }
    return false;
  }

  /**
   * A reshard closed the queue's shard: its records not appended (`closed`, then those waiting) are held,
   * ahead of any held already (newer records of the same keys), until the new map places them.
   */
  #rerouteClosed(queue: ShardQueue, closed: readonly BufferedRecord[]): void {
    const stream = this.#streams.get(queue.stream)!;
    stream.closed.add(queue.shardId);
    if (queue.lingerTimer !== undefined) clearTimeout(queue.lingerTimer);
    queue.active = undefined;
    this.#activeQueues.delete(queue);
    const waiting: BufferedRecord[] = [];
    for (let r = queue.pending.shift(); r !== undefined; r = queue.pending.shift()) waiting.push(r);
    queue.pendingBytes = 0;
    stream.queues.delete(queue.shardId);
    this.#counters.reroutedRecords += closed.length + waiting.length;
    stream.held = [...closed, ...waiting, ...stream.held];
    for (const record of stream.held) record.queue = undefined;
    void this.#reloadShardMap(stream);
  }

  /** Reloads the shard map until no shard known closed shows as open (the reshard's step completed). */
  async #reloadShardMap(stream: StreamState): Promise<void> {
    if (stream.rerouting) return;
    stream.rerouting = true;
    let refused: KinesisError | undefined;
    try {
      for (let attempt = 1; this.#fatal === undefined; attempt++) {
        try {
          setRoute(stream, await this.#client.loadStreamRoute(stream.name));
          if ([...stream.closed].every((id) => stream.route?.byShardId.get(id)?.open === false)) break;
        } catch (err) {
          // A broker between leaders is retried; a stream that is gone is not.
          const failure = toKinesisError(err);
          if (!failure.retriable) {
            refused = failure;
            break;
          }
        }
        // Held records past their delivery timeout are failed by the release below.
        const oldest = stream.held[0];
        if (oldest !== undefined && Date.now() - oldest.enqueuedAtMs >= this.deliveryTimeoutMs) break;
        await sleepMs(this.#backoffMs(Math.min(attempt, 6)));
      }
    } finally {
      stream.rerouting = false;
    }
    if (refused !== undefined) {
      const held = stream.held;
      stream.held = [];
      for (const record of held) this.#settleFailed(record, refused);
      this.#emitFailure(refused, stream.name, undefined, held.length);
    }
    this.#releaseHeld(stream);
    this.#afterSettle();
  }

  /** Places held records whose shard is known and free now, in order; the rest stay held. */
  #releaseHeld(stream: StreamState): void {
    if (stream.held.length === 0 || stream.rerouting) return;
    const held = stream.held;
    stream.held = [];
    const touched = new Set<ShardQueue>();
    const nowMs = Date.now();
    let reload = false;
    for (const record of held) {
      if (this.#fatal) {
        this.#settleFailed(record, this.#fatal);
        continue;
      }
      if (nowMs - record.enqueuedAtMs >= this.deliveryTimeoutMs) {
        this.#settleFailed(
          record,
          new KinesisError(
            "ServiceUnavailableException",
            `not acknowledged within deliveryTimeoutMs (${this.deliveryTimeoutMs} ms): its shard was resharded`,
          ),
        );
        continue;
      }
      let queue: ShardQueue | undefined;
      try {
        queue = this.#queueFor(stream, record);
      } catch (err) {
        this.#settleFailed(record, toKinesisError(err));
        continue;
      }
      if (queue === undefined) {
        const shard = shardFor(stream.openShards, record.hashKey);
        if (shard === undefined || stream.closed.has(shard.shardId)) reload = true;
        stream.held.push(record);
        continue;
      }
      record.queue = queue;
      queue.pending.push(record);
      queue.pendingBytes += record.bytes;
      touched.add(queue);
    }
    for (const queue of touched) this.#pump(queue);
    if (reload) void this.#reloadShardMap(stream);
  }

  #fits(bytes: number): boolean {
    return this.#bufferedBytes === 0 || this.#bufferedBytes + bytes <= this.bufferBytesMax;
  }

  #accept(record: BufferedRecord): void {
    const queue = record.queue;
    this.#bufferedBytes += record.bytes;
    this.#bufferedRecords += 1;
    if (this.#bufferedBytes > this.#counters.bufferedBytesPeak) this.#counters.bufferedBytesPeak = this.#bufferedBytes;
    this.#counters.recordsPut += 1;
    record.enqueuedAtMs = Date.now();
    record.callbacks.accepted?.();
    if (queue === undefined) {
      // Its shard is resharding: held, in order, until the new map places it.
      const stream = this.#streams.get(record.stream)!;
      stream.held.push(record);
      if (stream.closed.size > 0) void this.#reloadShardMap(stream);
      return;
    }
    queue.pending.push(record);
    queue.pendingBytes += record.bytes;
    this.#pump(queue);
  }

  /** Admits waiting put() calls, oldest first, while they fit. */
  #admitWaiters(): void {
    for (let head = this.#bufferWaiters.peek(); head !== undefined; head = this.#bufferWaiters.peek()) {
      if (!this.#fits(head.bytes)) return;
      this.#bufferWaiters.shift();
      this.#accept(head);
    }
  }

  async #loadStream(stream: StreamState): Promise<void> {
    const startedAtMs = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const [summary, route] = await Promise.all([
          this.#client.describeStreamSummary({ streamName: stream.name }),
          this.#client.streamRoute(stream.name),
        ]);
        stream.maxRecordSizeBytes = summary.maxRecordSizeBytes;
        setRoute(stream, route);
        stream.status = "ready";
        break;
      } catch (err) {
        const failure = toKinesisError(err);
        const delayMs = this.#backoffMs(attempt);
        const giveUp =
          !failure.retriable ||
          this.#fatal !== undefined ||
          Date.now() + delayMs - startedAtMs >= this.deliveryTimeoutMs;
        if (giveUp) {
          // Forgotten, so that a later put() loads it again (the stream may be created meanwhile).
          this.#streams.delete(stream.name);
          const waiting = stream.waiting;
          stream.waiting = [];
          this.#loadingWaiters -= waiting.length;
          for (const record of waiting) this.#settleFailed(record, this.#fatal ?? failure);
          this.#emitFailure(this.#fatal ?? failure, stream.name, undefined, waiting.length);
          this.#afterSettle();
          return;
        }
        await sleepMs(delayMs);
      }
    }
    const waiting = stream.waiting;
    stream.waiting = [];
    this.#loadingWaiters -= waiting.length;
    for (const record of waiting) {
      if (this.#fatal) this.#settleFailed(record, this.#fatal);
      else this.#place(stream, record);
    }
    this.#afterSettle();
  }

  // ---- The buffer to the brokers ----

  /** Sends the shard's next batch if it may go now; arms the linger timer if it must wait. */
  #pump(queue: ShardQueue): void {
    if (this.#fatal) return;
    const active = queue.active;
    if (active !== undefined) {
      if (active.state === "ready") this.#trySend(queue, active);
      return;
    }
    const oldest = queue.pending.peek();
    if (oldest === undefined) return;
    // Exactly-once: no new batch while the epoch is being (re)made; the new epoch pumps every queue.
    if (this.exactlyOnce && !this.#epochUsable()) return;
    const lingerLeftMs = oldest.enqueuedAtMs + this.lingerMs - Date.now();
    const due =
      lingerLeftMs <= 0 ||
      queue.pending.length >= this.batchRecordsMax ||
      queue.pendingBytes >= this.batchBytesMax ||
      this.#flushWaiters.length > 0 ||
      this.#closing;
    if (!due) {
      queue.lingerTimer ??= setTimeout(() => {
        queue.lingerTimer = undefined;
        this.#pump(queue);
      }, lingerLeftMs);
      return;
    }
    if (queue.lingerTimer !== undefined) {
      clearTimeout(queue.lingerTimer);
      queue.lingerTimer = undefined;
    }
    const batch = this.#formBatch(queue);
    queue.active = batch;
    this.#activeQueues.add(queue);
    this.#trySend(queue, batch);
  }

  #formBatch(queue: ShardQueue): Batch {
    const records: BufferedRecord[] = [];
    let bytes = 0;
    for (let next = queue.pending.peek(); next !== undefined; next = queue.pending.peek()) {
      if (records.length >= this.batchRecordsMax) break;
      // A record bigger than batchBytesMax goes alone (it fits a PutRecords: records are at most 10 MiB).
      if (records.length > 0 && bytes + next.bytes > this.batchBytesMax) break;
      queue.pending.shift();
      records.push(next);
      bytes += next.bytes;
    }
    queue.pendingBytes -= bytes;
    return this.#newBatch(records, bytes, 0);
  }

  #newBatch(records: BufferedRecord[], bytes: number, attempts: number): Batch {
    // Records are in queue order, so the first is the oldest.
    const deadlineAtMs = records[0]!.enqueuedAtMs + this.deliveryTimeoutMs;
    return {
      records,
      bytes,
      deadlineAtMs,
      sequence: undefined,
      epoch: undefined,
      attempts,
      numberedAttempts: 0,
      state: "ready",
      timer: undefined,
    };
  }

  #epochUsable(): boolean {
    return this.#epoch !== undefined && !this.#reinitRequested;
  }

  #trySend(queue: ShardQueue, batch: Batch): void {
    if (this.exactlyOnce && batch.sequence === undefined) {
      // A batch gets its number at its first send, in the epoch of that send.
      if (!this.#epochUsable()) return;
      batch.sequence = queue.nextSequence;
      batch.epoch = this.#epoch;
      batch.numberedAttempts = 0;
    }
    batch.state = "sending";
    if (batch.attempts > 0) this.#counters.retries += 1;
    batch.attempts += 1;
    batch.numberedAttempts += 1;
    void this.#send(queue, batch);
  }

  async #send(queue: ShardQueue, batch: Batch): Promise<void> {
    const c = this.#counters;
    c.batchesSent += 1;
    c.batchRecordsTotal += batch.records.length;
    c.batchBytesTotal += batch.bytes;
    if (batch.records.length > c.batchRecordsMax) c.batchRecordsMax = batch.records.length;
    if (batch.bytes > c.batchBytesMax) c.batchBytesMax = batch.bytes;
    this.#inFlightBytes += batch.bytes;
    this.#inFlightBatches += 1;
    let output: PutRecordsOutput | undefined;
    let failure: KinesisError | undefined;
    try {
      output = await this.#client.putShardRecords({
        streamName: queue.stream,
        shardId: queue.shardId,
        records: batch.records,
        producer:
          batch.sequence === undefined
            ? undefined
            : { producerId: this.producerId, producerEpoch: batch.epoch!, producerSequence: batch.sequence },
        deadlineMs: Math.max(1, Math.min(this.requestTimeoutMs, batch.deadlineAtMs - Date.now())),
      });
    } catch (err) {
      failure = toKinesisError(err);
    } finally {
      this.#inFlightBytes -= batch.bytes;
      this.#inFlightBatches -= 1;
    }
    try {
      if (failure !== undefined) this.#onCallFailed(queue, batch, failure);
      else this.#onAnswer(queue, batch, output!);
    } catch (err) {
      // A bug here must not leave records hanging: everything fails, loudly.
      this.#failFatal(new KinesisError("InternalFailure", `producer bug: ${String(err)}`, { cause: err }));
    }
    // The shard's next batch (or nothing, while this one waits for its retry).
    this.#pump(queue);
    this.#afterSettle();
  }

  /** The whole PutRecords call failed. */
  #onCallFailed(queue: ShardQueue, batch: Batch, failure: KinesisError): void {
    if (failure.name === "ShardClosedException") {
      this.#rerouteClosed(queue, batch.records);
      return;
    }
    if (failure.name === "ProducerFencedException") {
      this.#finishBatch(queue, batch, failure);
      this.#failFatal(failure);
      return;
    }
    if (failure.name === "OutOfOrderSequenceException" && batch.numberedAttempts === 1 && this.#fatal === undefined) {
      // Refused on its only send under this number, so surely not appended (say, a restarted leader that
      // forgot this producer): the batch waits, unnumbered and still first in its shard, for a new epoch.
      // Sent more than once, an earlier send may have been appended and forgotten: it fails (below).
      batch.sequence = undefined;
      batch.epoch = undefined;
      batch.state = "ready";
      this.#requestReinit();
      return;
    }
    if (THROTTLE_ERRORS.has(failure.name)) this.#counters.throttles += 1;
    if (this.#isRetriable(failure)) {
      this.#retryLater(queue, batch, failure);
      return;
    }
    this.#finishBatch(queue, batch, failure);
    // Exactly-once: whether the batch's number was used is unknown, so it is neither reused nor skipped.
    if (batch.sequence !== undefined) this.#requestReinit();
  }

  /** The broker answered, entry by entry. */
  #onAnswer(queue: ShardQueue, batch: Batch, output: PutRecordsOutput): void {
    let appended = 0;
    let fenced: KinesisError | undefined;
    let retryError: KinesisError | undefined;
    let throttled = false;
    const retry: BufferedRecord[] = [];
    const refused: Array<[BufferedRecord, KinesisError]> = [];
    batch.records.forEach((record, i) => {
      const entry = output.records[i];
      if (entry !== undefined && entry.errorCode === undefined && entry.sequenceNumber !== undefined) {
        appended += 1;
        return;
      }
      const error = entryError(entry);
      if (THROTTLE_ERRORS.has(error.name)) throttled = true;
      if (error.name === "ProducerFencedException") fenced = error;
      else if (this.#isRetriable(error)) {
        retry.push(record);
        retryError = error;
      } else refused.push([record, error]);
    });
    if (throttled) this.#counters.throttles += 1;
    const shardClosed =
      retryError?.name === "ShardClosedException" ||
      (retry.length > 0 && output.records.some((e) => e?.errorCode === "ShardClosedException"));

    if (
      !shardClosed &&
      batch.sequence !== undefined &&
      appended === 0 &&
      refused.length === 0 &&
      fenced === undefined
    ) {
      // Exactly-once, nothing appended and all of it transient: the same batch again, same number.
      this.#retryLater(queue, batch, retryError!);
      return;
    }
    // Exactly-once: a batch of which anything was appended used its number.
    if (batch.sequence !== undefined && appended > 0) queue.nextSequence = batch.sequence + 1;

    queue.active = undefined;
    this.#activeQueues.delete(queue);
    const failedBy = new Map<KinesisError, number>();
    batch.records.forEach((record, i) => {
      const entry = output.records[i];
      if (entry !== undefined && entry.errorCode === undefined && entry.sequenceNumber !== undefined) {
        this.#settleSent(record, { shardId: entry.shardId ?? queue.shardId, sequenceNumber: entry.sequenceNumber });
      }
    });
    for (const [record, error] of refused) {
      this.#settleFailed(record, error);
      failedBy.set(error, (failedBy.get(error) ?? 0) + 1);
    }
    for (const [error, count] of failedBy) this.#emitFailure(error, queue.stream, queue.shardId, count);
    if (fenced !== undefined) {
      for (const record of retry) this.#settleFailed(record, fenced);
      this.#failFatal(fenced);
      return;
    }
    if (shardClosed) {
      // The shard is closed (a reshard): what was not appended goes to its children, in order.
      this.#rerouteClosed(queue, retry);
      return;
    }
    if (batch.sequence !== undefined && appended === 0) {
      // Refused for good with nothing appended: the number's use is not ours to assume, so a new epoch.
      this.#requestReinit();
    }
    if (retry.length > 0) {
      // Only the failed entries, ahead of anything newer for the shard (which waits while `active` is set).
      const rest = this.#newBatch(retry, sumBytes(retry), batch.attempts);
      this.#retryLater(queue, rest, retryError!);
    }
  }

  /** Sends the batch again after a backoff, or fails it once its delivery timeout would pass. */
  #retryLater(queue: ShardQueue, batch: Batch, error: KinesisError): void {
    if (this.#fatal) {
      this.#finishBatch(queue, batch, this.#fatal);
      return;
    }
    const leftMs = batch.deadlineAtMs - Date.now();
    if (leftMs <= 1) {
      const expired = new KinesisError(
        error.name,
        `not acknowledged within deliveryTimeoutMs (${this.deliveryTimeoutMs} ms), after ${batch.attempts} attempts; ` +
          `the last failed with: ${error.message}`,
        { cause: error },
      );
      this.#finishBatch(queue, batch, expired);
      if (batch.sequence !== undefined) this.#requestReinit();
      return;
    }
    const delayMs = Math.min(this.#backoffMs(batch.attempts), leftMs - 1);
    batch.state = "backoff";
    queue.active = batch;
    this.#activeQueues.add(queue);
    batch.timer = setTimeout(() => {
      batch.timer = undefined;
      batch.state = "ready";
      this.#pump(queue);
    }, delayMs);
    this.emit("retry", {
      stream: queue.stream,
      shardId: queue.shardId,
      records: batch.records.length,
      attempt: batch.attempts,
      delayMs,
      error,
    });
  }

  /** Fails the batch's records with `error` and unblocks its shard. */
  #finishBatch(queue: ShardQueue, batch: Batch, error: KinesisError): void {
    if (batch.timer !== undefined) clearTimeout(batch.timer);
    if (queue.active === batch) {
      queue.active = undefined;
      this.#activeQueues.delete(queue);
    }
    for (const record of batch.records) this.#settleFailed(record, error);
    this.#emitFailure(error, queue.stream, queue.shardId, batch.records.length);
  }

  #isRetriable(error: KinesisError): boolean {
    return error.retriable && !isUnimplemented(error) && this.#fatal === undefined;
  }

  /** Full jitter: random in [0, min(retryMaxMs, retryBaseMs × 2^(attempt-1))]. */
  #backoffMs(attempt: number): number {
    const ceilingMs = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.min(attempt - 1, 30));
    return Math.floor(Math.random() * (ceilingMs + 1));
  }

  // ---- Exactly-once: the epoch ----

  #requestReinit(): void {
    if (!this.exactlyOnce) return;
    this.#reinitRequested = true;
    this.#maybeReinit();
  }

  /**
   * A new epoch once no batch numbered in the current one is still unsettled (they go on, retries
   * included, under the epoch they were numbered in; a new epoch would fence them).
   */
  #maybeReinit(): void {
    if (!this.#reinitRequested || this.#initializing || this.#fatal || this.#closed) return;
    for (const queue of this.#activeQueues) if (queue.active?.sequence !== undefined) return;
    this.#initializing = true;
    void this.#initProducer();
  }

  async #initProducer(): Promise<void> {
    const startedAtMs = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const { producerEpoch } = await this.#client.initProducer({ producerId: this.producerId });
        if (this.#fatal || this.#closed) return;
        this.#epoch = producerEpoch;
        this.#counters.epochs += 1;
        this.#reinitRequested = false;
        this.#initializing = false;
        // Numbers start again at 0 in every epoch, on every shard.
        for (const stream of this.#streams.values()) for (const queue of stream.queues.values()) queue.nextSequence = 0;
        this.#readyResolve();
        this.#pumpAll();
        return;
      } catch (err) {
        const failure = toKinesisError(err);
        if (this.#fatal || this.#closed) return;
        if (isUnimplemented(failure)) {
          this.#failFatal(
            new KinesisError(
              "InvalidArgumentException",
              "exactlyOnce: the brokers do not support exactly-once append (InitProducer answered UNIMPLEMENTED); " +
                "create the Producer with exactlyOnce: false, or upgrade the brokers",
              { cause: failure },
            ),
          );
          return;
        }
        const delayMs = this.#backoffMs(attempt);
        if (!failure.retriable || Date.now() + delayMs - startedAtMs >= this.deliveryTimeoutMs) {
          this.#failFatal(
            new KinesisError(failure.name, `InitProducer(${this.producerId}) failed: ${failure.message}`, {
              cause: failure,
            }),
          );
          return;
        }
        await new Promise<void>((resolve) => {
          this.#initTimer = setTimeout(resolve, delayMs);
        });
        this.#initTimer = undefined;
      }
    }
  }

  // ---- Settling ----

  #settleSent(record: BufferedRecord, result: ProducerPutResult): void {
    this.#counters.recordsSent += 1;
    this.#counters.bytesSent += record.bytes;
    this.#release(record);
    record.callbacks.resolve(result);
  }

  #settleFailed(record: BufferedRecord, error: KinesisError): void {
    this.#counters.recordsFailed += 1;
    this.#release(record);
    record.callbacks.reject(error);
  }

  #release(record: BufferedRecord): void {
    // Only an accepted record holds buffer space.
    if (record.enqueuedAtMs !== 0) {
      this.#bufferedBytes -= record.bytes;
      this.#bufferedRecords -= 1;
    }
    const left = (this.#unsettled.get(record.generation) ?? 1) - 1;
    if (left === 0) this.#unsettled.delete(record.generation);
    else this.#unsettled.set(record.generation, left);
  }

  /** After records settled: room for waiting puts, finished flushes, a pending re-init, a close. */
  #afterSettle(): void {
    this.#admitWaiters();
    for (const stream of this.#streams.values()) this.#releaseHeld(stream);
    if (this.#flushWaiters.length > 0) {
      for (let i = this.#flushWaiters.length - 1; i >= 0; i--) {
        const waiter = this.#flushWaiters[i]!;
        if (!this.#hasUnsettledUpTo(waiter.generation)) {
          this.#flushWaiters.splice(i, 1);
          waiter.resolve();
        }
      }
    }
    this.#maybeReinit();
    this.#maybeFinishClose();
  }

  #hasUnsettledUpTo(generation: number): boolean {
    const oldest = this.#unsettled.keys().next();
    return !oldest.done && oldest.value <= generation;
  }

  #pumpAll(): void {
    for (const stream of this.#streams.values()) for (const queue of stream.queues.values()) this.#pump(queue);
  }

  /** Stops the producer: every record not in flight fails with `error` now, those in flight when answered. */
  #failFatal(error: KinesisError): void {
    if (this.#fatal) return;
    this.#fatal = error;
    // The producer stops: once what is in flight is answered, its client is closed as by close().
    this.#closing = true;
    this.#readyReject(error);
    if (this.#initTimer !== undefined) clearTimeout(this.#initTimer);
    let failed = 0;
    for (const stream of this.#streams.values()) {
      for (const record of stream.waiting) this.#settleFailed(record, error);
      failed += stream.waiting.length;
      this.#loadingWaiters -= stream.waiting.length;
      stream.waiting = [];
      for (const queue of stream.queues.values()) {
        if (queue.lingerTimer !== undefined) clearTimeout(queue.lingerTimer);
        queue.lingerTimer = undefined;
        for (const record of queue.pending.drain()) {
          this.#settleFailed(record, error);
          failed += 1;
        }
        queue.pendingBytes = 0;
        const active = queue.active;
        if (active !== undefined && active.state !== "sending") {
          failed += active.records.length;
          if (active.timer !== undefined) clearTimeout(active.timer);
          queue.active = undefined;
          this.#activeQueues.delete(queue);
          for (const record of active.records) this.#settleFailed(record, error);
        }
      }
    }
    for (const record of this.#bufferWaiters.drain()) {
      this.#settleFailed(record, error);
      failed += 1;
    }
    this.#emitFailure(error, undefined, undefined, failed);
    this.#afterSettle();
  }

  #maybeFinishClose(): void {
    if (!this.#closing || this.#closed) return;
    if (this.#unsettled.size > 0 || this.#inFlightBatches > 0) return;
    this.#closed = true;
    if (this.#initTimer !== undefined) clearTimeout(this.#initTimer);
    for (const stream of this.#streams.values()) {
      for (const queue of stream.queues.values()) if (queue.lingerTimer !== undefined) clearTimeout(queue.lingerTimer);
    }
    if (this.#ownsClient) this.#client.close();
    this.#readyReject(this.#fatal ?? new KinesisError("InvalidArgumentException", "the producer is closed"));
    this.#closeResolve?.();
  }

  #emitFailure(error: KinesisError, stream: string | undefined, shardId: string | undefined, records: number): void {
    // An 'error' event nobody listens to would throw; the records' promises carry the error anyway.
    if (records > 0 && this.listenerCount("error") > 0) this.emit("error", error, { stream, shardId, records });
  }
}

function option(
  options: ProducerOptions,
  name: keyof typeof PRODUCER_DEFAULTS & keyof ProducerOptions,
  min: number,
  max: number,
): number {
  const value = (options[name] as number | undefined) ?? (PRODUCER_DEFAULTS[name] as number);
  checkRange(name, value, min, max);
  return value;
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new KinesisError("InvalidArgumentException", `${name} must be an integer in [${min}, ${max}] (got ${value})`);
  }
}

function setRoute(stream: StreamState, route: StreamRoute): void {
  stream.route = route;
  stream.openShards = route.shards
    .filter((s) => s.open)
    .sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : a.startingHashKey > b.startingHashKey ? 1 : 0));
}

/** Binary search of the open shards (disjoint ranges, sorted by starting hash key). */
function shardFor(shards: readonly ShardRoute[], hashKey: bigint): ShardRoute | undefined {
  let low = 0;
  let high = shards.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const shard = shards[middle]!;
    if (hashKey < shard.startingHashKey) high = middle - 1;
    else if (hashKey > shard.endingHashKey) low = middle + 1;
    else return shard;
  }
  return undefined;
}

function sumBytes(records: readonly BufferedRecord[]): number {
  return records.reduce((n, r) => n + r.bytes, 0);
}

/** A failed PutRecords entry as a KinesisError; an unknown name counts as InternalFailure (retriable). */
function entryError(entry: { errorCode?: string; errorMessage?: string } | undefined): KinesisError {
  if (entry === undefined)
    return new KinesisError("InternalFailure", "the broker's response has no result for the entry");
  const code = entry.errorCode ?? "InternalFailure";
  const message = entry.errorMessage ?? "";
  if (isErrorName(code)) return new KinesisError(code, message);
  return new KinesisError("InternalFailure", `${code}: ${message}`);
}

/** A broker that does not know the call (InitProducer before exactly-once append existed). */
function isUnimplemented(error: KinesisError): boolean {
  return isServiceError(error.cause) && error.cause.code === grpc.status.UNIMPLEMENTED;
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
