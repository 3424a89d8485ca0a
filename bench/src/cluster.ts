/**
 * A cluster of real `eddy broker` processes on loopback for the replication and failover scenarios: fixed
 * ports (every broker's --peers names all of them before any starts), one data directory each under one
 * temporary root, and bounded waits on the brokers' `GET /v1/status` instead of sleeps.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts, shardLeader, type BrokerStatus, type ClusterStatuses, type ShardLeader } from "@eddy/testkit";
import { BrokerProcess, STOP_GRACE_MS, stopWithin } from "./broker.js";

export { shardLeader, type ShardLeader };

/** One zone per broker, so that a shard's three replicas can be placed at all (they need distinct zones). */
const ZONES = ["a", "b", "c"] as const;
/** A broker that does not answer /v1/status this fast counts as not answering for that poll. */
const STATUS_TIMEOUT_MS = 1_000;
const STATUS_POLL_INTERVAL_MS = 50;
/** Start-up, controller election and every broker seen live: a few seconds on an idle machine. */
export const CLUSTER_FORM_TIMEOUT_MS = 30_000;
/** Every shard of a new stream with a leader and all its voters. */
export const SHARD_LEADERS_TIMEOUT_MS = 30_000;
/** A restarted broker back in the cluster and caught up with its shard's leader. */
export const REJOIN_TIMEOUT_MS = 60_000;
/** Lines of each broker's stdout (its JSON log) kept for failure reports. */
const LOG_TAIL_LINES = 400;
/** Of those, the warnings and errors quoted when a wait fails, per broker. */
const LOG_LINES_QUOTED = 8;

interface Member {
  readonly id: string;
  readonly endpoint: string;
  readonly adminUrl: string;
  readonly args: readonly string[];
  readonly dataDir: string;
  process: BrokerProcess | undefined;
  log: LogTail;
}

export class LocalCluster {
  private readonly members: Member[];
  private closed = false;

  private constructor(
    private readonly rootDir: string,
    members: Member[],
  ) {
    this.members = members;
  }

  /**
   * Plans `brokerCount` brokers b1..bN (ports, flags, data directories); `launch` starts them. Register
   * `destroy` before launching: it stops whatever did start.
   */
  static async create(brokerCount: number, extraArgs: readonly string[]): Promise<LocalCluster> {
    const rootDir = await mkdtemp(join(tmpdir(), "eddy-bench-"));
    const ports = await freePorts(2 * brokerCount);
    const ids = Array.from({ length: brokerCount }, (_, i) => `b${i + 1}`);
    const peers = ids.map((id, i) => `${id}=127.0.0.1:${ports[2 * i]}`).join(",");
    const members = ids.map((id, i): Member => {
      const [grpcPort, adminPort] = [ports[2 * i]!, ports[2 * i + 1]!];
      return {
        id,
        endpoint: `127.0.0.1:${grpcPort}`,
        adminUrl: `http://127.0.0.1:${adminPort}`,
        dataDir: join(rootDir, id),
        // Later flags win over BrokerProcess's own `--grpc-port 0 --admin-port 0`.
        args: [
          ...["--id", id, "--zone", ZONES[i % ZONES.length]!, "--listen", `127.0.0.1:${grpcPort}`],
          ...["--admin-port", String(adminPort), "--peers", peers, ...extraArgs],
        ],
        process: undefined,
        log: new LogTail(LOG_TAIL_LINES),
      };
    });
    return new LocalCluster(rootDir, members);
  }

  /** Starts every broker at once (as a cluster forms) and waits until the cluster has formed. */
  async launch(): Promise<void> {
    const launched = await Promise.allSettled(this.members.map((m) => this.startMember(m)));
    const failed = launched.find((outcome) => outcome.status === "rejected");
    if (failed) throw failed.reason;
    await this.waitFor("the cluster to form", CLUSTER_FORM_TIMEOUT_MS, (statuses) => this.formed(statuses));
  }

  get ids(): string[] {
    return this.members.map((m) => m.id);
  }

  endpointOf(id: string): string {
    return this.member(id).endpoint;
  }

  adminUrlOf(id: string): string {
    return this.member(id).adminUrl;
  }

  /** http://host:port of the broker's Kinesis-compatible endpoint (on a port the OS picked at its start). */
  kinesisUrlOf(id: string): string {
    const url = this.member(id).process?.kinesisUrl;
    if (!url) throw new Error(`${id} has no Kinesis endpoint (not started, or started with it off)`);
    return url;
  }

  /** SIGKILL, sent at once (no await), so that the caller's clock reading is the moment of the crash. */
  killNow(id: string): void {
    this.member(id).process?.signal("SIGKILL");
  }

  async waitForExit(id: string): Promise<void> {
    await this.member(id).process?.waitForExit();
  }

  /** A new process on the same data directory, ports and flags. */
  async restart(id: string): Promise<void> {
    const member = this.member(id);
    await member.process?.kill();
    await this.startMember(member);
  }

  /** The brokers' statuses, those that answered within STATUS_TIMEOUT_MS. */
  async statuses(ids: readonly string[] = this.ids): Promise<ClusterStatuses> {
    const answers = await Promise.all(ids.map((id) => this.status(id).catch(() => undefined)));
    const statuses = new Map<string, BrokerStatus>();
    answers.forEach((answer, i) => {
      if (answer) statuses.set(ids[i]!, answer);
    });
    return statuses;
  }

  /**
   * Polls every STATUS_POLL_INTERVAL_MS until `check` returns a value (not undefined), at most `timeoutMs`;
   * then fails, saying what it waited for, what it saw last and the brokers' latest warnings.
   */
  async waitFor<T>(
    what: string,
    timeoutMs: number,
    check: (statuses: ClusterStatuses) => T | undefined,
    ids: readonly string[] = this.ids,
  ): Promise<T> {
    const deadlineMs = performance.now() + timeoutMs;
    for (;;) {
      const statuses = await this.statuses(ids);
      const value = check(statuses);
      if (value !== undefined) return value;
      if (performance.now() >= deadlineMs) {
        throw new Error(`waited ${timeoutMs} ms for ${what}; last seen:\n${this.describe(statuses, ids)}`);
      }
      await delay(STATUS_POLL_INTERVAL_MS);
    }
  }

  /** Every broker answers, knows the controller's leader, and sees all brokers live. */
  formed(statuses: ClusterStatuses): true | undefined {
    const ids = this.ids;
    const allFormed = ids.every((id) => {
      const status = statuses.get(id);
      if (!status?.controller.leaderId) return false;
      return ids.every((peer) => status.brokers.some((b) => b.id === peer && b.state === "live"));
    });
    return allFormed ? true : undefined;
  }

  /** Waits until every shard has a leader whose group has `voters` voters; resolves with the leaders. */
  waitForShardLeaders(stream: string, shardIds: readonly string[], voters: number): Promise<ShardLeader[]> {
    return this.waitFor(`a leader with ${voters} voters on every shard of ${stream}`, SHARD_LEADERS_TIMEOUT_MS, (s) => {
      const leaders = shardIds.map((shardId) => shardLeader(s, stream, shardId));
      return leaders.every((l) => l !== undefined && l.group.voters.length >= voters)
        ? (leaders as ShardLeader[])
        : undefined;
    });
  }

  /**
   * Waits until the cluster has formed again with `id` in it and `id`'s replica of the shard follows a
   * leader and has applied everything that leader has committed (the load has stopped, so that is fixed).
   */
  waitForRejoin(id: string, stream: string, shardId: string): Promise<true> {
    return this.waitFor(`${id} to rejoin and catch up on ${stream}/${shardId}`, REJOIN_TIMEOUT_MS, (statuses) => {
      const leader = shardLeader(statuses, stream, shardId);
      const replica = statuses.get(id)?.groups.find((g) => g.stream === stream && g.shard === shardId);
      if (!this.formed(statuses) || !leader || !replica?.leaderId) return undefined;
      return replica.appliedIndex >= leader.group.commitIndex ? true : undefined;
    });
  }

  /**
   * Waits until the shard's leader is its preferred replica (the first placed). A leader hands leadership
   * to the preferred replica once that one is connected and caught up, so after a restart the leadership
   * moves back; a run that starts before that would see the move. Resolves with the leader.
   */
  waitForPreferredLeader(stream: string, shardId: string): Promise<ShardLeader> {
    return this.waitFor(`${stream}/${shardId} to be led by its preferred replica`, REJOIN_TIMEOUT_MS, (statuses) => {
      const leader = shardLeader(statuses, stream, shardId);
      return leader && leader.brokerId === leader.group.replicas[0] ? leader : undefined;
    });
  }

  /**
   * Stops every broker and removes the data directories: SIGTERM first, so that a broker run with
   * EDDY_BROKER_NODE_ARGS="--cpu-prof" writes its profile, then SIGKILL after STOP_GRACE_MS.
   */
  async destroy(): Promise<void> {
    this.closed = true;
    await Promise.all(this.members.map((m) => m.process && stopWithin(m.process, STOP_GRACE_MS)));
    await rm(this.rootDir, { recursive: true, force: true });
  }

  /** Where each broker's log is now, to ask later for `warningsSince` this point. */
  logMark(): ReadonlyMap<string, number> {
    return new Map(this.members.map((m) => [m.id, m.log.total]));
  }

  /**
   * The warnings and errors the brokers logged since `mark` (as far as their tails reach), summed up by
   * broker and message: `b2: "marking broker down" × 1`.
   */
  warningsSince(mark: ReadonlyMap<string, number>): string[] {
    const counts = new Map<string, number>();
    for (const member of this.members) {
      for (const line of member.log.since(mark.get(member.id) ?? 0).filter(isWarningOrWorse)) {
        const key = `${member.id}: "${messageOf(line)}"`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    return [...counts].map(([key, count]) => `${key} × ${count}`);
  }

  /** Warnings and errors from each broker's recent log, for a failure report. */
  recentWarnings(ids: readonly string[] = this.ids): string {
    return ids
      .map((id) => {
        const lines = this.member(id).log.lines().filter(isWarningOrWorse).slice(-LOG_LINES_QUOTED);
        return `  ${id}: ${lines.length > 0 ? `\n    ${lines.join("\n    ")}` : "no warnings"}`;
      })
      .join("\n");
  }

  private async startMember(member: Member): Promise<void> {
    await mkdir(member.dataDir, { recursive: true });
    const started = await BrokerProcess.start({ dataDir: member.dataDir, args: member.args });
    // A broker that finished starting after the run was cleaned up must not outlive it.
    if (this.closed) {
      await started.kill();
      throw new Error(`${member.id} started after the cluster was destroyed`);
    }
    member.process = started;
    // BrokerProcess keeps only the lines up to "broker started"; the tail keeps the rest.
    member.log.addAll(started.logLines);
    started.child.stdout!.on("data", (chunk: Buffer) => member.log.add(chunk.toString()));
  }

  private async status(id: string): Promise<BrokerStatus> {
    const response = await fetch(`${this.member(id).adminUrl}/v1/status`, {
      signal: AbortSignal.timeout(STATUS_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`${id}: /v1/status answered ${response.status}`);
    return (await response.json()) as BrokerStatus;
  }

  private member(id: string): Member {
    const member = this.members.find((m) => m.id === id);
    if (!member) throw new Error(`no broker ${id} (there are ${this.ids.join(", ")})`);
    return member;
  }

  private describe(statuses: ClusterStatuses, ids: readonly string[]): string {
    const lines = ids.map((id) => {
      const status = statuses.get(id);
      if (!status) return `  ${id}: no answer${hasExited(this.member(id).process) ? " (exited)" : ""}`;
      const c = status.controller;
      const live = status.brokers.map((b) => `${b.id} ${b.state}`).join(", ");
      const groups = status.groups.map(
        (g) =>
          `${g.stream}/${g.shard} ${g.role} t${g.term} leader ${g.leaderId || "-"} commit ${g.commitIndex} ` +
          `applied ${g.appliedIndex} voters ${g.voters.join(",")}`,
      );
      return `  ${id}: controller ${c.role} t${c.term} leader ${c.leaderId || "-"}; brokers ${live}; ${groups.join("; ") || "no groups"}`;
    });
    return `${lines.join("\n")}\nrecent warnings:\n${this.recentWarnings(ids)}`;
  }
}

/**
 * The last `capacity` complete lines written to a stream, fed chunk by chunk; one per broker, kept across
 * its restarts.
 */
class LogTail {
  /** Lines seen so far, including those no longer kept. */
  total = 0;
  private readonly kept: string[] = [];
  private partial = "";

  constructor(private readonly capacity: number) {}

  addAll(lines: readonly string[]): void {
    for (const line of lines) this.push(line);
  }

  add(chunk: string): void {
    const parts = (this.partial + chunk).split("\n");
    this.partial = parts.pop() ?? "";
    for (const line of parts) this.push(line);
  }

  lines(): readonly string[] {
    return this.kept;
  }

  /** The kept lines from line number `total` (a former `this.total`) on. */
  since(total: number): readonly string[] {
    return this.kept.slice(Math.max(0, this.kept.length - (this.total - total)));
  }

  private push(line: string): void {
    this.total += 1;
    this.kept.push(line);
    if (this.kept.length > this.capacity) this.kept.shift();
  }
}

function hasExited(broker: BrokerProcess | undefined): boolean {
  return broker !== undefined && (broker.child.exitCode !== null || broker.child.signalCode !== null);
}

/** A JSON log line's `msg`, else the line itself, cut short. */
function messageOf(line: string): string {
  try {
    const msg = (JSON.parse(line) as { msg?: unknown }).msg;
    if (typeof msg === "string") return msg;
  } catch {
    // not JSON: the line itself
  }
  return line.slice(0, 200);
}

/** pino levels: 40 warn, 50 error, 60 fatal. A line that is not JSON is quoted too (a crash trace). */
function isWarningOrWorse(line: string): boolean {
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level === "number" && level >= 40;
  } catch {
    return line.trim().length > 0;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
