import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { Broker, DEFAULT_CONFIG, type BrokerConfig } from "@eddy/broker";
import { durationMs, hostPort, integer, peerList } from "./parse.js";

/** `eddy broker` runs a broker with every setting as a flag; `eddy dev` is the same on loopback, with a banner. */
export function registerBrokerCommands(program: Command): void {
  const broker = program.command("broker").description("run a broker");
  // Only `eddy broker` takes it: `eddy dev` always runs without authentication, and says so.
  broker.option(
    "--auth-file <file>",
    "root credentials (JSON from `eddy auth init`, the same on every broker): every call must then be authenticated (env EDDY_AUTH_FILE)",
    process.env.EDDY_AUTH_FILE,
  );
  addBrokerOptions(broker).action(async (options: BrokerOptions, command: Command) => {
    await run(configOrExit(options, command), false);
  });
  const dev = program
    .command("dev")
    .description("run one broker on 127.0.0.1 with the default ports, data in ./.eddy/dev");
  // Beside, not inside, the brokers of `eddy cluster up` (./.eddy/b1..b3).
  addBrokerOptions(dev, DEV_DATA_DIR).action(async (options: BrokerOptions, command: Command) => {
    await run(configOrExit(options, command), true);
  });
}

interface BrokerOptions {
  id: string;
  zone: string;
  zoneFile?: string;
  clusterId: string;
  listen?: { host: string; port: number };
  advertise?: { host: string; port: number };
  peers: Map<string, string>;
  replaceAfter: number;
  downAfter: number;
  replicationFactor: number;
  raftTickMs: number;
  electionTicks: number;
  controllerSnapshotEntries: number;
  dataDir: string;
  host: string;
  grpcPort: number;
  adminPort: number;
  kinesisPort: number;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  insecure?: boolean;
  authFile?: string;
  fsync: "always" | "never";
  shardWriteRecordsPerSec: number;
  shardWriteBytesPerSec: number;
  shardReadCallsPerSec: number;
  shardReadBytesPerSec: number;
  subscriberBytesPerSec: number;
  retentionCheckIntervalMs: number;
  iteratorTtlMs: number;
  tailCacheBytes: number;
  tailCacheTotalBytes: number;
  proposalsInFlight: number;
  storeWriteBufferBytes: number;
  subscribeHeartbeatMs: number;
  logLevel: string;
}

/** `eddy dev`'s store: not ./.eddy itself, which holds the directories of `eddy cluster up`. */
const DEV_DATA_DIR = ".eddy/dev";

function addBrokerOptions(command: Command, defaultDataDir: string = DEFAULT_CONFIG.dataDir): Command {
  const d = DEFAULT_CONFIG;
  const env = process.env;
  return command
    .option(
      "--id <id>",
      "broker id, unique in the cluster and stable across restarts (env EDDY_BROKER_ID)",
      env.EDDY_BROKER_ID ?? d.brokerId,
    )
    .option(
      "--zone <zone>",
      "the broker's zone; a shard's replicas go to distinct zones (env EDDY_ZONE)",
      env.EDDY_ZONE ?? d.zone,
    )
    .option(
      "--zone-file <path>",
      "read the zone from this file (trimmed) at start; overrides --zone (on Kubernetes, written by an init container from the node's label)",
    )
    .option("--cluster-id <id>", "brokers of different clusters refuse each other", d.clusterId)
    .option("--listen <host:port>", "gRPC address to listen on (sets --host and --grpc-port)", hostPort)
    .option(
      "--advertise <host:port>",
      "address peers and clients use to reach this broker (default: the listen address)",
      hostPort,
    )
    .option(
      "--peers <list>",
      "the controller's voters when the cluster forms: id=host:port,... (env EDDY_PEERS; none: single-node mode)",
      peerList,
      env.EDDY_PEERS ? peerList(env.EDDY_PEERS) : new Map<string, string>(),
    )
    .option(
      "--replace-after <duration>",
      "rebuild the replicas of a broker down this long (e.g. 5m, 30s)",
      durationMs,
      d.replaceAfterMs,
    )
    .option(
      "--down-after <duration>",
      "mark a broker down after it is unreachable this long",
      durationMs,
      d.brokerDownAfterMs,
    )
    .option(
      "--replication-factor <n>",
      "replicas per shard of new streams (capped by the brokers there are)",
      integer,
      d.replicationFactor,
    )
    .option("--raft-tick-ms <ms>", "Raft tick; heartbeats and election timeouts count in ticks", integer, d.raftTickMs)
    .option(
      "--election-ticks <n>",
      "ticks without a leader before a follower campaigns",
      integer,
      d.electionTimeoutTicks,
    )
    .option(
      "--controller-snapshot-entries <n>",
      "the controller snapshots its state and compacts its log every this many entries",
      integer,
      d.controllerSnapshotEntries,
    )
    .option("--data-dir <dir>", "LevelDB data directory (env EDDY_DATA_DIR)", env.EDDY_DATA_DIR ?? defaultDataDir)
    .option("--host <address>", "address to listen on (env EDDY_HOST)", env.EDDY_HOST ?? d.host)
    .option("--grpc-port <port>", "gRPC API port", integer, d.grpcPort)
    .option("--admin-port <port>", "HTTP admin port (/metrics, /healthz, /readyz)", integer, d.adminPort)
    .option(
      "--kinesis-port <port>",
      "Kinesis-compatible HTTP endpoint for the AWS SDKs and CLI (off: none)",
      (value: string) => (value === "off" ? -1 : integer(value)),
      d.kinesisPort,
    )
    .option(
      "--tls-cert <file>",
      "PEM certificate (with --tls-key and --tls-ca): every listener speaks TLS; reloaded when replaced",
    )
    .option("--tls-key <file>", "PEM private key of --tls-cert")
    .option(
      "--tls-ca <file>",
      "PEM certificate of the cluster CA: brokers verify each other against it (mutual TLS); reloaded when replaced",
    )
    .option(
      "--insecure",
      "listen on an address other than loopback without TLS and authentication (a trusted network only)",
    )
    .addOption(
      new Option("--fsync <mode>", "sync acknowledged writes to disk").choices(["always", "never"]).default(d.fsync),
    )
    .option(
      "--shard-write-records-per-sec <n>",
      "PROVISIONED write limit, records/s per shard",
      integer,
      d.shardLimits.writeRecordsPerSec,
    )
    .option(
      "--shard-write-bytes-per-sec <n>",
      "PROVISIONED write limit, bytes/s per shard",
      integer,
      d.shardLimits.writeBytesPerSec,
    )
    .option(
      "--shard-read-calls-per-sec <n>",
      "PROVISIONED GetRecords calls/s per shard",
      integer,
      d.shardLimits.readCallsPerSec,
    )
    .option(
      "--shard-read-bytes-per-sec <n>",
      "PROVISIONED GetRecords bytes/s per shard",
      integer,
      d.shardLimits.readBytesPerSec,
    )
    .option(
      "--subscriber-bytes-per-sec <n>",
      "PROVISIONED SubscribeToShard bytes/s per subscriber",
      integer,
      d.shardLimits.subscriberBytesPerSec,
    )
    .option("--retention-check-interval-ms <ms>", "how often retention trims", integer, d.retentionCheckIntervalMs)
    .option(
      "--tail-cache-bytes <n>",
      "decoded recent entries kept per shard for readers at the tip",
      integer,
      d.tailCacheBytesMax,
    )
    .option(
      "--tail-cache-total-bytes <n>",
      "the tail caches of all shards on this broker together",
      integer,
      d.tailCacheBytesTotalMax,
    )
    .option(
      "--proposals-in-flight <n>",
      "group-commit batches a shard's leader replicates at once",
      integer,
      d.proposalsInFlightMax,
    )
    .option(
      "--store-write-buffer-bytes <n>",
      "LevelDB memtable size: larger means fewer flushes and less compaction",
      integer,
      d.storeWriteBufferBytes,
    )
    .option("--iterator-ttl-ms <ms>", "how long a shard iterator stays valid", integer, d.iteratorTtlMs)
    .option(
      "--subscribe-heartbeat-ms <ms>",
      "empty SubscribeToShard event interval when idle",
      integer,
      d.subscribeHeartbeatMs,
    )
    .option("--log-level <level>", "pino log level (env EDDY_LOG_LEVEL)", env.EDDY_LOG_LEVEL ?? d.logLevel);
}

/** A flag whose value cannot be used: reported by commander as a usage error naming the flag. */
class FlagError extends Error {}

function configOrExit(o: BrokerOptions, command: Command): BrokerConfig {
  try {
    // `eddy --tls-ca` is also the client commands' flag, and commander hands it to the program wherever it
    // stands on the command line: the broker takes it from there.
    const programCa = command.parent?.opts<{ tlsCa?: string }>().tlsCa;
    return configFrom({ ...o, tlsCa: o.tlsCa ?? programCa });
  } catch (error) {
    if (error instanceof FlagError) command.error(`error: ${error.message}`);
    throw error;
  }
}

/**
 * The zone: the contents of --zone-file when given, else --zone. Kubernetes gives a pod no downward-API
 * access to its node's zone label, so an init container writes it to a file that this reads.
 */
function zoneOf(o: BrokerOptions): string {
  if (o.zoneFile === undefined) return o.zone;
  let text: string;
  try {
    text = readFileSync(o.zoneFile, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FlagError(`--zone-file ${o.zoneFile}: cannot read the zone from it (${reason})`);
  }
  const zone = text.trim();
  if (zone === "") throw new FlagError(`--zone-file ${o.zoneFile}: the file is empty; it must hold the zone`);
  return zone;
}

function configFrom(o: BrokerOptions): BrokerConfig {
  return {
    ...DEFAULT_CONFIG,
    brokerId: o.id,
    zone: zoneOf(o),
    clusterId: o.clusterId,
    peers: o.peers,
    advertiseAddress: o.advertise ? `${o.advertise.host}:${o.advertise.port}` : undefined,
    replaceAfterMs: o.replaceAfter,
    brokerDownAfterMs: o.downAfter,
    replicationFactor: o.replicationFactor,
    raftTickMs: o.raftTickMs,
    electionTimeoutTicks: o.electionTicks,
    controllerSnapshotEntries: o.controllerSnapshotEntries,
    dataDir: resolve(o.dataDir),
    host: o.listen?.host ?? o.host,
    grpcPort: o.listen?.port ?? o.grpcPort,
    adminPort: o.adminPort,
    kinesisPort: o.kinesisPort,
    ...(o.tlsCert !== undefined ? { tlsCertFile: resolve(o.tlsCert) } : {}),
    ...(o.tlsKey !== undefined ? { tlsKeyFile: resolve(o.tlsKey) } : {}),
    ...(o.tlsCa !== undefined ? { tlsCaFile: resolve(o.tlsCa) } : {}),
    insecure: o.insecure === true,
    ...(o.authFile !== undefined ? { authFile: resolve(o.authFile) } : {}),
    fsync: o.fsync,
    shardLimits: {
      writeRecordsPerSec: o.shardWriteRecordsPerSec,
      writeBytesPerSec: o.shardWriteBytesPerSec,
      readCallsPerSec: o.shardReadCallsPerSec,
      readBytesPerSec: o.shardReadBytesPerSec,
      subscriberBytesPerSec: o.subscriberBytesPerSec,
    },
    retentionCheckIntervalMs: o.retentionCheckIntervalMs,
    iteratorTtlMs: o.iteratorTtlMs,
    tailCacheBytesMax: o.tailCacheBytes,
    tailCacheBytesTotalMax: o.tailCacheTotalBytes,
    proposalsInFlightMax: o.proposalsInFlight,
    storeWriteBufferBytes: o.storeWriteBufferBytes,
    subscribeHeartbeatMs: o.subscribeHeartbeatMs,
    logLevel: o.logLevel,
  };
}

async function run(config: BrokerConfig, banner: boolean): Promise<void> {
  let broker: Broker;
  try {
    broker = await Broker.start(config);
  } catch (error) {
    // Peer connections dialed before the failure would keep the process alive: exit outright.
    process.stderr.write(`eddy broker: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  if (banner) {
    process.stderr.write(
      [
        "",
        "Eddy is running (single broker, development mode).",
        `  gRPC API      ${config.host}:${broker.grpcPort}`,
        `  admin HTTP    ${broker.adminTls ? "https" : "http"}://${config.host}:${broker.adminPort}  (/metrics /healthz /readyz)`,
        ...(broker.kinesis
          ? [
              `  Kinesis HTTP  ${broker.kinesis.tls ? "https" : "http"}://${config.host}:${broker.kinesis.port}  (AWS SDKs and CLI)`,
            ]
          : []),
        `  data          ${config.dataDir}`,
        config.tlsCaFile !== undefined
          ? "  security      TLS on every listener, mutual TLS between brokers; no authentication yet"
          : "  security      none: no authentication, and TLS only with --tls-cert; keep it on loopback",
        `Try: npm run eddy -- stream create demo --shards 2`,
        "",
      ].join("\n") + "\n",
    );
  }
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    broker.logger.info({ signal }, "signal received");
    broker.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        broker.logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
