import { fork, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import {
  isFromApplicationWorker,
  type ApplicationWorkerConfig,
  type ApplicationWorkerResult,
  type ApplicationWorkerStatus,
  type ShardStart,
  type ToApplicationWorker,
} from "./application-ipc.js";
import type { Cleanups } from "./bounded.js";
import type { Schedule } from "./clock.js";
import { deferred } from "./worker-process.js";

/** How often the coordinator's waits look at the workers' last reported status. */
const WAIT_POLL_INTERVAL_MS = 50;

/**
 * The coordinator's handle on one application worker process. It keeps the worker's last status and every
 * shard start it reported. `failure` rejects as soon as the worker reports a failure or exits unexpectedly
 * (not after `killNow`), so that a wait racing it fails at once instead of running into its bound.
 */
export class ApplicationWorkerProcess {
  status: ApplicationWorkerStatus = { processedRecords: 0, heldShardIds: [], checkpoints: 0 };
  readonly shardStarts: ShardStart[] = [];
  readonly failure: Promise<never>;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private readonly startedDeferred = deferred<void>();
  private readonly resultDeferred = deferred<ApplicationWorkerResult>();
  private failWith: (error: Error) => void = () => {};
  /** Set by `killNow`/`kill` and once the result is in: an exit after either is no failure. */
  private exitExpected = false;

  constructor(
    readonly label: string,
    readonly config: ApplicationWorkerConfig,
  ) {
    const path = fileURLToPath(new URL("./application-worker.js", import.meta.url));
    // stdout is the report's; a worker's stderr (crash traces) goes to ours.
    this.child = fork(path, [], { stdio: ["ignore", "ignore", "inherit", "ipc"], serialization: "json" });
    this.failure = new Promise<never>((_, reject) => (this.failWith = reject));
    this.failure.catch(() => {});
    this.exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
    this.child.on("message", (message: unknown) => this.receive(message));
    this.child.once("exit", (code, signal) => {
      if (!this.exitExpected) this.fail(new Error(`${label} exited (${code ?? signal}) before reporting its result`));
    });
    this.child.once("error", (error) => this.fail(error));
    this.post({ type: "configure", config });
  }

  /** Resolves once the worker's Application has started (its first heartbeat is in). */
  get started(): Promise<void> {
    return this.startedDeferred.promise;
  }

  get workerId(): string {
    return this.config.workerId;
  }

  window(schedule: Schedule): void {
    this.post({ type: "window", schedule });
  }

  mark(atMs: number): void {
    this.post({ type: "mark", atMs });
  }

  /** Stops the worker's Application gracefully and resolves with what it did. */
  finish(): Promise<ApplicationWorkerResult> {
    this.post({ type: "finish" });
    return this.resultDeferred.promise;
  }

  /** SIGKILL now, as a crash: the exit is expected from here on and fails nothing. */
  killNow(): void {
    this.exitExpected = true;
    this.child.kill("SIGKILL");
  }

  /** Kills the worker if it still runs and waits for it to be gone (clean-up). */
  async kill(): Promise<void> {
    this.exitExpected = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited;
  }

  waitForExit(): Promise<void> {
    return this.exited;
  }

  private post(message: ToApplicationWorker): void {
    if (this.child.connected) this.child.send(message);
  }

  private receive(message: unknown): void {
    if (!isFromApplicationWorker(message)) return;
    switch (message.type) {
      case "started":
        return this.startedDeferred.resolve();
      case "status":
        this.status = message.status;
        return;
      case "shardStarted":
        this.shardStarts.push(message.start);
        return;
      case "result":
        this.exitExpected = true;
        return this.resultDeferred.resolve(message.result);
      case "failed":
        return this.fail(new Error(`${this.label} failed: ${message.message}`));
    }
  }

  /** Settling a settled promise is a no-op, so only the first outcome of each counts. */
  private fail(error: Error): void {
    this.startedDeferred.reject(error);
    this.resultDeferred.reject(error);
    this.failWith(error);
  }
}

/** Forks `count` workers (`configFor(i)`), each killed when the run ends, however it ends. */
export function startApplicationWorkers(
  cleanups: Cleanups,
  count: number,
  configFor: (index: number) => ApplicationWorkerConfig,
): ApplicationWorkerProcess[] {
  return Array.from({ length: count }, (_, index) => {
    const worker = new ApplicationWorkerProcess(`application worker ${index + 1}`, configFor(index));
    cleanups.add(() => worker.kill());
    return worker;
  });
}

/**
 * Polls until `condition()` holds; rejects when `boundMs` passes first (with `describe()` in the message),
 * or at once when one of `workers` fails.
 */
export async function waitForWorkers(
  workers: readonly ApplicationWorkerProcess[],
  what: string,
  boundMs: number,
  condition: () => boolean,
  describe: () => string,
): Promise<void> {
  const deadlineMs = performance.now() + boundMs;
  const poll = async (): Promise<void> => {
    while (!condition()) {
      if (performance.now() >= deadlineMs)
        throw new Error(`${what}: not within ${Math.round(boundMs / 1000)} s; ${describe()}`);
      await sleep(WAIT_POLL_INTERVAL_MS);
    }
  };
  await Promise.race([poll(), ...workers.map((w) => w.failure)]);
}

/** Every worker's `finish()`, failing at once if one of them fails. */
export function finishAll(workers: readonly ApplicationWorkerProcess[]): Promise<ApplicationWorkerResult[]> {
  return Promise.race([Promise.all(workers.map((w) => w.finish())), ...workers.map((w) => w.failure)]);
}
