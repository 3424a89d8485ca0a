/**
 * `EddyClient`: one promise-returning method per RPC of the Streams service, taking and returning the
 * SDK's camelCase types. Every failure, the broker's or the connection's, arrives as a `KinesisError`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  GRPC_CHANNEL_OPTIONS,
  credentialsInterceptor,
  fromServiceError,
  grpc,
  isServiceError,
  loadStreamsService,
} from "@eddy/api";
import { resolveAuth, type AuthCredentials } from "./auth.js";
import type * as wire from "@eddy/api";
import { Code, KinesisError } from "@eddy/core";
import {
  dataToWire,
  getRecordsFromWire,
  int64ToNumber,
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
import { tlsCredentials, type ClientTlsOptions } from "./tls.js";
import {
  applicationFromWire,
  positionFromWire,
  positionToWire,
  type ApplicationInfo,
  type CheckpointInput,
  type CreateApplicationInput,
  type ResetApplicationInput,
  type WorkerHeartbeatInput,
  type WorkerHeartbeatOutput,
} from "./application/wire.js";
import {
  ChannelPool,
  DOWN_ADDRESS_MS,
  DOWN_ADDRESSES_MAX,
  ITERATOR_ROUTES_MAX,
  LruMap,
  RouteTable,
  groupByLeader,
  isConnectionFailure,
  isTimeout,
  isUnreached,
  shardForRecord,
  streamRouteFromWire,
  type StreamRoute,
} from "./routing.js";
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
  PutRecordsEntry,
  PutRecordsOutput,
  PutRecordsResultEntry,
  StreamDescription,
  StreamDescriptionSummary,
  SubscribeEvent,
  SubscribeToShardInput,
  UpdateRetentionPeriodInput,
  UpdateStreamModeInput,
  SplitShardInput,
  MergeShardsInput,
  UpdateShardCountInput,
  UpdateShardCountOutput,
} from "./types.js";

export const DEFAULT_ENDPOINT = "127.0.0.1:7400";
export const DEFAULT_DEADLINE_MS = 30_000;
/** How often `waitForStreamActive` asks. */
export const STREAM_ACTIVE_POLL_INTERVAL_MS = 100;
/** `describeStreamAll` gives up after this many pages (a million shards at the broker's default page). */
const DESCRIBE_STREAM_PAGES_MAX = 10_000;
/** ListShards pages per route load (a million shards at the broker's default page). */
const ROUTE_LOAD_PAGES_MAX = 1_000;

export interface EddyClientOptions {
  /** `host:port` of any broker. The single-endpoint form of `endpoints`; give one or the other. */
  readonly endpoint?: string;
  /**
   * `host:port` of any brokers of the cluster. Calls that are not sent to a shard's leader go to the
   * first that answers; when it cannot be reached, the next one takes over.
   */
  readonly endpoints?: readonly string[];
  /**
   * Send each call for a shard straight to the broker that leads it, as ListShards reports it, instead
   * of through an endpoint that forwards it. True unless given.
   */
  readonly routing?: boolean;
  /** Deadline of each unary call, ms. Streaming calls (subscribeToShard) have none. */
  readonly deadlineMs?: number;
  /** Insecure (plain-text HTTP/2) unless given, or `tls` is; give one of the two. */
  readonly credentials?: grpc.ChannelCredentials;
  /**
   * TLS: the CA that signed the brokers' certificates (`eddy certs dev` writes ca.crt), and a client
   * certificate if the brokers want one. PEM contents or file paths.
   */
  readonly tls?: ClientTlsOptions;
  /**
   * The access key id and secret sent with every call to a broker that runs with authentication. When
   * absent: EDDY_ACCESS_KEY_ID / EDDY_SECRET_ACCESS_KEY, else the credentials file's profile (see auth.ts).
   */
  readonly auth?: AuthCredentials;
  /** The credentials file's profile to use when `auth` and the environment give none (else EDDY_PROFILE, else "default"). */
  readonly profile?: string;
}

type StartUnary<Response> = (
  stub: wire.StreamsClient,
  options: grpc.CallOptions,
  callback: grpc.requestCallback<Response>,
) => grpc.ClientUnaryCall;

/**
 * Which failures of a call sent to a shard's leader are sent again through an endpoint. Both are after
 * NotLeaderException (the broker did nothing). A read is also after any connection failure; a put only
 * when it surely reached no broker, since a put whose connection dropped, or whose deadline passed,
 * may have been appended.
 */
type Resend = "put" | "read";

/** Where an iterator this client handed out reads. */
interface IteratorRoute {
  readonly streamName: string;
  readonly shardId: string;
}

export interface InitProducerInput {
  /** 1-256 characters. */
  readonly producerId: string;
}

export interface InitProducerOutput {
  /** The producer id's new epoch; every earlier epoch of the id is fenced from now on. */
  readonly producerEpoch: number;
}

/** Which batch of which producer a PutRecords is, for exactly-once append (see `InitProducer`). */
export interface ProducerBatchId {
  readonly producerId: string;
  readonly producerEpoch: number;
  /** The batch's number for its shard within the epoch: 0, 1, 2, ... */
  readonly producerSequence: number;
  /** The shard it was numbered for (putShardRecords sets it). */
  readonly shardId?: string;
}

export interface PutShardRecordsInput {
  readonly streamName: string;
  /** The shard every entry belongs to (by its hash key); the call goes to its leader. */
  readonly shardId: string;
  readonly records: readonly PutRecordsEntry[];
  /** Set for exactly-once append; the broker then requires every entry to belong to one shard. */
  readonly producer?: ProducerBatchId;
  /** This call's deadline, ms; the client's `deadlineMs` unless given. */
  readonly deadlineMs?: number;
}

export class EddyClient {
  /** The first endpoint. */
  readonly endpoint: string;
  readonly endpoints: readonly string[];
  readonly deadlineMs: number;
  readonly routing: boolean;
  /** The access key id the calls carry, if any. */
  readonly accessKeyId: string | undefined;
  readonly #channels: ChannelPool;
  readonly #routes: RouteTable;
  readonly #iteratorRoutes = new LruMap<string, IteratorRoute>(ITERATOR_ROUTES_MAX);
  /** Brokers that could not be reached, until when they are avoided (ms since the epoch). */
  readonly #downUntilMs = new LruMap<string, number>(DOWN_ADDRESSES_MAX);
  /** The endpoint calls go through; moves on when it cannot be reached. */
  #endpointIndex = 0;
  #closed = false;

  constructor(options: EddyClientOptions = {}) {
    if (options.endpoint !== undefined && options.endpoints !== undefined) {
      throw new KinesisError("InvalidArgumentException", "give endpoint or endpoints, not both");
    }
    this.endpoints = [...new Set(options.endpoints ?? [options.endpoint ?? DEFAULT_ENDPOINT])];
    if (this.endpoints.length === 0) {
      throw new KinesisError("InvalidArgumentException", "endpoints must name at least one broker");
    }
    this.endpoint = this.endpoints[0]!;
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    if (!(Number.isFinite(this.deadlineMs) && this.deadlineMs > 0)) {
      throw new KinesisError(
        "InvalidArgumentException",
        `deadlineMs must be a positive number (got ${this.deadlineMs})`,
      );
    }
    this.routing = options.routing ?? true;
    const { Client } = loadStreamsService();
    if (options.credentials !== undefined && options.tls !== undefined) {
      throw new KinesisError("InvalidArgumentException", "give credentials or tls, not both");
    }
    const credentials =
      options.credentials ??
      (options.tls !== undefined ? tlsCredentials(options.tls) : grpc.credentials.createInsecure());
    const auth = resolveAuth(options);
    this.accessKeyId = auth?.accessKeyId;
    // An interceptor rather than call credentials: grpc-js sends those only over TLS.
    const channelOptions = {
      ...GRPC_CHANNEL_OPTIONS,
      ...(auth ? { interceptors: [credentialsInterceptor(auth.accessKeyId, auth.secretAccessKey)] } : {}),
    };
    this.#channels = new ChannelPool(this.endpoints, (address) => new Client(address, credentials, channelOptions));
    this.#routes = new RouteTable((streamName) => this.#loadRoute(streamName));
  }

  /** Closes the channels. Calls in flight fail; later calls fail at once. */
  close(): void {
    this.#closed = true;
    this.#channels.close();
    this.#routes.clear();
    this.#iteratorRoutes.clear();
  }

  /**
   * The shard's leader as this client's route cache has it, where its calls for the shard go; undefined
   * when the cache has no leader for the shard (its calls then go through an endpoint). Loads nothing.
   */
  routeOf(streamName: string, shardId: string): string | undefined {
    return this.#routes.peek(streamName)?.byShardId.get(shardId)?.leaderAddress;
  }

  async createStream(input: CreateStreamInput): Promise<void> {
    const request: wire.CreateStreamRequest = {
      stream_name: input.streamName,
      shard_count: input.shardCount,
      stream_mode: input.streamMode,
      retention_period_hours: input.retentionPeriodHours,
      max_record_size_bytes: input.maxRecordSizeBytes,
    };
    await this.#unary<wire.CreateStreamResponse__Output>((stub, o, cb) => stub.CreateStream(request, o, cb));
    // Routes looked up before the stream existed (none) must not stand.
    this.#routes.forget(input.streamName);
  }

  async deleteStream(input: DeleteStreamInput): Promise<void> {
    const request: wire.DeleteStreamRequest = {
      stream_name: input.streamName,
      enforce_consumer_deletion: input.enforceConsumerDeletion,
    };
    await this.#unary<wire.DeleteStreamResponse__Output>((stub, o, cb) => stub.DeleteStream(request, o, cb));
    // A stream created again under the name has new shards and leaders.
    this.#routes.forget(input.streamName);
  }

  /** One page of shards; see `describeStreamAll` for all of them. */
  async describeStream(input: DescribeStreamInput): Promise<StreamDescription> {
    const request: wire.DescribeStreamRequest = {
      stream_name: input.streamName,
      limit: input.limit,
      exclusive_start_shard_id: input.exclusiveStartShardId,
    };
    const response = await this.#unary<wire.DescribeStreamResponse__Output>((stub, o, cb) =>
      stub.DescribeStream(request, o, cb),
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
    const response = await this.#unary<wire.ListStreamsResponse__Output>((stub, o, cb) =>
      stub.ListStreams(request, o, cb),
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
    const response = await this.#unary<wire.ListShardsResponse__Output>((stub, o, cb) =>
      stub.ListShards(request, o, cb),
    );
    return listShardsFromWire(response);
  }

  async updateRetentionPeriod(input: UpdateRetentionPeriodInput): Promise<void> {
    const request: wire.UpdateRetentionPeriodRequest = {
      stream_name: input.streamName,
      retention_period_hours: input.retentionPeriodHours,
    };
    await this.#unary<wire.UpdateRetentionPeriodResponse__Output>((stub, o, cb) =>
      stub.UpdateRetentionPeriod(request, o, cb),
    );
  }

  async updateStreamMode(input: UpdateStreamModeInput): Promise<void> {
    const request: wire.UpdateStreamModeRequest = { stream_name: input.streamName, stream_mode: input.streamMode };
    await this.#unary<wire.UpdateStreamModeResponse__Output>((stub, o, cb) => stub.UpdateStreamMode(request, o, cb));
  }

  /**
   * Starts a split: the stream is UPDATING until the parent is sealed and its two children exist (see
   * `waitForStreamActive`). The shard map changes then: routes are dropped.
   */
  async splitShard(input: SplitShardInput): Promise<void> {
    const request: wire.SplitShardRequest = {
      stream_name: input.streamName,
      shard_to_split: input.shardToSplit,
      new_starting_hash_key: input.newStartingHashKey,
    };
    await this.#unary<wire.SplitShardResponse__Output>((stub, o, cb) => stub.SplitShard(request, o, cb));
    this.#routes.refresh(input.streamName);
  }

  async mergeShards(input: MergeShardsInput): Promise<void> {
    const request: wire.MergeShardsRequest = {
      stream_name: input.streamName,
      shard_to_merge: input.shardToMerge,
      adjacent_shard_to_merge: input.adjacentShardToMerge,
    };
    await this.#unary<wire.MergeShardsResponse__Output>((stub, o, cb) => stub.MergeShards(request, o, cb));
    this.#routes.refresh(input.streamName);
  }

  /** Uniform scaling, in as few splits and merges as it takes; the stream is UPDATING until done. */
  async updateShardCount(input: UpdateShardCountInput): Promise<UpdateShardCountOutput> {
    const request: wire.UpdateShardCountRequest = {
      stream_name: input.streamName,
      target_shard_count: input.targetShardCount,
      scaling_type: "UNIFORM_SCALING",
    };
    const response = await this.#unary<wire.UpdateShardCountResponse__Output>((stub, o, cb) =>
      stub.UpdateShardCount(request, o, cb),
    );
    this.#routes.refresh(input.streamName);
    return {
      streamName: response.stream_name,
      currentShardCount: response.current_shard_count,
      targetShardCount: response.target_shard_count,
    };
  }

  /** Sent to the leader of the record's shard (with routing), computed from the partition key as the broker does. */
  async putRecord(input: PutRecordInput): Promise<PutRecordOutput> {
    const deadlineAtMs = Date.now() + this.deadlineMs;
    const request: wire.PutRecordRequest = {
      stream_name: input.streamName,
      partition_key: input.partitionKey,
      data: dataToWire(input.data),
      explicit_hash_key: input.explicitHashKey,
    };
    const route = await this.#route(input.streamName);
    const leader = route && shardForRecord(route, input.partitionKey, input.explicitHashKey)?.leaderAddress;
    const { response } = await this.#routedUnary<wire.PutRecordResponse__Output>(
      input.streamName,
      leader,
      (stub, o, cb) => stub.PutRecord(request, o, cb),
      deadlineAtMs,
      "put",
    );
    return { shardId: response.shard_id, sequenceNumber: response.sequence_number };
  }

  /**
   * Not all-or-nothing: check `failedRecordCount` and each entry's `errorCode`, as with Kinesis. With
   * routing, entries whose shards have different leaders go to each leader as a PutRecords of their own,
   * and the results are put back in the entries' order.
   */
  async putRecords(input: PutRecordsInput): Promise<PutRecordsOutput> {
    const deadlineAtMs = Date.now() + this.deadlineMs;
    const records = input.records.map((r) => ({
      partition_key: r.partitionKey,
      data: dataToWire(r.data),
      explicit_hash_key: r.explicitHashKey,
    }));
    const route = await this.#route(input.streamName);
    const groups =
      route &&
      groupByLeader(
        route,
        records.map((r, i) => ({
          partitionKey: r.partition_key,
          data: r.data,
          explicitHashKey: input.records[i]!.explicitHashKey,
        })),
      );
    if (groups === undefined || groups.size <= 1) {
      const [leader] = groups?.keys() ?? [];
      return this.#putRecordsAt(input.streamName, leader, records, deadlineAtMs);
    }
    const results: PutRecordsResultEntry[] = new Array(records.length);
    const failures: KinesisError[] = [];
    await Promise.all(
      [...groups].map(async ([leader, positions]) => {
        const sub = positions.map((p) => records[p]!);
        try {
          const answer = await this.#putRecordsAt(input.streamName, leader, sub, deadlineAtMs);
          positions.forEach((p, i) => (results[p] = answer.records[i]!));
        } catch (err) {
          // The other parts may have been appended: this part's entries fail, the request does not.
          const failure = toKinesisError(err);
          failures.push(failure);
          for (const p of positions) results[p] = { errorCode: failure.name, errorMessage: failure.message };
        }
      }),
    );
    // Every part failed as a whole (a deleted stream, say): nothing was appended, so the request failed.
    if (failures.length === groups.size) throw failures[0]!;
    return { failedRecordCount: results.filter((r) => r.errorCode !== undefined).length, records: results };
  }

  /**
   * For the Producer: one PutRecords whose entries all belong to `shardId`, sent whole (never split) to
   * the shard's leader as the route cache has it, and redirected as `putRecords` is. With `producer` the
   * call is that producer's numbered batch; entries answered NotLeaderException are then not sent again
   * one by one (a batch is sent again only whole, under its number), the caller retries the batch.
   */
  async putShardRecords(input: PutShardRecordsInput): Promise<PutRecordsOutput> {
    const deadlineAtMs = Date.now() + (input.deadlineMs ?? this.deadlineMs);
    const records = input.records.map((r) => ({
      partition_key: r.partitionKey,
      data: dataToWire(r.data),
      explicit_hash_key: r.explicitHashKey,
    }));
    const leader = await this.#shardLeader(input.streamName, input.shardId);
    const producer = input.producer && { ...input.producer, shardId: input.shardId };
    return this.#putRecordsAt(input.streamName, leader, records, deadlineAtMs, producer);
  }

  /**
   * Registers a producer id (Eddy's exactly-once append) and returns its new epoch, which fences every
   * earlier epoch of the id. Through an endpoint (the broker asks the controller).
   */
  async initProducer(input: InitProducerInput): Promise<InitProducerOutput> {
    const request: wire.InitProducerRequest = { producer_id: input.producerId };
    const response = await this.#unary<wire.InitProducerResponse__Output>((stub, o, cb) =>
      stub.InitProducer(request, o, cb),
    );
    return { producerEpoch: int64ToNumber(response.producer_epoch, "producer_epoch") };
  }

  // ---- consumer applications: the lease table in the controller, through any broker ----

  /** Creates the application, or returns the existing one unchanged. */
  async createApplication(input: CreateApplicationInput): Promise<ApplicationInfo> {
    const request: wire.CreateApplicationRequest = {
      stream_name: input.streamName,
      application_name: input.applicationName,
      initial_position: input.initialPosition ?? "TRIM_HORIZON",
      initial_timestamp: String(input.initialTimestamp?.getTime() ?? 0),
      lease_timeout_ms: input.leaseTimeoutMs ?? 0,
    };
    const response = await this.#unary<wire.CreateApplicationResponse__Output>((stub, o, cb) =>
      stub.CreateApplication(request, o, cb),
    );
    return applicationFromWire(response.application!);
  }

  async deleteApplication(input: { streamName: string; applicationName: string }): Promise<void> {
    const request: wire.DeleteApplicationRequest = {
      stream_name: input.streamName,
      application_name: input.applicationName,
    };
    await this.#unary<wire.DeleteApplicationResponse__Output>((stub, o, cb) => stub.DeleteApplication(request, o, cb));
  }

  async describeApplication(input: { streamName: string; applicationName: string }): Promise<ApplicationInfo> {
    const request: wire.DescribeApplicationRequest = {
      stream_name: input.streamName,
      application_name: input.applicationName,
    };
    const response = await this.#unary<wire.DescribeApplicationResponse__Output>((stub, o, cb) =>
      stub.DescribeApplication(request, o, cb),
    );
    return applicationFromWire(response.application!);
  }

  /** The applications of one stream, or of every stream. */
  async listApplications(input: { streamName?: string } = {}): Promise<ApplicationInfo[]> {
    const request: wire.ListApplicationsRequest = { stream_name: input.streamName ?? "" };
    const response = await this.#unary<wire.ListApplicationsResponse__Output>((stub, o, cb) =>
      stub.ListApplications(request, o, cb),
    );
    return response.applications.map(applicationFromWire);
  }

  async workerHeartbeat(input: WorkerHeartbeatInput): Promise<WorkerHeartbeatOutput> {
    const request: wire.WorkerHeartbeatRequest = {
      stream_name: input.streamName,
      application_name: input.applicationName,
      worker_id: input.workerId,
      incarnation: input.incarnation,
      released: [...(input.released ?? [])],
      leaving: input.leaving ?? false,
      reports: (input.reports ?? []).map((r) => ({
        shard_id: r.shardId,
        millis_behind_latest: String(r.millisBehindLatest ?? -1),
        halted_reason: r.haltedReason ?? "",
      })),
    };
    const response = await this.#unary<wire.WorkerHeartbeatResponse__Output>((stub, o, cb) =>
      stub.WorkerHeartbeat(request, o, cb),
    );
    const nextExpiryInMs = int64ToNumber(response.next_expiry_in_ms, "next_expiry_in_ms");
    return {
      leases: response.leases.map((l) => ({
        shardId: l.shard_id,
        epoch: int64ToNumber(l.epoch, "epoch"),
        startFrom: positionFromWire(l.start_from!),
      })),
      release: response.release,
      leaseTimeoutMs: response.lease_timeout_ms,
      ...(nextExpiryInMs >= 0 ? { nextExpiryInMs } : {}),
    };
  }

  /** Fenced: LeaseLostException unless the worker holds the shard's lease at `epoch`. */
  async checkpoint(input: CheckpointInput): Promise<void> {
    const request: wire.CheckpointRequest = {
      stream_name: input.streamName,
      application_name: input.applicationName,
      worker_id: input.workerId,
      shard_id: input.shardId,
      epoch: String(input.epoch),
      position: positionToWire(input.position),
    };
    await this.#unary<wire.CheckpointResponse__Output>((stub, o, cb) => stub.Checkpoint(request, o, cb));
  }

  /** Moves the application's checkpoints; ResourceInUseException while workers hold leases, unless `force`. */
  async resetApplication(input: ResetApplicationInput): Promise<void> {
    const request: wire.ResetApplicationRequest = {
      stream_name: input.streamName,
      application_name: input.applicationName,
      position: positionToWire(input.position),
      shard_id: input.shardId ?? "",
      force: input.force ?? false,
    };
    await this.#unary<wire.ResetApplicationResponse__Output>((stub, o, cb) => stub.ResetApplication(request, o, cb));
  }

  /**
   * Creates a principal (needs admin on "*"); the answer holds its secret access key, which is shown
   * this once: it is not stored anywhere and cannot be listed.
   */
  async createPrincipal(input: { name: string }): Promise<PrincipalInfo & { secretAccessKey: string }> {
    const response = await this.#unary<wire.CreatePrincipalResponse__Output>((stub, o, cb) =>
      stub.CreatePrincipal({ name: input.name }, o, cb),
    );
    return { ...principalFromWire(response.principal), secretAccessKey: response.secret_access_key };
  }

  async deletePrincipal(input: { name: string }): Promise<void> {
    await this.#unary<wire.DeletePrincipalResponse__Output>((stub, o, cb) =>
      stub.DeletePrincipal({ name: input.name }, o, cb),
    );
  }

  async listPrincipals(): Promise<PrincipalInfo[]> {
    const response = await this.#unary<wire.ListPrincipalsResponse__Output>((stub, o, cb) =>
      stub.ListPrincipals({}, o, cb),
    );
    return response.principals.map((p) => principalFromWire(p));
  }

  /** Adds `actions` (read, write, consume, admin) on `resource` (a stream, a prefix `orders-*`, or `*`). */
  async grantPermission(input: { name: string; resource: string; actions: readonly string[] }): Promise<PrincipalInfo> {
    const response = await this.#unary<wire.GrantPermissionResponse__Output>((stub, o, cb) =>
      stub.GrantPermission({ name: input.name, resource: input.resource, actions: [...input.actions] }, o, cb),
    );
    return principalFromWire(response.principal);
  }

  /** Removes `actions` from the resource's grant; without actions, the whole grant. */
  async revokePermission(input: {
    name: string;
    resource: string;
    actions?: readonly string[];
  }): Promise<PrincipalInfo> {
    const response = await this.#unary<wire.RevokePermissionResponse__Output>((stub, o, cb) =>
      stub.RevokePermission({ name: input.name, resource: input.resource, actions: [...(input.actions ?? [])] }, o, cb),
    );
    return principalFromWire(response.principal);
  }

  /**
   * The stream's shards, hash key ranges and leaders from the route cache, loaded (and waited for) when
   * the cache has none; unlike the calls that route, a load that fails is thrown. Without routing it is
   * loaded every time and not cached.
   */
  async streamRoute(streamName: string): Promise<StreamRoute> {
    if (this.#closed) throw new KinesisError("ServiceUnavailableException", "the client is closed");
    return (await this.#route(streamName)) ?? (await this.#loadRoute(streamName));
  }

  /**
   * The stream's shard map as the brokers have it now (after a reshard, say), not from the cache; the
   * cache is refreshed too.
   */
  async loadStreamRoute(streamName: string): Promise<StreamRoute> {
    if (this.#closed) throw new KinesisError("ServiceUnavailableException", "the client is closed");
    this.#routes.refresh(streamName);
    return this.#loadRoute(streamName);
  }

  /** The stream's routes as the cache holds them now; loads nothing. */
  peekStreamRoute(streamName: string): StreamRoute | undefined {
    return this.#routes.peek(streamName);
  }

  /** An iterator for `getRecords`; it expires after 5 minutes. Asked of the shard's leader (with routing). */
  async getShardIterator(input: GetShardIteratorInput): Promise<string> {
    const deadlineAtMs = Date.now() + this.deadlineMs;
    const request: wire.GetShardIteratorRequest = {
      stream_name: input.streamName,
      shard_id: input.shardId,
      shard_iterator_type: input.shardIteratorType,
      starting_sequence_number: input.startingSequenceNumber,
      timestamp: input.timestamp === undefined ? undefined : timestampToWire(input.timestamp, "timestamp"),
    };
    const leader = await this.#shardLeader(input.streamName, input.shardId);
    const { response } = await this.#routedUnary<wire.GetShardIteratorResponse__Output>(
      input.streamName,
      leader,
      (stub, o, cb) => stub.GetShardIterator(request, o, cb),
      deadlineAtMs,
      "read",
    );
    if (this.routing && response.shard_iterator !== "") {
      this.#iteratorRoutes.set(response.shard_iterator, { streamName: input.streamName, shardId: input.shardId });
    }
    return response.shard_iterator;
  }

  /** Sent to the leader of the iterator's shard when this client handed the iterator out (with routing). */
  async getRecords(input: GetRecordsInput): Promise<GetRecordsOutput> {
    const deadlineAtMs = Date.now() + this.deadlineMs;
    const request: wire.GetRecordsRequest = { shard_iterator: input.shardIterator, limit: input.limit };
    const start: StartUnary<wire.GetRecordsResponse__Output> = (stub, o, cb) => stub.GetRecords(request, o, cb);
    const known = this.routing ? this.#iteratorRoutes.get(input.shardIterator) : undefined;
    if (known === undefined) return getRecordsFromWire(await this.#viaEndpoint(start, deadlineAtMs));
    const leader = await this.#shardLeader(known.streamName, known.shardId);
    const { response } = await this.#routedUnary(known.streamName, leader, start, deadlineAtMs, "read");
    const output = getRecordsFromWire(response);
    // The next iterator takes this one's place (an iterator is normally used once).
    this.#iteratorRoutes.delete(input.shardIterator);
    if (output.nextShardIterator !== undefined) this.#iteratorRoutes.set(output.nextShardIterator, known);
    return output;
  }

  /**
   * Every record committed to the shard from the starting position on, pushed as it is committed.
   * The call starts with the first `next()`. Leaving the loop (break, return, throw) or aborting
   * `input.signal` cancels it; after an abort the iteration ends without an error. A failure of the
   * call is thrown from the iteration as a KinesisError.
   *
   * With routing it goes to the shard's leader. If that broker is down or not the leader before the first
   * event, the call is made once more through an endpoint; after an event, failures are thrown.
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
    const leader = await this.#shardLeader(input.streamName, input.shardId);
    if (leader === undefined || this.#isDown(leader)) {
      if (leader !== undefined) this.#routes.refresh(input.streamName);
      yield* this.#subscribeAt(this.#endpointAddress(), request, signal);
      return;
    }
    let received = false;
    try {
      for await (const event of this.#subscribeAt(leader, request, signal)) {
        received = true;
        yield event;
      }
      return;
    } catch (err) {
      const failure = toKinesisError(err);
      if (!this.#noteRoutedFailure(input.streamName, leader, failure, "read") || received) throw failure;
    }
    try {
      yield* this.#subscribeAt(this.#endpointAddress(), request, signal);
    } finally {
      this.#routes.refresh(input.streamName);
    }
  }

  async *#subscribeAt(
    address: string,
    request: wire.SubscribeToShardRequest,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<SubscribeEvent, void, undefined> {
    if (signal?.aborted) return;
    const channel = this.#channels.acquire(address);
    try {
      let call: grpc.ClientReadableStream<wire.SubscribeToShardEvent__Output>;
      try {
        call = channel.stub.SubscribeToShard(request);
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
    } finally {
      this.#channels.release(channel);
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
      (stub, o, cb) => stub.DescribeStreamSummary(request, o, cb),
      deadlineMs,
    );
    return streamDescriptionSummaryFromWire(response);
  }

  /** A call that is not about one shard: through an endpoint. */
  #unary<Response>(start: StartUnary<Response>, deadlineMs: number = this.deadlineMs): Promise<Response> {
    return this.#viaEndpoint(start, Date.now() + deadlineMs);
  }

  /** One attempt of a unary call on the channel to `address`. */
  #unaryAt<Response>(address: string, start: StartUnary<Response>, deadlineAtMs: number): Promise<Response> {
    const channel = this.#channels.acquire(address);
    return new Promise<Response>((resolve, reject) => {
      const callback = (err: grpc.ServiceError | null, response?: Response): void => {
        if (err !== null) reject(toKinesisError(err));
        else if (response === undefined) reject(new KinesisError("InternalFailure", "the broker sent no response"));
        else resolve(response);
      };
      try {
        start(channel.stub, { deadline: deadlineAtMs }, callback);
      } catch (err) {
        // grpc-js throws at once on a closed channel or a request it cannot serialize.
        reject(toKinesisError(err));
      }
    }).finally(() => this.#channels.release(channel));
  }

  /**
   * A call through the current endpoint. A call that reached no broker (grpc-js had no connection for
   * it) is safe to send again whatever it does, so it moves on to the next endpoint, each tried once.
   */
  async #viaEndpoint<Response>(start: StartUnary<Response>, deadlineAtMs: number): Promise<Response> {
    let failure: KinesisError | undefined;
    for (let attempt = 0; attempt < this.endpoints.length; attempt++) {
      const address = this.#endpointAddress();
      try {
        return await this.#unaryAt(address, start, deadlineAtMs);
      } catch (err) {
        failure = toKinesisError(err);
        if (this.#closed || !isUnreached(failure)) throw failure;
        this.#markDown(address);
      }
    }
    throw failure!;
  }

  /**
   * A call for a shard of `streamName`, sent to `leader` (the shard's leader as the route cache has it);
   * through an endpoint when the leader is not known or was just found down. Sent again once through an
   * endpoint, which forwards it to the right leader, after the failures `resend` allows; the stream's
   * routes are then dropped and reloaded in the background.
   */
  async #routedUnary<Response>(
    streamName: string,
    leader: string | undefined,
    start: StartUnary<Response>,
    deadlineAtMs: number,
    resend: Resend,
  ): Promise<{ response: Response; resent: boolean }> {
    if (leader === undefined || this.#isDown(leader)) {
      if (leader !== undefined) this.#routes.refresh(streamName);
      return { response: await this.#viaEndpoint(start, deadlineAtMs), resent: true };
    }
    try {
      return { response: await this.#unaryAt(leader, start, deadlineAtMs), resent: false };
    } catch (err) {
      const failure = toKinesisError(err);
      if (!this.#noteRoutedFailure(streamName, leader, failure, resend)) throw failure;
    }
    try {
      return { response: await this.#viaEndpoint(start, deadlineAtMs), resent: true };
    } finally {
      this.#routes.refresh(streamName);
    }
  }

  /**
   * Takes note of what a failed call to a shard's leader says about the route (NotLeaderException or a
   * connection failure drops the stream's routes; a broker that cannot be reached is avoided for a while),
   * and whether the call is to be sent again through an endpoint.
   */
  #noteRoutedFailure(streamName: string, leader: string, failure: KinesisError, resend: Resend): boolean {
    if (this.#closed) return false;
    const notLeader = failure.name === "NotLeaderException";
    const connectionFailed = isConnectionFailure(failure);
    // A leader that let the deadline pass may be frozen (its connection stays open): avoid it for a while
    // and look for the shard's leader again, as for one that cannot be reached. The call itself is not
    // sent again: it may have been appended.
    const timedOut = isTimeout(failure);
    if (connectionFailed || timedOut) this.#markDown(leader);
    if (notLeader || connectionFailed || timedOut) this.#routes.invalidate(streamName);
    // A broker's own UNAVAILABLE (say, forwarded from a leader that died) hints the routes are stale too.
    else if (failure.code === Code.UNAVAILABLE) this.#routes.refresh(streamName);
    return notLeader || (resend === "put" ? isUnreached(failure) : connectionFailed);
  }

  /**
   * A PutRecords of entries that go to one leader (or, leader undefined, through an endpoint). Entries the
   * leader answers NotLeaderException (not appended) are sent once more through an endpoint, unless the
   * whole call already was.
   */
  async #putRecordsAt(
    streamName: string,
    leader: string | undefined,
    records: wire.PutRecordsRequestEntry[],
    deadlineAtMs: number,
    producer?: ProducerBatchId,
  ): Promise<PutRecordsOutput> {
    const request: wire.PutRecordsRequest = {
      stream_name: streamName,
      records,
      ...(producer && {
        producer_id: producer.producerId,
        producer_epoch: producer.producerEpoch,
        producer_sequence: producer.producerSequence,
        producer_shard_id: producer.shardId ?? "",
      }),
    };
    const { response, resent } = await this.#routedUnary<wire.PutRecordsResponse__Output>(
      streamName,
      leader,
      (stub, o, cb) => stub.PutRecords(request, o, cb),
      deadlineAtMs,
      "put",
    );
    const output = putRecordsFromWire(response);
    const results = [...output.records];
    // A short answer breaks the API; the missing entries are reported failed rather than left out.
    for (let p = results.length; p < records.length; p++) {
      results.push({ errorCode: "InternalFailure", errorMessage: "the broker's response has no result for the entry" });
    }
    const redirected = results.flatMap((r, p) => (r.errorCode === "NotLeaderException" ? [p] : []));
    if (producer !== undefined && redirected.length > 0 && !resent) {
      // A producer's batch is sent again only whole, under its number, by its caller: through an endpoint
      // until the routes are reloaded.
      this.#routes.invalidate(streamName);
      this.#routes.refresh(streamName);
    }
    if (resent || redirected.length === 0 || producer !== undefined) {
      if (results.length === output.records.length) return output;
      return { failedRecordCount: results.filter((r) => r.errorCode !== undefined).length, records: results };
    }
    this.#routes.invalidate(streamName);
    try {
      const again: wire.PutRecordsRequest = { stream_name: streamName, records: redirected.map((p) => records[p]!) };
      const answer = putRecordsFromWire(
        await this.#viaEndpoint<wire.PutRecordsResponse__Output>(
          (stub, o, cb) => stub.PutRecords(again, o, cb),
          deadlineAtMs,
        ),
      );
      redirected.forEach((p, i) => (results[p] = answer.records[i] ?? results[p]!));
    } catch {
      // The entries keep their NotLeaderException; as with any failed entry, the caller may put them again.
    } finally {
      this.#routes.refresh(streamName);
    }
    return { failedRecordCount: results.filter((r) => r.errorCode !== undefined).length, records: results };
  }

  /** The stream's routes, or undefined when calls for it go through an endpoint. */
  async #route(streamName: string): Promise<StreamRoute | undefined> {
    if (!this.routing || this.#closed) return undefined;
    return this.#routes.get(streamName);
  }

  async #shardLeader(streamName: string, shardId: string): Promise<string | undefined> {
    return (await this.#route(streamName))?.byShardId.get(shardId)?.leaderAddress;
  }

  /** Every shard of the stream with its leader, paging through ListShards through an endpoint. */
  async #loadRoute(streamName: string): Promise<StreamRoute> {
    const deadlineAtMs = Date.now() + this.deadlineMs;
    const shards: wire.Shard__Output[] = [];
    let request: wire.ListShardsRequest = { stream_name: streamName };
    for (let page = 0; ; page++) {
      if (page >= ROUTE_LOAD_PAGES_MAX) {
        throw new KinesisError(
          "InternalFailure",
          `ListShards(${streamName}) keeps reporting more shards after ${page} pages and ${shards.length} shards`,
        );
      }
      const pageRequest = request;
      const response = await this.#viaEndpoint<wire.ListShardsResponse__Output>(
        (stub, o, cb) => stub.ListShards(pageRequest, o, cb),
        deadlineAtMs,
      );
      shards.push(...response.shards);
      if (response.next_token === "") return streamRouteFromWire(shards, Date.now());
      request = { next_token: response.next_token };
    }
  }

  /** The endpoint calls go through: the current one, or the next that is not known to be down. */
  #endpointAddress(): string {
    const count = this.endpoints.length;
    for (let i = 0; i < count; i++) {
      const index = (this.#endpointIndex + i) % count;
      const address = this.endpoints[index]!;
      if (!this.#isDown(address)) {
        this.#endpointIndex = index;
        return address;
      }
    }
    // All seem down: try them in turn anyway, one may be back.
    this.#endpointIndex = (this.#endpointIndex + 1) % count;
    return this.endpoints[this.#endpointIndex]!;
  }

  #markDown(address: string): void {
    this.#downUntilMs.set(address, Date.now() + DOWN_ADDRESS_MS);
  }

  #isDown(address: string): boolean {
    const untilMs = this.#downUntilMs.peek(address);
    if (untilMs === undefined) return false;
    if (untilMs > Date.now()) return true;
    this.#downUntilMs.delete(address);
    return false;
  }
}

/** Any failure as a KinesisError: gRPC statuses through `fromServiceError`, anything else as InternalFailure. */
export function toKinesisError(err: unknown): KinesisError {
  if (err instanceof KinesisError) return err;
  if (isServiceError(err)) return fromServiceError(err);
  const message = err instanceof Error ? err.message : String(err);
  return new KinesisError("InternalFailure", message, { cause: err });
}

/** A principal as the broker lists it: never its secret. */
export interface PrincipalInfo {
  readonly name: string;
  readonly accessKeyId: string;
  readonly createdAt: Date;
  readonly grants: ReadonlyArray<{ readonly resource: string; readonly actions: readonly string[] }>;
}

function principalFromWire(p: wire.Principal__Output | null | undefined): PrincipalInfo {
  return {
    name: p?.name ?? "",
    accessKeyId: p?.access_key_id ?? "",
    createdAt: new Date(Number(p?.created_at_ms ?? 0)),
    grants: (p?.grants ?? []).map((g) => ({ resource: g.resource, actions: [...g.actions] })),
  };
}
