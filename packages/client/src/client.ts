/**
 * `EddyClient`: one promise-returning method per RPC of the Streams service, taking and returning the
 * SDK's camelCase types. Every failure, the broker's or the connection's, arrives as a `KinesisError`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { GRPC_CHANNEL_OPTIONS, fromServiceError, grpc, isServiceError, loadStreamsService } from "@eddy/api";
import type * as wire from "@eddy/api";
import { KinesisError } from "@eddy/core";
import {
  dataToWire,
  getRecordsFromWire,
  listShardsFromWire,
  listStreamsFromWire,
  putRecordsFromWire,
  shardFilterToWire,
  startingPositionToWire,
  streamDescriptionFromWire,
  streamDescriptionSummaryFromWire,
  subscribeEventFromWire,
  timestampToWire,
} from "./convert.js";
import type {
  CreateStreamInput,
  DeleteStreamInput,
  DescribeStreamInput,
  DescribeStreamSummaryInput,
  GetRecordsInput,
  GetRecordsOutput,
  GetShardIteratorInput,
  ListShardsInput,
  ListShardsOutput,
  ListStreamsInput,
  ListStreamsOutput,
  PutRecordInput,
  PutRecordOutput,
  PutRecordsInput,
  PutRecordsOutput,
  StreamDescription,
  StreamDescriptionSummary,
  SubscribeEvent,
  SubscribeToShardInput,
  UpdateRetentionPeriodInput,
  UpdateStreamModeInput,
} from "./types.js";

export const DEFAULT_ENDPOINT = "127.0.0.1:7400";
export const DEFAULT_DEADLINE_MS = 30_000;
/** How often `waitForStreamActive` asks. */
export const STREAM_ACTIVE_POLL_INTERVAL_MS = 100;
/** `describeStreamAll` gives up after this many pages (a million shards at the broker's default page). */
const DESCRIBE_STREAM_PAGES_MAX = 10_000;

export interface EddyClientOptions {
  /** `host:port` of any broker. */
  readonly endpoint?: string;
  /** Deadline of each unary call, ms. Streaming calls (subscribeToShard) have none. */
  readonly deadlineMs?: number;
  /** Insecure (plain-text HTTP/2) unless given. */
  readonly credentials?: grpc.ChannelCredentials;
}

type StartUnary<Response> = (
  options: grpc.CallOptions,
  callback: grpc.requestCallback<Response>,
) => grpc.ClientUnaryCall;

export class EddyClient {
  readonly endpoint: string;
  readonly deadlineMs: number;
  readonly #stub: wire.StreamsClient;

  constructor(options: EddyClientOptions = {}) {
    this.endpoint = options.endpoint ?? DEFAULT_ENDPOINT;
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    if (!(Number.isFinite(this.deadlineMs) && this.deadlineMs > 0)) {
      throw new KinesisError(
        "InvalidArgumentException",
        `deadlineMs must be a positive number (got ${this.deadlineMs})`,
      );
    }
    const { Client } = loadStreamsService();
    this.#stub = new Client(this.endpoint, options.credentials ?? grpc.credentials.createInsecure(), {
      ...GRPC_CHANNEL_OPTIONS,
    });
  }

  /** Closes the channel. Calls in flight fail; later calls fail at once. */
  close(): void {
    this.#stub.close();
  }

  async createStream(input: CreateStreamInput): Promise<void> {
    const request: wire.CreateStreamRequest = {
      stream_name: input.streamName,
      shard_count: input.shardCount,
      stream_mode: input.streamMode,
      retention_period_hours: input.retentionPeriodHours,
      max_record_size_bytes: input.maxRecordSizeBytes,
    };
    await this.#unary<wire.CreateStreamResponse__Output>((o, cb) => this.#stub.CreateStream(request, o, cb));
  }

  async deleteStream(input: DeleteStreamInput): Promise<void> {
    const request: wire.DeleteStreamRequest = {
      stream_name: input.streamName,
      enforce_consumer_deletion: input.enforceConsumerDeletion,
    };
    await this.#unary<wire.DeleteStreamResponse__Output>((o, cb) => this.#stub.DeleteStream(request, o, cb));
  }

  /** One page of shards; see `describeStreamAll` for all of them. */
  async describeStream(input: DescribeStreamInput): Promise<StreamDescription> {
    const request: wire.DescribeStreamRequest = {
      stream_name: input.streamName,
      limit: input.limit,
      exclusive_start_shard_id: input.exclusiveStartShardId,
    };
    const response = await this.#unary<wire.DescribeStreamResponse__Output>((o, cb) =>
      this.#stub.DescribeStream(request, o, cb),
    );
    return streamDescriptionFromWire(response);
  }

  /** The stream with every shard: pages through `describeStream` until `hasMoreShards` is false. */
  async describeStreamAll(streamName: string): Promise<StreamDescription> {
    let page = await this.describeStream({ streamName });
    const shards = [...page.shards];
    for (let pageCount = 1; page.hasMoreShards; pageCount++) {
      const lastShard = shards.at(-1);
      if (lastShard === undefined || pageCount >= DESCRIBE_STREAM_PAGES_MAX) {
        throw new KinesisError(
          "InternalFailure",
          `describeStreamAll(${streamName}): the broker keeps reporting more shards after ${pageCount} pages and ${shards.length} shards`,
        );
      }
      page = await this.describeStream({ streamName, exclusiveStartShardId: lastShard.shardId });
      shards.push(...page.shards);
    }
    return { ...page, shards, hasMoreShards: false };
  }

  async describeStreamSummary(input: DescribeStreamSummaryInput): Promise<StreamDescriptionSummary> {
    return this.#describeStreamSummary(input.streamName, this.deadlineMs);
  }

  async listStreams(input: ListStreamsInput = {}): Promise<ListStreamsOutput> {
    const request: wire.ListStreamsRequest = {
      limit: input.limit,
      exclusive_start_stream_name: input.exclusiveStartStreamName,
      next_token: input.nextToken,
    };
    const response = await this.#unary<wire.ListStreamsResponse__Output>((o, cb) =>
      this.#stub.ListStreams(request, o, cb),
    );
    return listStreamsFromWire(response);
  }

  async listShards(input: ListShardsInput): Promise<ListShardsOutput> {
    const request: wire.ListShardsRequest = {
      stream_name: input.streamName,
      next_token: input.nextToken,
      exclusive_start_shard_id: input.exclusiveStartShardId,
      max_results: input.maxResults,
      shard_filter: input.shardFilter === undefined ? undefined : shardFilterToWire(input.shardFilter),
    };
    const response = await this.#unary<wire.ListShardsResponse__Output>((o, cb) =>
      this.#stub.ListShards(request, o, cb),
    );
    return listShardsFromWire(response);
  }

  async updateRetentionPeriod(input: UpdateRetentionPeriodInput): Promise<void> {
    const request: wire.UpdateRetentionPeriodRequest = {
      stream_name: input.streamName,
      retention_period_hours: input.retentionPeriodHours,
    };
    await this.#unary<wire.UpdateRetentionPeriodResponse__Output>((o, cb) =>
      this.#stub.UpdateRetentionPeriod(request, o, cb),
    );
  }

  async updateStreamMode(input: UpdateStreamModeInput): Promise<void> {
    const request: wire.UpdateStreamModeRequest = { stream_name: input.streamName, stream_mode: input.streamMode };
    await this.#unary<wire.UpdateStreamModeResponse__Output>((o, cb) => this.#stub.UpdateStreamMode(request, o, cb));
  }

  async putRecord(input: PutRecordInput): Promise<PutRecordOutput> {
    const request: wire.PutRecordRequest = {
      stream_name: input.streamName,
      partition_key: input.partitionKey,
      data: dataToWire(input.data),
      explicit_hash_key: input.explicitHashKey,
    };
    const response = await this.#unary<wire.PutRecordResponse__Output>((o, cb) => this.#stub.PutRecord(request, o, cb));
    return { shardId: response.shard_id, sequenceNumber: response.sequence_number };
  }

  /** Not all-or-nothing: check `failedRecordCount` and each entry's `errorCode`, as with Kinesis. */
  async putRecords(input: PutRecordsInput): Promise<PutRecordsOutput> {
    const request: wire.PutRecordsRequest = {
      stream_name: input.streamName,
      records: input.records.map((r) => ({
        partition_key: r.partitionKey,
        data: dataToWire(r.data),
        explicit_hash_key: r.explicitHashKey,
      })),
    };
    const response = await this.#unary<wire.PutRecordsResponse__Output>((o, cb) =>
      this.#stub.PutRecords(request, o, cb),
    );
    return putRecordsFromWire(response);
  }

  /** An iterator for `getRecords`; it expires after 5 minutes. */
  async getShardIterator(input: GetShardIteratorInput): Promise<string> {
    const request: wire.GetShardIteratorRequest = {
      stream_name: input.streamName,
      shard_id: input.shardId,
      shard_iterator_type: input.shardIteratorType,
      starting_sequence_number: input.startingSequenceNumber,
      timestamp: input.timestamp === undefined ? undefined : timestampToWire(input.timestamp, "timestamp"),
    };
    const response = await this.#unary<wire.GetShardIteratorResponse__Output>((o, cb) =>
      this.#stub.GetShardIterator(request, o, cb),
    );
    return response.shard_iterator;
  }

  async getRecords(input: GetRecordsInput): Promise<GetRecordsOutput> {
    const request: wire.GetRecordsRequest = { shard_iterator: input.shardIterator, limit: input.limit };
    const response = await this.#unary<wire.GetRecordsResponse__Output>((o, cb) =>
      this.#stub.GetRecords(request, o, cb),
    );
    return getRecordsFromWire(response);
  }

  /**
   * Every record committed to the shard from the starting position on, pushed as it is committed.
   * The call starts with the first `next()`. Leaving the loop (break, return, throw) or aborting
   * `input.signal` cancels it; after an abort the iteration ends without an error. A failure of the
   * call is thrown from the iteration as a KinesisError.
   */
  async *subscribeToShard(input: SubscribeToShardInput): AsyncGenerator<SubscribeEvent, void, undefined> {
    const { signal } = input;
    if (signal?.aborted) return;
    const request: wire.SubscribeToShardRequest = {
      stream_name: input.streamName,
      shard_id: input.shardId,
      starting_position: startingPositionToWire(input.startingPosition),
      consumer_name: input.consumerName,
    };
    let call: grpc.ClientReadableStream<wire.SubscribeToShardEvent__Output>;
    try {
      call = this.#stub.SubscribeToShard(request);
    } catch (err) {
      throw toKinesisError(err);
    }
    // grpc-js emits a failed status as an 'error' event even when nothing listens any more, as after a
    // cancel once the loop below has stopped reading; unheard, that event would crash the process.
    // Failures the loop does hear reach it through the stream's iterator.
    call.on("error", () => {});
    // Once the status is in, the call is over and there is nothing left to cancel.
    let statusReceived = false;
    call.on("status", () => {
      statusReceived = true;
    });
    const cancel = (): void => {
      if (!statusReceived) call.cancel();
    };
    signal?.addEventListener("abort", cancel, { once: true });
    try {
      for await (const event of call as AsyncIterable<wire.SubscribeToShardEvent__Output>) {
        if (signal?.aborted) return;
        yield subscribeEventFromWire(event);
      }
    } catch (err) {
      if (signal?.aborted) return;
      throw toKinesisError(err);
    } finally {
      signal?.removeEventListener("abort", cancel);
      cancel();
    }
  }

  /**
   * Polls `describeStreamSummary` until the stream is ACTIVE and returns that summary. Retriable
   * failures are polled through; others are thrown at once. After `timeoutMs` it throws the last
   * retriable failure, or ResourceInUseException naming the status the stream was last seen in.
   */
  async waitForStreamActive(
    streamName: string,
    timeoutMs: number = DEFAULT_DEADLINE_MS,
  ): Promise<StreamDescriptionSummary> {
    const deadlineAtMs = Date.now() + timeoutMs;
    let lastFailure: KinesisError | undefined;
    let lastStatus = "not seen";
    for (;;) {
      const remainingMs = deadlineAtMs - Date.now();
      if (remainingMs <= 0) {
        throw (
          lastFailure ??
          new KinesisError(
            "ResourceInUseException",
            `stream ${streamName} is not ACTIVE after ${timeoutMs} ms: its status is ${lastStatus}`,
          )
        );
      }
      try {
        const summary = await this.#describeStreamSummary(streamName, Math.min(this.deadlineMs, remainingMs));
        if (summary.streamStatus === "ACTIVE") return summary;
        if (summary.streamStatus === "DELETING") {
          throw new KinesisError(
            "ResourceInUseException",
            `stream ${streamName} is DELETING; it will not become ACTIVE`,
          );
        }
        lastStatus = summary.streamStatus;
        lastFailure = undefined;
      } catch (err) {
        const failure = toKinesisError(err);
        if (!failure.retriable) throw failure;
        lastFailure = failure;
      }
      await sleep(Math.min(STREAM_ACTIVE_POLL_INTERVAL_MS, Math.max(0, deadlineAtMs - Date.now())));
    }
  }

  async #describeStreamSummary(streamName: string, deadlineMs: number): Promise<StreamDescriptionSummary> {
    const request: wire.DescribeStreamSummaryRequest = { stream_name: streamName };
    const response = await this.#unary<wire.DescribeStreamSummaryResponse__Output>(
      (o, cb) => this.#stub.DescribeStreamSummary(request, o, cb),
      deadlineMs,
    );
    return streamDescriptionSummaryFromWire(response);
  }

  #unary<Response>(start: StartUnary<Response>, deadlineMs: number = this.deadlineMs): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      const callback = (err: grpc.ServiceError | null, response?: Response): void => {
        if (err !== null) reject(toKinesisError(err));
        else if (response === undefined) reject(new KinesisError("InternalFailure", "the broker sent no response"));
        else resolve(response);
      };
      try {
        start({ deadline: Date.now() + deadlineMs }, callback);
      } catch (err) {
        // grpc-js throws at once on a closed channel or a request it cannot serialize.
        reject(toKinesisError(err));
      }
    });
  }
}

/** Any failure as a KinesisError: gRPC statuses through `fromServiceError`, anything else as InternalFailure. */
export function toKinesisError(err: unknown): KinesisError {
  if (err instanceof KinesisError) return err;
  if (isServiceError(err)) return fromServiceError(err);
  const message = err instanceof Error ? err.message : String(err);
  return new KinesisError("InternalFailure", message, { cause: err });
}
