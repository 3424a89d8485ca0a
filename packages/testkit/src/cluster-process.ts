import type { BrokerStatus, GroupStatus } from "@eddy/api";
import { EddyClient } from "@eddy/client";
import { existsSync, readFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RootAuthFile } from "./auth-file.js";
import { BrokerProcess } from "./broker-process.js";

const DEFAULT_ZONES = ["a", "b", "c"] as const;
/** A broker that does not answer /v1/status this fast counts as unreachable for that poll. */
const STATUS_TIMEOUT_MS = 1_000;
const WAIT_FOR_TIMEOUT_MS = 30_000;
const WAIT_FOR_INTERVAL_MS = 100;
/** SIGTERM lets a broker drain (its own bound is 10 s); past this it is killed. */
const STOP_TIMEOUT_MS = 15_000;

export type { BrokerStatus, BrokerView, ControllerStatus, GroupStatus } from "@eddy/api";

/** Statuses of the brokers that answered, by broker id. */
export type ClusterStatuses = ReadonlyMap<string, BrokerStatus>;

/** One broker of a ClusterProcess. `process` changes when the broker is restarted; the rest does not. */
export interface ClusterBroker {
  readonly id: string;
  readonly zone: string;
  /** gRPC host:port. */
  readonly endpoint: string;
  /** http://host:port of the admin server. */
  readonly adminUrl: string;
  /** http://host:port of the Kinesis-compatible endpoint. */
  readonly kinesisUrl: string;
  readonly dataDir: string;
  /** Every `eddy broker` flag it runs with, reused by restart. */
  readonly args: readonly string[];
  readonly process: BrokerProcess;
}

interface Member extends ClusterBroker {
  process: BrokerProcess;
  paused: boolean;
}

export interface ClusterProcessOptions {
  /** How many brokers, b1..bN; 3 by default. */
  readonly brokers?: number;
  /** Extra `eddy broker` flags for every broker, e.g. ["--raft-tick-ms", "20"]. */
  readonly args?: readonly string[];
  /** Zones in turn: a, b, c by default. */
  readonly zones?: readonly string[];
  /** TLS on every listener and mutual TLS between the brokers; plain text unless given. */
  readonly tls?: ClusterTls;
  /** Authentication: every broker gets `--auth-file`, and the cluster's own clients call as root. */
  readonly auth?: RootAuthFile;
}

/**
 * Certificates in the layout `eddy certs dev` writes: `ca.crt`, and `<broker id>.crt` and `.key` for
 * each broker. Every broker gets `--tls-ca <dir>/ca.crt`, and the cluster's own clients trust it.
 */
export interface ClusterTls {
  readonly dir: string;
}

/** A broker's own certificate and key, instead of those of `ClusterTls.dir` (a stranger's, say). */
export interface BrokerCertificate {
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * A cluster of real broker processes on loopback, each with its own temporary data directory. Ports are
 * fixed for the cluster's life (peers know each other's addresses before start), so restarts keep them.
 * Awaits conditions on the brokers' /v1/status instead of sleeping.
 */
export class ClusterProcess {
  private members = new Map<string, Member>();
  private closed = false;

  private constructor(
    private readonly root: string,
    private readonly args: readonly string[],
    readonly tls: ClusterTls | undefined,
    readonly auth: RootAuthFile | undefined,
  ) {}

  /** The cluster CA's PEM, which clients of a TLS cluster trust; undefined for a plain-text cluster. */
  get caCertificate(): Buffer | undefined {
    return this.tls ? readFileSync(join(this.tls.dir, "ca.crt")) : undefined;
  }

  /**
   * Options for an EddyClient of this cluster: its endpoints, TLS trusting its CA when it has one, and
   * the root credentials when it authenticates.
   */
  clientOptions(): {
    endpoints: string[];
    tls?: { ca: Buffer };
    auth?: { accessKeyId: string; secretAccessKey: string };
  } {
    const ca = this.caCertificate;
    const auth = this.auth;
    return {
      endpoints: this.endpoints(),
      ...(ca ? { tls: { ca } } : {}),
      ...(auth ? { auth: { accessKeyId: auth.accessKeyId, secretAccessKey: auth.secretAccessKey } } : {}),
    };
  }

  static async start(options: ClusterProcessOptions = {}): Promise<ClusterProcess> {
    const count = options.brokers ?? 3;
    const zones = options.zones ?? DEFAULT_ZONES;
    const root = await mkdtemp(join(tmpdir(), "eddy-cluster-"));
    const cluster = new ClusterProcess(
      root,
      [...(options.args ?? []), ...(options.auth ? ["--auth-file", options.auth.file] : [])],
      options.tls,
      options.auth,
    );
    try {
      const ports = await freePorts(3 * count);
      const planned = Array.from({ length: count }, (_, i) => ({
        id: `b${i + 1}`,
        zone: zones[i % zones.length]!,
        grpcPort: ports[3 * i]!,
        adminPort: ports[3 * i + 1]!,
        kinesisPort: ports[3 * i + 2]!,
      }));
      const peers = planned.map((b) => `${b.id}=127.0.0.1:${b.grpcPort}`).join(",");
      // All at once, as a cluster forms. Settled, not all: close() below must see every broker that started.
      const launched = await Promise.allSettled(planned.map((b) => cluster.launch({ ...b, peers })));
      const failed = launched.find((l) => l.status === "rejected");
      if (failed) throw failed.reason;
      cluster.members = new Map(planned.map((b) => [b.id, cluster.member(b.id)])); // in id order, not start order
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  /** The brokers, in the order they were started. */
  get brokers(): readonly ClusterBroker[] {
    return [...this.members.values()];
  }

  /** Every broker's Kinesis-compatible endpoint, http://host:port. */
  kinesisUrls(): string[] {
    return this.brokers.map((b) => b.kinesisUrl);
  }

  /** Every broker's gRPC address. */
  endpoints(): string[] {
    return this.brokers.map((b) => b.endpoint);
  }

  broker(id: string): ClusterBroker {
    return this.member(id);
  }

  /** SIGKILL: a crash. Resolves once the process is gone. */
  async kill(id: string): Promise<void> {
    const member = this.member(id);
    member.paused = false;
    await member.process.kill();
  }

  /** SIGSTOP: the broker freezes with its sockets open, as a hung or partitioned process would. */
  pause(id: string): void {
    const member = this.member(id);
    member.process.signal("SIGSTOP");
    member.paused = true;
  }

  resume(id: string): void {
    const member = this.member(id);
    member.process.signal("SIGCONT");
    member.paused = false;
  }

  /** SIGTERM and wait for the clean exit. */
  async stop(id: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const member = this.member(id);
    if (member.paused) this.resume(id); // a stopped process does not act on SIGTERM
    return member.process.stop();
  }

  /** Stops the broker if it runs, then starts it again: same data directory, ports and flags. */
  async restart(id: string): Promise<ClusterBroker> {
    const member = this.member(id);
    if (member.process.running) await stopWithin(member.process, STOP_TIMEOUT_MS, member.paused);
    member.paused = false;
    member.process = await member.process.restart();
    return member;
  }

  /**
   * Starts one more broker whose --peers are the controller's current voters, so it joins the cluster
   * instead of forming its own.
   */
  async addBroker(options: { id: string; zone: string; certificate?: BrokerCertificate }): Promise<ClusterBroker> {
    if (this.members.has(options.id)) throw new Error(`broker ${options.id} is already in the cluster`);
    const statuses = await this.statuses();
    const addresses = new Map(this.brokers.map((b) => [b.id, b.endpoint]));
    for (const status of statuses.values()) for (const b of status.brokers) addresses.set(b.id, b.address);
    const voters = controllerVoters(statuses) ?? this.brokers.map((b) => b.id);
    const peers = voters
      .filter((id) => addresses.has(id))
      .map((id) => `${id}=${addresses.get(id)}`)
      .join(",");
    const [grpcPort, adminPort, kinesisPort] = (await freePorts(3)) as [number, number, number];
    return this.launch({ ...options, grpcPort, adminPort, kinesisPort, peers });
  }

  /** GET /v1/status of one broker; fails if it does not answer within a short timeout. */
  async status(id: string): Promise<BrokerStatus> {
    const member = this.member(id);
    const { status, body } = await getText(`${member.adminUrl}/v1/status`, this.caCertificate);
    if (status !== 200) throw new Error(`${id}: HTTP ${status} from /v1/status`);
    return JSON.parse(body) as BrokerStatus;
  }

  /** GET /metrics of one broker, as text. */
  async metrics(id: string): Promise<string> {
    const { status, body } = await getText(`${this.member(id).adminUrl}/metrics`, this.caCertificate);
    if (status !== 200) throw new Error(`${id}: HTTP ${status} from /metrics`);
    return body;
  }

  /** The statuses of the brokers that run, are not paused, and answer in time. */
  async statuses(): Promise<ClusterStatuses> {
    const live = [...this.members.values()].filter((m) => m.process.running && !m.paused);
    const answers = await Promise.all(live.map((m) => this.status(m.id).catch(() => undefined)));
    const statuses = new Map<string, BrokerStatus>();
    live.forEach((m, i) => {
      const answer = answers[i];
      if (answer) statuses.set(m.id, answer);
    });
    return statuses;
  }

  /**
   * Polls the statuses until `predicate` returns a value other than undefined, null or false, and resolves
   * with that value. Fails after `timeoutMs`, naming `what` it waited for and what it saw last.
   */
  async waitFor<T>(
    predicate: (statuses: ClusterStatuses) => T | undefined | null | false,
    options: { timeoutMs?: number; what?: string } = {},
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? WAIT_FOR_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const statuses = await this.statuses();
      const value = predicate(statuses);
      if (value !== undefined && value !== null && value !== false) return value;
      if (Date.now() >= deadline) {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${options.what ?? predicate.toString()}; ` +
            `last seen:\n${describeStatuses(statuses, this.brokers)}`,
        );
      }
      await delay(WAIT_FOR_INTERVAL_MS);
    }
  }

  /** Waits until every broker answers and lists every broker of the cluster as live. */
  async formed(timeoutMs = WAIT_FOR_TIMEOUT_MS): Promise<void> {
    const count = this.members.size;
    await this.waitFor(
      (s) =>
        s.size === count && [...s.values()].every((b) => b.brokers.filter((x) => x.state === "live").length === count),
      { what: "every broker registered and live", timeoutMs },
    );
  }

  /** Creates a stream through the first broker and waits until each of its shards has a leader. */
  async createStream(
    streamName: string,
    shardCount: number,
    streamMode: "PROVISIONED" | "ON_DEMAND" = "ON_DEMAND",
    timeoutMs = WAIT_FOR_TIMEOUT_MS,
  ): Promise<string[]> {
    const { endpoints: _all, ...connection } = this.clientOptions();
    const admin = new EddyClient({ endpoint: this.brokers[0]!.endpoint, ...connection });
    try {
      await admin.createStream({ streamName, shardCount, streamMode });
    } finally {
      admin.close();
    }
    return this.waitFor(
      (s) => {
        const ids = new Set<string>();
        for (const status of s.values()) for (const g of status.groups) if (g.stream === streamName) ids.add(g.shard);
        const sorted = [...ids].sort();
        return sorted.length === shardCount && sorted.every((id) => shardLeader(s, streamName, id)) && sorted;
      },
      { what: `a leader for each shard of ${streamName}`, timeoutMs },
    );
  }

  /** The shard's leader, waiting (bounded) for one: right after a failover or a hand-over there may be none. */
  awaitLeader(stream: string, shardId: string, timeoutMs = WAIT_FOR_TIMEOUT_MS): Promise<ShardLeader> {
    return this.waitFor((s) => shardLeader(s, stream, shardId), { what: `a leader of ${shardId}`, timeoutMs });
  }

  /** The shard's leader as the live brokers report it now (highest term), if there is one. */
  async leaderOf(stream: string, shardId: string): Promise<ShardLeader | undefined> {
    return shardLeader(await this.statuses(), stream, shardId);
  }

  /** Stops every broker (killing any that do not stop in time) and removes the data directories. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      [...this.members.values()].map((m) =>
        m.process.running ? stopWithin(m.process, STOP_TIMEOUT_MS, m.paused) : undefined,
      ),
    );
    await rm(this.root, { recursive: true, force: true });
  }

  private member(id: string): Member {
    const member = this.members.get(id);
    if (!member) throw new Error(`no broker ${id} in the cluster (it has ${[...this.members.keys()].join(", ")})`);
    return member;
  }

  private async launch(b: {
    id: string;
    zone: string;
    grpcPort: number;
    adminPort: number;
    kinesisPort: number;
    peers: string;
    certificate?: BrokerCertificate;
  }): Promise<Member> {
    const dataDir = join(this.root, b.id);
    await mkdir(dataDir, { recursive: true });
    const certificate = b.certificate ?? {
      certFile: join(this.tls?.dir ?? "", `${b.id}.crt`),
      keyFile: join(this.tls?.dir ?? "", `${b.id}.key`),
    };
    const tlsArgs = this.tls
      ? ["--tls-cert", certificate.certFile, "--tls-key", certificate.keyFile, "--tls-ca", join(this.tls.dir, "ca.crt")]
      : [];
    const args = [
      ...["--id", b.id, "--zone", b.zone, "--listen", `127.0.0.1:${b.grpcPort}`],
      ...["--admin-port", String(b.adminPort), "--kinesis-port", String(b.kinesisPort)],
      ...["--peers", b.peers, ...tlsArgs, ...this.args],
    ];
    const broker = await BrokerProcess.start({ dataDir, args });
    const member: Member = {
      id: b.id,
      zone: b.zone,
      endpoint: broker.endpoint,
      adminUrl: broker.adminUrl,
      kinesisUrl: broker.kinesisUrl,
      dataDir,
      args,
      process: broker,
      paused: false,
    };
    this.members.set(b.id, member);
    return member;
  }
}

export interface ShardLeader {
  readonly brokerId: string;
  readonly term: number;
  readonly group: GroupStatus;
}

/** Among the reported replicas of the shard, the one in the leader role with the highest term. */
export function shardLeader(statuses: ClusterStatuses, stream: string, shardId: string): ShardLeader | undefined {
  let best: ShardLeader | undefined;
  for (const [brokerId, status] of statuses) {
    for (const group of status.groups) {
      if (group.stream !== stream || group.shard !== shardId || group.role !== "leader") continue;
      if (!best || group.term > best.term) best = { brokerId, term: group.term, group };
    }
  }
  return best;
}

/**
 * Short Raft timings for tests that kill or freeze brokers: a failover in about a second, a broker down
 * after one; the defaults are for real networks.
 */
export const FAST_FAILOVER_ARGS: readonly string[] = [
  "--raft-tick-ms",
  "50",
  "--election-ticks",
  "10",
  "--down-after",
  "1s",
];

/**
 * Every listed shard's placed replicas are its voters, each applied up to its leader's commit index
 * (within `slackEntries`, for a cluster still under load, where followers learn of each commit one
 * round later). With no slack: the state in which every replica must hold every acknowledged record.
 */
export function replicasConverged(
  statuses: ClusterStatuses,
  stream: string,
  shardIds: readonly string[],
  slackEntries = 0,
): boolean {
  return shardIds.every((shardId) => {
    const leader = shardLeader(statuses, stream, shardId);
    if (!leader) return false;
    const { replicas, voters, commitIndex } = leader.group;
    if (voters.length !== replicas.length || !replicas.every((id) => voters.includes(id))) return false;
    return replicas.every((id) => {
      const group = statuses.get(id)?.groups.find((g) => g.stream === stream && g.shard === shardId);
      return group !== undefined && group.appliedIndex + slackEntries >= commitIndex;
    });
  });
}

/** The controller's leader in the highest term reported, if any broker says it leads. */
export function controllerLeader(statuses: ClusterStatuses): { brokerId: string; term: number } | undefined {
  let best: { brokerId: string; term: number } | undefined;
  for (const [brokerId, status] of statuses) {
    if (status.controller.role === "leader" && (!best || status.controller.term > best.term))
      best = { brokerId, term: status.controller.term };
  }
  return best;
}

/** The controller's voters, from the broker that applied the most of the controller's log. */
function controllerVoters(statuses: ClusterStatuses): readonly string[] | undefined {
  const freshest = [...statuses.values()].sort((a, b) => b.controller.appliedIndex - a.controller.appliedIndex)[0];
  return freshest?.controller.voters.length ? freshest.controller.voters : undefined;
}

function describeStatuses(statuses: ClusterStatuses, brokers: readonly ClusterBroker[]): string {
  return brokers
    .map((b) => {
      const status = statuses.get(b.id);
      if (!status) return `  ${b.id}: no answer`;
      const c = status.controller;
      const groups = status.groups.map(
        (g) => `${g.stream}/${g.shard} ${g.role} t${g.term} commit ${g.commitIndex} replicas ${g.replicas.join(",")}`,
      );
      return `  ${b.id}: controller ${c.role} t${c.term} leader ${c.leaderId || "-"} applied ${c.appliedIndex}; ${groups.join("; ") || "no groups"}`;
    })
    .join("\n");
}

async function stopWithin(broker: BrokerProcess, timeoutMs: number, paused: boolean): Promise<void> {
  if (paused) broker.signal("SIGCONT"); // a stopped process does not act on SIGTERM
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((done) => (timer = setTimeout(() => done("timeout"), timeoutMs)));
  const result = await Promise.race([broker.stop(), timedOut]);
  clearTimeout(timer);
  if (result === "timeout") await broker.kill();
}

/**
 * Ports the OS says are free on loopback now. All are held open together, so they are distinct; another
 * process could still take one before the broker binds it, which on loopback in tests is rare.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (typeof address !== "object" || !address) throw new Error("no port");
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  return ports;
}

/** Whether a port can be bound on loopback now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * Whether a process exists and has not exited. A zombie (exited, not reaped yet) counts as gone; so does
 * one of another user, which no test started.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (!existsSync("/proc/self/stat")) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** One GET, over https trusting `ca` when the URL says so; fails after STATUS_TIMEOUT_MS. */
function getText(url: string, ca: Buffer | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const options = { timeout: STATUS_TIMEOUT_MS, ...(ca ? { ca } : {}) };
    const request = (url.startsWith("https:") ? httpsGet : httpGet)(url, options, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error(`no answer from ${url} in ${STATUS_TIMEOUT_MS} ms`)));
    request.on("error", reject);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
