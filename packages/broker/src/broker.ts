import { createServer, type Server as HttpServer } from "node:http";
import { HealthImplementation } from "grpc-health-check";
import { pino, type Logger } from "pino";
import { KinesisError, serviceUnavailable, type Stream } from "@eddy/core";
import { GRPC_MESSAGE_BYTES_MAX, grpc, loadStreamsService, toServiceError } from "@eddy/api";
import type { RaftStatus } from "@eddy/raft";
import { Store } from "@eddy/storage";
import { Catalog } from "./catalog.js";
import { configProblems, type BrokerConfig } from "./config.js";
import { BrokerProbe } from "./metrics.js";
import { ShardLog } from "./shard-log.js";
import { StreamService, type ShardLogs } from "./service.js";
import { serveSubscription } from "./subscribe.js";

const NODE_ID = "local";
/** One Raft tick: heartbeats every tick, elections after 10-20 ticks without a leader. */
const RAFT_TICK_MS = 100;
const RAFT_CONFIG = {
  electionTimeoutTicks: 10,
  heartbeatIntervalTicks: 1,
  // Per group: the decoded tail lives in the shard's TailCache already; Raft's own copy only serves
  // followers catching up, so a small bound keeps a broker with many shards within its memory.
  maxInMemoryLogBytes: 4 * 1024 * 1024,
} as const;

/**
 * A running broker: the store, the catalog, one ShardLog per shard, the gRPC API, the admin HTTP port
 * and the retention trimmer. `start` opens everything in order; `stop` drains writes and closes in reverse.
 */
export class Broker {
  private ready = false;
  private retentionTimer: NodeJS.Timeout | undefined;
  private raftTicker: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly config: BrokerConfig,
    readonly logger: Logger,
    private readonly store: Store,
    private readonly logs: BrokerShardLogs,
    private readonly grpcServer: grpc.Server,
    private readonly health: HealthImplementation,
    private readonly adminServer: HttpServer,
    readonly grpcPort: number,
    readonly adminPort: number,
  ) {}

  static async start(config: BrokerConfig, logger: Logger = pino({ level: config.logLevel })): Promise<Broker> {
    const problems = configProblems(config);
    if (problems.length > 0) throw new Error(`invalid broker configuration:\n  ${problems.join("\n  ")}`);
    const probe = new BrokerProbe();
    const store = await Store.open(config.dataDir);
    const catalog = await Catalog.open(store, config.region, config.accountId);
    const logs = new BrokerShardLogs(store, config, probe, logger);
    probe.watchRaft(() => logs.raftStatuses());
    const service = new StreamService(config, catalog, logs, probe, (error, context) =>
      logger.error({ err: error, ...context }, "background task failed"),
    );
    for (const stream of catalog.list()) {
      if (stream.status === "DELETING") service.deleteInBackground(stream);
      else await logs.open(stream);
    }
    const health = new HealthImplementation({ "": "NOT_SERVING", "eddy.v1.Streams": "NOT_SERVING" });
    const grpcServer = new grpc.Server({
      "grpc.max_receive_message_length": GRPC_MESSAGE_BYTES_MAX,
      "grpc.max_send_message_length": GRPC_MESSAGE_BYTES_MAX,
    });
    grpcServer.addService(
      loadStreamsService().service,
      handlers(service, { config, catalog, logs, service, probe }, probe, logger),
    );
    health.addToServer(grpcServer);
    const grpcPort = await bindGrpc(grpcServer, `${config.host}:${config.grpcPort}`);
    let broker: Broker | undefined;
    const adminServer = createServer((req, res) => {
      adminRoute(req.url ?? "/", probe, () => broker?.ready ?? false)
        .catch((error: unknown) => {
          logger.error({ err: error, url: req.url }, "admin request failed");
          return { status: 500, type: "text/plain", body: "internal error\n" };
        })
        .then(({ status, type, body }) => {
          res.writeHead(status, { "content-type": type });
          res.end(body);
        });
    });
    const adminPort = await listenHttp(adminServer, config.host, config.adminPort);
    broker = new Broker(config, logger, store, logs, grpcServer, health, adminServer, grpcPort, adminPort);
    broker.retentionTimer = setInterval(
      () => void broker!.trimRetention(catalog, probe),
      config.retentionCheckIntervalMs,
    );
    broker.retentionTimer.unref();
    broker.raftTicker = setInterval(() => logs.tickAll(), RAFT_TICK_MS);
    broker.raftTicker.unref();
    broker.ready = true;
    health.setStatus("", "SERVING");
    health.setStatus("eddy.v1.Streams", "SERVING");
    logger.info(
      { grpc: `${config.host}:${grpcPort}`, admin: `${config.host}:${adminPort}`, dataDir: config.dataDir },
      "broker started",
    );
    return broker;
  }

  /** Drops what is older than each stream's retention period. */
  private async trimRetention(catalog: Catalog, probe: BrokerProbe): Promise<void> {
    const nowMs = Date.now();
    for (const stream of catalog.list()) {
      if (stream.status === "DELETING") continue;
      const cutoffMs = nowMs - stream.retentionPeriodHours * 3_600_000;
      for (const shard of stream.shards) {
        try {
          const trimmed = await this.logs.get(shard).trimOlderThan(cutoffMs);
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

  /** Stops taking work, lets queued writes finish and answer, then closes the listeners and the store. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.ready = false;
    this.health.setStatus("", "NOT_SERVING");
    this.health.setStatus("eddy.v1.Streams", "NOT_SERVING");
    clearInterval(this.retentionTimer);
    clearInterval(this.raftTicker);
    this.logger.info("broker draining");
    await this.logs.drainAll(serviceUnavailable("The broker is shutting down; retry against another broker."));
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
    await new Promise<void>((resolve) => this.adminServer.close(() => resolve()));
    await this.store.close();
    this.logger.info("broker stopped");
  }
}

/** The broker's shard logs, by storage group. */
class BrokerShardLogs implements ShardLogs {
  private readonly byGroup = new Map<number, ShardLog>();
  private readonly streamOfGroup = new Map<number, string>();

  constructor(
    private readonly store: Store,
    private readonly config: BrokerConfig,
    private readonly probe: BrokerProbe,
    private readonly logger: Logger,
  ) {}

  get(shard: { groupId: number; shardId: string }): ShardLog {
    const log = this.byGroup.get(shard.groupId);
    if (!log) throw serviceUnavailable(`Shard ${shard.shardId} is not open on this broker yet.`);
    return log;
  }

  /** Every open shard replica's Raft status, for the metrics. */
  *raftStatuses(): Iterable<{ stream: string; shard: string; status: RaftStatus }> {
    for (const [groupId, log] of this.byGroup) {
      yield { stream: this.streamOfGroup.get(groupId) ?? "", shard: log.shard.shardId, status: log.raftStatus() };
    }
  }

  async open(stream: Stream): Promise<void> {
    for (const shard of stream.shards) {
      this.streamOfGroup.set(shard.groupId, stream.streamName);
      const group = await this.store.group(shard.groupId);
      const log = await ShardLog.open(
        shard,
        group,
        {
          sync: this.config.fsync === "always",
          batchRecordsMax: this.config.batchRecordsMax,
          batchBytesMax: this.config.batchBytesMax,
          queueBytesMax: this.config.shardQueueBytesMax,
          tailCacheBytesMax: this.config.tailCacheBytesMax,
          limits: this.config.shardLimits,
        },
        this.probe.forShard(stream.streamName, shard.shardId),
        {
          // Single-node mode: every shard is a Raft group with this broker as its only voter.
          selfId: NODE_ID,
          voters: [NODE_ID],
          config: RAFT_CONFIG,
          send: () => undefined,
          failed: (error) => this.groupFailed(shard.shardId, error),
        },
        Date.now(),
      );
      this.byGroup.set(shard.groupId, log);
    }
    this.logger.info({ stream: stream.streamName, shards: stream.shards.length }, "stream opened");
  }

  /** Ticks every group's Raft clock; one timer for all of them. */
  tickAll(): void {
    for (const log of this.byGroup.values()) log.tick();
  }

  /** A group whose storage failed cannot go on safely: stop the broker, do not serve from a broken log. */
  private groupFailed(shardId: string, error: unknown): void {
    this.logger.fatal({ err: error, shard: shardId }, "shard log failed; stopping");
    process.exit(70);
  }

  async destroy(stream: Stream): Promise<void> {
    for (const shard of stream.shards) {
      const log = this.byGroup.get(shard.groupId);
      this.byGroup.delete(shard.groupId);
      this.streamOfGroup.delete(shard.groupId);
      await log?.drain(new KinesisError("ResourceNotFoundException", `Stream ${stream.streamName} was deleted.`));
      const group = await this.store.group(shard.groupId);
      await group.destroy();
    }
    this.logger.info({ stream: stream.streamName }, "stream deleted");
  }

  async drainAll(reason: KinesisError): Promise<void> {
    await Promise.all([...this.byGroup.values()].map((log) => log.drain(reason)));
  }
}

type Deps = Parameters<typeof serveSubscription>[1];

function handlers(
  service: StreamService,
  deps: Deps,
  probe: BrokerProbe,
  logger: Logger,
): grpc.UntypedServiceImplementation {
  const unary =
    <Req, Res>(operation: string, run: (req: Req) => Res | Promise<Res>) =>
    (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
      Promise.resolve()
        .then(() => run(call.request))
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
    ListStreams: unary("ListStreams", (r) => service.listStreams(r as never)),
    ListShards: unary("ListShards", (r) => service.listShards(r as never)),
    UpdateRetentionPeriod: unary("UpdateRetentionPeriod", (r) => service.updateRetentionPeriod(r as never)),
    UpdateStreamMode: unary("UpdateStreamMode", (r) => service.updateStreamMode(r as never)),
    PutRecord: unary("PutRecord", (r) => service.putRecord(r as never)),
    PutRecords: unary("PutRecords", (r) => service.putRecords(r as never)),
    GetShardIterator: unary("GetShardIterator", (r) => service.getShardIterator(r as never)),
    GetRecords: unary("GetRecords", (r) => service.getRecords(r as never)),
    SubscribeToShard: ((call: Parameters<typeof serveSubscription>[0]) => {
      serveSubscription(call, deps).catch((error: unknown) => {
        // grpc-js ends a server stream with a status when the error is emitted on the call.
        call.emit("error", failure("SubscribeToShard", error, probe, logger));
      });
    }) as grpc.handleServerStreamingCall<unknown, unknown>,
  };
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
): Promise<{ status: number; type: string; body: string }> {
  const path = url.split("?")[0];
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

function bindGrpc(server: grpc.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
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
