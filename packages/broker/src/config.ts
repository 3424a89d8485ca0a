import { DEFAULT_SHARD_LIMITS, LIMITS, type ShardLimits } from "@eddy/core";
import { CONTROLLER_SNAPSHOT_EVERY_ENTRIES } from "./cluster/controller-node.js";

export type FsyncMode = "always" | "never";

/** Everything a broker can be told. Limits are named here, with their units, and checked together at start. */
export interface BrokerConfig {
  /** This broker's id: its Raft node id in every group, unique in the cluster, stable across restarts. */
  readonly brokerId: string;
  /** Stands in for a data center: a shard's replicas go to distinct zones. */
  readonly zone: string;
  /** Brokers of different clusters refuse each other's peer streams. */
  readonly clusterId: string;
  /**
   * The controller's voters when the cluster is first formed: broker id -> gRPC address. Empty means
   * single-node mode (this broker alone). A broker not in the list joins an existing cluster through them.
   */
  readonly peers: ReadonlyMap<string, string>;
  /** Where peers and clients reach this broker's gRPC port; defaults to host:grpcPort. */
  readonly advertiseAddress: string | undefined;
  /** A broker unreachable this long is marked down by the controller. */
  readonly brokerDownAfterMs: number;
  /** A broker down this long has its replicas rebuilt on live brokers. */
  readonly replaceAfterMs: number;
  /** Replicas per shard of new streams (capped by the brokers there are, so single-node mode gets 1). */
  readonly replicationFactor: number;
  /** One Raft tick; heartbeats and election timeouts count in ticks. */
  readonly raftTickMs: number;
  /** Ticks without a leader before a follower campaigns (randomized up to twice this). */
  readonly electionTimeoutTicks: number;
  readonly heartbeatIntervalTicks: number;
  /** How long a call for a shard without a known leader waits for one before failing. */
  readonly leaderWaitMs: number;
  /**
   * The controller snapshots its state every this many applied entries and compacts its log behind
   * the snapshot (`--controller-snapshot-entries`).
   */
  readonly controllerSnapshotEntries: number;
  /** Where the LevelDB store lives. */
  readonly dataDir: string;
  /** Address the listeners bind to. */
  readonly host: string;
  /** gRPC API (clients; later also peers). */
  readonly grpcPort: number;
  /** HTTP admin: /metrics, /healthz, /readyz. */
  readonly adminPort: number;
  /** The Kinesis-compatible HTTP endpoint (AWS JSON/CBOR, HTTP/1.1 and HTTP/2); -1 (`--kinesis-port off`) turns it off. */
  readonly kinesisPort: number;
  /**
   * PEM certificate and key: with both, the HTTP listeners speak TLS (the Kinesis endpoint with HTTP/2
   * and HTTP/1.1 by ALPN, and the admin port), and reload the pair when the files are replaced.
   */
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  /**
   * PEM certificate of the cluster's CA (`--tls-ca`): with a certificate and key, the gRPC port speaks
   * TLS too, brokers dial each other with TLS and present their certificates (mutual TLS), and the
   * cluster service only answers brokers whose certificate this CA signed. Reloaded when replaced.
   */
  readonly tlsCaFile?: string;
  /**
   * Lets a broker listen on an address other than loopback without TLS and authentication
   * (`--insecure`): for a private network one trusts, or trying things out.
   */
  readonly insecure?: boolean;
  /**
   * The root credentials' JSON file (`--auth-file`): with it, every call must carry credentials (gRPC
   * metadata, or a SigV4 signature on the Kinesis endpoint) and is checked against the principals'
   * permissions. Without it the broker serves everyone (`eddy dev` on loopback).
   */
  readonly authFile?: string;
  /** Used in stream ARNs, so that AWS tooling sees a familiar shape. */
  readonly region: string;
  readonly accountId: string;
  /** "always" syncs every batch an acknowledgement depends on; "never" trades durability for speed. */
  readonly fsync: FsyncMode;
  /** Per-shard limits of PROVISIONED streams. */
  readonly shardLimits: ShardLimits;
  /** Shards of all streams on this broker together (Kinesis's account shard limit). */
  readonly shardCountTotalMax: number;
  /** Records a single group-commit batch may hold. */
  readonly batchRecordsMax: number;
  /** Bytes a single group-commit batch may hold. */
  readonly batchBytesMax: number;
  /** Bytes of puts waiting per shard before new puts are refused (backpressure, never unbounded memory). */
  readonly shardQueueBytesMax: number;
  /** Group-commit batches a shard's leader replicates at once (pipelining; see ShardLogOptions). */
  readonly proposalsInFlightMax: number;
  /**
   * LevelDB's memtable: bytes written before they go to a table file. LevelDB's own 4 MiB makes a
   * broker taking puts flush and compact level 0 several times a second; a larger one means fewer,
   * larger flushes and less compaction CPU, for up to twice this much memory.
   */
  readonly storeWriteBufferBytes: number;
  /** Decoded recent entries kept per shard for readers and subscribers at the tip. */
  readonly tailCacheBytesMax: number;
  /** Bytes of every shard's tail cache on this broker together: many shards cannot add up past it. */
  readonly tailCacheBytesTotalMax: number;
  /** Bytes of puts waiting to commit on this broker, all shards together; beyond it puts are refused (retriable). */
  readonly queueBytesTotalMax: number;
  /** How long a shard iterator stays valid (Kinesis: 5 minutes). */
  readonly iteratorTtlMs: number;
  /** How often retention trimming runs. */
  readonly retentionCheckIntervalMs: number;
  /** A subscriber with nothing new gets an empty event this often, so it knows the stream is alive. */
  readonly subscribeHeartbeatMs: number;
  /** Bytes one SubscribeToShard event may carry. */
  readonly subscribeEventBytesMax: number;
  /** How long SIGTERM waits for in-flight writes before closing the store. */
  readonly drainTimeoutMs: number;
  readonly logLevel: string;
}

export const DEFAULT_CONFIG: BrokerConfig = {
  brokerId: "b1",
  zone: "a",
  clusterId: "eddy",
  peers: new Map(),
  advertiseAddress: undefined,
  brokerDownAfterMs: 5_000,
  replaceAfterMs: 5 * 60_000,
  replicationFactor: 3,
  raftTickMs: 50,
  electionTimeoutTicks: 10,
  heartbeatIntervalTicks: 2,
  leaderWaitMs: 5_000,
  controllerSnapshotEntries: CONTROLLER_SNAPSHOT_EVERY_ENTRIES,
  dataDir: ".eddy",
  host: "127.0.0.1",
  grpcPort: 7400,
  adminPort: 7480,
  kinesisPort: 4567,
  region: "us-east-1",
  accountId: "000000000000",
  fsync: "always",
  shardLimits: DEFAULT_SHARD_LIMITS,
  shardCountTotalMax: 4096,
  batchRecordsMax: 10_000,
  batchBytesMax: 16 * 1024 * 1024,
  shardQueueBytesMax: 64 * 1024 * 1024,
  // Two: a put arriving while a batch replicates is proposed at once, and under saturation a batch
  // still forms over half a round. Eight measured about 5% more CPU per record and a longer p99 in
  // the peers bench (more, smaller entries) for little gain in latency.
  proposalsInFlightMax: 2,
  storeWriteBufferBytes: 32 * 1024 * 1024,
  tailCacheBytesMax: 8 * 1024 * 1024,
  tailCacheBytesTotalMax: 256 * 1024 * 1024,
  queueBytesTotalMax: 512 * 1024 * 1024,
  iteratorTtlMs: LIMITS.iteratorTtlMs,
  retentionCheckIntervalMs: 60_000,
  // Under Kinesis's 5 s, so that a quiet subscription hears from the shard at least every 5 s.
  subscribeHeartbeatMs: 4_000,
  subscribeEventBytesMax: 1024 * 1024,
  drainTimeoutMs: 10_000,
  logLevel: "info",
};

/** Checks each limit and how the limits relate; returns the problems, empty when the config is sound. */
export function configProblems(config: BrokerConfig): string[] {
  const problems: string[] = [];
  const positiveInt = (name: string, value: number) => {
    if (!Number.isSafeInteger(value) || value <= 0) problems.push(`${name} must be a positive integer, got ${value}`);
  };
  const port = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < 0 || value > 65535) problems.push(`${name} must be 0..65535, got ${value}`);
  };
  port("grpcPort", config.grpcPort);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(config.brokerId))
    problems.push(`brokerId must be 1-64 of [A-Za-z0-9_.-], got ${JSON.stringify(config.brokerId)}`);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(config.zone))
    problems.push(`zone must be 1-64 of [A-Za-z0-9_.-], got ${JSON.stringify(config.zone)}`);
  for (const [id, address] of config.peers) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id))
      problems.push(`peers: broker id must be 1-64 of [A-Za-z0-9_.-], got ${JSON.stringify(id)}`);
    if (!/^[^\s:]+:\d{1,5}$/.test(address))
      problems.push(`peers: address of ${id} must be host:port, got ${JSON.stringify(address)}`);
  }
  positiveInt("brokerDownAfterMs", config.brokerDownAfterMs);
  positiveInt("replaceAfterMs", config.replaceAfterMs);
  positiveInt("raftTickMs", config.raftTickMs);
  positiveInt("heartbeatIntervalTicks", config.heartbeatIntervalTicks);
  positiveInt("leaderWaitMs", config.leaderWaitMs);
  positiveInt("controllerSnapshotEntries", config.controllerSnapshotEntries);
  if (!Number.isInteger(config.replicationFactor) || config.replicationFactor < 1 || config.replicationFactor > 7)
    problems.push(`replicationFactor must be 1..7, got ${config.replicationFactor}`);
  if (!(config.electionTimeoutTicks > config.heartbeatIntervalTicks))
    problems.push(
      `electionTimeoutTicks (${config.electionTimeoutTicks}) must be > heartbeatIntervalTicks (${config.heartbeatIntervalTicks})`,
    );
  port("adminPort", config.adminPort);
  if (config.kinesisPort !== -1) port("kinesisPort", config.kinesisPort);
  if ((config.tlsCertFile === undefined) !== (config.tlsKeyFile === undefined))
    problems.push("tlsCertFile and tlsKeyFile must be given together");
  // Brokers verify each other against the CA; without it they could not tell a member from anyone.
  if (config.tlsCertFile !== undefined && config.tlsCaFile === undefined)
    problems.push(
      "tlsCaFile (--tls-ca) is required with tlsCertFile: brokers verify each other against the cluster CA",
    );
  if (config.tlsCaFile !== undefined && config.tlsCertFile === undefined)
    problems.push("tlsCaFile needs tlsCertFile and tlsKeyFile: a broker presents its own certificate to its peers");
  positiveInt("shardCountTotalMax", config.shardCountTotalMax);
  positiveInt("batchRecordsMax", config.batchRecordsMax);
  positiveInt("batchBytesMax", config.batchBytesMax);
  positiveInt("shardQueueBytesMax", config.shardQueueBytesMax);
  positiveInt("proposalsInFlightMax", config.proposalsInFlightMax);
  positiveInt("storeWriteBufferBytes", config.storeWriteBufferBytes);
  positiveInt("tailCacheBytesMax", config.tailCacheBytesMax);
  positiveInt("tailCacheBytesTotalMax", config.tailCacheBytesTotalMax);
  positiveInt("queueBytesTotalMax", config.queueBytesTotalMax);
  if (config.queueBytesTotalMax < config.shardQueueBytesMax) {
    problems.push(
      `queueBytesTotalMax (${config.queueBytesTotalMax}) must be >= shardQueueBytesMax (${config.shardQueueBytesMax})`,
    );
  }
  positiveInt("iteratorTtlMs", config.iteratorTtlMs);
  positiveInt("retentionCheckIntervalMs", config.retentionCheckIntervalMs);
  positiveInt("subscribeHeartbeatMs", config.subscribeHeartbeatMs);
  positiveInt("subscribeEventBytesMax", config.subscribeEventBytesMax);
  for (const [name, value] of Object.entries(config.shardLimits)) {
    if (!(value > 0)) problems.push(`shardLimits.${name} must be > 0, got ${value}`);
  }
  // A full PutRecords must fit in one batch and in the queue, or it could never be accepted.
  if (config.batchRecordsMax < LIMITS.putRecordsCountMax) {
    problems.push(
      `batchRecordsMax (${config.batchRecordsMax}) must be >= ${LIMITS.putRecordsCountMax}, one full PutRecords`,
    );
  }
  if (config.batchBytesMax < LIMITS.putRecordsBytesMax) {
    problems.push(
      `batchBytesMax (${config.batchBytesMax}) must be >= ${LIMITS.putRecordsBytesMax}, one full PutRecords`,
    );
  }
  if (config.shardQueueBytesMax < config.batchBytesMax) {
    problems.push(
      `shardQueueBytesMax (${config.shardQueueBytesMax}) must be >= batchBytesMax (${config.batchBytesMax})`,
    );
  }
  if (config.fsync !== "always" && config.fsync !== "never")
    problems.push(`fsync must be always|never, got ${config.fsync}`);
  return problems;
}

/** What guards a broker's listeners, apart from the address they bind to. */
export interface Exposure {
  readonly host: string;
  /** Certificate, key and CA given: every listener speaks TLS. */
  readonly tls: boolean;
  /** Callers must authenticate (an auth file is configured). */
  readonly authenticationEnabled: boolean;
  /** `--insecure`: the operator accepts an exposed broker without them. */
  readonly insecure: boolean;
}

/** The exposure of a configuration; `authenticationEnabled` comes from the authentication settings. */
export function exposureOf(config: BrokerConfig, authenticationEnabled: boolean): Exposure {
  return {
    host: config.host,
    tls: config.tlsCertFile !== undefined && config.tlsKeyFile !== undefined && config.tlsCaFile !== undefined,
    authenticationEnabled,
    insecure: config.insecure === true,
  };
}

/** 127.0.0.0/8, ::1 and localhost. The wildcard addresses (0.0.0.0, ::) listen everywhere, so they are not. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const lower = bare.toLowerCase();
  if (lower === "localhost" || lower === "::1" || lower === "0:0:0:0:0:0:0:1") return true;
  if (lower.startsWith("::ffff:")) return isLoopbackHost(lower.slice("::ffff:".length));
  const octets = lower.split(".");
  return octets.length === 4 && octets[0] === "127" && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/**
 * A broker reachable from other machines must encrypt and authenticate, unless told `--insecure`:
 * returns what is missing, empty when the broker may start.
 */
export function exposureProblems(exposure: Exposure): string[] {
  if (exposure.insecure || isLoopbackHost(exposure.host)) return [];
  const problems: string[] = [];
  if (!exposure.tls) {
    problems.push(
      `host ${exposure.host} is not a loopback address and TLS is off: add --tls-cert, --tls-key and --tls-ca ` +
        `(or --insecure to listen without it)`,
    );
  }
  if (!exposure.authenticationEnabled) {
    problems.push(
      `host ${exposure.host} is not a loopback address and authentication is off: add --auth-file ` +
        `(or --insecure to listen without it)`,
    );
  }
  return problems;
}
