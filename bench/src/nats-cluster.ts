/**
 * Three `nats-server` processes on loopback as one JetStream cluster (Debian's package, found on PATH), for
 * the peers scenario. Each has its own store directory under one temporary root, a client port and a
 * cluster (route) port picked free beforehand, since every server must know the others' routes at start.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePorts } from "@eddy/testkit";
import { connect, StorageType } from "nats";

export const NATS_SERVER_COMMAND = "nats-server";
/** Servers listening and electing JetStream's meta leader, then the stream's placement: bounded together. */
const STREAM_READY_TIMEOUT_MS = 30_000;
const STREAM_RETRY_INTERVAL_MS = 250;
/** Bytes a stream may keep: far more than a run writes, so no run hits a limit. */
const STREAM_BYTES_MAX = 8 * 1024 * 1024 * 1024;
const SERVER_COUNT = 3;

export type NatsProbe =
  { readonly available: true; readonly version: string } | { readonly available: false; readonly reason: string };

/** Whether `nats-server` runs here, and which version (`nats-server --version`). */
export function probeNatsServer(): NatsProbe {
  const result = spawnSync(NATS_SERVER_COMMAND, ["--version"], { encoding: "utf8", timeout: 10_000 });
  if (result.error)
    return { available: false, reason: `${NATS_SERVER_COMMAND} is not on PATH (${result.error.message})` };
  if (result.status !== 0)
    return { available: false, reason: `${NATS_SERVER_COMMAND} --version exited ${result.status}` };
  return { available: true, version: result.stdout.trim() };
}

export class NatsCluster {
  private readonly exited: Promise<void>[];

  private constructor(
    private readonly root: string,
    private readonly children: readonly ChildProcess[],
    /** Client URLs, `nats://127.0.0.1:<port>`, one per server. */
    readonly urls: readonly string[],
  ) {
    this.exited = children.map((child) => new Promise((resolve) => child.once("exit", () => resolve())));
  }

  /** Starts the three servers; register `destroy` as soon as this resolves. */
  static async start(): Promise<NatsCluster> {
    const root = await mkdtemp(join(tmpdir(), "eddy-bench-nats-"));
    const ports = await freePorts(2 * SERVER_COUNT);
    const clientPorts = ports.slice(0, SERVER_COUNT);
    const routePorts = ports.slice(SERVER_COUNT);
    const routes = routePorts.map((port) => `nats-route://127.0.0.1:${port}`);
    const children: ChildProcess[] = [];
    for (let i = 0; i < SERVER_COUNT; i++) {
      const dir = join(root, `n${i + 1}`);
      await mkdir(dir, { recursive: true });
      const config = [
        `server_name: n${i + 1}`,
        `listen: 127.0.0.1:${clientPorts[i]}`,
        `jetstream { store_dir: "${join(dir, "store")}" }`,
        `cluster { name: bench, listen: 127.0.0.1:${routePorts[i]}, routes: [${routes.join(", ")}] }`,
      ].join("\n");
      await writeFile(join(dir, "nats.conf"), config + "\n");
      // Its log goes nowhere: a failure to start shows as the stream never becoming ready.
      children.push(spawn(NATS_SERVER_COMMAND, ["-c", join(dir, "nats.conf")], { stdio: "ignore" }));
    }
    return new NatsCluster(
      root,
      children,
      clientPorts.map((port) => `nats://127.0.0.1:${port}`),
    );
  }

  /**
   * Creates `name` (file storage, `replicas` copies) on subject `subject`, retrying while the cluster forms
   * (no meta leader yet, too few peers), bounded by STREAM_READY_TIMEOUT_MS.
   */
  async createStream(name: string, subject: string, replicas: number): Promise<void> {
    const deadlineMs = Date.now() + STREAM_READY_TIMEOUT_MS;
    let lastError: unknown;
    while (Date.now() < deadlineMs) {
      try {
        const nc = await connect({ servers: [...this.urls], timeout: 2_000 });
        try {
          const jsm = await nc.jetstreamManager({ timeout: 5_000 });
          await jsm.streams.add({
            name,
            subjects: [subject],
            num_replicas: replicas,
            storage: StorageType.File,
            max_bytes: STREAM_BYTES_MAX,
          });
          return;
        } finally {
          await nc.close();
        }
      } catch (error) {
        lastError = error;
        await sleep(STREAM_RETRY_INTERVAL_MS);
      }
    }
    const why = lastError instanceof Error ? lastError.message : String(lastError);
    throw new Error(`NATS stream ${name} (R=${replicas}) not created within ${STREAM_READY_TIMEOUT_MS} ms: ${why}`);
  }

  /** CPU seconds (user + system) each server has used so far, from /proc (NaN where there is none). */
  async cpuSeconds(): Promise<number[]> {
    return Promise.all(this.children.map((child) => processCpuSeconds(child.pid)));
  }

  /** SIGKILL every server, then remove the stores. */
  async destroy(): Promise<void> {
    for (const child of this.children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await Promise.all(this.exited);
    await rm(this.root, { recursive: true, force: true });
  }
}

/** utime + stime of /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s on Linux). */
async function processCpuSeconds(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its ")".
  const fields = text?.slice(text.lastIndexOf(")") + 2).split(" ") ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / 100 : Number.NaN;
}
