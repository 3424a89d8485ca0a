import { createServer, type RequestListener, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { HealthImplementation } from "grpc-health-check";
import { pino, type Logger } from "pino";
import { KinesisError, serviceUnavailable, type Caller } from "@eddy/core";
import {
  ACCESS_KEY_ID_METADATA_KEY,
  GRPC_CHANNEL_OPTIONS,
  SECRET_ACCESS_KEY_METADATA_KEY,
  grpc,
  loadStreamsService,
  toServiceError,
} from "@eddy/api";
import { Store } from "@eddy/storage";
import { ClusterNode } from "./cluster/cluster-node.js";
import { hopsOf } from "./cluster/forward.js";
import { Metadata } from "./cluster/metadata.js";
import { clusterStatus } from "./cluster/status.js";
import { configProblems, exposureOf, exposureProblems, type BrokerConfig } from "./config.js";
import { BrokerProbe } from "./metrics.js";
import { ApplicationService } from "./applications-service.js";
import { AuthGate } from "./auth/gate.js";
import { PrincipalService } from "./auth/principals-service.js";
import { streamsOfGrpcRequest } from "./auth/request-streams.js";
import { readRootCredentials } from "./auth/root-credentials.js";
import { FRESH_READ_OPERATIONS } from "./fresh-reads.js";
import { KinesisOperations } from "./kinesis/operations.js";
import { KinesisHttpServer } from "./kinesis/server.js";
import { StreamAdmin } from "./stream-admin.js";
import { GrpcTls, readCertificate, watchCertificate } from "./tls.js";
import { StreamService } from "./service.js";
import { serveSubscription } from "./subscribe.js";

/** How long a single-node broker waits at start for its controller to elect itself and register it. */
const SINGLE_NODE_FORM_TIMEOUT_MS = 10_000;

/**
 * A running broker: the store, its place in the cluster (controller replica, shard replicas, peer
 * transport), the gRPC API, the admin HTTP port and the retention trimmer. `start` opens everything in
 * order; `stop` hands leadership over, drains writes and closes in reverse.
 */
export class Broker {
  private started = false;
  private retentionTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly config: BrokerConfig,
    readonly logger: Logger,
    private readonly store: Store,
    readonly cluster: ClusterNode,
    private readonly grpcServer: grpc.Server,
    private readonly health: HealthImplementation,
    private readonly adminServer: HttpServer,
    readonly grpcPort: number,
    readonly adminPort: number,
    /** The Kinesis-compatible endpoint, unless turned off. */
    readonly kinesis: KinesisHttpServer | undefined,
    /** Whether the admin port speaks TLS. */
    readonly adminTls: boolean,
    private readonly unwatchAdminCertificate: () => void,
  ) {}

  static async start(config: BrokerConfig, logger: Logger = pino({ level: config.logLevel })): Promise<Broker> {
    // Authentication is not part of this broker yet, so an exposed broker needs --insecure for now.
    const problems = [...configProblems(config), ...exposureProblems(exposureOf(config, config.authFile !== undefined))];
    if (problems.length > 0) throw new Error(`invalid broker configuration:\n  ${problems.join("\n  ")}`);
    logger = logger.child({ broker: config.brokerId });
    // Before the store opens: unreadable certificate files stop the start with nothing to close.
    const grpcTls =
      config.tlsCertFile && config.tlsKeyFile && config.tlsCaFile
        ? new GrpcTls({ certFile: config.tlsCertFile, keyFile: config.tlsKeyFile, caFile: config.tlsCaFile })
        : undefined;
    const probe = new BrokerProbe();
    // Read first: a broker told to authenticate must not serve anyone if it cannot.
    const root = config.authFile === undefined ? undefined : readRootCredentials(config.authFile);
    const store = await Store.open(config.dataDir, { writeBufferSizeBytes: config.storeWriteBufferBytes });
    const cluster = new ClusterNode(config, store, probe, logger, grpcTls);
    cluster.internalCredentials = root;
    const gate = root ? new AuthGate(root, cluster) : undefined;
    await cluster.open();
    probe.watchRaft(() =>
      [...cluster.replicas.statuses()].map(({ stream, shard, status }) => ({ stream, shard: shard.shardId, status })),
    );
    probe.watchTailCaches(() => cluster.replicas.tailCacheBudget.used);
    probe.watchStoreWrites(() => store.writes);
    const metadata = new Metadata(cluster, config);
    const service = new StreamService(config, metadata, cluster, probe);
    const applications = new ApplicationService(cluster);
    probe.watchApplications(() => applications.view(Date.now()));
    const health = new HealthImplementation({ "": "NOT_SERVING", "eddy.v1.Streams": "NOT_SERVING" });
    const grpcServer = new grpc.Server(GRPC_CHANNEL_OPTIONS);
    grpcServer.addService(
      loadStreamsService().service,
      handlers(
        service,
        applications,
        new PrincipalService(cluster, root),
        gate,
        { config, catalog: metadata, cluster, service, probe },
        probe,
        logger,
      ),
    );
    health.addToServer(grpcServer);
    cluster.addToServer(grpcServer);
    const grpcPort = await bindGrpc(
      grpcServer,
      `${config.host}:${config.grpcPort}`,
      grpcTls?.server ?? grpc.ServerCredentials.createInsecure(),
    );
    cluster.setAdvertisedAddress(`${config.host}:${grpcPort}`);
    cluster.start();
    let broker: Broker | undefined;
    const tlsFiles =
      config.tlsCertFile && config.tlsKeyFile
        ? { certFile: config.tlsCertFile, keyFile: config.tlsKeyFile }
        : undefined;
    const serveAdmin: RequestListener = (req, res) => {
      adminRoute(
        req.url ?? "/",
        probe,
        () => broker?.isReady() ?? false,
        () => clusterStatus(cluster, config),
      )
        .catch((error: unknown) => {
          logger.error({ err: error, url: req.url }, "admin request failed");
          return { status: 500, type: "text/plain", body: "internal error\n" };
        })
        .then(({ status, type, body }) => {
          res.writeHead(status, { "content-type": type });
          res.end(body);
        });
    };
    let unwatchAdminCertificate = (): void => {};
    let adminServer: HttpServer;
    if (tlsFiles) {
      const secure = createHttpsServer(readCertificate(tlsFiles), serveAdmin);
      unwatchAdminCertificate = watchCertificate(tlsFiles, (c) => secure.setSecureContext(c), logger, "admin port");
      adminServer = secure;
    } else {
      adminServer = createServer(serveAdmin);
    }
    const adminPort = await listenHttp(adminServer, config.host, config.adminPort);
    const kinesis =
      config.kinesisPort === -1
        ? undefined
        : await KinesisHttpServer.start(
            {
              host: config.host,
              port: config.kinesisPort,
              ...(tlsFiles ? { tls: tlsFiles } : {}),
            },
            new KinesisOperations({
              service,
              admin: new StreamAdmin(cluster, config),
              catalog: metadata,
              cluster,
              region: config.region,
              ...(gate ? { gate } : {}),
            }),
            logger,
          );
    broker = new Broker(
      config,
      logger,
      store,
      cluster,
      grpcServer,
      health,
      adminServer,
      grpcPort,
      adminPort,
      kinesis,
      tlsFiles !== undefined,
      unwatchAdminCertificate,
    );
    if (config.peers.size === 0) await broker.formSingleNode();
    broker.retentionTimer = setInterval(
      () => void broker!.trimRetention(metadata, probe),
      config.retentionCheckIntervalMs,
    );
    broker.retentionTimer.unref();
    broker.started = true;
    health.setStatus("", "SERVING");
    health.setStatus("eddy.v1.Streams", "SERVING");
    logger.info(
      {
        id: config.brokerId,
        zone: config.zone,
        grpc: `${config.host}:${grpcPort}`,
        admin: `${config.host}:${adminPort}`,
        adminTls: tlsFiles !== undefined,
        grpcTls: grpcTls !== undefined,
        ...(kinesis ? { kinesis: `${config.host}:${kinesis.port}`, kinesisTls: kinesis.tls } : {}),
        dataDir: config.dataDir,
        peers: Object.fromEntries(config.peers),
        authentication: gate !== undefined,
      },
      "broker started",
    );
    return broker;
  }

  /** Started, the controller has a leader that knows this broker, and every replica here has caught up. */
  isReady(): boolean {
    if (!this.started || this.stopping) return false;
    const controller = this.cluster.controller;
    return (
      controller.leaderId() !== "" &&
      controller.state.brokers.get(this.config.brokerId)?.state === "live" &&
      this.cluster.controller.replayed &&
      this.cluster.replicas.caughtUp()
    );
  }

  /** Alone, the broker forms its cluster at once: serving before that would only answer "retry". */
  private async formSingleNode(): Promise<void> {
    const deadlineMs = Date.now() + SINGLE_NODE_FORM_TIMEOUT_MS;
    const formed = () => {
      const state = this.cluster.controller.state;
      return state.iteratorKeyHex !== "" && state.brokers.has(this.config.brokerId);
    };
    while (!formed()) {
      if (Date.now() > deadlineMs)
        throw new Error(`the controller did not form within ${SINGLE_NODE_FORM_TIMEOUT_MS} ms`);
      await this.cluster.controller.waitApplied(this.cluster.controller.applied + 1).catch(() => undefined);
    }
  }

  /** Drops what is older than each stream's retention period, on every replica here (each trims its own copy). */
  private async trimRetention(metadata: Metadata, probe: BrokerProbe): Promise<void> {
    const nowMs = Date.now();
    for (const stream of metadata.list()) {
      if (stream.status === "DELETING") continue;
      const cutoffMs = nowMs - stream.retentionPeriodHours * 3_600_000;
      for (const shard of stream.shards) {
        const log = this.cluster.localReplica(shard);
        if (!log) continue;
        try {
          const trimmed = await log.trimOlderThan(cutoffMs);
          if (trimmed > 0) {
            probe.trimmed(trimmed);
            this.logger.info(
              { stream: stream.streamName, shard: shard.shardId, entries: trimmed },
              "retention trimmed",
            );
          }
        } catch (error) {
          this.logger.error({ err: error, stream: stream.streamName, shard: shard.shardId }, "retention trim failed");
        }
      }
    }
  }

  /** Stops taking work, hands leadership over, lets queued writes finish and answer, then closes. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.health.setStatus("", "NOT_SERVING");
    this.health.setStatus("eddy.v1.Streams", "NOT_SERVING");
    clearInterval(this.retentionTimer);
    this.logger.info("broker draining");
    await this.cluster.stop(serviceUnavailable("The broker is shutting down; retry against another broker."));
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.grpcServer.forceShutdown();
        resolve();
      }, this.config.drainTimeoutMs);
      this.grpcServer.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    await this.kinesis?.close();
    this.unwatchAdminCertificate();
    await new Promise<void>((resolve) => this.adminServer.close(() => resolve()));
    await this.store.close();
    this.logger.info("broker stopped");
  }
}

type Deps = Parameters<typeof serveSubscription>[1];

function handlers(
  service: StreamService,
  applications: ApplicationService,
  principals: PrincipalService,
  gate: AuthGate | undefined,
  deps: Deps,
  probe: BrokerProbe,
  logger: Logger,
): grpc.UntypedServiceImplementation {
  // With authentication on, every call is checked here, once, before its handler runs.
  const authorize = async (operation: string, call: { metadata: grpc.Metadata; request: unknown }) => {
    if (!gate) return undefined;
    const caller = await gate.authenticate(
      metadataString(call.metadata, ACCESS_KEY_ID_METADATA_KEY),
      metadataString(call.metadata, SECRET_ACCESS_KEY_METADATA_KEY),
    );
    const streams = streamsOfGrpcRequest(operation, call.request);
    for (const streamName of streams ?? [undefined]) await gate.authorize(caller, operation, streamName);
    return caller;
  };
  const unary =
    <Req, Res>(operation: string, run: (req: Req, hops: number, caller: Caller | undefined) => Res | Promise<Res>) =>
    (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
      authorize(operation, call)
        .then(async (caller) => {
          // A metadata read waits for the read index first (see FRESH_READ_OPERATIONS).
          if (FRESH_READ_OPERATIONS.has(operation)) await deps.cluster.freshState();
          return run(call.request, hopsOf(call.metadata), caller);
        })
        .then(
          (response) => callback(null, response),
          (error: unknown) => callback(failure(operation, error, probe, logger)),
        );
    };
  return {
    CreateStream: unary("CreateStream", (r) => service.createStream(r as never)),
    DeleteStream: unary("DeleteStream", (r) => service.deleteStream(r as never)),
    DescribeStream: unary("DescribeStream", (r) => service.describeStream(r as never)),
    DescribeStreamSummary: unary("DescribeStreamSummary", (r) => service.describeStreamSummary(r as never)),
    ListStreams: unary("ListStreams", (r, _hops, caller) => {
      const out = service.listStreams(r as never);
      if (!gate || !caller) return out;
      // Only the streams the caller has some action on.
      return {
        ...out,
        stream_names: (out.stream_names ?? []).filter((name) => gate.sees(caller, name)),
        stream_summaries: (out.stream_summaries ?? []).filter((s) => gate.sees(caller, s.stream_name ?? "")),
      };
    }),
    ListShards: unary("ListShards", (r) => service.listShards(r as never)),
    UpdateRetentionPeriod: unary("UpdateRetentionPeriod", (r) => service.updateRetentionPeriod(r as never)),
    UpdateStreamMode: unary("UpdateStreamMode", (r) => service.updateStreamMode(r as never)),
    SplitShard: unary("SplitShard", (r) => service.splitShard(r as never)),
    MergeShards: unary("MergeShards", (r) => service.mergeShards(r as never)),
    UpdateShardCount: unary("UpdateShardCount", (r) => service.updateShardCount(r as never)),
    PutRecord: unary("PutRecord", (r, hops) => service.putRecord(r as never, hops)),
    PutRecords: unary("PutRecords", (r, hops) => service.putRecords(r as never, hops)),
    InitProducer: unary("InitProducer", (r) => service.initProducer(r as never)),
    GetShardIterator: unary("GetShardIterator", (r, hops) => service.getShardIterator(r as never, hops)),
    GetRecords: unary("GetRecords", (r, hops) => service.getRecords(r as never, hops)),
    CreateApplication: unary("CreateApplication", (r) => applications.createApplication(r as never)),
    DeleteApplication: unary("DeleteApplication", (r) => applications.deleteApplication(r as never)),
    DescribeApplication: unary("DescribeApplication", (r) => applications.describeApplication(r as never)),
    ListApplications: unary("ListApplications", (r) => applications.listApplications(r as never)),
    WorkerHeartbeat: unary("WorkerHeartbeat", (r) => applications.workerHeartbeat(r as never)),
    Checkpoint: unary("Checkpoint", (r) => applications.checkpoint(r as never)),
    ResetApplication: unary("ResetApplication", (r) => applications.resetApplication(r as never)),
    CreatePrincipal: unary("CreatePrincipal", (r) => principals.createPrincipal(r as never)),
    DeletePrincipal: unary("DeletePrincipal", (r) => principals.deletePrincipal(r as never)),
    ListPrincipals: unary("ListPrincipals", () => principals.listPrincipals()),
    GrantPermission: unary("GrantPermission", (r) => principals.grantPermission(r as never)),
    RevokePermission: unary("RevokePermission", (r) => principals.revokePermission(r as never)),
    SubscribeToShard: ((call: Parameters<typeof serveSubscription>[0]) => {
      authorize("SubscribeToShard", call)
        .then(() => serveSubscription(call, deps, hopsOf(call.metadata)))
        .catch((error: unknown) => {
          // grpc-js ends a server stream with a status when the error is emitted on the call.
          call.emit("error", failure("SubscribeToShard", error, probe, logger));
        });
    }) as grpc.handleServerStreamingCall<unknown, unknown>,
  };
}

function metadataString(metadata: grpc.Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === "string" ? value : undefined;
}

function failure(operation: string, error: unknown, probe: BrokerProbe, logger: Logger): Partial<grpc.StatusObject> {
  const name = error instanceof KinesisError ? error.name : "InternalFailure";
  probe.failed(operation, name);
  if (!(error instanceof KinesisError) || error.name === "InternalFailure")
    logger.error({ err: error, operation }, "call failed");
  return toServiceError(error);
}

async function adminRoute(
  url: string,
  probe: BrokerProbe,
  isReady: () => boolean,
  status: () => unknown,
): Promise<{ status: number; type: string; body: string }> {
  const path = url.split("?")[0];
  if (path === "/v1/status") return { status: 200, type: "application/json", body: JSON.stringify(status()) + "\n" };
  if (path === "/metrics")
    return { status: 200, type: probe.registry.contentType, body: await probe.registry.metrics() };
  if (path === "/healthz") return { status: 200, type: "text/plain", body: "ok\n" };
  if (path === "/readyz") {
    return isReady()
      ? { status: 200, type: "text/plain", body: "ready\n" }
      : { status: 503, type: "text/plain", body: "not ready\n" };
  }
  return { status: 404, type: "text/plain", body: "not found\n" };
}

function bindGrpc(server: grpc.Server, address: string, credentials: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port))),
  );
}

function listenHttp(server: HttpServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}
