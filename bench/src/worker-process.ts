import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Schedule } from "./clock.js";
import { isFromWorker, type ToWorker, type WorkerConfig, type WorkerResult } from "./ipc.js";

export type WorkerScript =
  | "put-worker.js"
  | "producer-worker.js"
  | "subscribe-worker.js"
  | "poll-worker.js"
  | "kinesis-worker.js"
  | "limits-read-worker.js"
  | "nats-worker.js";

/**
 * The coordinator's handle on one forked worker. `ready` and `result` reject as soon as the worker
 * reports a failure or exits early, so a dead worker fails the run at once instead of hanging it.
 */
export class WorkerProcess {
  /** Records the worker has reported so far (progress messages), for the progress bar. */
  progressRecords = 0;
  private readonly readyDeferred = deferred<void>();
  private readonly resultDeferred = deferred<WorkerResult>();
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
    this.child.on("message", (message: unknown) => this.receive(message));
    this.child.once("exit", (code, signal) =>
      this.fail(new Error(`${label} exited (${code ?? signal}) before reporting its result`)),
    );
    this.child.once("error", (error) => this.fail(error));
    this.post({ type: "configure", config });
  }

  /** Resolves once the worker is connected and waits for `go`. */
  get ready(): Promise<void> {
    return this.readyDeferred.promise;
  }

  get result(): Promise<WorkerResult> {
    return this.resultDeferred.promise;
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

  private receive(message: unknown): void {
    if (!isFromWorker(message)) return;
    if (message.type === "ready") this.readyDeferred.resolve();
    else if (message.type === "progress") this.progressRecords = message.records;
    else if (message.type === "result") this.resultDeferred.resolve(message.result);
    else this.fail(new Error(`${this.label} failed: ${message.message}`));
  }

  /** Settling a settled promise is a no-op, so only the first outcome of each counts. */
  private fail(error: Error): void {
    this.readyDeferred.reject(error);
    this.resultDeferred.reject(error);
  }
}

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

export function deferred<T>(): Deferred<T> {
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
