import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, open, readFile, rename, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError, type Command } from "commander";
import type { BrokerStatus, GroupStatus } from "@eddy/broker";
import { durationMs, integer } from "./parse.js";
import { table } from "./format.js";

/** This CLI's own entry point: the brokers of a cluster are `eddy broker` processes. */
const EDDY_MAIN = fileURLToPath(new URL("./main.js", import.meta.url));
const CLUSTER_FILE = "cluster.json";
const BROKER_LOG = "broker.log";
const ZONES = ["a", "b", "c"] as const;

/** How long a broker may take to log "broker started" before `up` or `restart` gives up on it. */
const BROKER_START_TIMEOUT_MS = 30_000;
const START_POLL_INTERVAL_MS = 100;
/** SIGTERM lets a broker drain (its own drain bound is 10 s); after this it gets SIGKILL. */
const BROKER_STOP_TIMEOUT_MS = 15_000;
/** After SIGKILL the kernel ends the process promptly; this only bounds the wait for it. */
const BROKER_KILL_WAIT_MS = 5_000;
const EXIT_POLL_INTERVAL_MS = 50;
/** How often `up` looks for brokers that exited or were restarted by `cluster restart`. */
const MONITOR_INTERVAL_MS = 1_000;
/** A broker that does not answer /v1/status this fast is shown as unreachable. */
const STATUS_TIMEOUT_MS = 2_000;
/** Lines of a broker's log quoted when it fails to start. */
const LOG_TAIL_LINES = 20;

/** One broker of cluster.json: where it listens, its process, and how to start it again. */
export interface ClusterFileBroker {
  readonly id: string;
  readonly zone: string;
  readonly pid: number;
  readonly grpc: string;
  /** Reserved for the Kinesis HTTP endpoint (a later issue); nothing listens there yet. */
  readonly kinesis: string;
  readonly admin: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** `eddy` arguments (starting with "broker") that `cluster restart` reuses. */
  readonly args: readonly string[];
}

/** <data-dir>/cluster.json, written by `cluster up` and updated by `cluster restart`. */
export interface ClusterFile {
  readonly brokers: readonly ClusterFileBroker[];
  readonly supervisorPid: number;
  readonly dataDir: string;
}

interface UpOptions {
  brokers: number;
  dataDir: string;
  host: string;
  baseGrpcPort: number;
  baseAdminPort: number;
  baseKinesisPort: number;
  replaceAfter: string;
  logLevel: string;
}

/** `eddy cluster up|restart|status`: a cluster of broker processes on one machine, for development. */
export function registerClusterCommands(program: Command): void {
  const cluster = program
    .command("cluster")
    .description("run a cluster of brokers on this machine (one process each) and inspect it");

  cluster
    .command("up")
    .description("start the brokers, print their endpoints, and stop them all on Ctrl-C")
    .option("--brokers <n>", "how many brokers: ids b1..bN, zones a, b, c in turn", positiveInteger, 3)
    .option("--data-dir <dir>", "a subdirectory per broker (data and broker.log), and cluster.json", ".eddy")
    .option("--host <address>", "address the brokers listen on and reach each other at", "127.0.0.1")
    .option("--base-grpc-port <port>", "gRPC port of b1; bN gets base+N-1", port, 7400)
    .option("--base-admin-port <port>", "admin HTTP port of b1; bN gets base+N-1", port, 7480)
    .option("--base-kinesis-port <port>", "Kinesis HTTP port of b1; bN gets base+N-1", port, 4567)
    .option("--replace-after <duration>", "rebuild the replicas of a broker down this long", duration, "5m")
    .option("--log-level <level>", "the brokers' pino log level", "info")
    .argument("[broker-flags...]", "more `eddy broker` flags for every broker, after --")
    .action(async (brokerFlags: string[], options: UpOptions, command: Command) => {
      const last = options.brokers - 1;
      const ranges = [
        ["--base-grpc-port", options.baseGrpcPort],
        ["--base-admin-port", options.baseAdminPort],
        ["--base-kinesis-port", options.baseKinesisPort],
      ] as const;
      for (const [flag, base] of ranges) {
        if (base < 1 || base + last > 65535) command.error(`${flag} ${base}: ports ${base}..${base + last} do not fit`);
      }
      for (const [i, [flagA, a]] of ranges.entries()) {
        for (const [flagB, b] of ranges.slice(i + 1)) {
          if (Math.abs(a - b) <= last) command.error(`the ports of ${flagA} and ${flagB} overlap`);
        }
      }
      await clusterUp(options, brokerFlags);
    });

  cluster
    .command("restart <id>")
    .description("stop one broker of the cluster if it runs, and start it again with the same flags and data")
    .option("--data-dir <dir>", "the cluster's data directory (holds cluster.json)", ".eddy")
    .action(async (id: string, options: { dataDir: string }) => {
      const broker = await clusterRestart(resolve(options.dataDir), id);
      process.stdout.write(`${broker.id} restarted: pid ${broker.pid}, gRPC ${broker.grpc}, admin ${broker.admin}\n`);
    });

  cluster
    .command("status")
    .description("each broker's state and controller role, and each shard's leader and replicas")
    .option("--data-dir <dir>", "the cluster's data directory (holds cluster.json)", ".eddy")
    .option("--json", "print the merged view as one JSON object")
    .action(async (options: { dataDir: string; json?: boolean }) => {
      const view = await clusterStatus(resolve(options.dataDir));
      process.stdout.write(options.json ? JSON.stringify(view) + "\n" : formatStatus(view));
    });
}

function positiveInteger(value: string): number {
  const n = integer(value);
  if (n < 1) throw new InvalidArgumentError(`must be at least 1, got ${value}`);
  return n;
}

function port(value: string): number {
  const n = integer(value);
  if (n < 1 || n > 65535) throw new InvalidArgumentError(`not a port: ${value}`);
  return n;
}

/** Checked here, passed to the brokers as written. */
function duration(value: string): string {
  durationMs(value);
  return value;
}

// ---------------------------------------------------------------------------------------------------
// cluster up

interface BrokerPlan {
  readonly id: string;
  readonly zone: string;
  readonly grpc: string;
  readonly admin: string;
  readonly kinesis: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly args: readonly string[];
}

function planBrokers(o: UpOptions, dataDir: string, brokerFlags: readonly string[]): BrokerPlan[] {
  const ids = Array.from({ length: o.brokers }, (_, i) => `b${i + 1}`);
  // Every broker gets the same full list: they are the controller's voters when the cluster forms.
  const peers = ids.map((id, i) => `${id}=${o.host}:${o.baseGrpcPort + i}`).join(",");
  return ids.map((id, i) => {
    const brokerDir = join(dataDir, id);
    const grpc = `${o.host}:${o.baseGrpcPort + i}`;
    return {
      id,
      zone: ZONES[i % ZONES.length]!,
      grpc,
      admin: `${o.host}:${o.baseAdminPort + i}`,
      kinesis: `${o.host}:${o.baseKinesisPort + i}`,
      dataDir: brokerDir,
      logFile: join(brokerDir, BROKER_LOG),
      args: [
        "broker",
        ...["--id", id, "--zone", ZONES[i % ZONES.length]!, "--listen", grpc],
        ...["--admin-port", String(o.baseAdminPort + i), "--kinesis-port", String(o.baseKinesisPort + i)],
        ...["--peers", peers, "--data-dir", brokerDir],
        ...["--replace-after", o.replaceAfter, "--log-level", o.logLevel],
        ...brokerFlags,
      ],
    };
  });
}

async function clusterUp(o: UpOptions, brokerFlags: readonly string[]): Promise<void> {
  const dataDir = resolve(o.dataDir);
  const filePath = join(dataDir, CLUSTER_FILE);
  const previous = await readClusterFile(filePath).catch(() => undefined);
  const stillRunning = previous?.brokers.filter((b) => isBroker(b.pid, b.id)) ?? [];
  if (stillRunning.length > 0) {
    throw new Error(
      `a cluster from ${filePath} still runs (${stillRunning.map((b) => `${b.id} pid ${b.pid}`).join(", ")}); ` +
        `stop it first (Ctrl-C in its terminal, or kill ${previous?.supervisorPid})`,
    );
  }
  const plans = planBrokers(o, dataDir, brokerFlags);
  // Checked first for a clear error; a broker that cannot bind would cost the whole start timeout.
  const taken: string[] = [];
  for (const p of plans) {
    if (!(await canBind(p.grpc))) taken.push(`${p.id} gRPC ${p.grpc}`);
    if (!(await canBind(p.admin))) taken.push(`${p.id} admin ${p.admin}`);
  }
  if (taken.length > 0) throw new Error(`ports in use already: ${taken.join(", ")}`);

  // The first SIGINT/SIGTERM/SIGHUP stops the brokers; a second one kills them without waiting.
  const interrupted = new AbortController();
  const hurry = new AbortController();
  let received: NodeJS.Signals | undefined;
  let signalled: (signal: NodeJS.Signals) => void = () => {};
  const signal = new Promise<NodeJS.Signals>((done) => (signalled = done));
  const onSignal = (s: NodeJS.Signals) => {
    if (received) hurry.abort();
    received ??= s;
    interrupted.abort();
    signalled(s);
  };
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(s, onSignal);

  const children = new Map<string, ChildProcess>();
  const exitedPids = new Set<number>();
  let stopping = false;
  let started: ClusterFileBroker[];
  try {
    const waits: Promise<ClusterFileBroker>[] = [];
    for (const plan of plans) {
      const { process: child, logOffset } = await spawnBroker(plan);
      children.set(plan.id, child);
      child.once("exit", (code, exitSignal) => {
        exitedPids.add(child.pid!);
        if (stopping) return;
        log(
          `broker ${plan.id} (pid ${child.pid}) exited (${exitSignal ?? `code ${code}`}); it stays down ` +
            `until \`eddy cluster restart ${plan.id}\`; its log: ${plan.logFile}`,
        );
      });
      const wait = waitForStarted(plan, child, logOffset, interrupted.signal).then(() => brokerEntry(plan, child.pid!));
      wait.catch(() => {}); // awaited below; this only keeps a failure before then from being "unhandled"
      waits.push(wait);
    }
    started = await Promise.all(waits);
  } catch (error) {
    stopping = true;
    interrupted.abort(); // ends the other brokers' waits
    const survivors = await stopBrokers(
      [...children].map(([id, child]) => ({ id, pid: child.pid ?? -1 })),
      hurry.signal,
    );
    if (survivors.length > 0) log(`still running after SIGKILL: ${survivors.join(", ")}`);
    if (received) {
      log(`${received} while starting: brokers stopped`);
      return;
    }
    throw error;
  }

  await writeClusterFile(filePath, { brokers: started, supervisorPid: process.pid, dataDir });
  printEndpoints(o, dataDir, started);

  // Brokers restarted by `cluster restart` are not our children: watch cluster.json and their pids.
  const known = new Map(started.map((b) => [b.id, b.pid]));
  const monitor = setInterval(() => {
    void readClusterFile(filePath).then(
      (file) => {
        for (const b of file.brokers) {
          const before = known.get(b.id);
          if (before === b.pid) continue;
          known.set(b.id, b.pid);
          log(`broker ${b.id} restarted: pid ${b.pid} (was ${before})`);
        }
        for (const [id, pid] of known) {
          if (stopping || exitedPids.has(pid) || [...children.values()].some((c) => c.pid === pid)) continue;
          if (isRunning(pid)) continue;
          exitedPids.add(pid);
          log(`broker ${id} (pid ${pid}) exited; it stays down until \`eddy cluster restart ${id}\``);
        }
      },
      () => {}, // being rewritten, or removed by the user: the next tick looks again
    );
  }, MONITOR_INTERVAL_MS);

  log(`${await signal}: stopping the brokers`);
  clearInterval(monitor);
  stopping = true;
  // The pids in cluster.json are current: `cluster restart` may have replaced some of ours.
  const current = await readClusterFile(filePath).catch(() => undefined);
  const targets = new Map<number, string>();
  for (const b of current?.brokers ?? []) targets.set(b.pid, b.id);
  for (const [id, child] of children) if (child.pid !== undefined) targets.set(child.pid, id);
  const survivors = await stopBrokers(
    [...targets].map(([pid, id]) => ({ id, pid })),
    hurry.signal,
  );
  if (survivors.length > 0) throw new Error(`still running after SIGKILL: ${survivors.join(", ")}`);
  log("all brokers stopped");
}

function brokerEntry(plan: BrokerPlan, pid: number): ClusterFileBroker {
  return {
    id: plan.id,
    zone: plan.zone,
    pid,
    grpc: plan.grpc,
    kinesis: plan.kinesis,
    admin: plan.admin,
    dataDir: plan.dataDir,
    logFile: plan.logFile,
    args: plan.args,
  };
}

function printEndpoints(o: UpOptions, dataDir: string, brokers: readonly ClusterFileBroker[]): void {
  const dataDirFlag = o.dataDir === ".eddy" ? "" : ` --data-dir ${o.dataDir}`;
  const lines = [
    `Eddy cluster: ${brokers.length} brokers, data and logs in ${dataDir}`,
    ...table([
      ["broker", "zone", "pid", "gRPC", "admin", "Kinesis HTTP (reserved)"],
      ...brokers.map((b) => [b.id, b.zone, String(b.pid), b.grpc, `http://${b.admin}`, b.kinesis]),
    ]).map((line) => `  ${line}`),
    `Endpoints are in ${join(dataDir, CLUSTER_FILE)}; each broker logs to ${join(dataDir, "bN", BROKER_LOG)}.`,
    `Try: npm run eddy -- --endpoint ${brokers[0]?.grpc} stream create demo --shards 2`,
    `     npm run eddy -- cluster status${dataDirFlag}`,
    `     npm run eddy -- cluster restart b2${dataDirFlag}`,
    "Stop with Ctrl-C.",
    "",
  ];
  process.stdout.write(lines.join("\n"));
}

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
}

// ---------------------------------------------------------------------------------------------------
// cluster restart

async function clusterRestart(dataDir: string, id: string): Promise<ClusterFileBroker> {
  const filePath = join(dataDir, CLUSTER_FILE);
  const file = await readClusterFile(filePath);
  const broker = file.brokers.find((b) => b.id === id);
  if (!broker) throw new Error(`no broker ${id} in ${filePath} (it has ${file.brokers.map((b) => b.id).join(", ")})`);
  const survivors = await stopBrokers([{ id, pid: broker.pid }]);
  if (survivors.length > 0) throw new Error(`${id} (pid ${broker.pid}) still runs after SIGKILL`);

  const child = await spawnBroker(broker);
  await waitForStarted(broker, child.process, child.logOffset);
  child.process.unref(); // it outlives this command
  const restarted = { ...broker, pid: child.process.pid! };
  // Read again: `up` or another restart may have written it meanwhile.
  const latest = await readClusterFile(filePath);
  await writeClusterFile(filePath, {
    ...latest,
    brokers: latest.brokers.map((b) => (b.id === id ? restarted : b)),
  });
  return restarted;
}

// ---------------------------------------------------------------------------------------------------
// cluster status

export interface ClusterView {
  readonly dataDir: string;
  readonly brokers: readonly {
    readonly id: string;
    readonly zone: string;
    readonly pid: number;
    readonly grpc: string;
    readonly admin: string;
    readonly kinesis: string;
    /** "up": it answered /v1/status. */
    readonly state: "up" | "unreachable";
    /** Whether its process exists (an unreachable broker may be running but stopped or hung). */
    readonly process: "running" | "gone";
    readonly error?: string;
    readonly controller?: BrokerStatus["controller"];
  }[];
  readonly controller: {
    readonly leaderId: string | null;
    readonly term: number | null;
    /** The controller's view of the brokers, from the reachable broker that applied the most of its log. */
    readonly brokers: BrokerStatus["brokers"];
  };
  readonly streams: readonly {
    readonly stream: string;
    readonly shards: readonly ShardView[];
  }[];
}

export interface ShardView {
  readonly shard: string;
  readonly groupId: number;
  readonly leaderId: string | null;
  readonly term: number;
  /** The desired replicas, as the controller placed them. */
  readonly replicas: readonly string[];
  readonly members: readonly {
    readonly brokerId: string;
    /** The replica's Raft role; "unreachable" if its broker did not answer, "absent" if it answered without it. */
    readonly role: string;
    readonly term?: number;
    readonly commitIndex?: number;
    readonly appliedIndex?: number;
    readonly lastIndex?: number;
  }[];
}

async function clusterStatus(dataDir: string): Promise<ClusterView> {
  const file = await readClusterFile(join(dataDir, CLUSTER_FILE));
  const answers = await Promise.all(file.brokers.map((b) => fetchStatus(b.admin)));
  return mergeStatuses(dataDir, file, answers);
}

async function fetchStatus(admin: string): Promise<{ status: BrokerStatus } | { error: string }> {
  try {
    const response = await fetch(`http://${admin}/v1/status`, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
    if (!response.ok) return { error: `HTTP ${response.status} from /v1/status` };
    return { status: (await response.json()) as BrokerStatus };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    if (cause instanceof Error && cause.name === "TimeoutError")
      return { error: `no answer in ${STATUS_TIMEOUT_MS} ms` };
    return { error: cause instanceof Error ? cause.message : String(cause) };
  }
}

function mergeStatuses(
  dataDir: string,
  file: ClusterFile,
  answers: readonly ({ status: BrokerStatus } | { error: string })[],
): ClusterView {
  const statuses = new Map<string, BrokerStatus>();
  const brokers = file.brokers.map((b, i) => {
    const answer = answers[i]!;
    const common = {
      id: b.id,
      zone: b.zone,
      pid: b.pid,
      grpc: b.grpc,
      admin: b.admin,
      kinesis: b.kinesis,
      process: isBroker(b.pid, b.id) ? ("running" as const) : ("gone" as const),
    };
    if ("error" in answer) return { ...common, state: "unreachable" as const, error: answer.error };
    statuses.set(b.id, answer.status);
    return { ...common, state: "up" as const, controller: answer.status.controller };
  });

  const reachable = [...statuses.values()];
  // The controller's freshest view is that of whoever applied the most of its log.
  const freshest = [...reachable].sort((a, b) => b.controller.appliedIndex - a.controller.appliedIndex)[0];
  const leaders = reachable.filter((s) => s.controller.role === "leader");
  const leader = leaders.sort((a, b) => b.controller.term - a.controller.term)[0];
  const byTerm = [...reachable].sort((a, b) => b.controller.term - a.controller.term);
  const controller = {
    leaderId: leader?.brokerId ?? byTerm.find((s) => s.controller.leaderId)?.controller.leaderId ?? null,
    term: leader?.controller.term ?? byTerm[0]?.controller.term ?? null,
    brokers: freshest?.brokers ?? [],
  };

  // Group every hosted replica by stream and shard.
  const shards = new Map<string, { stream: string; shard: string; entries: [string, GroupStatus][] }>();
  for (const [brokerId, status] of statuses) {
    for (const group of status.groups) {
      const key = `${group.stream}\u0000${group.shard}`;
      const entry = shards.get(key) ?? { stream: group.stream, shard: group.shard, entries: [] };
      entry.entries.push([brokerId, group]);
      shards.set(key, entry);
    }
  }
  const appliedOf = (brokerId: string) => statuses.get(brokerId)?.controller.appliedIndex ?? -1;
  const streams = new Map<string, ShardView[]>();
  for (const { stream, shard, entries } of shards.values()) {
    const leaderEntry = entries.filter(([, g]) => g.role === "leader").sort(([, a], [, b]) => b.term - a.term)[0];
    const desired = [...entries].sort(([a], [b]) => appliedOf(b) - appliedOf(a))[0]![1].replicas;
    const hosting = new Map(entries);
    const memberIds = [...new Set([...desired, ...hosting.keys()])].sort();
    const members = memberIds.map((brokerId) => {
      const group = hosting.get(brokerId);
      if (group) {
        const { role, term, commitIndex, appliedIndex, lastIndex } = group;
        return { brokerId, role, term, commitIndex, appliedIndex, lastIndex };
      }
      return { brokerId, role: statuses.has(brokerId) ? "absent" : "unreachable" };
    });
    const view: ShardView = {
      shard,
      groupId: entries[0]![1].groupId,
      leaderId: leaderEntry?.[0] ?? null,
      term: Math.max(...entries.map(([, g]) => g.term)),
      replicas: desired,
      members,
    };
    streams.set(stream, [...(streams.get(stream) ?? []), view]);
  }
  return {
    dataDir,
    brokers,
    controller,
    streams: [...streams]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([stream, list]) => ({ stream, shards: list.sort((a, b) => a.shard.localeCompare(b.shard)) })),
  };
}

function formatStatus(view: ClusterView): string {
  const controllerRole = (b: ClusterView["brokers"][number]) =>
    b.controller ? `${b.controller.role} (term ${b.controller.term})` : "-";
  const lines = [
    "brokers",
    ...table([
      ["id", "zone", "pid", "gRPC", "state", "controller"],
      ...view.brokers.map((b) => [
        b.id,
        b.zone,
        String(b.pid),
        b.grpc,
        b.state === "up" ? "up" : `unreachable: ${b.error}${b.process === "gone" ? " (process gone)" : ""}`,
        controllerRole(b),
      ]),
    ]).map((line) => `  ${line}`),
    view.controller.leaderId
      ? `controller leader: ${view.controller.leaderId} (term ${view.controller.term})`
      : "controller leader: none known",
    "",
  ];
  if (view.streams.length === 0) lines.push("no shard replicas reported", "");
  for (const { stream, shards } of view.streams) {
    lines.push(`stream ${stream}`);
    for (const s of shards) {
      lines.push(
        `  ${s.shard}  group ${s.groupId}  leader ${s.leaderId ?? "none"} (term ${s.term})  replicas ${s.replicas.join(",")}`,
      );
      const rows = s.members.map((m) =>
        m.commitIndex === undefined
          ? [m.brokerId, m.role]
          : [
              m.brokerId,
              m.role,
              `term ${m.term}`,
              `commit ${m.commitIndex}`,
              `applied ${m.appliedIndex}`,
              `last ${m.lastIndex}`,
            ],
      );
      lines.push(...table(rows).map((line) => `    ${line}`));
    }
    lines.push("");
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------------
// broker processes

/** Starts `eddy broker` detached (Ctrl-C reaches only the supervisor), appending its output to its log. */
async function spawnBroker(
  plan: Pick<BrokerPlan, "id" | "dataDir" | "logFile" | "args">,
): Promise<{ process: ChildProcess; logOffset: number }> {
  await mkdir(plan.dataDir, { recursive: true });
  const log = await open(plan.logFile, "a");
  try {
    const logOffset = (await log.stat()).size;
    const child = spawn(process.execPath, [EDDY_MAIN, ...plan.args], {
      detached: true,
      stdio: ["ignore", log.fd, log.fd],
    });
    await new Promise<void>((spawned, failed) => {
      child.once("spawn", spawned);
      child.once("error", failed);
    });
    return { process: child, logOffset };
  } finally {
    await log.close(); // the child has its own copy
  }
}

/**
 * Reads the broker's log from where it was when the broker started until the broker's own "broker started"
 * line (pino writes the pid, which tells this run from earlier ones). Fails if the broker exits first, or
 * after BROKER_START_TIMEOUT_MS, quoting the end of its log.
 */
async function waitForStarted(
  plan: Pick<BrokerPlan, "id" | "logFile">,
  child: ChildProcess,
  logOffset: number,
  interrupted?: AbortSignal,
): Promise<{ grpc: string; admin: string }> {
  const deadline = Date.now() + BROKER_START_TIMEOUT_MS;
  let position = logOffset;
  let partial = Buffer.alloc(0);
  const tail: string[] = [];
  for (;;) {
    if (interrupted?.aborted) throw new Error(`interrupted while ${plan.id} was starting`);
    const exited = child.exitCode !== null || child.signalCode !== null;
    const chunk = await readFrom(plan.logFile, position);
    position += chunk.length;
    const text = Buffer.concat([partial, chunk]);
    const end = text.lastIndexOf(0x0a);
    partial = text.subarray(end + 1);
    for (const line of text
      .subarray(0, end + 1)
      .toString("utf8")
      .split("\n")) {
      if (line.length === 0) continue;
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      const event = parseJson(line);
      if (
        event?.msg === "broker started" &&
        event.pid === child.pid &&
        typeof event.grpc === "string" &&
        typeof event.admin === "string"
      )
        return { grpc: event.grpc, admin: event.admin };
    }
    if (exited) {
      throw new Error(
        `broker ${plan.id} exited (${child.signalCode ?? `code ${child.exitCode}`}) before it started; ` +
          `${plan.logFile} ends with:\n${tail.join("\n")}`,
      );
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `broker ${plan.id} did not log "broker started" within ${BROKER_START_TIMEOUT_MS} ms; ` +
          `${plan.logFile} ends with:\n${tail.join("\n")}`,
      );
    }
    await delay(START_POLL_INTERVAL_MS);
  }
}

async function readFrom(path: string, position: number): Promise<Buffer> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    if (size <= position) return Buffer.alloc(0);
    const buffer = Buffer.alloc(size - position);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * SIGTERM to each broker still running, then SIGKILL to those still running after BROKER_STOP_TIMEOUT_MS
 * (or at once when `hurry` is aborted). Returns the ones that survived even SIGKILL.
 */
async function stopBrokers(brokers: readonly { id: string; pid: number }[], hurry?: AbortSignal): Promise<string[]> {
  const running = () => brokers.filter((b) => isBroker(b.pid, b.id));
  for (const b of running()) signalProcess(b.pid, "SIGTERM");
  await waitUntil(() => running().length === 0 || hurry?.aborted === true, BROKER_STOP_TIMEOUT_MS);
  const stubborn = running();
  for (const b of stubborn) {
    if (!hurry?.aborted) log(`broker ${b.id} (pid ${b.pid}) did not stop in ${BROKER_STOP_TIMEOUT_MS} ms: SIGKILL`);
    signalProcess(b.pid, "SIGKILL");
  }
  await waitUntil(() => running().length === 0, BROKER_KILL_WAIT_MS);
  return running().map((b) => `${b.id} (pid ${b.pid})`);
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await delay(EXIT_POLL_INTERVAL_MS);
}

/** Whether host:port can be listened on now. */
function canBind(address: string): Promise<boolean> {
  const colon = address.lastIndexOf(":");
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(Number(address.slice(colon + 1)), address.slice(0, colon), () => server.close(() => done(true)));
  });
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // It exited in the meantime.
  }
}

const HAS_PROC = existsSync("/proc/self/stat");

/** Whether the process exists and has not exited: a zombie (exited, not yet reaped) counts as gone. */
function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  if (!HAS_PROC) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Whether `pid` is still broker `id`: a pid in cluster.json may have been reused by another process since. */
function isBroker(pid: number, id: string): boolean {
  if (!isRunning(pid)) return false;
  if (!HAS_PROC) return true; // no way to tell here; trust the pid
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const idAt = argv.indexOf("--id");
    return argv.includes("broker") && idAt >= 0 && argv[idAt + 1] === id;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// cluster.json

async function readClusterFile(path: string): Promise<ClusterFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new Error(`${path} does not exist: start the cluster with \`eddy cluster up\` (same --data-dir)`);
    throw error;
  }
  const file = parseJson(text) as ClusterFile | undefined;
  if (!file || !Array.isArray(file.brokers)) throw new Error(`${path} is not a cluster file`);
  return file;
}

/** Written to a temporary name and renamed, so a reader never sees half a file. */
async function writeClusterFile(path: string, file: ClusterFile): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(file, null, 2) + "\n");
  await rename(temporary, path);
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
