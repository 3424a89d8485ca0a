import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import {
  applyCommand,
  decodeCommand,
  downTooLong,
  parentsOf,
  encodeCommand,
  invalidArgument,
  KinesisError,
  resourceNotFound,
  secretMatches,
  serviceUnavailable,
  sha256Hex,
  type ControllerCommand,
  type ControllerState,
  type ReplicatedShard,
  type Shard,
} from "@eddy/core";
import type * as api from "@eddy/api";
import {
  ACCESS_KEY_ID_METADATA_KEY,
  SECRET_ACCESS_KEY_METADATA_KEY,
  credentialsInterceptor,
  fromServiceError,
  grpc,
  GRPC_CHANNEL_OPTIONS,
  loadClusterService,
  loadStreamsService,
  toServiceError,
} from "@eddy/api";
import { ConfChangeType, type RaftConfig } from "@eddy/raft";
import type { Store } from "@eddy/storage";
import type { BrokerConfig } from "../config.js";
import type { BrokerProbe } from "../metrics.js";
import { PeerTransport } from "../peer/index.js";
import { HOPS_MAX, hopsMetadata, hopsOf as hopsOfCall } from "./forward.js";
import type { ShardLog } from "../shard-log.js";
import { CONTROLLER_GROUP_ID, ControllerNode } from "./controller-node.js";
import { isCaughtUp, ShardReplicas } from "./replicas.js";
import { brokerCertificateRefusal, type CertificateRefusal, type GrpcTls } from "../tls.js";

/** How often the controller leader checks liveness and repairs, and leaders step their groups' membership. */
const DUTY_INTERVAL_MS = 250;
/** Controller voters the cluster keeps when it has enough brokers (a majority survives one loss). */
const CONTROLLER_VOTERS = 3;
/** Keepalive frames a peer sends within the silence after which it is suspected. */
const KEEPALIVES_PER_SILENCE = 3;
/** While waiting for a shard's leader, how often the route is looked at again (a peer may reconnect). */
const ROUTE_RECHECK_MS = 100;
/** Forwarding channels retry connecting quickly: a broker that restarts is back within a second or two. */
const FORWARD_CHANNEL_OPTIONS = {
  ...GRPC_CHANNEL_OPTIONS,
  "grpc.initial_reconnect_backoff_ms": 100,
  "grpc.max_reconnect_backoff_ms": 1_000,
} as const;
/** How long a stopping broker waits for the groups it leads to take a new leader. */
const LEADERSHIP_HANDOVER_MS = 1_000;
/** Deadline of one broker-to-broker call. */
const PEER_CALL_TIMEOUT_MS = 10_000;
/** Records one ReadReplica call returns at most. */
const READ_REPLICA_LIMIT_MAX = 10_000;
const READ_REPLICA_BYTES_MAX = 8 * 1024 * 1024;

export type Route =
  | { readonly kind: "local"; readonly log: ShardLog }
  | { readonly kind: "remote"; readonly brokerId: string; readonly address: string };

type StreamsClient = api.StreamsClient;
type ClusterClient = api.ClusterClient;

/**
 * This broker's place in the cluster: the peer transport, its replica of the controller, the shard
 * replicas placed on it, and the routes to the leaders it does not host. It registers the broker with
 * the controller, and while this broker leads the controller it does the controller's duties: marks
 * brokers down and up, rebuilds the replicas of brokers down past `replaceAfterMs`, keeps the
 * controller's own voters at three, and finishes stream deletions.
 */
export class ClusterNode {
  readonly transport: PeerTransport;
  readonly replicas: ShardReplicas;
  private controllerNode: ControllerNode | undefined;
  private advertised: string;
  private readonly lastSeenMs = new Map<string, number>();
  private wasLeader = false;
  private dutyBusy = false;
  private registering = false;
  /** Reshard parents being sealed here, as "stream/shardId". */
  private readonly sealing = new Set<string>();
  private shardsByGroup = new Map<number, ReplicatedShard>();
  private readonly streamsClients = new Map<string, StreamsClient>();
  private readonly clusterClients = new Map<string, ClusterClient>();
  private openWaiters: Array<() => void> = [];
  private tickTimer: NodeJS.Timeout | undefined;
  private dutyTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly config: BrokerConfig,
    private readonly store: Store,
    private readonly probe: BrokerProbe,
    private readonly logger: Logger,
    /** The gRPC port's TLS: brokers dial each other with it, and only brokers may call the cluster service. */
    private readonly tls?: GrpcTls,
  ) {
    this.advertised = config.advertiseAddress ?? `${config.host}:${config.grpcPort}`;
    const peers = new Map([...config.peers].filter(([id]) => id !== config.brokerId));
    this.transport = new PeerTransport({
      selfId: config.brokerId,
      clusterId: config.clusterId,
      peers,
      onMessage: (from, groupId, message) => {
        if (groupId === CONTROLLER_GROUP_ID) this.controllerNode?.step(message);
        else this.replicas.step(groupId, message);
      },
      onEvent: (event) => {
        const fields = { peer: event.peerId, event: event.kind, reason: "reason" in event ? event.reason : undefined };
        if (event.kind === "refused" && event.cause === "certificate") {
          logger.warn(fields, "peer stream refused: no broker certificate of the cluster CA");
        } else {
          logger.info(fields, "peer");
        }
      },
      ...(tls
        ? {
            credentials: tls.channel,
            authorize: (call) => {
              const refusal = brokerCertificateRefusal(call.getAuthContext());
              if (refusal !== undefined) probe.clusterCallRefused("Exchange", refusal.code);
              return refusal;
            },
          }
        : {}),
    });
    this.replicas = new ShardReplicas(store, config, probe, logger, {
      selfId: config.brokerId,
      // Idle shard groups go quiet; the transport's keepalives stand in for their heartbeats.
      raft: { ...this.raftConfig(), quiesce: true },
      send: (groupId, message) => this.transport.send(message.to, groupId, message),
      isConnected: (id) => this.isConnected(id),
      opened: () => this.wakeOpenWaiters(),
    });
  }

  /** Opens the controller replica; the shard replicas open as its state is applied. */
  async open(): Promise<void> {
    const voters = this.config.peers.size > 0 ? [...this.config.peers.keys()] : [this.config.brokerId];
    const log = await this.store.group(CONTROLLER_GROUP_ID);
    this.controllerNode = await ControllerNode.open(
      log,
      {
        selfId: this.config.brokerId,
        bootstrapVoters: voters,
        // Quiet when idle too: the controller changes with streams and brokers, not with records.
        config: { ...this.raftConfig(), quiesce: true },
        sync: this.config.fsync === "always",
        applyTimeoutMs: this.config.leaderWaitMs * 2,
        snapshotEveryEntries: this.config.controllerSnapshotEntries,
      },
      {
        send: (message) => this.transport.send(message.to, CONTROLLER_GROUP_ID, message),
        failed: (error) => {
          this.logger.fatal({ err: error }, "controller log failed; stopping");
          process.exit(70);
        },
        changed: (state) => this.stateChanged(state),
        roleChanged: (soft) => {
          this.probe.roleChanged("", "controller", soft.role);
          this.logger.info({ role: soft.role, leader: soft.leaderId }, "controller role changed");
        },
        snapshot: (event) => {
          if (event.kind === "too-large") {
            this.logger.warn(event, "controller state too large to snapshot; its log is not compacted");
          } else {
            this.logger.info(event, `controller snapshot ${event.kind}`);
          }
        },
      },
    );
  }

  get controller(): ControllerNode {
    if (!this.controllerNode) throw serviceUnavailable("The controller is not open yet.");
    return this.controllerNode;
  }

  get state(): ControllerState {
    return this.controller.state;
  }

  get selfId(): string {
    return this.config.brokerId;
  }

  /** Where peers and clients reach this broker's gRPC port. */
  get advertisedAddress(): string {
    return this.advertised;
  }

  /** The address the broker listens on is known once its port is bound. */
  setAdvertisedAddress(address: string): void {
    this.advertised = this.config.advertiseAddress ?? address;
  }

  /**
   * The Cluster service is for the cluster's brokers only. With TLS, a call from a connection without a
   * broker certificate of the cluster CA is refused (and logged and counted); with authentication, a
   * call without the root credentials (which every broker has), so that a client cannot propose
   * controller commands itself. Undefined lets the call through.
   */
  private refuseCaller(
    call: string,
    caller: Pick<grpc.ServerUnaryCall<unknown, unknown>, "getAuthContext" | "getPeer" | "metadata">,
  ): Partial<grpc.StatusObject> | undefined {
    if (this.tls !== undefined) {
      const refusal: CertificateRefusal | undefined = brokerCertificateRefusal(caller.getAuthContext());
      if (refusal !== undefined) {
        this.probe.clusterCallRefused(call, refusal.code);
        this.logger.warn({ call, peer: caller.getPeer(), reason: refusal.reason }, "cluster call refused");
        return { code: grpc.status[refusal.code], details: `${call} refused: ${refusal.reason}` };
      }
    }
    const credentials = this.internalCredentials;
    if (credentials === undefined) return undefined;
    const id = caller.metadata.get(ACCESS_KEY_ID_METADATA_KEY)[0];
    const secret = caller.metadata.get(SECRET_ACCESS_KEY_METADATA_KEY)[0];
    if (
      id === credentials.accessKeyId &&
      typeof secret === "string" &&
      secretMatches(secret, sha256Hex(credentials.secretAccessKey))
    ) {
      return undefined;
    }
    return toServiceError(
      new KinesisError("AccessDeniedException", "The Cluster service takes calls from the cluster's brokers only."),
    );
  }

  addToServer(server: grpc.Server): void {
    this.transport.addToServer(server);
    server.addService(loadClusterService().service, {
      ProposeCommand: (
        call: grpc.ServerUnaryCall<api.ProposeCommandRequest__Output, api.ProposeCommandResponse>,
        callback: grpc.sendUnaryData<api.ProposeCommandResponse>,
      ) => {
        const refused = this.refuseCaller("ProposeCommand", call);
        if (refused) return callback(refused);
        this.proposeFromPeer(call.request, hopsOfCall(call.metadata)).then(
          (index) => callback(null, { index: String(index) }),
          (error: unknown) => callback(toServiceError(error)),
        );
      },
      ReadIndex: (
        call: grpc.ServerUnaryCall<api.ReadIndexRequest__Output, api.ReadIndexResponse>,
        callback: grpc.sendUnaryData<api.ReadIndexResponse>,
      ) => {
        const refused = this.refuseCaller("ReadIndex", call);
        if (refused) return callback(refused);
        this.controller.readIndex().then(
          (index) => callback(null, { commit_index: String(index) }),
          (error: unknown) => callback(toServiceError(error)),
        );
      },
      ReadReplica: (
        call: grpc.ServerUnaryCall<api.ReadReplicaRequest__Output, api.ReadReplicaResponse>,
        callback: grpc.sendUnaryData<api.ReadReplicaResponse>,
      ) => {
        const refused = this.refuseCaller("ReadReplica", call);
        if (refused) return callback(refused);
        this.readReplica(call.request).then(
          (response) => callback(null, response),
          (error: unknown) => callback(toServiceError(error)),
        );
      },
    } satisfies api.ClusterHandlers);
  }

  /** Starts the Raft ticker and the periodic duties. */
  start(): void {
    // A peer is suspected after an election timeout of silence; keepalives go KEEPALIVES_PER_SILENCE times
    // as often, so a pause of a few of them (GC, a busy moment) is not taken for death.
    const silentMs = this.config.electionTimeoutTicks * this.config.raftTickMs;
    const keepaliveMs = Math.max(
      this.config.heartbeatIntervalTicks * this.config.raftTickMs,
      Math.floor(silentMs / KEEPALIVES_PER_SILENCE),
    );
    this.tickTimer = setInterval(() => {
      const nowMs = Date.now();
      this.transport.keepalive(nowMs, keepaliveMs);
      this.controllerNode?.tick();
      this.replicas.tickAll();
      const silent = new Set<string>();
      for (const id of this.controllerNode?.state.brokers.keys() ?? []) {
        if (id !== this.config.brokerId && nowMs - this.transport.lastHeardMs(id) > silentMs) silent.add(id);
      }
      this.controllerNode?.wakeIfLeaderSilent((id) => silent.has(id));
      this.replicas.wakeFollowersOf(silent);
    }, this.config.raftTickMs);
    this.tickTimer.unref();
    this.dutyTimer = setInterval(() => this.duties(), DUTY_INTERVAL_MS);
    this.dutyTimer.unref();
    // With nothing to replay, the state is already current: open what it places here.
    if (this.controller.replayed) void this.replicas.reconcile(this.state);
  }

  async stop(reason: KinesisError): Promise<void> {
    this.stopped = true;
    clearInterval(this.tickTimer);
    clearInterval(this.dutyTimer);
    // Hand over what this broker leads, so writers see a new leader at once rather than after a timeout.
    await this.replicas.transferAllLeadership((id) => this.isConnected(id), LEADERSHIP_HANDOVER_MS);
    await this.replicas.drainAll(reason);
    await this.controllerNode?.stop();
    this.transport.close();
    for (const client of [...this.streamsClients.values(), ...this.clusterClients.values()]) client.close();
  }

  isConnected(brokerId: string): boolean {
    return brokerId === this.config.brokerId || this.transport.isConnected(brokerId);
  }

  /** The gRPC address of a broker, from the controller's state or the configured peers. */
  addressOf(brokerId: string): string | undefined {
    if (brokerId === this.config.brokerId) return this.advertisedAddress;
    return this.controllerNode?.state.brokers.get(brokerId)?.address ?? this.config.peers.get(brokerId);
  }

  // ---- controller commands ----

  /**
   * Applies `command` through the controller and returns its result (a KinesisError result is thrown).
   * From a broker that does not lead, the command goes to the leader, and the result is read from this
   * broker's own replica once it has applied the command's index. Retried only where it surely was not
   * proposed (no leader, or NotLeader), so a command is never applied twice by a retry.
   */
  async submit(command: ControllerCommand): Promise<unknown> {
    return this.untilController(
      async (attempt) => {
        const controller = this.controller;
        let index: number;
        if (controller.isLeader()) {
          index = await controller.proposeLocal(command);
        } else {
          // Not knowing the leader (a broker joining, not yet a member), ask a configured peer: it forwards.
          const leaderId = controller.leaderId();
          const address = (leaderId === "" ? undefined : this.addressOf(leaderId)) ?? this.somePeerAddress(attempt);
          if (address === undefined) throw new KinesisError("NotLeaderException", "The controller has no leader yet.");
          index = await this.proposeRemote(address, command, 0);
          await controller.waitApplied(index);
        }
        const result = controller.resultAt(index);
        if (result instanceof KinesisError) throw result;
        return result;
      },
      (error) => error.name === "NotLeaderException",
    );
  }

  /**
   * Runs `run` until it succeeds, retrying the failures `retriable` allows for up to `leaderWaitMs` (the
   * controller electing a leader); then a missing leader is ServiceUnavailable.
   */
  private async untilController<T>(
    run: (attempt: number) => Promise<T>,
    retriable: (error: KinesisError) => boolean,
  ): Promise<T> {
    const deadlineMs = Date.now() + this.config.leaderWaitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await run(attempt);
      } catch (error) {
        const retry = error instanceof KinesisError && retriable(error) && Date.now() < deadlineMs;
        if (!retry) throw error instanceof KinesisError && error.name === "NotLeaderException" ? noController() : error;
        await delay(this.config.raftTickMs);
      }
    }
  }

  /** A configured peer other than this broker, in turn by `attempt`. */
  private somePeerAddress(attempt: number): string | undefined {
    const peers = [...this.config.peers].filter(([id]) => id !== this.config.brokerId);
    return peers[attempt % Math.max(1, peers.length)]?.[1];
  }

  /**
   * Waits until this broker's controller replica has applied everything the controller's leader had
   * committed when asked (Raft's read index), so that a metadata read here sees every change that returned,
   * wherever it was made. Waits up to `leaderWaitMs` for a leader.
   */
  async freshState(): Promise<ControllerState> {
    return this.untilController(
      async () => {
        const controller = this.controller;
        let index: number;
        if (controller.isLeader()) {
          index = await controller.readIndex();
        } else {
          const leaderId = controller.leaderId();
          const address = leaderId === "" ? undefined : this.addressOf(leaderId);
          if (address === undefined) throw new KinesisError("NotLeaderException", "The controller has no leader yet.");
          index = await this.readIndexAt(address);
        }
        await controller.waitApplied(index);
        return controller.state;
      },
      (error) => error.retriable,
    );
  }

  private readIndexAt(address: string): Promise<number> {
    const client = this.clusterClient(address);
    return new Promise((resolve, reject) => {
      client.ReadIndex({}, { deadline: Date.now() + PEER_CALL_TIMEOUT_MS }, (error, response) => {
        if (error) reject(fromServiceError(error));
        else resolve(Number(response!.commit_index));
      });
    });
  }

  private proposeRemote(address: string, command: ControllerCommand, hops: number): Promise<number> {
    const client = this.clusterClient(address);
    return new Promise((resolve, reject) => {
      client.ProposeCommand(
        { command: Buffer.from(encodeCommand(command)) },
        hopsMetadata(hops + 1),
        { deadline: Date.now() + PEER_CALL_TIMEOUT_MS },
        (error, response) => {
          if (error) reject(fromServiceError(error));
          else resolve(Number(response!.index));
        },
      );
    });
  }

  private async proposeFromPeer(request: api.ProposeCommandRequest__Output, hops: number): Promise<number> {
    let command: ControllerCommand;
    try {
      command = decodeCommand(request.command);
    } catch (error) {
      throw invalidArgument(`Command does not decode: ${error instanceof Error ? error.message : String(error)}`);
    }
    const controller = this.controller;
    if (controller.isLeader() || hops >= HOPS_MAX) return controller.proposeLocal(command);
    // From a broker that does not know the leader: pass it on, once.
    const leaderId = controller.leaderId();
    const address = leaderId === "" || leaderId === this.config.brokerId ? undefined : this.addressOf(leaderId);
    if (address === undefined) return controller.proposeLocal(command);
    return this.proposeRemote(address, command, hops);
  }

  // ---- routing ----

  /**
   * Where a call for `shard` is served: here when this broker leads the shard, else at its leader, or
   * (on a broker without a replica) at a replica, which forwards on. Waits up to `leaderWaitMs` for a
   * leader to be elected.
   */
  async route(shard: Shard): Promise<Route> {
    const deadlineMs = Date.now() + this.config.leaderWaitMs;
    for (;;) {
      const placed = this.shardsByGroup.get(shard.groupId);
      const log = this.replicas.find(shard);
      const leftMs = deadlineMs - Date.now();
      if (log) {
        const { role, leaderId } = log.roleState();
        if (role === "leader") return { kind: "local", log };
        // A leader whose broker this one has no peer stream to is most likely dead: wait for the election
        // rather than forward into a refused connection.
        const address =
          leaderId === "" || leaderId === this.config.brokerId || !this.isConnected(leaderId)
            ? undefined
            : this.addressOf(leaderId);
        if (address !== undefined) return { kind: "remote", brokerId: leaderId, address };
        if (leftMs <= 0) throw noLeader(shard);
        await log.roleChange(Math.min(leftMs, ROUTE_RECHECK_MS));
      } else if (placed?.replicas.includes(this.config.brokerId)) {
        // Placed here and being opened.
        if (leftMs <= 0) throw noLeader(shard);
        await this.replicaOpened(leftMs);
      } else {
        const replicas = placed?.replicas ?? [];
        // Only through a connected replica: a forward waits for its channel, so it must not aim at the dead.
        const target = replicas.find((id) => id !== this.config.brokerId && this.isConnected(id));
        const address = target === undefined ? undefined : this.addressOf(target);
        if (target === undefined || address === undefined) throw noLeader(shard);
        return { kind: "remote", brokerId: target, address };
      }
    }
  }

  /** A replica of the shard on this broker, any role (subscriptions may read a follower's committed log). */
  localReplica(shard: Shard): ShardLog | undefined {
    return this.replicas.find(shard);
  }

  /** The replicas the controller placed for a shard. */
  placement(shard: Shard): readonly string[] {
    return this.shardsByGroup.get(shard.groupId)?.replicas ?? [];
  }

  /**
   * The root credentials, when the cluster runs with authentication: calls this broker makes to a
   * Streams service (forwards, and the Kinesis endpoint's loopback subscription) carry them, since the
   * front broker already authorized the caller. Set before the broker serves.
   */
  internalCredentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;

  streamsClient(address: string): StreamsClient {
    let client = this.streamsClients.get(address);
    if (!client) {
      const { Client } = loadStreamsService();
      client = new Client(address, this.channelCredentials(), this.internalChannelOptions());
      this.streamsClients.set(address, client);
    }
    return client;
  }

  /** Channels to other brokers carry the root credentials when the cluster authenticates. */
  private internalChannelOptions() {
    const credentials = this.internalCredentials;
    return {
      ...FORWARD_CHANNEL_OPTIONS,
      ...(credentials
        ? { interceptors: [credentialsInterceptor(credentials.accessKeyId, credentials.secretAccessKey)] }
        : {}),
    };
  }

  private clusterClient(address: string): ClusterClient {
    let client = this.clusterClients.get(address);
    if (!client) {
      const { Client } = loadClusterService();
      client = new Client(address, this.channelCredentials(), this.internalChannelOptions());
      this.clusterClients.set(address, client);
    }
    return client;
  }

  /** How this broker dials its peers: TLS presenting its own certificate when it has one. */
  private channelCredentials(): grpc.ChannelCredentials {
    return this.tls?.channel ?? grpc.credentials.createInsecure();
  }

  private replicaOpened(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(wake, timeoutMs);
      function wake(): void {
        clearTimeout(timer);
        resolve();
      }
      this.openWaiters.push(wake);
    });
  }

  private wakeOpenWaiters(): void {
    const waiters = this.openWaiters;
    this.openWaiters = [];
    for (const wake of waiters) wake();
  }

  // ---- replica reads (checkers, tools) ----

  private async readReplica(request: api.ReadReplicaRequest__Output): Promise<api.ReadReplicaResponse> {
    const stream = this.state.streams.get(request.stream_name);
    if (!stream) throw resourceNotFound(`Stream ${request.stream_name} not found.`);
    const shard = stream.shards.find((s) => s.shardId === request.shard_id);
    if (!shard) throw resourceNotFound(`Shard ${request.shard_id} in stream ${request.stream_name} not found.`);
    const log = this.replicas.find(shard);
    if (!log) throw resourceNotFound(`Broker ${this.config.brokerId} holds no replica of ${shard.shardId}.`);
    const limit = request.limit || 1000;
    if (limit > READ_REPLICA_LIMIT_MAX)
      throw invalidArgument(`Limit must be at most ${READ_REPLICA_LIMIT_MAX}, got ${limit}.`);
    const fromIndex = Number(request.from_index);
    const from = fromIndex === 0 ? log.trimHorizon() : { index: fromIndex, offset: request.from_offset };
    const read = await log.read(from, limit, READ_REPLICA_BYTES_MAX, Date.now());
    const { role, leaderId } = log.roleState();
    return {
      records: read.records.map((r) => ({
        sequence_number: r.sequenceNumber.toString(),
        partition_key: r.partitionKey,
        data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength),
        approximate_arrival_timestamp_ms: String(r.arrivalTimestampMs),
      })),
      next_index: String(read.next.index),
      next_offset: read.next.offset,
      commit_index: String(log.lastCommittedIndex()),
      role,
      leader_id: leaderId,
    };
  }

  // ---- state changes and duties ----

  private stateChanged(state: ControllerState): void {
    const shards = new Map<number, ReplicatedShard>();
    for (const stream of state.streams.values()) for (const shard of stream.shards) shards.set(shard.groupId, shard);
    this.shardsByGroup = shards;
    for (const broker of state.brokers.values()) {
      if (broker.id !== this.config.brokerId) this.transport.addPeer(broker.id, broker.address);
    }
    // Intermediate states of the replay after a restart are history: placing replicas by them would open
    // and drop replicas for nothing. The replay's last batch calls here again.
    if (this.controllerNode?.replayed !== false) void this.replicas.reconcile(state);
  }

  private duties(): void {
    if (this.stopped || !this.controllerNode) return;
    this.register();
    this.replicas.manageMembership();
    this.sealReshardParents(this.controllerNode.state);
    const controller = this.controllerNode;
    if (!controller.isLeader()) {
      this.wasLeader = false;
      return;
    }
    const nowMs = Date.now();
    if (!this.wasLeader) {
      // A new leader gives every broker a full grace period before judging it.
      this.wasLeader = true;
      for (const id of controller.state.brokers.keys()) this.lastSeenMs.set(id, nowMs);
    }
    if (this.dutyBusy) return;
    const command = this.nextDuty(controller, nowMs);
    if (command === undefined) return;
    this.dutyBusy = true;
    controller
      .proposeLocal(command)
      .catch((error: unknown) => this.logger.warn({ err: error, command: command.type }, "controller duty failed"))
      .finally(() => (this.dutyBusy = false));
  }

  /**
   * Every broker: seals the parents of a reshard step whose groups it leads, and tells the controller the
   * ending sequence numbers. Repeated until the controller shows each seal, so a leader change or a crash
   * on the way only delays the step.
   */
  private sealReshardParents(state: ControllerState): void {
    for (const stream of state.streams.values()) {
      const reshard = stream.reshard;
      if (!reshard || stream.status === "DELETING") continue;
      const sealed = new Set(reshard.sealed.map((s) => s.shardId));
      for (const shardId of parentsOf(reshard.ops)) {
        const key = `${stream.streamName}/${shardId}`;
        if (sealed.has(shardId) || this.sealing.has(key)) continue;
        const shard = stream.shards.find((s) => s.shardId === shardId);
        const log = shard && this.replicas.find(shard);
        if (!log || log.roleState().role !== "leader") continue;
        this.sealing.add(key);
        this.logger.debug({ stream: stream.streamName, shard: shardId }, "reshard: sealing parent");
        log
          .seal()
          .then((ending) =>
            this.submit({
              type: "ShardSealed",
              streamName: stream.streamName,
              shardId,
              endingSequenceNumber: ending.toString(),
              nowMs: Date.now(),
            }),
          )
          .then(() => this.logger.info({ stream: stream.streamName, shard: shardId }, "reshard: parent sealed"))
          .catch((error: unknown) =>
            this.logger.warn({ err: error, stream: stream.streamName, shard: shardId }, "sealing a parent failed"),
          )
          .finally(() => this.sealing.delete(key));
      }
    }
  }

  /** The controller leader's next change, if any: one at a time, each from the latest state. */
  private nextDuty(controller: ControllerNode, nowMs: number): ControllerCommand | undefined {
    const state = controller.state;
    if (state.iteratorKeyHex === "") return { type: "InitCluster", iteratorKeyHex: randomBytes(32).toString("hex") };
    for (const broker of state.brokers.values()) {
      if (this.isConnected(broker.id)) this.lastSeenMs.set(broker.id, nowMs);
      const lastSeen = this.lastSeenMs.get(broker.id) ?? nowMs;
      if (!this.lastSeenMs.has(broker.id)) this.lastSeenMs.set(broker.id, nowMs);
      if (broker.state === "live" && nowMs - lastSeen > this.config.brokerDownAfterMs) {
        this.logger.warn({ broker: broker.id, unreachableMs: nowMs - lastSeen }, "marking broker down");
        return { type: "BrokerDown", id: broker.id, nowMs };
      }
      if (broker.state === "down" && this.isConnected(broker.id)) {
        this.logger.info({ broker: broker.id }, "broker is back");
        return { type: "BrokerUp", id: broker.id, nowMs };
      }
    }
    for (const stream of state.streams.values()) {
      if (stream.status === "DELETING")
        return { type: "StreamDeleted", streamName: stream.streamName, streamId: stream.streamId };
      const retentionMs = stream.retentionPeriodHours * 3_600_000;
      if (stream.shards.some((s) => s.closedAtMs !== undefined && s.closedAtMs + retentionMs <= nowMs)) {
        return { type: "ForgetClosedShards", nowMs };
      }
    }
    // Trying the repair (a pass over every shard) only pays when some broker has been down long enough.
    if ([...state.brokers.values()].some((b) => downTooLong(b, nowMs, this.config.replaceAfterMs))) {
      const repair: ControllerCommand = {
        type: "RepairDownBrokers",
        nowMs,
        replaceAfterMs: this.config.replaceAfterMs,
      };
      const outcome = applyCommand(state, repair).result as { moves?: unknown[] } | KinesisError;
      if (!(outcome instanceof KinesisError) && (outcome.moves?.length ?? 0) > 0) {
        this.logger.warn({ moves: outcome.moves }, "rebuilding replicas of brokers down too long");
        return repair;
      }
    }
    this.controllerMembershipStep(controller, state, nowMs);
    return undefined;
  }

  /** Keeps the controller group's membership: every broker a member, three voters, dead voters replaced. */
  private controllerMembershipStep(controller: ControllerNode, state: ControllerState, nowMs: number): void {
    const status = controller.status();
    const { voters, learners } = status.conf;
    const live = (id: string) => state.brokers.get(id)?.state === "live" && this.isConnected(id);
    const expired = (id: string) => {
      const broker = state.brokers.get(id);
      return broker !== undefined && downTooLong(broker, nowMs, this.config.replaceAfterMs);
    };
    const caughtUp = (id: string) => isCaughtUp(status, id);
    const missing = [...state.brokers.keys()].sort().find((id) => !voters.includes(id) && !learners.includes(id));
    if (missing !== undefined && live(missing)) {
      if (controller.proposeConfChange({ type: ConfChangeType.AddLearner, nodeId: missing }))
        this.logger.info({ broker: missing }, "controller: adding broker as learner");
      return;
    }
    const candidate = learners.filter((id) => live(id) && caughtUp(id)).sort()[0];
    const dead = voters.find(expired);
    if (
      candidate !== undefined &&
      (voters.length < CONTROLLER_VOTERS || (dead !== undefined && voters.length <= CONTROLLER_VOTERS))
    ) {
      if (controller.proposeConfChange({ type: ConfChangeType.PromoteLearner, nodeId: candidate }))
        this.logger.info({ broker: candidate }, "controller: promoting broker to voter");
      return;
    }
    if (dead !== undefined && voters.length > CONTROLLER_VOTERS) {
      if (controller.proposeConfChange({ type: ConfChangeType.RemoveVoter, nodeId: dead }))
        this.logger.info({ broker: dead }, "controller: removing voter down too long");
    }
  }

  /** Registers this broker (id, zone, address) until the controller's state shows it as it is. */
  private register(): void {
    if (this.registering) return;
    const known = this.controllerNode?.state.brokers.get(this.config.brokerId);
    if (known && known.zone === this.config.zone && known.address === this.advertised) return;
    this.registering = true;
    this.submit({
      type: "RegisterBroker",
      id: this.config.brokerId,
      zone: this.config.zone,
      address: this.advertised,
      nowMs: Date.now(),
    })
      .then(() =>
        this.logger.info({ zone: this.config.zone, address: this.advertised }, "registered with the controller"),
      )
      .catch((error: unknown) =>
        this.logger.debug({ err: error }, "registering with the controller failed; will retry"),
      )
      .finally(() => (this.registering = false));
  }

  private raftConfig(): Omit<RaftConfig, "id"> {
    return {
      electionTimeoutTicks: this.config.electionTimeoutTicks,
      heartbeatIntervalTicks: this.config.heartbeatIntervalTicks,
      // Per group: the decoded tail lives in the shard's TailCache already; Raft's own copy only serves
      // followers catching up, so a small bound keeps a broker with many shards within its memory.
      maxInMemoryLogBytes: 4 * 1024 * 1024,
    };
  }
}

function noLeader(shard: Shard): KinesisError {
  return serviceUnavailable(`Shard ${shard.shardId} has no leader right now (an election is under way); retry.`);
}

function noController(): KinesisError {
  return serviceUnavailable("The controller has no leader right now (an election is under way); retry.");
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
