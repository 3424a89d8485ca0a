import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Schedule } from "./clock.js";
import { isFromWorker, type ToWorker, type WorkerConfig, type WorkerResult } from "./ipc.js";

export type WorkerScript = "put-worker.js" | "subscribe-worker.js";

/**
 * The coordinator's handle on one forked worker. `ready` and `result` reject as soon as the worker
 * reports a failure or exits early, so a dead worker fails the run at once instead of hanging it.
 */
export class WorkerProcess {
  /** Records the worker has reported so far (progress messages), for the progress bar. */
  progressRecords = 0;
  readonly ready: Promise<void>;
  readonly result: Promise<WorkerResult>;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(
    readonly label: string,
    script: WorkerScript,
    config: WorkerConfig,
  ) {
    const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
    // stdout is the report's; a worker's stderr (crash traces) goes to ours.
    this.child = fork(path, [], { stdio: ["ignore", "ignore", "inherit", "ipc"], serialization: "json" });
    this.exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
    const ready = deferred<void>();
    const result = deferred<WorkerResult>();
    this.ready = ready.promise;
    this.result = result.promise;
    this.child.on("message", (message: unknown) => {
      if (!isFromWorker(message)) return;
      if (message.type === "ready") ready.resolve();
      else if (message.type === "progress") this.progressRecords = message.records;
      else if (message.type === "result") result.resolve(message.result);
      else this.failWith(new Error(`${label} failed: ${message.message}`), ready, result);
    });
    this.child.once("exit", (code, signal) =>
      this.failWith(new Error(`${label} exited (${code ?? signal}) before reporting its result`), ready, result),
    );
    this.child.once("error", (error) => this.failWith(error, ready, result));
    this.post({ type: "configure", config });
  }

  go(schedule: Schedule): void {
    this.post({ type: "go", schedule });
  }

  /** Kills the worker if it still runs and waits for it to be gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited;
  }

  private post(message: ToWorker): void {
    this.child.send(message);
  }

  /** Settling twice is a no-op, so only the first failure (or the result) counts. */
  private failWith(error: Error, ...pending: ReadonlyArray<Deferred<never> | Deferred<void> | Deferred<WorkerResult>>): void {
    for (const one of pending) one.reject(error);
  }
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => {};
  let reject: (error: Error) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Whoever awaits it sees the rejection; a run that failed elsewhere first must not crash on it unheard.
  promise.catch(() => {});
  return { promise, resolve, reject };
}
