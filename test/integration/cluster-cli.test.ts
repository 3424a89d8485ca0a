import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EDDY_MAIN, isPortFree, isProcessAlive, runEddy } from "@eddy/testkit";

const BROKERS = 3;
/** Bounds on what the tests await; each is polled, not slept. */
const CLUSTER_UP_TIMEOUT_MS = 45_000;
const CONDITION_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 100;
const UP_EXIT_TIMEOUT_MS = 30_000;

interface ClusterJson {
  brokers: { id: string; zone: string; pid: number; grpc: string; kinesis: string; admin: string }[];
}

interface StatusJson {
  brokers: { id: string; pid: number; state: "up" | "unreachable"; process: string; controller?: { role: string } }[];
  controller: { leaderId: string | null };
}

/** Polls `probe` until it returns a value other than undefined; fails after `timeoutMs`, naming `what`. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((done) => setTimeout(done, POLL_INTERVAL_MS));
  }
}

/** Three runs of BROKERS consecutive free ports (gRPC, admin, Kinesis) from a random high base. */
async function freeBasePorts(): Promise<[number, number, number]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const bases: [number, number, number] = [base, base + 100, base + 200];
    const ports = bases.flatMap((b) => Array.from({ length: BROKERS }, (_, i) => b + i));
    if ((await Promise.all(ports.map(isPortFree))).every(Boolean)) return bases;
  }
  throw new Error("no free port ranges found in 50 attempts");
}

describe("eddy cluster up / status / restart", () => {
  let dataDir: string;
  let up: ChildProcess;
  let upExited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let upOutput = "";
  const brokerPids = new Set<number>();

  const readCluster = async (): Promise<ClusterJson> => {
    const file = JSON.parse(await readFile(join(dataDir, "cluster.json"), "utf8")) as ClusterJson;
    for (const b of file.brokers) brokerPids.add(b.pid);
    return file;
  };
  const status = async (): Promise<StatusJson> => {
    const run = await runEddy(["cluster", "status", "--data-dir", dataDir, "--json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as StatusJson;
  };
  const upIsRunning = () => up.exitCode === null && up.signalCode === null;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "eddy-cluster-cli-"));
    const [grpc, admin, kinesis] = await freeBasePorts();
    up = spawn(
      process.execPath,
      [
        EDDY_MAIN,
        ...["cluster", "up", "--data-dir", dataDir, "--brokers", String(BROKERS)],
        ...["--base-grpc-port", String(grpc), "--base-admin-port", String(admin)],
        ...["--base-kinesis-port", String(kinesis)],
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    up.stdout!.on("data", (chunk: Buffer) => (upOutput += chunk.toString()));
    up.stderr!.on("data", (chunk: Buffer) => (upOutput += chunk.toString()));
    upExited = new Promise((done) => up.once("exit", (code, signal) => done({ code, signal })));
  });

  afterAll(async () => {
    // Whatever a failed test left behind must not outlive the file.
    if (up && upIsRunning()) up.kill("SIGKILL");
    for (const pid of brokerPids) if (isProcessAlive(pid)) process.kill(pid, "SIGKILL");
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("starts the brokers, prints their endpoints and writes cluster.json", async () => {
    const cluster = await eventually(
      "cluster.json",
      () => readCluster().catch(() => (upIsRunning() ? undefined : Promise.reject(new Error(upOutput)))),
      CLUSTER_UP_TIMEOUT_MS,
    );
    expect(cluster.brokers.map((b) => [b.id, b.zone])).toEqual([
      ["b1", "a"],
      ["b2", "b"],
      ["b3", "c"],
    ]);
    for (const b of cluster.brokers) {
      expect(b).toEqual(
        expect.objectContaining({
          pid: expect.any(Number),
          grpc: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
          admin: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
          kinesis: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        }),
      );
      expect(isProcessAlive(b.pid)).toBe(true);
      expect(upOutput).toContain(b.grpc);
    }
    // Ports are consecutive from each base.
    const port = (address: string) => Number(address.split(":")[1]);
    expect(cluster.brokers.map((b) => port(b.grpc) - port(cluster.brokers[0]!.grpc))).toEqual([0, 1, 2]);
    expect(cluster.brokers.map((b) => port(b.admin) - port(cluster.brokers[0]!.admin))).toEqual([0, 1, 2]);
  });

  it("status --json reports every broker up and a controller leader", async () => {
    const seen = await eventually(
      "three brokers up and a controller leader",
      async () => {
        const s = await status();
        return s.brokers.every((b) => b.state === "up") && s.controller.leaderId ? s : undefined;
      },
      CONDITION_TIMEOUT_MS,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; last status: ${JSON.stringify(await status())}`);
    });
    expect(seen.brokers).toHaveLength(BROKERS);
    expect(seen.brokers.filter((b) => b.controller?.role === "leader").length).toBeLessThanOrEqual(1);
  });

  it("a broker killed under `up` stays down, `up` keeps running, and status shows it unreachable", async () => {
    const killed = (await readCluster()).brokers.find((b) => b.id === "b2")!;
    process.kill(killed.pid, "SIGKILL");
    await eventually(
      "b2's process to be gone",
      async () => (isProcessAlive(killed.pid) ? undefined : true),
      CONDITION_TIMEOUT_MS,
    );
    await eventually(
      "`up` to log that b2 exited",
      async () => (upOutput.includes(`broker b2 (pid ${killed.pid}) exited`) ? true : undefined),
      CONDITION_TIMEOUT_MS,
    );
    expect(upIsRunning()).toBe(true);
    const s = await status();
    expect(s.brokers.find((b) => b.id === "b2")).toMatchObject({ state: "unreachable", process: "gone" });
    expect(isProcessAlive(killed.pid)).toBe(false);
  });

  it("cluster restart starts the broker again with a new pid and records it", async () => {
    const before = (await readCluster()).brokers.find((b) => b.id === "b2")!;
    const run = await runEddy(["cluster", "restart", "b2", "--data-dir", dataDir], { timeoutMs: 60_000 });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const after = (await readCluster()).brokers.find((b) => b.id === "b2")!;
    expect(after.pid).not.toBe(before.pid);
    expect(after.grpc).toBe(before.grpc);
    expect(isProcessAlive(after.pid)).toBe(true);
    expect(run.stdout).toContain(`pid ${after.pid}`);
    await eventually(
      "status to show b2 up again",
      async () => ((await status()).brokers.find((b) => b.id === "b2")?.state === "up" ? true : undefined),
      CONDITION_TIMEOUT_MS,
    );
    expect(upIsRunning()).toBe(true);
  });

  it("SIGTERM to `up` stops every broker, the restarted one too, and exits 0", async () => {
    const pids = (await readCluster()).brokers.map((b) => b.pid);
    up.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      upExited,
      new Promise<never>(
        (_, fail) =>
          (timer = setTimeout(
            () => fail(new Error(`up did not exit in ${UP_EXIT_TIMEOUT_MS} ms:\n${upOutput}`)),
            UP_EXIT_TIMEOUT_MS,
          )),
      ),
    ]);
    clearTimeout(timer);
    expect(exit, upOutput).toEqual({ code: 0, signal: null });
    expect(pids.filter(isProcessAlive)).toEqual([]);
    expect(upOutput).toContain("all brokers stopped");
  });
});
