/**
 * The coordinator's handle on kinesalite (the npm package: one node, Kinesis on LevelDB), which runs in a
 * process of its own (`kinesalite-server.js`) so that it has an event loop to itself, as each Eddy broker
 * has. Its LevelDB lives in a fresh temporary directory per run, on disk as Eddy's does.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { deferred, type Deferred } from "./worker-process.js";

/** Loading the package, opening LevelDB and listening: well under a second on an idle machine. */
const START_TIMEOUT_MS = 30_000;
/** The process answers a CPU question at once unless its event loop is stuck. */
const CPU_ANSWER_TIMEOUT_MS = 5_000;

/** What the kinesalite process is told. */
export type ToKinesalite =
  { readonly type: "start"; readonly dataDir: string; readonly shardLimit: number } | { readonly type: "cpu" };

/** What it answers: where it listens, why it cannot run at all, or the CPU it has used. */
export type FromKinesalite =
  | { readonly type: "listening"; readonly url: string; readonly version: string }
  | { readonly type: "unavailable"; readonly reason: string }
  | { readonly type: "cpu"; readonly cpuSeconds: number };

export function isFromKinesalite(value: unknown): value is FromKinesalite {
  return (
    typeof value === "object" &&
    value !== null &&
    "type" in value &&
    ["listening", "unavailable", "cpu"].includes(String(value.type))
  );
}

export function isToKinesalite(value: unknown): value is ToKinesalite {
  return (
    typeof value === "object" && value !== null && "type" in value && ["start", "cpu"].includes(String(value.type))
  );
}

/** The package (or the LevelDB binding it needs for an on-disk store) cannot be loaded on this machine. */
export class KinesaliteUnavailable extends Error {
  override readonly name = "KinesaliteUnavailable";
}

export type KinesaliteProbe =
  { readonly available: true; readonly version: string } | { readonly available: false; readonly reason: string };

export class KinesaliteProcess {
  /** Rejects if the process ends before `destroy`: a run racing its load against it fails at once. */
  readonly failure: Promise<never>;
  private readonly cpuAnswers: Deferred<number>[] = [];
  private destroying = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dataDir: string,
    private readonly exited: Promise<void>,
    readonly url: string,
    readonly version: string,
  ) {
    const failure = deferred<never>();
    this.failure = failure.promise;
    void exited.then(() => {
      if (!this.destroying) failure.reject(new Error(`kinesalite exited (${describeExit(child)}) during the run`));
      for (const answer of this.cpuAnswers.splice(0)) answer.reject(new Error("kinesalite exited"));
    });
    child.on("message", (message: unknown) => {
      if (isFromKinesalite(message) && message.type === "cpu") this.cpuAnswers.shift()?.resolve(message.cpuSeconds);
    });
  }

  /**
   * Forks the process on a fresh data directory and waits until it listens on loopback. Rejects with
   * KinesaliteUnavailable if the package cannot be loaded; register `destroy` as soon as this resolves.
   */
  static async start(shardLimit: number): Promise<KinesaliteProcess> {
    const dataDir = await mkdtemp(join(tmpdir(), "eddy-bench-kinesalite-"));
    const script = fileURLToPath(new URL("./kinesalite-server.js", import.meta.url));
    // stdout is the report's; kinesalite's crash traces go to our stderr.
    const child = fork(script, [], { stdio: ["ignore", "ignore", "inherit", "ipc"], serialization: "json" });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
      const { url, version } = await listening(child, exited, { type: "start", dataDir, shardLimit });
      return new KinesaliteProcess(child, dataDir, exited, url, version);
    } catch (error) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
      await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Starts kinesalite once and stops it: whether this machine can run it at all. Any failure counts as
   * unavailable, with its reason, so that the scenario can say so and measure Eddy alone.
   */
  static async probe(): Promise<KinesaliteProbe> {
    try {
      const started = await KinesaliteProcess.start(1);
      await started.destroy();
      return { available: true, version: started.version };
    } catch (error) {
      return { available: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /** CPU time (user + system) the process has used since it started. */
  cpuSeconds(): Promise<number> {
    const answer = deferred<number>();
    this.cpuAnswers.push(answer);
    this.child.send({ type: "cpu" } satisfies ToKinesalite);
    const timer = setTimeout(
      () => answer.reject(new Error(`kinesalite did not report its CPU within ${CPU_ANSWER_TIMEOUT_MS} ms`)),
      CPU_ANSWER_TIMEOUT_MS,
    );
    return answer.promise.finally(() => clearTimeout(timer));
  }

  /** SIGKILL (as the brokers are stopped), then the data directory is removed. */
  async destroy(): Promise<void> {
    this.destroying = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited;
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

function listening(
  child: ChildProcess,
  exited: Promise<void>,
  start: ToKinesalite,
): Promise<{ url: string; version: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`kinesalite did not listen within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    const settle = (): void => clearTimeout(timer);
    child.on("message", (message: unknown) => {
      if (!isFromKinesalite(message)) return;
      settle();
      if (message.type === "listening") resolve({ url: message.url, version: message.version });
      else if (message.type === "unavailable") reject(new KinesaliteUnavailable(message.reason));
    });
    child.once("error", (error) => {
      settle();
      reject(error);
    });
    void exited.then(() => {
      settle();
      reject(new Error(`kinesalite exited (${describeExit(child)}) before it listened`));
    });
    child.send(start);
  });
}

function describeExit(child: ChildProcess): string {
  return String(child.exitCode ?? child.signalCode);
}
